"""The guarantees every compressed text keeps, checked and repaired after each compressor.

1. A kept line is an input line, byte for byte; the exceptions are markers (``[… 12 lines]``,
   ``[… 40 of 90 rows omitted — …]``, ``# … 9 lines of parse omitted``) and folds, which show
   a template with its varying parts marked, a count, and first and last examples.
2. Every omission leaves a marker where it happened, counted in the original's units.
3. A line that reports a failure (an error, an exception, a FAIL, an assertion, a traceback
   frame, a warning, a non-zero exit) is never dropped: a compressor that lost one gets it
   back, at its place when the output's lines can be placed in the input.
4. Nothing above :data:`FALLBACK_TOKENS` leaves unchanged: when no compressor shortened it,
   the line-level fallback applies (:func:`agent_baton.compress.logs.compress_lines`).

:func:`violations` states 1 and 3 as checks, for the property tests.
"""

from __future__ import annotations

import re

from agent_baton.compress.logs import template
from agent_baton.compress.prose import cut_line
from agent_baton.compress.request import Request

# Above this many tokens, a text must not leave as it came.
FALLBACK_TOKENS = 2_000
# Kinds that select sentences and lines by what they say: a failure they dropped is put
# back. (The log and line folds keep every failure line, or fold it with its count.)
LINE_KINDS = frozenset({"prose", "mixed", "chat", "segments", "html"})
# A line that reports a failure in any text, prose included: a raised exception or warning
# (``ZeroDivisionError: division by zero``; a page that names ``ValidationError`` reports
# nothing), upper-case verdicts, tracebacks and their frames, compiler diagnostics, doctest
# and test-runner failures, non-zero exits. "an error is raised when" is not one.
_FAILURE = re.compile(
    r"\b[A-Z]\w*(?:Error|Exception|Warning)(?::\s|$)|^\s*[\w.]*(?:Error|Exception)\b"
    r"|\b(?:FAIL|FAILED|FAILURE|ERROR|FATAL|PANIC)\b"
    r"|Traceback \(most recent|^\s*File \"[^\"]+\", line \d+|^\s+at [\w$.<>]+\(|Failed example:"
    r"|:\d+(?::\d+)?: (?:fatal )?(?:error|warning)\b|^\s*(?:error|warning)(?:\[\w+\])?: "
    r"|npm ERR!|npm error|(?<!\S)[✖✗✘](?!\S)|non-zero exit|exit (?:code|status) [1-9]|^E {3,}\S"
)
_MARKER = re.compile(
    r"^\s*(?:#\s*|//\s*|--- # )?\[(?:…|×\d)|omitted — |^\s*(?:#|//) … \d+ lines of |^\s*…$"
    r"|^\[binary content|^first bytes: |^readable strings: "
)
_RESTORED = "[… failure lines from elsewhere in the original:]"
_WIDE = 2_000  # characters: a longer line is cut by the fallback for a text of few lines
_SPACE = re.compile(r"\s+")
_FOLD = re.compile(r"^\[×\d+ like: (.+?); first and last:\]", re.MULTILINE)
_WILDCARD = re.compile(r"<(?:\*|n|ts|id|ip|hex)>")


def is_marker(line: str) -> bool:
    """Whether an output line is a marker or a fold's header rather than an input line."""
    return bool(_MARKER.search(line))


def is_failure(line: str) -> bool:
    """Whether a line reports a failure, wherever it stands (a log, a report, a chat)."""
    return bool(_FAILURE.search(line))


def failures(text: str) -> list[str]:
    """The lines of ``text`` that report a failure, in order."""
    return [line for line in text.splitlines() if is_failure(line)]


def missing_failures(original: str, compressed: str) -> list[int]:
    """Indices of the original's failure lines the compressed text neither shows nor folds.

    A line counts as shown when its text (spaces collapsed) is in the output, or when a line
    of the output has its template (a fold of repeats of it, or another instance of it).
    """
    lines = original.splitlines()
    found = [i for i, line in enumerate(lines) if is_failure(line)]
    if not found:
        return []
    flat = _SPACE.sub(" ", compressed)
    templates = {template(line) for line in compressed.splitlines()}
    folds = [_fold_pattern(m.group(1)) for m in _FOLD.finditer(compressed)]
    missing = []
    for i in found:
        stripped = _SPACE.sub(" ", lines[i].strip())
        if not stripped or stripped in flat:
            continue
        masked = template(lines[i])
        if masked not in templates and not any(fold.search(masked) for fold in folds):
            missing.append(i)
    return missing


def _fold_pattern(shown: str) -> re.Pattern[str]:
    """A fold's template as a pattern: ``<*>`` and the masks stand for any one word."""
    words = [r"\S+" if _WILDCARD.fullmatch(word) else re.escape(word) for word in shown.split()]
    return re.compile(r"\s+".join(words))


def restore_failures(original: str, compressed: str) -> str:
    """``compressed`` with the failure lines it lost put back, at their place if it can tell.

    An output line equal to an input line places what follows it; failures that cannot be
    placed go at the end under a label, so none is lost.
    """
    missing = missing_failures(original, compressed)
    if not missing:
        return compressed
    lines = original.splitlines()
    out = compressed.splitlines()
    # Where each output line sits in the input, when it is an input line (in order).
    position: list[int | None] = []
    at = 0
    index: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        index.setdefault(line, []).append(i)
    for line in out:
        candidates = [i for i in index.get(line, ()) if i >= at]
        if candidates and not is_marker(line):
            at = candidates[0]
            position.append(at)
        else:
            position.append(None)
    placed: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for i in missing:
        before = [k for k, p in enumerate(position) if p is not None and p < i]
        after = [k for k, p in enumerate(position) if p is not None and p > i]
        if before and after:
            placed.setdefault(before[-1], []).append(lines[i])
        else:
            unplaced.append(lines[i])
    result: list[str] = []
    for k, line in enumerate(out):
        result.append(line)
        result.extend(placed.get(k, ()))
    if unplaced:
        result.extend([_RESTORED, *unplaced])
    return "\n".join(result)


def fallback(text: str, request: Request) -> tuple[str, str] | None:
    """The line-level fallback for text no compressor shortened; None if it cannot cut."""
    from agent_baton.compress.logs import compress_lines  # the fold is the fallback

    produced = compress_lines(text, request)
    if produced is not None:
        return produced
    lines = text.split("\n")
    if not any(len(line) > _WIDE for line in lines):
        return None
    width = max(200, _WIDE >> request.level)
    return "\n".join(cut_line(line, width) for line in lines), "fallback:cut-lines"


def violations(original: str, compressed: str) -> list[str]:
    """What in ``compressed`` breaks guarantees 1 and 3, as sentences (empty when none)."""
    problems = []
    inputs = set(original.splitlines())
    for line in compressed.splitlines():
        if line not in inputs and not is_marker(line):
            problems.append(f"line not in the input: {line[:120]!r}")
    for i in missing_failures(original, compressed):
        problems.append(f"failure line dropped: {original.splitlines()[i][:120]!r}")
    return problems
