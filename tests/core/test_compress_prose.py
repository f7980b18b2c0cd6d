from agent_baton.compress.prose import compress_prose, looks_like_prose
from agent_baton.compress.request import Request
from agent_baton.compress.router import candidates

FILLER = "This section talks about the general idea in a fairly broad and relaxed manner overall."


def document() -> str:
    parts = ["# Allocator design", ""]
    for i in range(8):
        parts += [f"## Part {i}", "", f"{FILLER} {FILLER} It is what it is, as one says.", ""]
        parts += [
            f"The median latency fell to {i + 3}.5 µs on a 16 GiB heap in test {i}. {FILLER}",
            "",
        ]
    parts += ["The penguin colony in Antarctica grew slowly over the winter months. " + FILLER, ""]
    parts += ["| name | value |", "|------|-------|", "| alpha   |   1 |", "| beta    |   2 |", ""]
    return "\n".join(parts)


def test_keeps_headings_numbers_and_saves():
    text = document()
    out, name = compress_prose(text, Request(key="doc"))
    assert name == "prose:extract"
    assert "## Part 5" in out and "7.5 µs" in out and "16 GiB" in out
    assert "|alpha|1|" in out
    assert len(out) < 0.7 * len(text)
    assert 'get("doc", full=True)' in out


def test_query_keeps_matching_sentence():
    out, _ = compress_prose(document(), Request(query="How did the penguin colony grow?"))
    assert "penguin colony in Antarctica" in out


def test_levels_keep_less():
    sizes = [len(compress_prose(document(), Request(level=lv))[0]) for lv in range(3)]
    assert sizes[0] > sizes[1] > sizes[2]


def test_detection():
    assert looks_like_prose(document())
    assert candidates(document()) == ["prose"]
    assert compress_prose("x = 1\ny = 2\n", Request()) is None
