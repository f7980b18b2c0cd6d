"""Answers remembered for one compression: detection and the compressors ask alike.

Detection parses a text to tell its kind (TOML, YAML, Python), then the compressor of that
kind parses it again, at each level it tries; the segmenter detects each block, then
compresses it by what detection says. A function marked :func:`once` is answered once per
argument within :func:`remembering` (each call of
:func:`~agent_baton.compress.pipeline.compress` is, by :func:`remembering_calls`), and as
usual outside it. Nothing outlives the compression, so no text is held on to.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")

# Per thread (and per task): two compressions at once never share answers.
_memo: ContextVar[dict[object, object] | None] = ContextVar("compression_memo", default=None)


def once(fn: Callable[P, T]) -> Callable[P, T]:
    """``fn`` called once per arguments within a compression; ``fn`` must not depend on more.

    What it returns is shared by every caller: they must not change it. A call that spells
    out a default (``detect(text, None)``) is the call that leaves it out (``detect(text)``).
    """
    code = fn.__code__
    defaults: tuple[object, ...] = getattr(fn, "__defaults__", None) or ()
    required = code.co_argcount - len(defaults)  # positional parameters without a default
    keyword_defaults: dict[str, object] = {
        **dict(zip(code.co_varnames[required : code.co_argcount], defaults, strict=True)),
        **(getattr(fn, "__kwdefaults__", None) or {}),
    }

    @functools.wraps(fn)
    def remembered(*args: P.args, **kwargs: P.kwargs) -> T:
        memo = _memo.get()
        if memo is None:
            return fn(*args, **kwargs)
        given = len(args)
        while given > required and args[given - 1] is defaults[given - 1 - required]:
            given -= 1
        named = tuple(
            item for item in kwargs.items() if keyword_defaults.get(item[0], kwargs) is not item[1]
        )
        key = (fn, args[:given], named)
        if key in memo:
            return cast(T, memo[key])
        value = memo[key] = fn(*args, **kwargs)
        return value

    return remembered


def answers(fn: Callable[..., T]) -> dict[object, T] | None:
    """The answers of ``fn`` this compression remembers, by argument; None outside one.

    For a function asked about many small things (each line of a text) that the caller
    looks up itself: :func:`once` would cost a key of its own per call.
    """
    memo = _memo.get()
    if memo is None:
        return None
    return cast(dict[object, T], memo.setdefault(fn, {}))


# Lines whose answers one compression remembers per function, at most: enough for any text
# detection samples and the blocks of a long one (a chat's lines are asked about by each
# turn's check, the whole text's and its compressors'), without holding the lines of a log
# of millions.
REMEMBERED_LINES = 50_000


def line_test(fn: Callable[[str], T]) -> Callable[[str], T]:
    """``fn``, a test of one line, its answers remembered for the compression under way.

    For a caller that asks about many lines in turn; ``fn`` never answers None.
    """
    known = answers(fn)
    return fn if known is None else functools.partial(_remembered, known, fn)


def line_answer(fn: Callable[[str], T], line: str) -> T:
    """``fn(line)``, remembered for the compression under way as :func:`line_test` does."""
    known = answers(fn)
    return fn(line) if known is None else _remembered(known, fn, line)


def _remembered(known: dict[object, T], fn: Callable[[str], T], line: str) -> T:
    found = known.get(line)
    if found is None:
        found = fn(line)
        if len(known) < REMEMBERED_LINES:
            known[line] = found
    return found


@contextmanager
def remembering() -> Iterator[None]:
    """Remember what :func:`once` functions answer until the block ends."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembering_calls(fn: Callable[P, T]) -> Callable[P, T]:
    """``fn`` with each call within :func:`remembering`, as a decorator.

    Without a context manager made per call: a short text's compression pays for one as
    much as for its other steps.
    """

    @functools.wraps(fn)
    def within(*args: P.args, **kwargs: P.kwargs) -> T:
        token = _memo.set({})
        try:
            return fn(*args, **kwargs)
        finally:
            _memo.reset(token)

    return within
