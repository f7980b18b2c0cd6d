"""``compress()``: detect what a text is and send it to the compressor for that kind."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from agent_baton.compress.budget import fit_lines
from agent_baton.entry import savings_percent
from agent_baton.tokens import DEFAULT_MODEL, TokenCounter, get_token_counter

logger = logging.getLogger(__name__)

# Below this many tokens compression is not worth its markers.
MIN_TOKENS = 200


@dataclass(frozen=True, slots=True)
class Request:
    """What a compressor needs besides the text."""

    query: str | None = None
    key: str | None = None
    # 0 is the normal strength; each level up keeps less (used to meet max_tokens).
    level: int = 0


# A compressor returns the compressed text and a transform name, or None to pass.
Compressor = Callable[[str, Request], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class CompressionResult:
    """A compressed text with its token counts and the transforms that produced it."""

    text: str
    original_tokens: int
    compressed_tokens: int
    transforms: list[str] = field(default_factory=list)

    @property
    def savings_percent(self) -> float:
        """Share of the original's tokens saved, in percent (rounded to 0.1)."""
        return savings_percent(self.original_tokens, self.compressed_tokens)


def compress(
    text: str,
    *,
    model: str = DEFAULT_MODEL,
    query: str | None = None,
    max_tokens: int | None = None,
    key: str | None = None,
    counter: TokenCounter | None = None,
) -> CompressionResult:
    """Compress ``text`` for the next agent; never raises on content.

    ``query`` keeps what matches it (rows, functions, log events, sentences); ``max_tokens``
    compresses harder until the result fits; ``key`` names the entry in the markers that tell
    how to get omitted parts back. Tiny or unrecognised content passes through untouched.
    """
    if not isinstance(text, str):
        raise TypeError(f"compress() takes a str, not {type(text).__name__}")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError("max_tokens must be a positive int or None")
    count = counter or get_token_counter(model)
    original_tokens = count(text)
    if original_tokens < MIN_TOKENS and (max_tokens is None or original_tokens <= max_tokens):
        return CompressionResult(text, original_tokens, original_tokens, [])
    out, transforms = text, []
    if max_tokens is not None and count(out) > max_tokens:
        out = fit_lines(out, max_tokens, count, key)
        transforms.append("budget:lines")
    return CompressionResult(out, original_tokens, count(out), transforms)
