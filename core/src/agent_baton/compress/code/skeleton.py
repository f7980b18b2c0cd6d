"""A source file as a skeleton: which lines survive at each level, and which bodies are elided.

The parsers (Python's ``ast``, the brace and indentation scanners) only mark lines; this module
picks the functions a query asks for and renders the result with its markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent_baton.compress.markers import lines_said, omitted, worth_marking
from agent_baton.compress.prose import cut_line
from agent_baton.compress.repeats import Shown
from agent_baton.search import query_terms, rank_texts, terms

# drop_at values: a line is kept while request.level < drop_at. Under a budget the outline
# goes last: a member's signature says what a file offers, its imports only what it uses
# (they go after the docs, counted in their marker).
ALWAYS = 99  # top-level signatures
CONSTANT = 4  # module constants, public method signatures
MEMBER = 3  # fields, private methods, attributes, other statements
IMPORT = 2
DOC = 1  # first line of a docstring or doc comment
DROP = 0
# The owner of lines left out without a marker at their place: a fold's summary marker
# after its last line counts them (the description of each of 100 alike blocks).
QUIET = -2

_WIDE_IMPORT = 1_000  # characters of an import line that are cut short
_IMPORT_KEPT = 300  # characters it keeps
_QUERY_WORD = re.compile(r"[A-Za-z_$][\w$]*")
# A word written as code names: snake_case, camelCase, a digit in it (not "the", "file").
_IDENTIFIER = re.compile(r"_|[a-z][A-Z]|\d|^[A-Z][A-Z]+$")
_SPELLING_LINES = 3  # a name more lines than this hold is kept by the owners' selection
# A marker that only counts the lines left out at its place: "# [… 3 lines]", "// [… 2 lines
# as above]" (groups: indent, comment opener, count, "as above").
_COUNTED = re.compile(r"^(\s*)(\S+) \[… (\d+) lines?( as above)?\]$")
_NAMES = re.compile(r"\w")
_OPENS = re.compile(r"[({]\s*$")  # a block of imports opened: the lines in it name them


@dataclass
class Owner:
    """A function (or a long statement) whose body lines can be elided under its name."""

    name: str
    start: int  # first line of the whole definition (decorators included), 0-based
    end: int  # last line, inclusive
    header_drop_at: int
    function: bool = True
    parent: str = ""  # enclosing class, for "Class.method" in queries


@dataclass
class Skeleton:
    """Per-line decisions for one source text."""

    lines: list[str]
    comment: str  # line-comment prefix of the language, for markers
    drop_at: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # index into owners, -1 when silent
    owners: list[Owner] = field(default_factory=list)
    cut: int = 0  # lines cut short where they stand (a table written on one line)
    # (first, last, whose): after line ``last`` a marker counts the QUIET lines of the span
    # left out, named by their first words, ``whose`` they were ("the 9 output blocks above").
    folds: list[tuple[int, int, str]] = field(default_factory=list)
    # Whether a run of lines repeating earlier ones is shown as "as above": not in a config,
    # whose blocks' settings ("listen 443 ssl;" in each server) each say what that block does.
    repeats_as_above: bool = True

    def __post_init__(self) -> None:
        self.drop_at = [DROP] * len(self.lines)
        self.owner = [-1] * len(self.lines)

    def keep(self, start: int, end: int, drop_at: int) -> None:
        """Keep lines ``start..end`` (inclusive) while the level is below ``drop_at``."""
        for i in range(max(0, start), min(end, len(self.lines) - 1) + 1):
            self.drop_at[i] = max(self.drop_at[i], drop_at)

    def elide(self, start: int, end: int, owner: int) -> None:
        """Mark lines ``start..end`` as the body of ``owners[owner]``."""
        for i in range(max(0, start), min(end, len(self.lines) - 1) + 1):
            if self.drop_at[i] == DROP:
                self.owner[i] = owner

    def add_owner(self, owner: Owner) -> int:
        """Register a function or statement; its index for :meth:`elide`."""
        self.owners.append(owner)
        return len(self.owners) - 1

    def render(self, query: str | None, level: int, key: str | None) -> str | None:
        """The skeleton as text, None when it would leave nothing out.

        Its lines whole when every cut it would make costs more than it saves: the text is
        source still, not shortened.
        """
        whole = self._selected(query, level)
        n = len(self.lines)
        forced = [False] * n
        for index in whole:
            o = self.owners[index]
            for i in range(o.start, min(o.end, n - 1) + 1):
                forced[i] = True
        for i in self._spelling_lines(query):
            forced[i] = True
        out: list[str] = []
        # What the query asked for stays whole, and so does the head that names each
        # definition, however alike (fn next, in impl after impl; @overload).
        named = self._naming_lines()
        fixed: set[int] = set()
        dropped = bodies = 0
        spared = False  # whether a run was kept for costing less than its marker
        i = 0
        cut = self.cut
        folds = sorted(self.folds, key=lambda fold: fold[1])
        while i < n:
            while folds and folds[0][1] < i:
                out.extend(self._summary(folds.pop(0), forced, level))
            if forced[i] or level < self.drop_at[i]:
                if forced[i] or i in named:
                    fixed.add(len(out))
                line = self.lines[i]
                if self.drop_at[i] == IMPORT and len(line) > _WIDE_IMPORT and not forced[i]:
                    # A generated module's import of hundreds of names on one line (a
                    # TypeScript declaration file's): its start, then how much more it had.
                    line = cut_line(line, _IMPORT_KEPT)
                    cut += 1
                out.append(line)
                i += 1
                continue
            owner = self.owner[i]
            j = i
            while j < n and not forced[j] and level >= self.drop_at[j] and self.owner[j] == owner:
                j += 1
            count = sum(1 for line in self.lines[i:j] if line.strip())
            if owner == QUIET:
                dropped += j - i  # counted by its fold's summary
                i = j
                continue
            body = owner >= 0 and level < self.owners[owner].header_drop_at
            if count:
                # Every cut is marked where it was: a body under its owner's name, anything
                # else (a docstring, comments, a whole definition at a hard level) by count.
                line = next(line for line in self.lines[i:j] if line.strip())
                indent = _indent(line)
                if body:
                    name = self.owners[owner].name
                    marker = f"{indent}{self.comment} … {lines_said(count)} of {name} omitted"
                else:
                    imports = self._imports(i, j)
                    said = f": {imports} import{'s' if imports > 1 else ''}" if imports else ""
                    marker = f"{indent}{self.comment} [… {lines_said(count)}{said}]"
                if not body and not level and not worth_marking(self.lines[i:j], marker):
                    # Comment lines costing less than their marker saves (``// Deprecated.``,
                    # a section's banner) are kept, unless a budget asks for a harder level.
                    # (A body of one line stays a body, marked under its name.)
                    out.extend(self.lines[i:j])
                    spared = True
                    i = j
                    continue
                out.append(marker)
            dropped += j - i
            bodies += body
            i = j
        for fold in folds:
            out.extend(self._summary(fold, forced, level))
        # Overloads and twins (get, post, put; a sync and an async client) repeat their
        # parameter lines: what differs stands out once the repeats are counted.
        repeated = 0
        if self.repeats_as_above:
            out, repeated = Shown().drop_repeated(out, fixed, self.comment)
        dropped += repeated
        # A definition left out whole at a hard level leaves its head's run and its body's:
        # one marker says it (and a class of them, one for all).
        out = _merge_counts(out, self.comment)
        if not dropped and not cut:
            # Every cut cost more than it saved: the lines whole (source still, unshortened).
            return "\n".join(out) if spared else None
        what = f"{dropped} of {n} lines"
        if cut:
            what += f", {cut} cut short"
        if bodies:
            what += f" ({bodies} bodies)"
        out.append(omitted(what, key))
        return "\n".join(out)

    def _summary(self, fold: tuple[int, int, str], forced: list[bool], level: int) -> list[str]:
        """The marker after a fold's span, counting the QUIET lines it left out; or none."""
        first, last, whose = fold
        left = [
            self.lines[i]
            for i in range(first, last + 1)
            if self.owner[i] == QUIET
            and not forced[i]
            and level >= self.drop_at[i]
            and self.lines[i].strip()
        ]
        if not left:
            return []
        names = ", ".join(dict.fromkeys(line.split(None, 1)[0].split("=")[0] for line in left))
        what = f"{len(left)} lines: {names} of {whose}"
        return [f"{_indent(self.lines[first])}{self.comment} [… {what}]"]

    def _imports(self, start: int, end: int) -> int:
        """The import statements' lines among ``start..end`` (excluded) that name something.

        Not a block's brackets (Go's ``import (``, its ``)``): the lines naming what is
        imported.
        """
        lines = self.lines
        return sum(
            1
            for i in range(start, end)
            if self.drop_at[i] == IMPORT and _NAMES.search(lines[i]) and not _OPENS.search(lines[i])
        )

    def _naming_lines(self) -> set[int]:
        """Each definition's head: its decorators, down to the line that spells its name."""
        named: set[int] = set()
        for o in self.owners:
            row = next((r for r in range(o.start, o.end + 1) if o.name in self.lines[r]), o.start)
            named.update(range(o.start, row + 1))
        return named

    def _spelling_lines(self, query: str | None) -> list[int]:
        """The lines spelling out a name the query gives that few lines hold.

        A macro, a constant or a field is no function the query can select; its line is
        what the query asks for. (A function's name selects the function, not its calls.)
        """
        owners = {o.name.lstrip("#") for o in self.owners}  # selected as owners, calls aside
        words = set(_QUERY_WORD.findall(query or "")) - owners
        found: list[int] = []
        for name in words:
            # A plain word counts as a string's whole content: a data table's key ('hearts').
            spelled = re.compile(
                rf"(?<![\w$]){re.escape(name)}(?![\w$])"
                if _IDENTIFIER.search(name)
                else rf"(?<=['\"]){re.escape(name)}(?=\W?['\"])"
            )
            holding = [
                i for i, line in enumerate(self.lines) if name in line and spelled.search(line)
            ]
            found.extend(holding if len(holding) <= _SPELLING_LINES else ())
        return found

    def _selected(self, query: str | None, level: int) -> list[int]:
        """Owners to keep whole: the functions the query names, else its best BM25 matches."""
        if not query:
            return []
        words = set(_QUERY_WORD.findall(query))
        functions = [i for i, o in enumerate(self.owners) if o.function]
        named = [i for i in functions if self.owners[i].name.lstrip("#") in words]
        # A name made of the query's words ("default redirect" -> defaultCheckRedirect)
        # names the function as well as spelling it out would.
        wanted = set(query_terms(query))
        spelled = [
            i
            for i in functions
            if i not in named and len(set(terms(self.owners[i].name)) & wanted) >= 2
        ]
        texts = ["\n".join(self.lines[o.start : o.end + 1]) for o in self.owners]
        ranked = [(i, s) for i, s in rank_texts(texts, query) if self.owners[i].function]
        order = {i: position for position, (i, _) in enumerate(ranked)}

        def by_match(i: int) -> int:
            return order.get(i, len(order))

        # A class (a macro, a long constant) the query names, with no function named, is
        # kept whole if not huge; else (or when its constructors are named) by its methods'
        # bodies, below. Its exact name says more than functions whose names share the
        # query's words (``peeking_next`` for the macro ``peeking_next_by_clone``).
        classes = [i for i, o in enumerate(self.owners) if not o.function and o.name in words]
        small = len(self.lines) // 4
        whole = (
            []
            if named
            else [i for i in classes if self.owners[i].end - self.owners[i].start < small]
        )
        # Named ones first, then spelled-out ones; the best-matching first within each.
        chosen = sorted(named, key=by_match) + whole + sorted(spelled, key=by_match)
        exact = list(named)
        named += spelled
        if ranked:
            best = ranked[0][1]
            extra = 1 if named or level >= 2 else 2
            for i, score in ranked[:extra]:
                if i not in chosen and score >= 0.6 * best:
                    chosen.append(i)
        chosen = chosen[: max(1, 4 - level)]
        # What a name stands for may be several bodies: a function's overloads, a large
        # class's methods. They follow, best-matching first, while they fit in a share of
        # the file that halves at each level.
        picked = {self.owners[i].name for i in chosen if i in named}
        # A class named to qualify a method (``Session.should_strip_auth``) stands for it.
        constructors = {self.owners[i].name for i in classes}
        qualifies = any(self.owners[i].name not in constructors for i in exact)
        large = set() if qualifies else {self.owners[i].name for i in classes if i not in chosen}
        more = [
            i
            for i in functions
            if i not in chosen and (self.owners[i].name in picked or self.owners[i].parent in large)
        ]
        room = len(self.lines) >> (level + 1)
        used = 0
        for i in sorted(more, key=by_match):
            size = self.owners[i].end - self.owners[i].start + 1
            if used + size <= room:
                chosen.append(i)
                used += size
        return chosen


def _merge_counts(lines: list[str], comment: str) -> list[str]:
    """``lines`` with each run of adjacent counting markers made one (their counts summed).

    A doc comment whose one kept line repeats another's leaves ``[… 1 lines]``, ``[… 1 line
    as above]``, ``[… 1 lines]``: the three stand for one run of lines left out.
    """
    out: list[str] = []
    for line in lines:
        found = _COUNTED.match(line)
        before = _COUNTED.match(out[-1]) if out and found else None
        if found and before and found.group(2) == before.group(2) == comment:
            total = int(before.group(3)) + int(found.group(3))
            above = " as above" if before.group(4) and found.group(4) else ""
            out[-1] = f"{before.group(1)}{comment} [… {lines_said(total)}{above}]"
        else:
            out.append(line)
    return out


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
