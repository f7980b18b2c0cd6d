"""``compress()``: detect what a text is, compress it by its kind, check the guarantees.

The steps, one module each: :mod:`~agent_baton.compress.segment` splits a text joined from
several kinds into blocks, :mod:`~agent_baton.compress.detect` parses a text to tell its kind,
one compressor per kind compresses it, and :mod:`~agent_baton.compress.guarantees` checks the
result (failure lines kept, nothing large left as it was) and repairs what a compressor missed.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from agent_baton.background import worker
from agent_baton.compress.binary import compress_binary
from agent_baton.compress.budget import (
    FOLD_LINE,
    LineUnits,
    answers,
    coverage,
    fit_lines,
    term_weights,
)
from agent_baton.compress.chat import compress_chat
from agent_baton.compress.code import compress_code
from agent_baton.compress.config import compress_config
from agent_baton.compress.conflicts import restore_conflicts
from agent_baton.compress.detect import kinds
from agent_baton.compress.fallback import compress_fallback
from agent_baton.compress.guarantees import (
    FALLBACK_TOKENS,
    LINE_KINDS,
    cut_long_lines,
    failures,
    fallback,
    is_source,
    restore_failures,
)
from agent_baton.compress.html import compress_html
from agent_baton.compress.json import budget_chars, compress_json
from agent_baton.compress.logs import compress_lines, compress_logs
from agent_baton.compress.markers import hint_once, is_marker, omitted, shows_nothing
from agent_baton.compress.memo import remembering_calls
from agent_baton.compress.mixed import compress_mixed
from agent_baton.compress.pretty import compress_python
from agent_baton.compress.prose import compress_prose, cut_line
from agent_baton.compress.request import Compressor, DeadlineExceeded, Request
from agent_baton.compress.segment import compress_segments
from agent_baton.compress.sql import compress_sql
from agent_baton.compress.statements import STATEMENT_KINDS, restore_statements
from agent_baton.compress.tables import compress_table
from agent_baton.compress.xml import compress_xml
from agent_baton.compress.yaml import compress_yaml
from agent_baton.entry import savings_percent
from agent_baton.tokens import DEFAULT_MODEL, TokenCounter, get_token_counter

logger = logging.getLogger(__name__)

# Below this many tokens compression is not worth its markers.
MIN_TOKENS = 200
# From this length on the original is counted while it is compressed.
_COUNT_ALONGSIDE_CHARS = 8_000
# How long a compression waits for a busy counting thread to take its job: at least this,
# and for a long text a twentieth of its count (about 6 MB a second), so a thread slow to be
# scheduled on a loaded machine does not hand a 50 MB count back to the compressing one.
_HANDOVER_SECONDS = 0.002
_HANDOVER_CHARS_PER_SECOND = 120_000_000
# How many times a compressor may be asked to keep less to meet max_tokens.
MAX_LEVEL = 4
# A level that fits max_tokens but uses less than this share of it leaves room to fill.
_FILLED = 0.8
# Shares between two levels tried to fill it, at most.
_FILL_TRIES = 3
# A compressor's output of markers alone gives way to this many of the input's first lines
# that say something, and about this many characters of them.
_HEAD_LINES = 3
_HEAD_CHARS = 400
# Seconds of CPU time a compression may take before it falls back to one linear pass.
DEFAULT_DEADLINE = 10.0
COMPRESSORS: dict[str, Compressor] = {
    "json": compress_json,
    "table": compress_table,
    "yaml": compress_yaml,
    "logs": compress_logs,
    "code": compress_code,
    "prose": compress_prose,
    "chat": compress_chat,
    "mixed": compress_mixed,
    "repr": compress_python,
    "config": compress_config,
    "sql": compress_sql,
    "html": compress_html,
    "xml": compress_xml,
    "binary": compress_binary,
    "segments": compress_segments,
    "lines": compress_lines,
}


@dataclass(frozen=True, slots=True)
class CompressionResult:
    """A compressed text with its token counts and the transforms that produced it.

    Attributes:
        text: The compressed text, with markers where something was left out.
        original_tokens: Tokens of the input.
        compressed_tokens: Tokens of ``text``.
        transforms: What was done, e.g. ``["logs:fold"]``; empty when the text passed as is.
    """

    text: str
    original_tokens: int
    compressed_tokens: int
    transforms: list[str] = field(default_factory=list)

    @property
    def savings_percent(self) -> float:
        """Share of the original's tokens saved, in percent (rounded to 0.1)."""
        return savings_percent(self.original_tokens, self.compressed_tokens)


