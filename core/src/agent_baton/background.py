"""Worker threads shared by every context: search indexing and token counting.

A forked child inherits an executor object but not its threads, so work it submits would
wait forever; each process therefore gets executors of its own.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_executors: dict[tuple[int, str], ThreadPoolExecutor] = {}
_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def worker(name: str, threads: int = 1) -> ThreadPoolExecutor:
    """The executor called ``name`` in this process, created with ``threads`` on first use."""
    slot = (os.getpid(), name)
    with _lock:
        executor = _executors.get(slot)
        if executor is None:
            executor = _executors[slot] = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix=f"agent-baton-{name}"
            )
        return executor
