"""What a compressor receives besides the text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Request:
    """What a compressor needs besides the text."""

    query: str | None = None
    key: str | None = None
    # 0 is the normal strength; each level up keeps less (used to meet max_tokens).
    level: int = 0
    # The caller's token budget, if any: compressors may aim for it directly.
    max_tokens: int | None = None


# A compressor returns the compressed text and a transform name, or None to pass.
Compressor = Callable[[str, Request], tuple[str, str] | None]
