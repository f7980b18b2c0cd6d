"""Cheap content-type detection: which compressors to try, most likely first."""

from __future__ import annotations

from agent_baton.compress.logs import looks_like_log


def candidates(text: str) -> list[str]:
    """Content kinds to try in order; each compressor may still decline (return None)."""
    head = text.lstrip()[:1]
    kinds: list[str] = []
    if head in ("{", "["):
        kinds.append("json")
    if looks_like_log(text):
        kinds.append("logs")
    if "json" not in kinds and ("\n{" in text[:2000] or "\n[" in text[:2000]):
        kinds.append("json")  # JSON after a line of prose
    return kinds
