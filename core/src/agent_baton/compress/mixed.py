"""Mixed markdown: prose with fenced code, JSON, tables and run output, each by its kind.

The document keeps its order: prose goes through the prose compressor's sentence selection,
and every fenced block through the compressor its content calls for (code, JSON, logs);
a block no compressor shortens stays as it was.
"""

from __future__ import annotations

import re

from agent_baton.compress.prose import compress_document, keep_code_head
from agent_baton.compress.request import Request

_FENCED = re.compile(r"^\s*(`{3,}|~{3,})", re.MULTILINE)


def looks_like_mixed(text: str) -> bool:
    """Whether the text is markdown with at least one fenced block and prose around it."""
    fences = _FENCED.findall(text[:200000])
    if len(fences) < 2:
        return False
    outside = re.sub(r"(?ms)^\s*(`{3,}|~{3,}).*?^\s*\1", "", text)
    return len(re.findall(r"[A-Za-z]{3,}", outside)) >= 30


def compress_mixed(text: str, request: Request) -> tuple[str, str] | None:
    """Compress prose and each fenced block by its kind, in order; None if not mixed."""
    if not looks_like_mixed(text):
        return None
    out = compress_document(text, request, compress_block)
    return None if out is None else (out, "mixed:segments")


def compress_block(block: str, lang: str, request: Request) -> str:
    """A fenced block through the compressor its content calls for, fences kept."""
    lines = block.splitlines()
    fenced = len(lines) >= 2 and _FENCED.match(lines[0]) is not None
    closing = fenced and _FENCED.match(lines[-1]) is not None
    inner = "\n".join(lines[1 : -1 if closing else None]) if fenced else block
    if len(inner) < 400:
        return block
    from agent_baton.compress.pipeline import COMPRESSORS  # lazy: pipeline imports mixed
    from agent_baton.compress.router import candidates

    for kind in candidates(inner):
        if kind in ("mixed", "prose"):
            continue
        try:
            produced = COMPRESSORS[kind](inner, request)
        except Exception:  # a nested compressor bug must not lose the block
            produced = None
        if produced is not None and len(produced[0]) < len(inner):
            parts = [lines[0], produced[0], lines[-1]] if closing else [produced[0]]
            return "\n".join(parts)
    return keep_code_head(block, lang, request)
