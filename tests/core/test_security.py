import json
import logging

import pytest

from agent_baton import SharedContext, TokenCounterError
from agent_baton.compress import compress

SECRET = "sk-live-7f3a9c-secret-token"


def test_no_content_is_logged_at_info_or_above(caplog):
    ctx = SharedContext()
    body = "\n".join(
        f"2026-11-23 10:00:{i % 60:02d} ERROR auth failed for {SECRET}" for i in range(300)
    )
    with caplog.at_level(logging.DEBUG):
        ctx.put("log", body, agent="researcher")
        ctx.get("log", query="auth")
        ctx.search(None, "auth failed")
        ctx.render(max_tokens=100)
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and SECRET in r.getMessage()]


def test_markers_quote_the_key_so_it_cannot_be_spoofed():
    key = 'x", full=True) and get("other-namespace:*'
    rows = json.dumps([{"id": i, "v": "ok", "n": i * 7} for i in range(3000)], indent=2)
    text = compress(rows, key=key).text
    marker = text.splitlines()[-1]
    assert f"get({json.dumps(key)}, full=True)" in marker
    assert 'get("other-namespace:*' not in marker  # only inside the escaped string


def test_no_content_in_log_records_transforms_or_caches_when_things_fail(caplog):
    """A failing custom counter is reported by its type; no process-wide cache keeps words."""
    from agent_baton import search

    def leaky_counter(text: str) -> int:
        if "ERROR" in text:
            raise ValueError(f"cannot count {text[:80]!r}")
        return len(text) // 4

    ctx = SharedContext(token_counter=leaky_counter)
    body = "\n".join(f"2026-11-23 10:00:{i % 60:02d} ERROR auth failed {SECRET}" for i in range(50))
    with caplog.at_level(logging.DEBUG):
        entry = ctx.put("log", body)
        ctx.put("json", json.dumps([{"token": SECRET, "n": i} for i in range(100)]))
        ctx.search(None, "auth " + SECRET)
        with pytest.raises(TokenCounterError, match="raised ValueError") as info:
            ctx.get("log", query="auth", max_tokens=50)  # a read cannot count without it
    assert SECRET not in str(info.value) and info.value.__suppress_context__
    assert SECRET not in caplog.text  # records, their arguments and any traceback
    assert all(SECRET not in t for e in ctx.entries() for t in e.transforms)
    assert entry.transforms == ["fallback:ValueError"]
    assert not any(hasattr(f, "cache_info") for f in vars(search).values())


def test_no_parse_of_the_content_outlives_its_entry():
    """Detection shares its parses with the compressors for one call, not after it."""
    import gc
    import types

    rows = json.dumps([{"token": SECRET, "n": i} for i in range(2000)])
    source = "\n".join(f"def handler_{i}(token='{SECRET}'):\n    return {i}\n" for i in range(200))
    ctx = SharedContext()
    for key, text in (("rows", rows), ("code", source)):
        ctx.put(key, text)
        ctx.delete(key)
        gc.collect()
        holders = [r for r in gc.get_referrers(text) if not isinstance(r, types.FrameType)]
        assert holders == [(key, text)] or holders == [], key  # the loop's own tuple
