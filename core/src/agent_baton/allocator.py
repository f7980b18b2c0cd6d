"""Hands the C allocator's free memory back to the system after a large put or read.

Compressing a 1 MB text allocates several times its size for a moment (its lines, their
tokens, a parse). glibc keeps what is freed in its heaps for later, so without this a
process's RSS stays at the high-water mark of its largest puts, not at what the context
holds: with ``max_bytes=64 MiB``, 1.52 x max_bytes instead of 1.3 x
(``benchmarks/memory_bench.py``). ``malloc_trim`` is glibc's; elsewhere (musl, macOS,
Windows) this does nothing. ctypes lets go of the GIL during the call.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

# From this many characters a put or focused read frees enough to be worth trimming: a trim
# takes about a millisecond, a put of this size a tenth of a second.
TRIM_FROM_CHARS = 256_000


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # no such symbol, or no C library to open
        return None
    return trim


_TRIM = _malloc_trim()


def release_free_memory(chars: int) -> None:
    """After work on a text of ``chars`` characters: return the allocator's free memory."""
    if _TRIM is not None and chars >= TRIM_FROM_CHARS:
        _TRIM(0)
