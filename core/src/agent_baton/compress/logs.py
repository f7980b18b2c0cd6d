"""Logs (application, build and test output): fold repetition, keep every problem.

Each line gets a template: its variable parts (timestamps, numbers, ids, addresses) masked.
Kept whole, in order: the first and last lines, every error, warning and failure line and
every traceback or stack trace (a repeated one once, with a count), the lines right around
them (a context line already shown once), lines matching the query, a run's tallies, and
rare lines while room allows (then an example of each event too small to fold). Routine
lines that repeat become one line per template with a count and their first and last
timestamps.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, compress, islice
from operator import itemgetter

from agent_baton.compress.dumps import file_heads
from agent_baton.compress.frames import recursion_marker, recursion_runs
from agent_baton.compress.git_log import commit_heads, oneline_room
from agent_baton.compress.go_tests import go_test_messages
from agent_baton.compress.guarantees import (
    FOLD_CASE,
    TIMESTAMP,
    announces,
    failure_candidates,
    is_failure,
    lines_holding,
    starts_like_failure,
    uncoloured,
    unprefixed_lines,
    with_operands,
)
from agent_baton.compress.latex import section_heads
from agent_baton.compress.lines import OTHER_BREAKS, head_lines
from agent_baton.compress.markers import omitted
from agent_baton.compress.memo import once
from agent_baton.compress.numbered_failures import numbered_failures
from agent_baton.compress.options import option_heads
from agent_baton.compress.record_names import record_names
from agent_baton.compress.records import record_heads
from agent_baton.compress.request import Request
from agent_baton.compress.statements import statement_lines
from agent_baton.compress.strace import strace_failures
from agent_baton.compress.symbols import symbol_heads
from agent_baton.search import best_matches

_LEVEL = re.compile(r"\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL)\b")
# Matched against the case-folded line (see FOLD_CASE): several times faster than IGNORECASE.
_SEVERE = re.compile(
    # Only word starts and "exit" can begin a match: the gate skips other positions fast.
    r"(?:(?<!\w)(?=[abcdefknprstuw])|(?=e))(?:"
    # A word joined to another by a hyphen names a thing: a package (libgpg-error-dev), a
    # flag (--no-warn-script-location, -Wno-error), not a problem.
    r"(?<!\w-)\b(warn\w*|errors?|fatal|critical|severe|fail\w*|exception|traceback|panic\w*|"
    r"denied|refused|timed? ?out|unreachable|break-in|unexpected|aborted|killed)\b(?!-\w)"
    r"|exit code [1-9]|exit status [1-9]|\bnot running\b)"
)
# An X.509 extension a certificate marks critical (RFC 5280 4.2: a reader that does not know
# it must reject the certificate), as ``openssl x509 -text`` prints it: a flag, not a problem.
_CRITICAL_EXTENSION = re.compile(r"[ \t]*+X509v3 [A-Za-z ]++: critical")
# Failures that name no problem word: node's test marks, non-zero exits, npm's prefix, a
# test runner's FAIL, pytest's E lines, TAP's not ok, a Python traceback's frame.
_FAILURE_MARK = re.compile(r"[✖✗✘](?<!\S.)(?!\S)|non-zero exit|npm ERR!|not ok \d")
_FAILURE_START = re.compile(r"[ \t]*FAIL\b|E {3,}\S|[ \t]+File \"[^\"]+\", line \d+")
# The same after each line feed of a text (searched for by it: "^" is tried at every
# character); no match runs past its line, as none can in a line.
_FAILURE_AFTER_BREAK = re.compile(r"\n(?:[ \t]*FAIL\b|E {3,}\S|[ \t]+File \"[^\"\n]+\", line \d+)")
# "Failures: 0, Errors: 0" and "0 failed" report the absence of a problem. One way to split
# the blanks around ":" (not "\s*[:=]?\s*"): a long run of them must not be tried n² ways.
_ZERO_COUNTS = re.compile(
    r"\b(failures|errors|failed|warnings?|skipped)\s*(?:[:=]\s*)?0\b|\b0\s+(failures|errors|failed)\b"
)
# The counts a test run or build ends with: a count word and its number, either way round.
_TALLY = re.compile(
    r"\b(?:tests?|pass(?:ed|ing)?|suites?|skipped|todo|cancelled|pending|total|ran)\b:?\s+\d"
    r"|\d\s+(?:tests?|passed|passing|pending|skipped|suites?|examples?)\b|\btests run:\s*\d",
    re.IGNORECASE,
)
# Every match of _TALLY holds one of these, case-folded: found by str.find in the whole text,
# only the lines holding one are searched.
_TALLY_WORDS = (
    *("test", "pass", "suite", "skipped", "todo", "cancelled", "pending", "total", "ran"),
    "example",
)
# Rust's panic prints "stack backtrace:" above its numbered frames.
_TRACE_START = re.compile(
    r"^\s*(Traceback \(most recent call last\)|([\w$]+\.)*[\w$]*(Exception|Error)\b"
    r"|stack backtrace:$|#0 {2}\S)"
)
# Every match of _TRACE_START holds one of these, case-folded (gdb's innermost frame: "#0  ",
# its others "#12 0x… in walk (…)", under each in "bt full" its locals or "No locals.").
_TRACE_WORDS = ("traceback", "exception", "error", "stack backtrace:", "#0  ")
_EXCEPTION_NAME = re.compile(r"\w(?:Exception|Error)\b|^\s*Traceback \(most recent")
_TRACE_CONT = re.compile(
    r"^(\s+at |\s+\.\.\. \d+ more|Caused by: |\s+File \"|\s{2,}\S|\t|#\d+ +\S|No locals\.$)"
)
# Each mask starts with a character class, then checks the word boundary behind it
# ("\d(?<!\w\d)" is "\b\d"): re scans for a pattern's first class several times faster.
_MASKS = (
    (TIMESTAMP, "<ts>"),
    (
        re.compile(
            r"[0-9a-f](?<!\w[0-9a-f])[0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            re.I,
        ),
        "<id>",
    ),
    (re.compile(r"\d(?<!\w\d)\d{0,2}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    # Bytes written as colon-separated hex pairs (openssl's moduli and signatures, keytool's
    # fingerprints, MAC addresses) are one value: masked by parts, each line of a key would
    # be an event of its own and crowd out the rare lines (a certificate's Subject).
    (re.compile(r"[0-9a-f](?<![\w:][0-9a-f])[0-9a-f](?::[0-9a-f]{2}){3,}:?", re.I), "<bytes>"),
    (re.compile(r"[0-9a-f](?<!\w[0-9a-f])(?:(?<=0)x[0-9a-f]+\b|[0-9a-f]{7,}\b)", re.I), "<hex>"),
    # A package version with a revision (252.36-1~deb12u1, 2.2.40-1.1+deb12u2, 1:2.38-4) is
    # one value: masked by parts it would read <n><n>~deb<n>u<n>.
    (re.compile(r"\d(?<![\w.]\d)(?:\d*:)?\d*(?:\.\d+)+[-~+][\w.~+-]*"), "<v>"),
    (re.compile(r"[-\d](?:(?<=-)\d+|(?<=\d)\d*)(?:\.\d+)?"), "<n>"),  # -?\d+(?:\.\d+)?
)
# A place in a file as compilers, linters and test runners name it: ``Store.java:21``,
# ``src/api.ts(15,20)``, Python's ``"cli.py", line 68`` (groups: file, line).
_PLACE = re.compile(r"(?<![\w.-])([\w.-]+\.[A-Za-z]\w{0,5})(?::|\(|\"?, line )(\d+)")
_BLOCK = 12  # lines under a diagnostic kept with it when the query names its place
_SAME_REPORTS = 2  # copies of one report at that place kept (the same lines' templates)
_DIAGNOSTICS = 40  # distinct failure lines of one shape kept from a tool's output
_LONG, _SHORT = 2000, 200  # most and least characters a kept routine line keeps
_WORDY = 16  # letters and digits of a line that costs more than a gap marker in its place
_MIN_FOLD = 8  # lines of one template a fold stands for; fewer are cut with a count
_MIN_RECORDS = 3  # stanzas opening with one template: the text is records
_RECORD_DISTINCT = 0.9  # of the heads, at least, differ from each other
_RECORD_SHARE = 0.3  # of its stanzas, at least, open so (git log --stat: 1 in 3)
_RARE_GROUP = 10  # lines of one event and shape before its rare variants are looked for
_RARE_DISTINCT = 8  # a word position with more distinct values than this is an id or a size
_RARE_LINES = 24  # rare variants kept whole, in all
_RARE_SAMPLE = 1000  # distinct lines whose words pick the positions to look at
# Line shapes whose analysis is remembered: a log of unique ids would otherwise hold a
# second copy of itself in shapes (an event that repeats shows up long before this many).
_SHAPES_REMEMBERED = 32_768
# Every pattern above treats the digits 1-9 alike (only 0 is special, in "0x" and zero
# counts), and masking replaces every digit: bodies equal up to these digits share their
# template and problem-ness, so "served in 12 ms" and "served in 97 ms" are analysed once.
_SAME_DIGITS = str.maketrans("23456789", "11111111")
_BLANKS = (" ", "\t")
# A line with a timestamp or a level: a log's (text tables refuse one as their header). Its
# head (a timestamp, "[INFO]") is matched at the line's start only, and a level word is
# looked for only where a capital that may open one stands: one search trying every
# alternative at every character takes about twice as long.
_LOG_HEAD = re.compile(TIMESTAMP.pattern + r"|^\s*\[(INFO|WARN\w*|ERROR)\]")
_LOG_WORD = re.compile(
    r"(?=[CDEFINSTW])"  # the first letters of _LEVEL's words
    + _LEVEL.pattern
    # The common log format of web servers: 127.0.0.1 - - [02/May/2024:10:00:00 +0000] "GET ...
    + r"|\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]"
)


def log_line(line: str) -> bool:
    """Whether ``line`` carries a timestamp or a log level where a log's lines do."""
    return _LOG_HEAD.match(line) is not None or _LOG_WORD.search(line) is not None


