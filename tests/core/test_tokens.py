import json

import pytest
import tiktoken

from agent_baton import SharedContext, get_token_counter
from agent_baton.tokens import encoding_name_for_model, estimate_tokens


def test_encodings_per_model():
    assert encoding_name_for_model("gpt-4o-mini") == "o200k_base"
    assert encoding_name_for_model("o3-mini") == "o200k_base"
    assert encoding_name_for_model("gpt-4") == "cl100k_base"
    assert encoding_name_for_model("claude-sonnet-4-5-20250929") == "cl100k_base"


def test_offline_counter_is_exact_cl100k():
    counter = get_token_counter("gpt-4")
    assert counter.name.startswith("cl100k_base")
    exact = tiktoken.get_encoding(counter.name)
    text = "Hello, world! <|endoftext|> is just text here. 🙂"
    assert counter(text) == len(exact.encode_ordinary(text))


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([{"id": i, "name": f"n {i}"} for i in range(20_000)], indent=3),
        "\r\n".join(f"line {i}  \t end" for i in range(40_000)),
        "".join(["}\n\n", "  \n", "é 🙂", "x" * 50, "\n", "\t\n ", ","] * 30_000),
    ],
)
def test_long_texts_are_counted_in_chunks_exactly(text):
    counter = get_token_counter("gpt-4")
    assert len(text) > 200_000  # more than one chunk
    assert counter(text) == len(tiktoken.get_encoding(counter.name).encode_ordinary(text))


def test_custom_counter_and_estimator():
    ctx = SharedContext(token_counter=lambda text: len(text.split()))
    assert ctx.count_tokens("a b c") == 3
    assert ctx.token_counter_name == "<lambda>"
    assert 8 <= estimate_tokens("The quick brown fox jumps over the lazy dog.") <= 14
    with pytest.raises(TypeError):
        get_token_counter(token_counter="not callable")
