"""The last resort for ``max_tokens``: keep whole lines (or sentences) from the top."""

from __future__ import annotations

import re

from agent_baton.compress.markers import omitted
from agent_baton.tokens import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def fit_lines(text: str, max_tokens: int, counter: TokenCounter, key: str | None) -> str:
    """The longest prefix of whole lines that fits ``max_tokens`` with its omission marker.

    A single line too long to keep is cut at a sentence end, never mid-sentence; when not
    even the marker fits, the result is empty.
    """
    lines = text.splitlines()
    total = len(lines)
    kept: list[str] = []
    used = 0
    marker_room = counter(omitted(f"{total} of {total} lines", key)) + 1
    for line in lines:
        cost = counter(line) + 1
        if used + cost + marker_room > max_tokens:
            kept.extend(_fit_sentences(line, max_tokens - used - marker_room, counter))
            break
        kept.append(line)
        used += cost
    marker = omitted(f"{total - len(kept)} of {total} lines", key)
    out = "\n".join([*kept, marker])
    while kept and counter(out) > max_tokens:
        kept.pop()
        out = "\n".join([*kept, omitted(f"{total - len(kept)} of {total} lines", key)])
    return out if counter(out) <= max_tokens else ""


def _fit_sentences(line: str, budget: int, counter: TokenCounter) -> list[str]:
    sentences = _SENTENCE_END.split(line)
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join([*kept, sentence])
        if counter(candidate) + 1 > budget:
            break
        kept.append(sentence)
    return [" ".join(kept)] if kept and len(kept) < len(sentences) else []
