"""Worker threads shared by every context: search indexing and token counting.

The threads are daemons with a queue of their own rather than a ``ThreadPoolExecutor``,
whose threads the interpreter joins at exit: exit would wait for every index being built.
Here, work still queued or running at exit is dropped; it only ever fills caches.

A forked child inherits an executor object but not its threads, so work it submits would
wait forever; each process therefore gets executors of its own.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class DaemonExecutor:
    """Runs submitted calls in order on ``threads`` daemon threads; never delays exit."""

    def __init__(self, name: str, threads: int) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        for i in range(threads):
            thread = threading.Thread(target=self._work, name=f"agent-baton-{name}-{i}")
            thread.daemon = True
            thread.start()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue ``fn(*args)``; its future can be cancelled until a thread starts it."""
        future: Future[T] = Future()
        self._jobs.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            future, fn, args = self._jobs.get()
            if future.set_running_or_notify_cancel():  # else cancelled while queued
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # handed to whoever waits on the future
                    future.set_exception(exc)
            # An idle thread must not keep its last job's content (a 50 MB text) alive, a
            # cancelled job's included.
            del future, fn, args


_executors: dict[tuple[int, str], DaemonExecutor] = {}
_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def worker(name: str, threads: int = 1) -> DaemonExecutor:
    """The executor called ``name`` in this process, created with ``threads`` on first use."""
    slot = (os.getpid(), name)
    with _lock:
        executor = _executors.get(slot)
        if executor is None:
            executor = _executors[slot] = DaemonExecutor(name, threads)
        return executor