@once
def looks_like_log(text: str) -> bool:
    """Whether most sampled lines carry a timestamp or a log level."""
    lines = [line for line in head_lines(text)[:200] if line.strip()]
    if len(lines) < 5:
        return False
    need, hits, left = 0.3 * len(lines), 0, len(lines)
    for line in lines:
        hits += log_line(line)
        left -= 1
        if hits >= need or hits + left < need:
            break  # decided: the lines left cannot change the answer
    return hits >= need


def template(line: str) -> str:
    """The line with its variable parts masked, so repeats of one event share a template."""
    for pattern, mask in _MASKS:
        line = pattern.sub(mask, line)
    return line.strip()


def is_problem(line: str) -> bool:
    """Whether a line reports an error, warning or failure (not "Failures: 0")."""
    if "X509v3 " in line and _CRITICAL_EXTENSION.fullmatch(line):
        return False
    folded = (line if line.isascii() else line.translate(FOLD_CASE)).lower()
    if _FAILURE_MARK.search(line) or (line[:1] in " \tEF" and _FAILURE_START.match(line)):
        return True
    # Removing a zero count never creates a match, so most lines need only the first search.
    return bool(_SEVERE.search(folded) and _SEVERE.search(_ZERO_COUNTS.sub("", folded)))


def names_a_problem(line: str) -> bool:
    """Whether a line reports a problem or a failure, or names an exception.

    Every failure line (:func:`~agent_baton.compress.guarantees.is_failure`) is one:
    pytest's ``>`` lines, frames and the rest that name no problem word included.
    """
    if "\x1b" in line:
        line = uncoloured(line)
    return is_problem(line) or bool(_EXCEPTION_NAME.search(line)) or is_failure(line)


