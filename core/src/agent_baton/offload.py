"""Compression in a child process, for the async twins: the event loop's process keeps its GIL.

Compression holds the GIL, in regex calls for tens of milliseconds at a time; from a thread
of the loop's own process it still stalls the loop that long. A child process compresses
instead (one per process, started on first use, reused): the thread that waits for it waits
on a pipe, without the GIL.

The child is a ``python`` running :func:`serve`, talking pickles over its stdin and stdout;
nothing of the caller's ``__main__`` runs in it. It exits when its stdin closes, so it
never outlives its parent, and the parent's exit never waits for it.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import IO, Any

from agent_baton.compress import CompressionResult, compress

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

    def compress(self, text: str, kwargs: dict[str, Any]) -> CompressionResult:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            try:
                _send(self._proc.stdin, (text, kwargs))
                ok, value = _receive(self._proc.stdout)
            except (OSError, EOFError, pickle.PickleError):
                self._proc.kill()
                raise OffloadError("the compression process died") from None
        if not ok:
            raise OffloadError(f"compress raised {value} in the compression process")
        assert isinstance(value, CompressionResult)
        return value


_child: _Child | None = None
_child_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _child_lock
    _child_lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def compress_in_child(text: str, **kwargs: Any) -> CompressionResult:
    """:func:`~agent_baton.compress.compress` with these arguments, in the child process.

    ``kwargs`` must pickle (a model name, not a custom counter).
    """
    global _child
    with _child_lock:
        if _child is None or not _child.usable():
            _child = _Child()
        child = _child
    return child.compress(text, kwargs)


def serve() -> None:
    """The child's loop: compress what arrives on stdin, answer on stdout, until EOF."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answers
    while True:
        try:
            text, kwargs = _receive(stdin)
        except EOFError:
            return
        try:
            answer: tuple[bool, object] = (True, compress(text, **kwargs))
        except Exception as exc:  # its type alone: a message may quote the content
            answer = (False, type(exc).__name__)
        _send(stdout, answer)
