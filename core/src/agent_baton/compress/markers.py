"""The short lines that tell the next agent what was left out and how to get it back."""

from __future__ import annotations

import json


def retrieval_hint(key: str | None) -> str:
    """How to fetch the original: ``get("key", full=True)``, or a generic hint with no key."""
    if key is None:
        return "full text on request"
    # json.dumps quotes and escapes the key, so a key cannot break out of the marker.
    return f"full: get({json.dumps(key, ensure_ascii=False)}, full=True)"


def omitted(what: str, key: str | None) -> str:
    """A marker such as ``[… 288 of 300 rows omitted — full: get("research", full=True)]``."""
    return f"[… {what} omitted — {retrieval_hint(key)}]"