# Every match of _SEVERE and _EXCEPTION_NAME holds one of these, case-folded: str.find
# runs through a text many times faster than re does, so only lines holding one are read.
_PROBLEM_WORDS = (
    *("warn", "error", "fatal", "critical", "severe", "fail", "exception", "traceback"),
    *("panic", "denied", "refused", "timeout", "timedout", "timed out", "time out"),
    *("unreachable", "break-in", "unexpected", "aborted", "killed", "exit code", "exit status"),
    "not running",
)
# The problem words and what every match of _FAILURE_MARK holds, case-folded (its marks and
# "exit" are failure words).
_CANDIDATE_WORDS = (*_PROBLEM_WORDS, "npm err!", "not ok ")


def problem_lines(lines: list[str], text: str | None = None) -> list[int]:
    """Indices of the lines :func:`names_a_problem` accepts, found in one scan of them all.

    Most lines hold no problem word: finding the words in the joined text is far cheaper
    than testing each line (render trims every entry this way). ``text``: the lines joined
    by newlines, when the caller has it.
    """
    hit = _problem_candidates(lines, text)
    return [i for i in sorted(hit) if names_a_problem(lines[i])]


def _problem_candidates(
    lines: list[str], text: str | None = None, starts: list[int] | None = None
) -> set[int]:
    """Indices of ``lines`` that may name a problem: every one :func:`names_a_problem` takes.

    A line that holds none of the words or marks, and does not start like a failure line,
    names none. ``text``: the lines joined by newlines, and ``starts``: where each starts
    in it (:func:`_starts`), when the caller has them.
    """
    if text is None:
        text = "\n".join(lines)
    # One scan for the problem words, the failure marks and the guarantee's failure words.
    hit = set(failure_candidates(text, lines, _CANDIDATE_WORDS))
    if OTHER_BREAKS.search(text):  # its lines are not those between its line feeds
        hit.update(
            i for i, line in enumerate(lines) if line[:1] in " \tEF" and _FAILURE_START.match(line)
        )
    else:
        starts = _starts(lines) if starts is None else starts
        found = _FAILURE_AFTER_BREAK.finditer(text)
        hit.update(bisect_right(starts, m.start() + 1) - 1 for m in found)
        if lines and _FAILURE_START.match(lines[0]):
            hit.add(0)
    return {i for i in hit if i < len(lines)}


def _starts(lines: list[str]) -> list[int]:
    """Where each of ``lines`` starts in them joined by line feeds."""
    # Each length and its line feed summed by map, not a generator: a log has many lines.
    return list(accumulate(map((1).__add__, map(len, lines[:-1])), initial=0))


@dataclass(slots=True)  # one per line of a log: without slots, ~100 bytes more each
class _Line:
    text: str
    body: str  # the text without its leading timestamp
    template: int  # cluster id: lines of one event share it
    problem: bool
    in_trace: bool = False


