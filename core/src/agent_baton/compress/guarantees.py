"""The guarantees every compressed text keeps, checked and repaired after each compressor.

1. A kept line is an input line, byte for byte; the exceptions are markers (``[… 12 lines]``,
   ``[… 40 of 90 rows omitted — …]``, ``# … 9 lines of parse omitted``), labels (``[§ …]``)
   and folds, which show a template with its varying parts marked, a count, and first and
   last examples (:mod:`agent_baton.compress.markers` says what a marker looks like). The
   lines of a JSON document or a Python literal include the lines of its string values,
   decoded: a chat's messages are read as the text they hold.
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
from agent_baton.compress.markers import cut_prefix, is_marker
from agent_baton.compress.parsed import NOT_DATA, data_value, strings
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
_RESTORED = "[… failure lines from elsewhere in the original:]"
_WIDE = 2_000  # characters: a longer line is cut by the fallback for a text of few lines
_SPACE = re.compile(r"\s+")
_FOLD = re.compile(r"^\[×\d+ like: (.+?); first and last:\]", re.MULTILINE)
_WILDCARD = re.compile(r"<(?:\*|n|ts|id|ip|hex)>")


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
    lines = reported_lines(original)
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

    An output line equal to an input line places what follows it (a failure before all of
    them goes first); failures when no line can be placed go at the end under a label, so
    none is lost.
    """
    missing = missing_failures(original, compressed)
    if not missing:
        return compressed
    lines = reported_lines(original)
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
        if before:
            placed.setdefault(before[-1], []).append(lines[i])
        elif after:
            placed.setdefault(after[0] - 1, []).append(lines[i])
        else:
            unplaced.append(lines[i])
    result: list[str] = list(placed.get(-1, ()))
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


def reported_lines(text: str) -> list[str]:
    """The lines of ``text`` as its reader takes them, where failures are looked for.

    For data (a JSON document, a Python literal), a string value holding several lines
    counts as those lines, decoded, in place of the raw line that escapes its line breaks.
    """
    value = data_value(text)
    raw = text.splitlines()
    if value is NOT_DATA:
        return raw
    decoded = [line for s in strings(value) if "\n" in s for line in s.splitlines()]
    return [line for line in raw if "\\n" not in line] + decoded


def input_lines(text: str) -> set[str]:
    """The lines a kept line may be: the input's own, and its string values' (for data)."""
    value = data_value(text)
    lines = set(text.splitlines())
    if value is not NOT_DATA:
        lines.update(line for s in strings(value) for line in s.splitlines())
    return lines


def violations(original: str, compressed: str) -> list[str]:
    """What in ``compressed`` breaks guarantees 1 and 3, as sentences (empty when none)."""
    problems = []
    inputs = input_lines(original)
    for line in compressed.splitlines():
        kept = cut_prefix(line)
        if kept is not None and any(source.startswith(kept) for source in inputs):
            continue  # a line cut short: its start, then a marker
        if line not in inputs and not is_marker(line):
            problems.append(f"line not in the input: {line[:120]!r}")
    lines = reported_lines(original)
    for i in missing_failures(original, compressed):
        problems.append(f"failure line dropped: {lines[i][:120]!r}")
    return problems
