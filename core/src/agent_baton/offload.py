"""Compression in a child process, for the async twins: the event loop's process keeps its GIL.

Compression holds the GIL, in regex calls for tens of milliseconds at a time; from a thread
of the loop's own process it still stalls the loop that long. A child process compresses
instead (one per process, started on first use, reused): the thread that waits for it waits
on a pipe, without the GIL. For a put it also builds the entry's search index, pure Python
too: built on a thread of the loop's process, 200 concurrent aputs of 40 KB stalled the loop
61 ms at p99 instead of 18 ms (``benchmarks/async_bench.py``, on a loaded machine).

The child is a ``python`` running :func:`serve`, talking pickles over its stdin and stdout;
nothing of the caller's ``__main__`` runs in it. It exits when its stdin closes, so it
never outlives its parent, and the parent's exit never waits for it.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import IO, Any

from agent_baton.allocator import release_free_memory
from agent_baton.compress import CompressionResult, compress
from agent_baton.search import SearchIndex

_HEADER = struct.Struct("!Q")


class OffloadError(RuntimeError):
    """The child process could not compress (it died, or compress raised: type named)."""


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


class _Child:
    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from agent_baton.offload import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        self._owner = os.getpid()

    def usable(self) -> bool:
        """Alive, and this process's own: a forked child must not share the parent's pipes."""
        return self._owner == os.getpid() and self._proc.poll() is None

    def call(self, text: str, kwargs: dict[str, Any], index: bool) -> Any:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            try:
                _send(self._proc.stdin, (text, kwargs, index))
                ok, value = _receive(self._proc.stdout)
            except (OSError, EOFError, pickle.PickleError):
                self._proc.kill()
                raise OffloadError("the compression process died") from None
        if not ok:
            raise OffloadError(f"compress raised {value} in the compression process")
        return value


_child: _Child | None = None
_child_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _child_lock
    _child_lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _child_process() -> _Child:
    global _child
    with _child_lock:
        if _child is None or not _child.usable():
            _child = _Child()
        return _child


def compress_in_child(text: str, **kwargs: Any) -> CompressionResult:
    """:func:`~agent_baton.compress.compress` with these arguments, in the child process.

    ``kwargs`` must pickle (a model name, not a custom counter).
    """
    result = _child_process().call(text, kwargs, index=False)
    assert isinstance(result, CompressionResult)
    return result


def compress_and_index_in_child(text: str, **kwargs: Any) -> tuple[CompressionResult, SearchIndex]:
    """:func:`compress_in_child`, and ``text``'s search index built there too."""
    result, index = _child_process().call(text, kwargs, index=True)
    assert isinstance(result, CompressionResult) and isinstance(index, SearchIndex)
    return result, index


def serve() -> None:
    """The child's loop: compress what arrives on stdin, answer on stdout, until EOF."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answers
    # The parent has warned of a tokenizer fallback already, through its own logging setup;
    # the child's warning would repeat it on the shared stderr, past that setup.
    logging.getLogger("agent_baton.tokens").setLevel(logging.ERROR)
    while True:
        try:
            text, kwargs, index = _receive(stdin)
        except EOFError:
            return
        try:
            result = compress(text, **kwargs)
            answer: tuple[bool, object] = (
                True,
                (result, SearchIndex.of_text(text)) if index else result,
            )
        except Exception as exc:  # its type alone: a message may quote the content
            answer = (False, type(exc).__name__)
        _send(stdout, answer)
        release_free_memory(len(text))  # the child lives as long as its parent