class _Clusters:
    """Groups lines into templates: same length, same problem-ness, mostly the same words.

    Masking numbers and ids catches most repetition; the word comparison (after Drain)
    also folds lines that differ in a name ("Invalid user admin", "Invalid user oracle").
    """

    _SIMILAR = 0.75
    _MAX_PER_SHAPE = 64

    def __init__(self) -> None:
        self._shapes: dict[tuple[int, bool, str], list[tuple[int, list[str]]]] = {}
        self._count = 0
        # Each cluster's words, "<*>" where its lines differ: the template a fold shows.
        self.patterns: dict[int, list[str]] = {}

    def assign(self, masked: str, problem: bool) -> int:
        words = masked.split()
        # Like Drain, only lines of one length that start alike are compared.
        shape = (len(words), problem, " ".join(words[:2]))
        group = self._shapes.setdefault(shape, [])
        needed = self._SIMILAR * len(words)
        for cluster, pattern in group:
            if sum(map(str.__eq__, pattern, words)) >= needed:
                for i, (a, b) in enumerate(zip(pattern, words, strict=True)):
                    if a != b:
                        pattern[i] = "<*>"
                return cluster
        self._count += 1
        self.patterns[self._count] = words
        if len(group) < self._MAX_PER_SHAPE:
            group.append((self._count, words))
        return self._count


def compress_logs(text: str, request: Request) -> tuple[str, str] | None:
    """Fold a log's routine lines and keep its problems; None if it is not a log."""
    if not looks_like_log(text):
        return None
    return fold_lines(text, request), "logs:fold"


def compress_lines(text: str, request: Request) -> tuple[str, str] | None:
    """Any text line by line (tool output, listings, what nothing else parses); None if short.

    The generic fallback: repeats folded, head and tail kept, the middle sampled, every
    failure kept, every cut marked.
    """
    if text.count("\n") < 8:
        return None
    return fold_lines(text, request), "lines:fold"


