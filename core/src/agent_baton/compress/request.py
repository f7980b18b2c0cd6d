"""What a compressor receives besides the text."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


class DeadlineExceeded(Exception):
    """A compressor ran past its request's deadline (the pipeline then falls back)."""


@dataclass(frozen=True, slots=True)
class Request:
    """What a compressor needs besides the text."""

    query: str | None = None
    # The entry's key, named in markers as the way to get the original back.
    key: str | None = None
    # The key or file name whose extension hints the content's kind (``statistics.py``).
    name: str | None = None
    # 0 is the normal strength; each level up keeps less (used to meet max_tokens).
    level: int = 0
    # The caller's token budget, if any: compressors may aim for it directly.
    max_tokens: int | None = None
    # What compressors that aim at a number of characters multiply it by: the pipeline
    # tries shares between two levels to fill max_tokens.
    scale: float = 1.0
    # The time.thread_time() by which the compressor must be done; None: no limit. CPU
    # time of the compressing thread, not wall time: a busy machine does not change what
    # compression produces.
    deadline: float | None = None

    def check_time(self) -> None:
        """Raise :class:`DeadlineExceeded` once the deadline has passed.

        Compressors call it between their passes and every few thousand lines: stopping
        there leaves nothing running, as a thread or a timer would.
        """
        if self.deadline is not None and time.thread_time() > self.deadline:
            raise DeadlineExceeded


# A compressor returns the compressed text and a transform name, or None to pass.
Compressor = Callable[[str, Request], tuple[str, str] | None]