@remembering_calls  # what detection parsed, the compressors reuse
def compress(
    text: str,
    *,
    model: str = DEFAULT_MODEL,
    query: str | None = None,
    max_tokens: int | None = None,
    key: str | None = None,
    filename: str | None = None,
    counter: TokenCounter | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> CompressionResult:
    """Compress ``text`` for the next agent; never raises on content.

    ``query`` keeps what matches it (rows, functions, log events, sentences); ``max_tokens``
    compresses harder until the result fits, but never drops a line that reports a failure:
    when those alone exceed it, they all stay, a marker says so and ``transforms`` ends with
    ``budget:failures-over``; ``key`` names the entry in the markers that tell
    how to get omitted parts back, and its file extension hints the content's kind
    (``statistics.py``, ``deps.csv``); ``filename`` gives that hint for a text no key names
    (a file compressed on its own), without naming it in markers. Tiny or unrecognised
    content passes through untouched.
    When the content's compressor has taken ``deadline`` seconds of CPU time (``None``: no
    limit), the text is compressed in one linear pass instead (first and last lines,
    failure lines, repeats folded, every cut marked) and ``transforms`` says
    ``fallback:deadline``.
    """
    if not isinstance(text, str):
        raise TypeError(f"compress() takes a str, not {type(text).__name__}")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError("max_tokens must be a positive int or None")
    if deadline is not None and not deadline > 0:
        raise ValueError("deadline must be a positive number of seconds or None")
    due = None if deadline is None else time.thread_time() + deadline
    count = counter or get_token_counter(model)
    counting = _count_original(text, count)
    if counting.done() and _passes_through(counting.result(), max_tokens):
        return CompressionResult(text, counting.result(), counting.result(), [])
    out: str = text
    out_tokens: int | None = None
    transforms: list[str] = []
    name = key or filename
    request = Request(query=query, key=key, name=name, max_tokens=max_tokens, deadline=due)
    timed_out = False
    try:
        for kind in _kinds(text, name):
            attempt = _run(COMPRESSORS[kind], kind, text, counting.result, request, count)
            if attempt is None:
                continue  # not this kind of content: try the next
            # The first compressor that recognises the content owns it: another kind's rules
            # (prose on a JSON document, say) would drop what this one knew to keep.
            out, out_tokens, transforms = attempt
            if out is not text and kind in LINE_KINDS:
                out, out_tokens = _with_failures(text, out, out_tokens, counting.result, count)
            if out is not text and kind in STATEMENT_KINDS:
                out, out_tokens = _repaired(
                    restore_statements(text, out), text, out, out_tokens, counting.result, count
                )
            break
        if out is text and counting.result() > FALLBACK_TOKENS:
            attempt = _run(fallback, "fallback", text, counting.result, request, count)
            if attempt is not None and attempt[0] is not text:
                # A line cut short may hold failures (a repr's string of a test run); not
                # source that its compressor could not shorten (a minified bundle): its
                # strings are program text ("TAR_SYMLINK_ERROR: Cannot extract…").
                cut, tokens = attempt[0], attempt[1]
                if not is_source(transforms):
                    cut, tokens = _with_failures(text, cut, tokens, counting.result, count)
                if cut is not text:
                    out, out_tokens, transforms = cut, tokens, transforms + attempt[2]
        elif out_tokens is not None and _far_from_bound(text, out):
            # A compressor that kept most of a text of a few huge lines (a database dump's
            # JSON columns, where a fold saved a few tokens): its long input lines are cut.
            cut_out = cut_long_lines(out, text, request)
            if cut_out is not None:
                tokens = count(cut_out)
                if not is_source(transforms):
                    cut_out, tokens = _with_failures(text, cut_out, tokens, counting.result, count)
                if cut_out is not text and tokens < out_tokens:
                    out, out_tokens = cut_out, tokens
                    transforms = [*transforms, "fallback:cut-lines"]
        if out is not text and out_tokens is not None:
            # Whatever the kind: a conflicted file's conflicts are what is left to resolve
            # (all of the file when they are most of it).
            out, out_tokens = _repaired(
                restore_conflicts(text, out), text, out, out_tokens, counting.result, count
            )
    except DeadlineExceeded:
        out = compress_fallback(text, key, budget_chars(len(text), request))
        out_tokens, transforms, timed_out = count(out), ["fallback:deadline"], True
    original_tokens = counting.result()
    if _passes_through(original_tokens, max_tokens):
        return CompressionResult(text, original_tokens, original_tokens, [])
    if timed_out and out_tokens is not None and out_tokens >= original_tokens:
        out, out_tokens = text, original_tokens  # the one pass found nothing to leave out
    compressed_any = out is not text
    if out_tokens is None:
        out_tokens = original_tokens
    if max_tokens is not None and out_tokens > max_tokens:
        # Source names exceptions and errors; it reports none (guarantee 3 exempts it): its
        # lines have no precedence.
        source = is_source(transforms)
        original = None if out is text else text
        out = fit_lines(out, max_tokens, count, key, query, original, failures_first=not source)
        if query and compressed_any and not timed_out and not source:
            # The compressor may have dropped what the query asks for at its hardest level:
            # the original's best-matching lines may cover the query better, if they keep
            # as many failures (not worth a pass over an original too large to compress in
            # time). Not source: its compressor keeps whole the functions a query names,
            # under their signatures, which a cut of the raw lines loses.
            kept = frozenset(line for line in out.splitlines() if not is_marker(line))
            direct = fit_lines(
                text, max_tokens, count, key, query, failures_first=not source, prefer=kept
            )
            # Equal in the query's terms, the one keeping more of the lines that answer it.
            weights, wanted = term_weights(text, query), answers(text, query)

            def worth(form: str) -> tuple[float, int]:
                return coverage(form, weights), len(wanted.intersection(form.splitlines()))

            if (
                worth(direct) > worth(out)
                and len(failures(direct)) >= len(failures(out))
                # Not past the budget where the compressed form is not: every failure line
                # raw (200 errors) where the compressor folded them.
                and count(direct) <= max(max_tokens, count(out))
            ):
                out = direct
        out_tokens = count(out)
        transforms.append("budget:lines")
        if out_tokens > max_tokens:
            # The failure lines alone exceed the budget: the guarantee wins, they all stay
            # (and the marker says so), or the original does when it is no longer.
            transforms.append("budget:failures-over")
            if out_tokens >= original_tokens:
                out, out_tokens = text, original_tokens
    return CompressionResult(out, original_tokens, out_tokens, transforms)


def _far_from_bound(text: str, out: str) -> bool:
    """Whether ``out`` is over twice what a compressed form of ``text`` may take."""
    return len(out) > 2 * budget_chars(len(text), Request())


def _with_failures(
    text: str, out: str, out_tokens: int, original_tokens: Callable[[], int], count: TokenCounter
) -> tuple[str, int]:
    """``out`` with the failure lines its compressor dropped put back.

    When that is no shorter than ``text``, ``text`` itself: a failure line is never dropped
    to save tokens.
    """
    return _repaired(restore_failures(text, out), text, out, out_tokens, original_tokens, count)


def _repaired(
    repaired: str,
    text: str,
    out: str,
    out_tokens: int,
    original_tokens: Callable[[], int],
    count: TokenCounter,
) -> tuple[str, int]:
    """``repaired`` (``out`` with lines put back) counted, or ``text`` if it is no shorter."""
    if repaired == out:
        return out, out_tokens
    tokens = count(repaired)
    return (repaired, tokens) if tokens < original_tokens() else (text, original_tokens())


def compress_part(
    text: str, request: Request, skip: tuple[str, ...], name: str | None = None
) -> tuple[str, str] | None:
    """A part of a document (a chat turn, a fenced block) by the first kind that shortens it.

    (compressed text, kind), or None when no compressor but those in ``skip`` makes it
    shorter. A failing compressor is passed over: it must not lose the part. ``name`` is
    the part's own file name (a file of a dump): its extension hints its kind, as a key's.
    """
    found = _kinds(text, name)
    if name is not None:
        request = dataclasses.replace(request, name=name)
    # The line fold as a fallback is for whole texts: a part's owner has its own (a code
    # block's head, a turn's head and tail), which keeps less.
    for kind in found[:1] + [k for k in found[1:] if k != "lines"]:
        if kind in skip:
            continue
        try:
            produced = COMPRESSORS[kind](text, request)
        except DeadlineExceeded:
            raise  # the whole document falls back, not just this part
        except Exception as exc:  # logged by type: a message or traceback may quote content
            logger.debug("%s compressor failed on a part: %s", kind, type(exc).__name__)
            continue
        if produced is not None and len(produced[0]) < len(text):
            return produced[0], kind
    return None


def _kinds(text: str, key: str | None = None) -> list[str]:
    """The kinds to try; the line fold alone when a parser fails on the content.

    A detector must not make compression raise (the csv module refuses a field over its size
    limit, for one): the text is then folded line by line.
    """
    try:
        return kinds(text, key)
    except DeadlineExceeded:
        raise
    except Exception as exc:  # logged by type: a message may quote content
        logger.debug("detection failed: %s", type(exc).__name__)
        return ["lines"]


class _Counted:
    """A count already made here: what :func:`compress` asks of a count's future, without one.

    (A Future is a lock and a condition to make, set and read: a put of a short text pays
    for them as much as for its count.)
    """

    __slots__ = ("_tokens",)

    def __init__(self, tokens: int) -> None:
        self._tokens = tokens

    def done(self) -> bool:
        return True

    def result(self) -> int:
        return self._tokens


def _count_original(text: str, count: TokenCounter) -> Future[int] | _Counted:
    """Count ``text`` on another thread while it is compressed (here, if short or if busy)."""
    if len(text) >= _COUNT_ALONGSIDE_CHARS:
        started = threading.Event()

        def run() -> int:
            started.set()
            return count(text)

        # tiktoken releases the GIL, so another core counts while this one compresses. Its
        # threads live on (a new thread's tokenizer starts cold), and this one waits for the
        # job to start: otherwise a pooled thread only takes the GIL at the next switch
        # interval (5 ms).
        counting = worker("count", threads=2).submit(run)
        patience = max(_HANDOVER_SECONDS, len(text) / _HANDOVER_CHARS_PER_SECOND)
        if started.wait(patience) or not counting.cancel():
            return counting
        # Both counting threads are busy with other puts: count here rather than queue.
    return _Counted(count(text))


def _passes_through(original_tokens: int, max_tokens: int | None) -> bool:
    """Whether a text is too short to be worth compressing and fits the budget as it is."""
    return original_tokens < MIN_TOKENS and (max_tokens is None or original_tokens <= max_tokens)


def _run(
    compressor: Compressor,
    kind: str,
    text: str,
    original_tokens: Callable[[], int],
    request: Request,
    count: TokenCounter,
) -> tuple[str, int, list[str]] | None:
    """Run one compressor, harder level by level until ``request.max_tokens`` holds.

    None when the compressor declines the text; a failure or a longer result is reported
    in the notes and leaves the text as it was. Past the deadline, the best level so far
    is the result; with none, DeadlineExceeded propagates.
    """
    max_tokens = request.max_tokens
    best: tuple[str, int, list[str]] | None = None
    over: tuple[str, int, list[str]] | None = None  # the last level that kept too much
    for level in range(MAX_LEVEL + 1):
        try:
            request.check_time()
            produced = compressor(text, dataclasses.replace(request, level=level))
        except DeadlineExceeded:
            if best is None:
                raise
            return best
        except Exception as exc:  # a compressor bug must not lose the content
            logger.debug("%s compressor failed: %s", kind, type(exc).__name__)
            return text, original_tokens(), [f"{kind}:failed:{type(exc).__name__}"]
        if produced is None:
            return best
        compressed, name = produced
        if shows_nothing(compressed):
            # Markers alone (a header that is one licence comment: "// [… 44 lines]") hand on
            # nothing concrete: the text's first lines say at least what it is.
            compressed = _head(text, request.key)
        compressed = hint_once(compressed, text, request.key)
        tokens = count(compressed)
        if tokens >= original_tokens():
            return best or (text, original_tokens(), [f"{name}:skipped-longer"])
        if best is not None and tokens == best[1] and is_source([name]):
            # A skeleton's level that left out nothing more (a file with no docs to drop):
            # a later one leaves out its imports, then its members' signatures.
            continue
        if best is not None and tokens >= best[1]:
            return best  # a harder level no longer helps
        best = (compressed, tokens, [name if level == 0 else f"{name}@{level}"])
        if max_tokens is None or _FILLED * max_tokens <= tokens <= max_tokens:
            return best
        if tokens <= max_tokens:
            return _filled(
                best, over, compressor, text, dataclasses.replace(request, level=level), count
            )
        over = best
    return best


def _head(text: str, key: str | None) -> str:
    """The first lines of ``text``, then a marker for the rest.

    Up to :data:`_HEAD_LINES` lines that say something (a word or a number: not a comment's
    bare ``//``), and the blank and bare lines among them.
    """
    lines = text.splitlines()
    kept: list[str] = []
    said = chars = 0
    for line in lines:
        if said == _HEAD_LINES or chars >= _HEAD_CHARS:
            break
        kept.append(cut_line(line, _HEAD_CHARS))
        said += any(c.isalnum() for c in line)
        chars += len(kept[-1])
    return "\n".join([*kept, omitted(f"{len(lines) - len(kept)} of {len(lines)} lines", key)])


def _filled(
    fits: tuple[str, int, list[str]],
    over: tuple[str, int, list[str]] | None,
    compressor: Compressor,
    text: str,
    request: Request,
    count: TokenCounter,
) -> tuple[str, int, list[str]]:
    """What ``fits`` max_tokens at ``request.level``, or a fuller form that fits too.

    A level keeps about half of what the one before it (``over``) kept, and a compressor
    aiming at max_tokens by an estimate of characters per token may keep less than fits:
    the first form that fits may use a fraction of the budget. A compressor that aims at a
    number of characters is asked for shares between the two (at the first level, between
    its aim and what it keeps unaimed); another's fuller form is cut by whole lines to the
    budget (failures first, then the lines the form that fits kept, then the query's
    matches), when its markers can count the original's lines, it holds no fold (whose
    examples a cut may part from it) and the cut keeps every failure.
    """
    max_tokens = request.max_tokens
    assert max_tokens is not None
    best = fits
    if over is not None:
        widest = 2.0  # the level before: twice the characters
    else:
        widest = budget_chars(len(text), Request()) / budget_chars(len(text), request)
    low, high = 1.0, widest
    for _ in range(_FILL_TRIES if widest > 1 else 0):
        scale = math.sqrt(low * high)  # the budget's share halves per level: between, by ratio
        try:
            produced = compressor(text, dataclasses.replace(request, scale=scale))
        except Exception as exc:  # DeadlineExceeded too: what fits is the result
            logger.debug("%s compressor failed: %s", fits[2][0], type(exc).__name__)
            return best
        shares = None if produced is None else hint_once(produced[0], text, request.key)
        if shares is None or shares == fits[0]:
            break  # the compressor does not aim at characters
        tokens = count(shares)
        if tokens > max_tokens:
            high = scale
            over = (shares, tokens, fits[2])
            continue
        low = scale
        if tokens > best[1]:
            best = (shares, tokens, [*fits[2][:-1], f"{fits[2][-1]}~{scale:.2f}"])
        if tokens >= _FILLED * max_tokens:
            return best
    else:
        return best
    if over is None and request.level == 0:
        try:
            free = compressor(text, dataclasses.replace(request, max_tokens=None))
        except Exception as exc:
            logger.debug("%s compressor failed: %s", fits[2][0], type(exc).__name__)
            return best
        if free is None:
            return best
        unaimed = hint_once(free[0], text, request.key)
        if unaimed == fits[0]:
            return best
        over = (unaimed, count(unaimed), [free[1]])
    if over is None or FOLD_LINE.search(over[0]):
        return best
    lines = over[0].splitlines()
    if not LineUnits.of(lines, text).of_original:
        return best  # reshaped: a cut's markers would count the compressed form's lines
    source = is_source(fits[2])
    kept = frozenset(line for line in fits[0].splitlines() if not is_marker(line))
    cut = fit_lines(
        over[0],
        max_tokens,
        count,
        request.key,
        request.query,
        text,
        failures_first=not source,
        prefer=kept,
    )
    tokens = count(cut)
    if best[1] < tokens <= max_tokens and len(failures(cut)) >= len(failures(best[0])):
        return cut, tokens, [*over[2], "budget:lines"]
    return best