def fold_lines(text: str, request: Request) -> str:
    """The text with its routine lines folded by template and its problems kept whole."""
    clusters = _Clusters()
    lines: list[_Line] = []
    # Logs repeat themselves: analyse each distinct shape of line body (the line after its
    # timestamp), and each distinct template, once.
    seen: dict[str, tuple[int, bool]] = {}
    cluster_of: dict[tuple[str, bool], int] = {}
    raws = text.splitlines()
    # The lines that may name a problem, found in one scan: testing each line costs more.
    # A line's body is the end of it, so a word or mark in the body is in the line; where a
    # timestamp was cut off, the body's start is tested on its own.
    joined = "\n".join(raws)  # offsets of its lines are those of ``starts``
    starts = _starts(raws)
    maybe = _problem_candidates(raws, joined, starts)
    for i, raw in enumerate(raws):
        if i % 4096 == 0:
            request.check_time()
        stamp = TIMESTAMP.match(raw)
        # Past the blank after the timestamp: the line as the tool wrote it (``rake
        # aborted!``, ``  ● Suite › test``), which failure heads read from its start.
        body = (
            raw[stamp.end() + (raw[stamp.end() : stamp.end() + 1] in _BLANKS) :] if stamp else raw
        )
        shape = body.translate(_SAME_DIGITS)
        known = seen.get(shape)
        if known is None:
            problem = (
                i in maybe
                or (stamp is not None and (_FAILURE_START.match(body) or starts_like_failure(body)))
            ) and names_a_problem(body)
            masked = template(body)
            cluster = cluster_of.get((masked, problem))
            if cluster is None:
                cluster = cluster_of[masked, problem] = clusters.assign(masked, problem)
            known = (cluster, problem)
            if len(seen) < _SHAPES_REMEMBERED:
                seen[shape] = known
        lines.append(_Line(raw, body, *known))
    _mark_traces(lines, lines_holding(joined, starts, _TRACE_WORDS))
    recursions = _recursions(lines)
    n = len(lines)
    counts = Counter(line.template for line in lines)
    budget = max(1500, len(text) // 12, oneline_room(raws, len(text)))
    if request.max_tokens is not None:
        budget = min(budget, request.max_tokens * 3)
    budget = int(budget * request.scale) >> request.level

    keep: set[int] = set()
    edge = 3 if request.level < 2 else 1
    keep.update(range(min(edge, n)))
    keep.update(range(max(0, n - edge), n))
    keep.update(_problem_lines(lines, counts, request.level))
    # A command's option listing is reference data: each option's head line stays (its
    # wrapped description may go), and takes its share of the room first.
    keep.update(option_heads(raws))
    keep.update(commit_heads(raws, text))  # a git log's commit ids and subjects, likewise
    keep.update(section_heads(raws) if "\\" in text else ())  # a LaTeX document's headings
    keep.update(record_heads(raws))  # the line naming each package of apt-cache's listing
    keep.update(record_names(raws))  # each thread of a thread dump, function of a disassembly
    keep.update(symbol_heads(raws, joined))  # objdump's functions, nm's defined functions
    keep.update(strace_failures(raws))  # a traced command's failed calls on what it was given
    bodies = unprefixed_lines(raws, maybe)  # a run in a CI log, read as the tool wrote it
    keep.update(numbered_failures(bodies, maybe))  # the tests mocha, PHPUnit count as failed
    keep.update(go_test_messages(bodies, sorted(maybe)))  # what a test go counts as failed logged
    keep.update(file_heads(raws))  # which file each block of a multi-file dump is
    queried = _query_lines(lines, request.query) | _placed_lines(lines, request.query)
    keep.update(queried)
    keep.update(statement_lines(raws))  # an agent's report folded whole keeps its decisions
    # One line of context on each side of a kept problem, unless that line is itself a
    # repeated problem, which its template's count already stands for. Of a timestamped
    # event's repeats (a stream), around the first only: the others recur among the same
    # routine lines. A tool's diagnostics are each their own fact (the next failure's
    # heading follows the last line of one).
    cap = _problem_cap(request.level)
    explained: set[int] = set()  # templates of the stream events whose context is kept
    # A context line the same as one already kept tells nothing new (javac's source line
    # under each of 60 "found raw type" warnings): its first copy stands for it, unless the
    # line is cheaper than the marker that would replace it (a blank, a rule of dashes).
    shown = {lines[i].text for i in keep}
    for i in sorted(keep):
        line = lines[i]
        if not line.problem or request.level >= 2 or line.template in explained:
            continue
        stamped = line.body != line.text  # a timestamp opens it
        if stamped:
            explained.add(line.template)
        for j in (i - 1, i + 1):
            if not (0 <= j < n) or j in keep or lines[j].template == line.template:
                continue
            near = lines[j]
            if near.problem and counts[near.template] > cap:
                continue
            # Between a tool's diagnostics, a routine line its fold shows (pytest's PASSED
            # beside each FAILED) says nothing of them; a stream's context says what led to it.
            routine = not near.problem and (
                near.text in shown or (not stamped and counts[near.template] >= _MIN_FOLD)
            )
            if not routine or _cheap(near.text):
                keep.add(j)
                shown.add(lines[j].text)
    # A routine line far too long for its share of the room (a package list on one line)
    # keeps its start; one that reports a problem or that the query found stays whole.
    whole = queried | {i for i in keep if lines[i].problem}
    width = min(_LONG, max(_SHORT, budget // 8))

    def cost(i: int) -> int:
        size = len(lines[i].text)
        return (size if i in whole or size <= 2 * width else width) + 1

    used = sum(map(cost, keep))
    request.check_time()
    # Outside the budget: a fold's count must not speak for a line unlike its example.
    keep.update(_rare_variants(lines, counts))
    # Rare routine lines carry the facts of a run (versions, the one success among
    # failures): keep those seen once, then twice, then the first of each event too rare
    # to fold that no kept line shows, while room allows, spread over the text; one that
    # does not fit leaves its room to shorter ones.
    # Under a caller's max_tokens the room goes to facts, not to an event's example.
    for tier in (1, 2, 0) if request.max_tokens is None else (1, 2):
        rare = (
            [i for i, line in enumerate(lines) if i not in keep and counts[line.template] == tier]
            if tier
            else _unshown_events(lines, counts, keep)
        )
        # An event's first line is an example, not a fact: a quarter of the room left at most.
        limit = budget if tier else used + (budget - used) // 4
        if not rare or used >= limit:
            continue
        mean = sum(map(cost, rare)) / len(rare)
        room = max(1, int((limit - used) // mean))
        step = max(1.0, len(rare) / room)
        spread = [rare[int(k * step)] for k in range(min(room, len(rare)))]
        for i in spread + sorted(rare, key=cost):
            if i not in keep and used + cost(i) <= limit:
                keep.add(i)
                used += cost(i)

    if request.max_tokens is None:
        # A run's tallies (``ℹ tests 90``, ``Ran 40 tests``, ``Tests run: 57``) are its key
        # numbers: rare lines, kept outside the budget as problems are (not outside a
        # caller's max_tokens: there they compete as rare lines).
        keep.update(
            i
            for i in sorted(lines_holding(joined, starts, _TALLY_WORDS))
            if counts[lines[i].template] <= 2 and _TALLY.search(lines[i].body)
        )
    # A record (a commit of git log, a transaction of apt's history.log) keeps its head
    # line with any line of it kept: a message without its hash or date tells no one which.
    keep.update(_record_heads(lines, keep))
    # A blank line between kept lines costs less than the marker that would replace it.
    keep.update(_framed_blanks(lines, keep))
    keep.difference_update(recursions)
    request.check_time()
    return _assemble(lines, keep, whole, width, request.key, clusters, counts, recursions)


def _record_heads(lines: list[_Line], keep: set[int]) -> list[int]:
    """The head lines of the records that have a line kept, when the text is records.

    Records are blank-separated stanzas most of which open with a line of one template
    (``commit <hash>``, ``Start-Date: <ts>``), unindented (an indented one opens a block of
    source: ``    @abstractmethod``) and each naming its record: at least :data:`_MIN_RECORDS`
    and :data:`_RECORD_SHARE` of the stanzas. A record runs from its head to the next one.
    """
    opens = [
        i
        for i, line in enumerate(lines)
        if line.text[:1].strip() and (i == 0 or not lines[i - 1].text.strip())
    ]
    if len(opens) < _MIN_RECORDS:
        return []
    template, count = Counter(lines[i].template for i in opens).most_common(1)[0]
    if count < _MIN_RECORDS or count < _RECORD_SHARE * len(opens):
        return []
    heads = [i for i in opens if lines[i].template == template]
    if len({lines[i].text for i in heads}) < _RECORD_DISTINCT * len(heads):
        return []  # a head names its record (a hash, a time): a decorator's names none
    ends = [*heads[1:], len(lines)]
    kept = sorted(keep)
    return [
        head
        for head, end in zip(heads, ends, strict=True)
        if head not in keep and bisect_right(kept, end - 1) > bisect_right(kept, head)
    ]


def _framed_blanks(lines: list[_Line], keep: set[int]) -> list[int]:
    """The left-out blank lines of each run of them with a kept line on both sides."""
    framed: list[int] = []
    run: list[int] = []  # blank lines since the last kept line, none other between
    after_kept = False
    for i, line in enumerate(lines):
        if i in keep:
            framed.extend(run)
            run, after_kept = [], True
        elif after_kept and not line.text.strip():
            run.append(i)
        else:
            run, after_kept = [], False
    return framed


def _cheap(line: str) -> bool:
    """Whether a line costs less than a gap marker: few letters or digits."""
    return sum(map(str.isalnum, line)) < _WORDY


def _unshown_events(lines: list[_Line], counts: Counter[int], keep: set[int]) -> list[int]:
    """The first line of each event too rare to fold but more than half a fold, not shown.

    Without it an event of 5 to 7 lines (the 6 ``Receiving block`` lines of a DataNode
    log) vanishes whole behind gap markers that say only how many lines were there.
    """
    events = {t for t, n in counts.items() if _MIN_FOLD // 2 < n < _MIN_FOLD}
    events.difference_update(lines[i].template for i in keep)
    first: dict[int, int] = {}
    for i, line in enumerate(lines if events else ()):
        if line.template in events:
            first.setdefault(line.template, i)
    return list(first.values())


def _mark_traces(lines: list[_Line], starts: set[int]) -> None:
    """Mark stack traces (a start line and its indented frames) as problems, whole.

    ``starts``: the lines that may start one (every line holding one of :data:`_TRACE_WORDS`).
    """
    i = 0
    for at in sorted(starts):
        if at < i:
            continue  # in the trace before
        i = at
        if (
            _TRACE_START.search(lines[i].body)
            and i + 1 < len(lines)
            and _TRACE_CONT.match(lines[i + 1].body)
        ):
            lines[i].problem = lines[i].in_trace = True
            j = i + 1
            while j < len(lines) and _TRACE_CONT.match(lines[j].body):
                lines[j].problem = lines[j].in_trace = True
                j += 1
            # A Python traceback ends with the unindented exception line.
            if j < len(lines) and lines[i].body.lstrip().startswith("Traceback"):
                lines[j].problem = lines[j].in_trace = True
                j += 1
            i = j


def _recursions(lines: list[_Line]) -> dict[int, str]:
    """The trace lines a recursion repeats, each mapped to its marker or to "".

    A run's first line maps to the marker written in its place, its other lines to "".
    """
    left_out: dict[int, str] = {}
    i = 0
    while i < len(lines):
        if not lines[i].in_trace:
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].in_trace:
            j += 1
        for start, (count, period) in recursion_runs([line.text for line in lines[i:j]]).items():
            left_out.update(dict.fromkeys(range(i + start, i + start + count), ""))
            left_out[i + start] = recursion_marker(count, period)
        i = j
    return left_out


def _problem_lines(lines: list[_Line], counts: Counter[int], level: int) -> set[int]:
    """Every distinct problem line, but of a timestamped event repeated often a sample.

    Each failure in a compiler's, linter's or test runner's output is its own fact: every
    distinct one stays (a line that names a problem but reports no failure, up to
    :data:`_DIAGNOSTICS` of one shape, then a spread sample). A timestamped event repeated
    more than a few times (a thousand "Failed password" lines) is a stream: its last line
    stays, its first stands as its fold's example, and the fold counts the rest.
    """
    cap = _problem_cap(level)
    events: dict[int, list[int]] = {}
    keep: set[int] = set()
    for i, line in enumerate(lines):
        if not line.problem:
            continue
        if line.in_trace:
            keep.add(i)
        else:
            events.setdefault(line.template, []).append(i)
    for members in events.values():
        stamped = lines[members[0]].body != lines[members[0]].text
        most = cap if stamped else max(cap, _DIAGNOSTICS >> (2 * level))
        distinct = list({_named(lines, i): i for i in reversed(members)}.values())[::-1]
        if len(distinct) <= most or len(members) <= _MIN_FOLD:
            keep.update(distinct)  # too few to fold: a cut would drop them
        elif not stamped:
            # The guarantee: a diagnostic that reports a failure is never left out.
            keep.update(i for i in distinct if is_failure(lines[i].text))
            if most > 1:
                step = (len(distinct) - 1) / (most - 1)
                keep.update(distinct[round(k * step)] for k in range(most))
        keep.add(members[-1])
    # A failure's heading names it on the line under it: that line comes with it.
    keep.update(i + 1 for i in list(keep) if i + 1 < len(lines) and _heads(lines[i].text))
    # A failed assertion's operands (Rust's left: and right:) are its content.
    return with_operands([line.text for line in lines], keep)


def _heads(line: str) -> bool:
    """Whether a problem line is a heading whose failure the next line names.

    Doctest's ``Failed example:`` over the example, ``Exception raised:`` over the
    traceback: every such block repeats the same heading, and only the line under it tells
    one failure from another; C++'s ``terminate called after throwing an instance of 'E'``
    over its ``what():`` line.
    """
    return line.rstrip().endswith(":") or announces(line)


def _named(lines: list[_Line], i: int) -> str:
    """What tells a problem line apart from its repeats: with a heading, the line under it."""
    if i + 1 < len(lines) and _heads(lines[i].text):
        return f"{lines[i].text}\n{lines[i + 1].text}"
    return lines[i].text


def _rare_variants(lines: list[_Line], counts: Counter[int]) -> set[int]:
    """Lines of a repeated event that differ where its other lines agree.

    An HTTP 500 among thousands of 200s, or ``reason=fraud_suspected`` among declined
    cards, shares its template with the rest (numbers are masked, a differing word joins
    the pattern): folded, the count line would speak for it with the majority's example.
    A word position of few distinct values, one of them usual, marks the rare ones.
    """
    groups: dict[tuple[int, int], Counter[str]] = {}
    for line in lines:
        if counts[line.template] >= _RARE_GROUP:
            shape = (line.template, line.body.count(" "))
            group = groups.get(shape)
            if group is None:
                group = groups[shape] = Counter()
            group[line.body] += 1
    rare: set[str] = set()  # bodies holding a rare value
    for bodies in groups.values():
        if len(bodies) > 1 and bodies.total() >= _RARE_GROUP:
            rare.update(_rare_bodies(bodies))
    if not rare:
        return set()
    keep = [i for i, line in enumerate(lines) if line.body in rare]
    return set(keep[:_RARE_LINES])


def _rare_bodies(bodies: Counter[str]) -> set[str]:
    """The distinct lines of one event holding a rare value at some word position.

    A position qualifies when one usual value fills at least 90% of the lines. Positions
    are chosen on a sample; past it, only the words at those positions are counted, by
    combination (few), since holding every word of a 5 MB log at once would take 20 times
    its size.
    """
    total = bodies.total()
    sample = [body.split() for body in islice(bodies, _RARE_SAMPLE)]
    width = min(map(len, sample))
    columns = list(zip(*(words[:width] for words in sample), strict=True))
    # An id, a size, a time has no usual value to stand out from.
    positions = [j for j, sampled in enumerate(columns) if len(set(sampled)) <= _RARE_DISTINCT]
    if not positions:
        return set()

    # The words at those positions, counted per combination: one split per body, and no
    # Python call per body unless one is shorter than the sample's shortest.
    def padded(words: list[str]) -> tuple[str, ...]:
        return tuple(words[j] if j < len(words) else "" for j in positions)

    def combinations(pick: Callable[[list[str]], tuple[str, ...]]) -> Counter[tuple[str, ...]]:
        picked = map(pick, map(str.split, bodies))
        if total == len(bodies):
            return Counter(picked)
        combos: Counter[tuple[str, ...]] = Counter()
        for combo, weight in zip(picked, bodies.values(), strict=True):
            combos[combo] += weight
        return combos

    pick: Callable[[list[str]], tuple[str, ...]] = itemgetter(*positions, positions[-1])
    try:
        combos = combinations(pick)  # the getter makes a tuple even of one position
    except IndexError:
        pick = padded
        combos = combinations(pick)
    counts: dict[int, Counter[str]] = {j: Counter() for j in positions}
    for combo, weight in combos.items():
        for i, j in enumerate(positions):
            counts[j][combo[i]] += weight
    odd: list[tuple[int, set[str]]] = []
    for i, values in enumerate(counts.values()):
        if len(values) <= _RARE_DISTINCT and values.most_common(1)[0][1] >= 0.9 * total:
            rare = {v for v, k in values.items() if k <= max(2, total // 100)}
            if rare:
                odd.append((i, rare))
    if not odd:
        return set()
    holding = {combo for combo in combos if any(combo[i] in rare for i, rare in odd)}
    return set(compress(bodies, map(holding.__contains__, map(pick, map(str.split, bodies)))))


def _problem_cap(level: int) -> int:
    """How many times a timestamped problem may repeat before only its last line stays."""
    return 3 if level == 0 else 1


def _query_lines(lines: list[_Line], query: str | None) -> set[int]:
    """The best-matching lines, at most two per template.

    So one noisy event that matches the query cannot crowd out the others.
    """
    templates = [line.template for line in lines]
    bodies = [line.body for line in lines]
    return best_matches(bodies, query, most=12, floor=0.3, groups=templates, per_group=2)


def _places(text: str) -> set[tuple[str, str]]:
    """The (file name, line) places ``text`` names, the file's directories left aside."""
    if "\x1b" in text:
        text = uncoloured(text)  # gcc's ESC[01mESC[Kapi.c:3: would name "Kapi.c"
    return {(m.group(1), m.group(2)) for m in _PLACE.finditer(text)}


def _placed_lines(lines: list[_Line], query: str | None) -> set[int]:
    """The lines reporting on a place the query names (``Store.java:21``), with what is under.

    A compiler's, linter's or test runner's report of one problem is a line naming its place
    and the lines under it: the source line, the caret, the notes, the missing type
    arguments. Asked about that place, the next agent needs all of it. It ends at a blank
    line (one right under the heading aside: tsc's pretty output), at the next problem
    line naming a place, or after :data:`_BLOCK` lines.
    """
    wanted = _places(query or "")
    if not wanted:
        return set()
    names = {name for name, _ in wanted}
    keep: set[int] = set()
    shapes: Counter[tuple[int, ...]] = Counter()
    for i, line in enumerate(lines):
        if not any(name in line.text for name in names) or not _places(line.text) & wanted:
            continue
        report = [i - 1] if i and lines[i - 1].problem else []  # rustc: `--> src/lib.rs:4:5`
        report.append(i)
        for j in range(i + 1, min(i + 1 + _BLOCK, len(lines))):
            under = lines[j]
            if not under.text.strip():
                if j == i + 1:
                    continue
                break
            if under.problem and _places(under.text):
                break
            report.append(j)
        # One report repeated (a header's warning in every file including it, a retried
        # connection) is kept twice, as the query's other matches are: the folds count it.
        shape = tuple(lines[k].template for k in report)
        shapes[shape] += 1
        if shapes[shape] <= _SAME_REPORTS:
            keep.update(report)
    return keep


def _assemble(
    lines: list[_Line],
    keep: set[int],
    whole: set[int],
    width: int,
    key: str | None,
    clusters: _Clusters,
    counts: Counter[int],
    recursions: dict[int, str],
) -> str:
    """Kept lines in order; each folded template once, where it first occurs, with its count.

    A template folds when the text holds :data:`_MIN_FOLD` lines of it, counted before any
    was kept: the 8th "bytes written" line kept as the text's tail must not leave the other
    7 behind bare gap markers. Blank lines never fold (a fold shows an example, and an empty
    one shows nothing): the gap markers around them count them.

    A kept line over twice ``width`` characters keeps its first ``width`` unless it is in
    ``whole``.

    A fold of identical lines shows the line; otherwise its template (the varying parts
    marked) and its first and last lines, verbatim. Every other run of lines left out leaves
    a marker where it was, ``[… n lines]``, saying how many of them a fold above counts.
    A recursion's repeated frames (``recursions``) leave their own marker.
    """
    folded: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if i not in keep and i not in recursions:
            folded.setdefault(line.template, []).append(i)
    out: list[str] = []
    summarised: set[int] = set()
    gap = repeats = 0  # lines left out since the last line written; of them, in a fold above
    for i, line in enumerate(lines):
        if i in recursions:
            if recursions[i]:
                if gap:
                    out.append(_gap(gap, repeats))
                    gap = repeats = 0
                out.append(recursions[i])
            continue
        if i in keep:
            if gap:
                out.append(_gap(gap, repeats))
                gap = repeats = 0
            if i in whole or len(line.text) <= 2 * width:  # a cut must be worth its marker
                out.append(line.text)
            else:
                more = f"{len(line.text) - width} more characters of this line"
                out.append(line.text[:width] + omitted(more, key))
            continue
        members = folded[line.template]
        if (
            line.template not in summarised
            and counts[line.template] >= _MIN_FOLD
            and len(members) > 1  # one line left folds into a marker as long as itself
            and line.text.strip()
        ):
            if gap:
                out.append(_gap(gap, repeats))
                gap = repeats = 0
            summarised.add(line.template)
            out.extend(_fold(lines, members, clusters.patterns.get(line.template)))
            continue
        gap += 1
        repeats += line.template in summarised
    if gap:
        out.append(_gap(gap, repeats))
    left_out = len(lines) - len(keep)
    if not left_out:  # all kept, some cut: each cut says so itself
        return "\n".join(out)
    templates = len(summarised)
    plural = "" if templates == 1 else "s"
    what = f"{left_out} of {len(lines)} lines ({templates} repeated template{plural})"
    out.append(omitted(what, key))
    return "\n".join(out)


def _gap(lines: int, repeats: int) -> str:
    """The marker for ``lines`` left out here, ``repeats`` of them counted by folds above."""
    counted = f"{lines} line" if lines == 1 else f"{lines} lines"
    if not repeats:
        return f"[… {counted}]"
    if repeats == lines:
        return f"[… {counted}, folded above]"
    return f"[… {counted}, {repeats} folded above]"


def _fold(lines: list[_Line], members: list[int], pattern: list[str] | None) -> list[str]:
    """The lines standing for ``members``, lines of one template left out."""
    first, last = lines[members[0]].text, lines[members[-1]].text
    if all(lines[i].text == first for i in members):
        return [f"[×{len(members)}] {first}"]
    if pattern is None or "<*>" not in pattern:
        # Only numbers, times and ids differ: the examples show the template.
        return [f"[×{len(members)}, numbers differ; first and last:] {first}", last]
    return [f"[×{len(members)} like: {' '.join(pattern)}; first and last:] {first}", last]
