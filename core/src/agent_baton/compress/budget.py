"""The last resort for ``max_tokens``: keep whole lines (or sentences).

Every line that reports a failure stays, whatever the budget (the guarantee wins over it:
when the failure lines alone exceed it, they are all kept and the marker says so). Then the
lines that answer the query (BM25 over the text's own lines, a line's block and the line
it sits under counting too: a signature, a key, a version's heading), then the lines that
head others (a file of a diff, a commit, a frame, a definition, a document's headings),
then the lines that carry facts (numbers with units, identifiers, headings, signatures),
then the other lines that name a problem, the lines that only share a word with the query,
and the first lines while room remains; all in their original order. A failure inside a
quoted string (a tool result in a JSON message) stays as its line of that string. A first
line too long to keep is cut at a sentence end. Markers count the original's lines where
the compressed text's own markers account for them
(:func:`~agent_baton.compress.markers.stands_for`), else the compressed text's lines, and
say so.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, pairwise

from agent_baton.compress.final_answers import answer_lines
from agent_baton.compress.guarantees import VIEW_CHARS, find_failures
from agent_baton.compress.heads import by_weight, structural_heads
from agent_baton.compress.lines import line_count
from agent_baton.compress.logs import problem_lines
from agent_baton.compress.markers import (
    FOLD_EXAMPLES,
    cut_prefix,
    is_marker,
    omitted,
    sections_said,
    stands_for,
    view_label,
    view_recount,
    view_span,
)
from agent_baton.compress.outline import section_titles
from agent_baton.compress.posts import answer_posts
from agent_baton.compress.prose import cut_line
from agent_baton.compress.releases import release_heads
from agent_baton.compress.ticket_ids import reference_lines
from agent_baton.search import query_terms, rank_texts, terms
from agent_baton.tokens import TokenCounter

_GAP_TOKENS = 6  # "[… 1234 lines]" and its line break
_CUT_FAILURE_TOKENS = 40  # the least start of a failure line cut short kept
_LABEL_TOKENS = 25
_DIFF_MARK = re.compile(r"E {3,}[-+] +\S")  # a differing line of pytest's diff of two values
_DIFF_LINES = 40  # of them, at most, before the other lines
_HEAD_CHARS = 300  # of a long line's start, kept before the failures quoted in it
_STRING = re.compile(
    r'"(?:[^"\\\n]|\\.)*+"'
)  # a JSON string  # a view's label: "[§ the next 1 line re-renders …]"
_LEAD_SHARE = 0.5  # of the budget, at most, for the best matches before a compressor's lines
_NAMING_SHARE = 0.25  # of the budget, at most, for the heads before the query's matches
_OVER_MATCHES = 3  # query matches kept when the failure lines alone exceed the budget
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_WORD_END = re.compile(r"(?<=\S)\s+")
_MORE_CHARS = re.compile(r"\[… ([\d,]+) more characters omitted\]$")
_CHARS_PER_TOKEN = 32  # more than any tokenizer's tokens hold on average
_BLANK = re.compile(r"^[ \t\r]*$", re.MULTILINE)
# A fold's line (``[×12 like: …]``).
FOLD_LINE = re.compile(r"^\[×", re.MULTILINE)
_BLANK_SCAN_CHARS = 5_000_000  # an original up to this long has its blank lines counted
_CONTEXT_SHARE = 0.5  # of a block's score, added to each of its lines'
_PARENT_SHARE = 0.5  # of a line's own score, added to each line under it (its body, its keys)
_NEAR_LINES = 12  # the lines below one that answers that inherit its score without their own
_MATCH_FLOOR = 0.25  # of the best line's score: a line scoring less only shares a word
_BLOCK_LINES = 12  # a longer run of lines is scored in blocks of this many
_HEADING_LINES = 2  # a run this short heads the run after it
# A fact: a number (with its unit, a date, a version, a ratio), or an identifier with a
# dot, an underscore or an inner capital, or a name called or declared (``dump(``).
_FACT = re.compile(
    r"(?<![\w.])\d[\d.,:/-]*+(?:\s?(?:%|[kMGT]i?B|ms|µs|ns|s|bytes|days|hours|minutes)\b)?"
    r"|\b[A-Za-z]\w*?(?:[._][A-Za-z0-9]\w*)+|\b[a-z]+[A-Z]\w*|\b[A-Za-z_]\w*(?=\()"
)
# An identifier in a query: ``get_suffixes``, ``Service.execstart``, ``parseCacheControl``.
_IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*?(?:[._][A-Za-z0-9]\w*)+|\b[a-z]+[A-Z]\w*")
# A version or a code in a query (``1.0.3-2``, ``2:1.0.1-2``): it names one line among its
# kin (``1.0.3-1``, ``1.0.3-2ubuntu1``), found whole.
_LITERAL = re.compile(r"(?<![\w.:~+-])\d[\w.:~+-]*[.:~+-]\w+")
_FACTS_PER_LINE = 3
_HEADING = re.compile(r"#{1,6} |\S[^:]{0,60}:$")  # "## Usage", "Options:"
# What heads the lines after it at its own margin: a markdown heading, an INI section.
_SECTION = re.compile(r"(#{1,6}) |\[[^\]]+\]\s*$")
_GAP_CHARS = 24  # what a gap's marker costs, in characters
# A skeleton's marker for the imports it left out: "// [… 24 lines: 22 imports]".
_IMPORTS = re.compile(r"\[… [\d,]+ lines?: ([\d,]+) imports\]$")


@dataclass(frozen=True, slots=True)
class _Item:
    """A line the budget may keep: an input line, or a failure line of a quoted string."""

    text: str
    line: int  # the input line it comes from
    part: int = 0  # 0: the whole input line; else its place among the quoted lines


def fit_lines(
    text: str,
    max_tokens: int,
    counter: TokenCounter,
    key: str | None,
    query: str | None = None,
    original: str | None = None,
    *,
    failures_first: bool = True,
    prefer: frozenset[str] = frozenset(),
) -> str:
    """Whole lines of ``text`` that fit ``max_tokens`` with their omission markers.

    Every failure line is kept (beyond ``max_tokens`` if need be), then a transcript's
    final answers (:func:`~agent_baton.compress.final_answers.answer_lines`) and a
    discussion's (:func:`~agent_baton.compress.posts.answer_posts`); with
    ``query``, the lines that answer it come next, then the lines that head others (a
    diff's files, a log's commits, a backtrace's frames, definitions:
    :mod:`~agent_baton.compress.heads`), then a report's opening line and the lines naming its
    tickets (:func:`~agent_baton.compress.ticket_ids.reference_lines`), then the lines that
    carry facts, then the other problem
    lines, the lines that only share a word with the query, and the head of the text.
    ``original``: what ``text`` is the compressed form of (None: ``text`` is the original).
    Markers count the original's lines, read from the markers already in ``text``
    (:func:`~agent_baton.compress.markers.stands_for`), when those account for the original's
    lines (all but blank ones); else, as for content its compressor reshaped, they count
    the compressed form's lines and say so. When there is no failure and not even the
    marker fits, the result is empty. ``failures_first=False`` (source code, which names
    failures but reports none) ranks failure lines with the other problem lines, after the
    query's matches. Lines in ``prefer`` (what a compressor kept) come right after the
    failures and the query's best answers (as many as fit in half the budget).
    """
    lines = text.splitlines()
    units = LineUnits.of(lines, original)
    items, failing = (
        _items(lines, text) if failures_first else ([_Item(x, i) for i, x in enumerate(lines)], [])
    )
    marker_room = counter(omitted(units.summary([]), key)) + 1
    budget = max_tokens - marker_room
    views = _cut_long_failures(items, failing, budget, counter)
    texts = [item.text for item in items]
    matches, weak = _matches(texts, query) if query and query_terms(query) else ([], [])
    problems = problem_lines(texts)
    # What heads other lines (a diff's files, a log's commits, a backtrace's frames, the
    # definitions over bodies) outranks those lines: a hunk read without its file says
    # nothing. Next to what a compressor kept, at most a share of the budget.
    heads = structural_heads(texts, text, documents=failures_first)
    if original is not None and len(original) <= _BLANK_SCAN_CHARS:
        # Those of the original that its compressed form kept (a commit's subject is found
        # by its header, which the compressor folded).
        found = original.splitlines()
        at: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            at.setdefault(t, []).append(i)
        found_heads = structural_heads(found, original, documents=failures_first)
        named = (at.get(found[k], ()) for k in found_heads)
        heads = list(dict.fromkeys(chain(heads, chain.from_iterable(named))))
    if prefer and failures_first:
        heads = _within(heads, texts, _LEAD_SHARE * budget, counter)
    # Nothing ranks above the rest: the text's first lines (of source, skipping a header's
    # #define lines and the ``end`` lines that close blocks: :func:`~.heads.by_weight`).
    # A transcript's final answers (what the next agent works from) come before the steps
    # that led to them, whatever the query matched among those.
    # A discussion's answers likewise: each thread's last reply by another than its opener.
    answered = answer_lines(texts, text) + answer_posts(texts)
    # A report's opening line and the lines naming its tickets (not in source: its "#123"
    # and "SHA-256" are code).
    references = reference_lines(texts) if failures_first else []
    plain = not (failing or matches or problems or heads or answered or references)
    if plain and failures_first:
        kept = _prefix(lines, budget, counter)
        out = "\n".join([*kept, omitted(units.summary(list(range(len(kept)))), key)])
        while kept and counter(out) > max_tokens:
            kept.pop()
            out = "\n".join([*kept, omitted(units.summary(list(range(len(kept)))), key)])
        return out if counter(out) <= max_tokens else ""
    # A failure shown as a fold's last example stands at its fold, which stays with it
    # (kept alone, it would read as the line after the fold's place: the gaps miscount).
    folds = [i - 1 for i in failing if i and i - 1 not in failing and _is_example(texts, i)]
    picked = sorted({*failing, *folds})  # in the order picked: failures, matches, the rest
    used = sum(counter(texts[i]) + 1 + _GAP_TOKENS for i in picked)
    if used >= budget:
        # The failures alone overflow: the query's best matches stay beside them, as they
        # outrank everything else together (the lines a task asks about among 300 errors).
        # Failures are kept anyway: the best matches among the other lines are what stay.
        failed = set(failing)
        picked += [i for i in matches if i not in failed][:_OVER_MATCHES]
    kept_all = len(picked)  # what stays whatever the budget
    chosen = set(picked)
    # A line after a kept one opens no gap of its own (the head, a failure's next line); in
    # a text of folds every line is costed with a gap, as the folds' counts were checked.
    runs = FOLD_LINE.search(text) is None
    preferred = [i for i, t in enumerate(texts) if t in prefer] if prefer else []
    if not failures_first and preferred:
        # Of source, a line the fuller form repeats (a C# method's ``{``, its attribute) does
        # not say at which of its places the fitting form kept it: preferred, every copy took
        # the room of the signatures. Its copies rank with the other lines; the rest by
        # weight (a prototype before a #define or an ``end``).
        seen = Counter(texts)
        preferred = by_weight(texts, [i for i in preferred if seen[texts[i]] == 1])
    # The query's best answers, up to a share of the budget, outrank what a compressor kept.
    lead = _within(matches, texts, _LEAD_SHARE * budget, counter) if prefer else []

    # Of source, a prototype before a #define dense with names, an ``end`` after both; and
    # with nothing that ranks above the rest, its lines in order, so weighed.
    def facts() -> Sequence[int]:
        if failures_first:
            return _facts(texts)
        return [] if plain else by_weight(texts, _facts(texts))

    def in_order() -> Sequence[int]:
        every = range(len(items))
        return every if failures_first else by_weight(texts, list(every))

    later = (lambda: references, facts, lambda: problems, lambda: weak, in_order)
    # Each rank is read only if the ones before it leave room (the facts cost a pass).
    # pytest's diff of the values an assertion compared: its differing lines come before
    # the context around them (``E         - 'price': 999.99,``).
    differing = [i for i, t in enumerate(texts) if t[:1] == "E" and _DIFF_MARK.match(t)]
    lazy = chain.from_iterable(rank() for rank in later)
    # The query's matches before the heads (beside a compressor's lines, the best of them).
    answering = () if prefer else matches
    # Before them, as many heads as a quarter of the budget holds: a changelog cut to its
    # answers named none of its versions (the newest and the oldest, then spread, first),
    # source cut to one function's body none of the others' signatures.
    naming = _within(heads, texts, _NAMING_SHARE * budget, counter) if answering else []
    # Source: the outline its compressor kept (which fits) and the heads of the definitions
    # it left out, declarations first (a kept ``}`` stands for every such line: after
    # them); nothing else of it is as worth its room.
    outline = (heads, preferred) if failures_first else (by_weight(texts, [*preferred, *heads]),)
    # A report's first reference (its opening line) says what all the rest is about.
    opening = references[:1]
    ranks = chain(
        lead, differing[:_DIFF_LINES], answered, opening, naming, answering, *outline, matches, lazy
    )
    for i in ranks:
        if used >= budget:
            break  # a line costs a token at least: nothing more fits
        if i in chosen or not _pickable(texts, i, chosen):
            continue
        cost = counter(texts[i]) + 1 + (0 if runs and i - 1 in chosen else _GAP_TOKENS)
        if used + cost <= budget:
            chosen.add(i)
            picked.append(i)
            used += cost
    if not picked and budget > 2 * _GAP_TOKENS:
        # No line fits whole: the start of the best one, rather than the marker alone.
        lines_first = chain(matches, problems, range(len(items)))
        best = next((i for i in lines_first if texts[i].strip() and _pickable(texts, i, chosen)), 0)
        start = _fit_sentences(texts[best], budget - 2 * _GAP_TOKENS, counter, words=True)
        if start and not is_marker(texts[best]):
            items[best] = _Item(start[0], items[best].line, items[best].part)
            picked.append(best)

    # The sections' titles, so that a gap that left a heading out names its section. Not
    # a changelog's: its gaps hold versions by the dozen, and naming two of them tells less
    # than the line of another, which the budget ranks among the heads on its own.
    titles = section_titles(texts) if failures_first and not release_heads(texts) else {}

    def shown(order: list[int], then: str = "", *, named: bool = True) -> str:
        said = titles if named else {}
        kept = _with_gaps(items, order, units, said)
        last = max((items[i].line for i in order), default=-1)
        after = [title for line, title in said.items() if line > last]
        if after:  # the sections the closing marker's lines hold
            then = "; ".join(x for x in (sections_said(after), then) if x)
        if views:  # a failure line cut short stands under the label that says so
            kept = [x for line in kept for x in ((views[line], line) if line in views else (line,))]
        what = units.summary(sorted({items[i].line for i in order if not items[i].part}))
        return "\n".join([*kept, omitted(what, key, then=then)])

    while True:
        out = shown(sorted(picked))
        tokens = counter(out)
        if tokens > max_tokens and titles:
            # The lines before the sections' names: those only where there is room.
            out = shown(sorted(picked), named=False)
            tokens = counter(out)
        if tokens <= max_tokens:
            # What is left of the budget fills the gaps whose lines cost about their marker.
            filled = _fill_gaps(items, set(picked), max_tokens - tokens, counter)
            fuller = shown(sorted({*picked, *filled})) if filled else out
            return fuller if counter(fuller) <= max_tokens else out
        if len(picked) > kept_all:
            picked.pop()  # counting the joined lines found less room: drop the last picked
            continue
        if not failing:
            return ""
        # The guarantee wins over the budget: every failure line stays, and the marker says so.
        return shown(
            sorted(picked),
            f"the failure lines alone exceed max_tokens={max_tokens}, all kept",
            named=False,
        )


def _fill_gaps(items: list[_Item], chosen: set[int], room: int, counter: TokenCounter) -> set[int]:
    """The lines between two ``chosen`` ones that cost less than twice their gap's marker.

    That marker (``[… 1 line]``) would cost about what they do and say less: a frame's
    function over its failing ``at src/main.rs:2:61``. Cheapest first while ``room``
    tokens (and the markers' they replace) last.
    """
    texts = [item.text for item in items]
    runs: list[tuple[int, range]] = []
    for before, after in pairwise(sorted(chosen)):
        run = range(before + 1, after)
        if not run or len(run) >= 2 * _GAP_TOKENS:
            continue  # none left out, or more than a marker's worth of lines
        if any(items[i].part or not _pickable(texts, i, chosen.union(run)) for i in run):
            continue
        cost = sum(counter(texts[i]) + 1 for i in run)
        if cost < 2 * _GAP_TOKENS:
            runs.append((cost, run))
    filled: set[int] = set()
    for cost, run in sorted(runs, key=lambda found: found[0]):
        if cost - _GAP_TOKENS <= room:
            filled.update(run)
            room -= cost - _GAP_TOKENS
    return filled


def _within(lines: list[int], texts: list[str], room: float, counter: TokenCounter) -> list[int]:
    """The first of ``lines`` that fit ``room`` tokens, each with a gap's marker."""
    out: list[int] = []
    for i in lines:
        room -= counter(texts[i]) + 1 + _GAP_TOKENS
        if room < 0:
            break
        out.append(i)
    return out


def _cut_long_failures(
    items: list[_Item], failing: list[int], budget: int, counter: TokenCounter
) -> dict[str, str]:
    """Cut the longest failure lines to their starts when the failure lines exceed ``budget``.

    A failure line of thousands of characters (pytest -vv's ``E  AssertionError: assert
    {…}`` holding both values' reprs, its ``FAILED … - AssertionError: …`` summary) says
    what failed in its start; the rest is data. Such a line (long enough to be shown as a
    view: :data:`VIEW_CHARS`) keeps as long a start as half the failures' room allows, no
    less than :data:`_CUT_FAILURE_TOKENS`, under a label naming the line by its length. Changes
    ``items`` in place; returns each cut line's label.
    """
    costs = {i: counter(items[i].text) + 1 + _GAP_TOKENS for i in failing}
    if sum(costs.values()) <= budget:
        return {}
    long = [i for i in failing if not items[i].part and len(items[i].text) >= VIEW_CHARS]
    if not long:
        return {}
    short = sum(cost for i, cost in costs.items() if i not in long)
    # Half the room the other failures leave: the diff or the context after them tells more
    # than another hundred characters of a value's repr.
    room = max(_CUT_FAILURE_TOKENS, (budget - short) // 2 // len(long) - _LABEL_TOKENS)
    labels: dict[str, str] = {}
    for i in long:
        if costs[i] <= room:
            continue
        item = items[i]
        start = _fit_sentences(item.text, room, counter, words=True)
        if start and start[0] not in labels:
            items[i] = _Item(start[0], item.line, item.part)
            labels[start[0]] = view_label(1, len(item.text), "its start")
    return labels


def term_weights(original: str, query: str) -> dict[str, float]:
    """The query's terms, each weighted by its rarity among ``original``'s lines (IDF).

    What a form of ``original`` cut to a budget is worth to the query: a rare term it keeps
    (a host name, an error code) outweighs a common one (``return``, ``lines``).
    """
    wanted = query_terms(query)
    lines = original.splitlines() or [""]
    holding = dict.fromkeys(wanted, 0)
    memo: dict[str, tuple[str, ...]] = {}
    for line in lines:
        for term in set(terms(line, memo)).intersection(holding):
            holding[term] += 1
    n = len(lines)
    return {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in holding.items() if df}


def coverage(text: str, weights: dict[str, float]) -> float:
    """How much of the query ``text`` holds: the weights of the terms found in it."""
    found = set(terms(text))
    return sum(weight for term, weight in weights.items() if term in found)


def answers(text: str, query: str) -> frozenset[str]:
    """The lines of ``text`` that answer ``query`` (as :func:`fit_lines` ranks them first)."""
    lines = text.splitlines()
    return frozenset(lines[i] for i in _matches(lines, query)[0])


def _matches(texts: list[str], query: str) -> tuple[list[int], list[int]]:
    """The lines that answer ``query``, best first, and the ones that only share a word.

    A line scores its own BM25 (rare terms outweigh common ones) plus half its block's: a
    fact often sits under the line that names its subject (``* nom:`` above ``15,661 lines
    of Rust``). Lines scoring at least a quarter of the best answer it; the others (one
    common word, a ``return`` in every function) rank after the lines that carry facts.
    Markers and blank lines never match (``[… 12 lines]`` holds the word "lines").
    """
    shown = _candidates(texts)
    own = _scores(shown, query)
    blocks = _blocks(shown)
    context = _scores(["\n".join(shown[i] for i in block) for block in blocks], query)
    scores = dict(own)
    for b, score in context.items():
        for i in blocks[b]:
            scores[i] = scores.get(i, 0.0) + _CONTEXT_SHARE * score
    # The lines under a line that answers (a function's body, a key's nested keys, a
    # version's entries, a section's text) answer with it: those that say nothing of the
    # query themselves only near it (a long body's every line would crowd out the facts).
    inherited = [0.0] * len(shown)
    source = list(range(len(shown)))  # the line each line's inherited score comes from
    for i, parent in enumerate(_parents(shown)):
        if parent < 0:
            continue
        if own.get(parent, 0.0) >= inherited[parent]:
            inherited[i], source[i] = own.get(parent, 0.0), parent
        else:
            inherited[i], source[i] = inherited[parent], source[parent]
        if inherited[i] and (i in own or i - source[i] <= _NEAR_LINES):
            scores[i] = scores.get(i, 0.0) + _PARENT_SHARE * inherited[i]
    ranked = sorted((i for i in scores if shown[i]), key=lambda i: (-scores[i], i))
    if not ranked:
        return [], []
    floor = _MATCH_FLOOR * scores[ranked[0]]
    return [i for i in ranked if scores[i] >= floor], [i for i in ranked if scores[i] < floor]


def _scores(texts: list[str], query: str) -> dict[int, float]:
    """BM25 of ``texts`` for ``query``, an identifier it names counting as one more term.

    Terms split ``get_suffixes`` into "get" (a stop word) and "suffix" (in many lines): the
    texts holding the whole name score its rarity too.
    """
    scores = dict(rank_texts(texts, query))
    names = {name.lower() for name in _IDENTIFIER.findall(query)}
    # A dotted path names keys (``Service.execstart``): each part is a name of its own.
    names.update(part for name in list(names) for part in name.split(".") if len(part) > 2)
    literals = [
        re.compile(rf"(?<![\w.:~+-]){re.escape(found)}(?![\w.:~+-]*\w)")
        for found in dict.fromkeys(_LITERAL.findall(query))
    ]
    if names or literals:
        lowered = [text.lower() for text in texts]
        found = [[i for i, text in enumerate(lowered) if name in text] for name in names]
        found += [[i for i, text in enumerate(texts) if exact.search(text)] for exact in literals]
        for holding in found:
            if holding:
                rarity = math.log(1 + (len(texts) - len(holding) + 0.5) / (len(holding) + 0.5))
                for i in holding:
                    scores[i] = scores.get(i, 0.0) + rarity
    return scores


def _parents(texts: list[str]) -> list[int]:
    """Each line's parent: the nearest line above it indented less (-1: none).

    A markdown heading or an INI section (``[Service]``) stands left of the margin: it
    heads the lines after it up to the next heading of its level or above. Blank lines
    ("") have none; across one, the last line of a longer run than a heading's heads
    nothing (a paragraph's last line is not the title of the next, indented, paragraph).
    """
    parents = [-1] * len(texts)
    stack: list[tuple[int, int]] = []  # (indentation, line) of the open parents
    run = 0  # the non-blank lines of the current run
    for i, text in enumerate(texts):
        if not text:
            if run > _HEADING_LINES and stack and stack[-1][1] == i - 1:
                stack.pop()
            run = 0
            continue
        run += 1
        section = _SECTION.match(text)
        if section is None:
            body = text.lstrip(" \t")
            depth = len(text[: len(text) - len(body)].expandtabs())
        else:  # "#" at -6, "######" at -1, a section at -1: left of any line's margin
            depth = len(section[1]) - 7 if section[1] else -1
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[i] = stack[-1][1]
        stack.append((depth, i))
    return parents


def _pickable(texts: list[str], i: int, chosen: set[int]) -> bool:
    """Whether the budget may keep line ``i``, with the lines ``chosen`` so far.

    Not a marker that counts lines left out (the gap written where it stood counts them
    too: kept, it would stand beside that gap), nor a fold's last example without its fold
    (the markers around it would miscount). A fold or a label may be kept.
    """
    text = texts[i]
    if is_marker(text) and not text.startswith(("[×", "[§")):
        return False
    return i - 1 in chosen or not _is_example(texts, i)


def _is_example(texts: list[str], i: int) -> bool:
    """Whether line ``i`` is a fold's last example (on the line after the fold)."""
    return i > 0 and FOLD_EXAMPLES.match(texts[i - 1]) is not None


def _candidates(texts: list[str]) -> list[str]:
    """``texts`` with "" for the lines the budget may not pick for what they say.

    Blank lines and markers say nothing; a fold's last example stands where its fold does
    (kept without it, the markers around it would miscount).
    """
    shown = []
    previous = ""
    for text in texts:
        example = previous.startswith("[×") and FOLD_EXAMPLES.match(previous) is not None
        shown.append("" if example or not text.strip() or is_marker(text) else text)
        previous = text
    return shown


def _blocks(texts: list[str]) -> list[list[int]]:
    """Runs of non-blank lines (a marker ends one too), a long run cut every few lines.

    A heading (a run of one or two lines: ``5. Termination`` and its underline) heads the
    run after it: a section's facts are found by its title.
    """
    blocks: list[list[int]] = [[]]
    for i, text in enumerate(texts):
        if len(blocks[-1]) == _BLOCK_LINES or (not text and len(blocks[-1]) > _HEADING_LINES):
            blocks.append([])
        if text:
            blocks[-1].append(i)
    return [block for block in blocks if block]


def _facts(texts: list[str]) -> list[int]:
    """The lines that carry facts, densest first: numbers with units, names, headings.

    A line's facts are its numbers (``16 GiB``, ``2016-12-19``, ``99.89%``), identifiers
    (``merge_setting``, ``os.path``, ``ServeContent``) and names called or declared
    (``dump(``), each worth less the more lines repeat it; its being a heading or the first
    line after a blank one; and its standing at the left margin among indented lines (a
    signature, a top-level key); per character it costs. Filler (prose without a number or
    a name, a line said before) has none and is not listed.
    """
    shown = _candidates(texts)
    found = [set(_FACT.findall(text)) if text else set() for text in shown]
    spread = Counter(fact for facts in found for fact in facts)
    indented = sum(1 for t in shown if t[:1] in " \t") * 4 >= len(texts)
    weights: dict[int, float] = {}
    seen: set[str] = set()
    for i, text in enumerate(shown):
        if not text or text in seen:
            continue
        seen.add(text)
        # fsum: a set's order varies with the hash seed, and a plain sum's rounding with it.
        worth = min(math.fsum(1 / spread[fact] for fact in found[i]), _FACTS_PER_LINE)
        worth += bool(_HEADING.match(text)) + (i == 0 or not texts[i - 1].strip())
        worth += indented and text[:1].isalpha()
        if worth:
            weights[i] = worth / (len(text) + _GAP_CHARS)
    return sorted(weights, key=lambda i: (-weights[i], i))


@dataclass(frozen=True, slots=True)
class LineUnits:
    """What a budget's markers count: the original's lines, or the compressed form's."""

    begins: list[int]  # where each line of the text begins among the counted lines; the end
    ends: list[int]  # where each ends (blank lines dropped unmarked after it are a gap's)
    shows: list[int]  # the lines each line of the text shows, kept (a marker none)
    total: int  # the original's lines, or the compressed form's
    of_original: bool  # whether the markers count the original's lines (else the text's)

    @classmethod
    def of(cls, lines: list[str], original: str | None) -> LineUnits:
        """The units for ``lines`` of the compressed form of ``original`` (None: of itself)."""
        own = list(range(len(lines) + 1))
        if original is None:
            return cls(own, own[1:], [1] * len(lines), len(lines), True)
        total = line_count(original)
        weights = stands_for(lines)
        accounted = sum(weights)
        shows = [0 if is_marker(line) else w for line, w in zip(lines, weights, strict=True)]
        if accounted == total:
            counted = [0, *accumulate(weights)]
            return cls(counted, counted[1:], shows, total, True)
        begins: list[int] | None = None
        if (
            # Blank lines a compressor dropped unmarked (between functions, say) are all
            # that may be missing; counting them in a 50 MB original would take a second.
            accounted < total
            and len(original) <= _BLANK_SCAN_CHARS
            and total - len(_BLANK.findall(original)) <= accounted
        ):
            begins = _begins(lines, weights, original.splitlines())
        elif accounted < total and len(original) <= _BLANK_SCAN_CHARS:
            # Markers in other units ("[… 9 more fields omitted]"): the kept lines, all input
            # lines in order, place them.
            begins = _begins(lines, weights, original.splitlines(), strict=True)
        if begins is not None:
            ends = [at + weight for at, weight in zip(begins, weights, strict=False)]
            return cls(begins, ends, shows, total, True)
        # Reshaped content (rows, outlines of records): its lines are not the original's.
        shows = [0 if is_marker(line) else 1 for line in lines]
        return cls(own, own[1:], shows, len(lines), False)

    def gap(self, start: int, end: int) -> str | None:
        """The marker for the text's lines ``start`` to ``end`` (excluded), left out.

        It counts from the end of the line before them, so the blank lines dropped unmarked
        between that line and the next are counted too.
        """
        count = self.begins[end] - (self.ends[start - 1] if start else 0)
        if not count:
            return None
        plural = "" if count == 1 else "s"
        if self.of_original:
            return f"[… {count} line{plural}]"
        return f"[… {count} compressed line{plural}]"

    def summary(self, kept: list[int]) -> str:
        """The closing marker's words (``12 of 80 lines``), the text's lines ``kept``."""
        left_out = self.total - sum(self.shows[i] for i in kept)
        return f"{left_out} of {self.total} {'lines' if self.of_original else 'compressed lines'}"


def _begins(
    lines: list[str], weights: list[int], source: list[str], *, strict: bool = False
) -> list[int] | None:
    """Where each of ``lines`` begins among the ``source`` lines it compresses; then the end.

    The markers' counts place the lines, and what they leave uncounted is found again: a
    kept line stands at its next occurrence in the source when the lines its place moves
    by are no more than the blank lines since the last kept line (blank lines dropped
    unmarked), or whatever they are after a marker that counts no lines ("[… 9 more
    fields omitted]"). ``strict``: None unless every kept line is an input line found
    in order, the markers' counts within the source.
    """
    where: dict[str, list[int]] = {}
    for i, line in enumerate(source):
        where.setdefault(line, []).append(i)
    blanks = [0, *accumulate(not line.strip() for line in source)]  # blank lines before each
    begins = []
    at = after = 0  # where the next line begins; where the last kept line ended
    loose = False  # whether a marker that counts no lines stands since the last kept line
    for line, weight in zip(lines, weights, strict=True):
        marker = is_marker(line)
        if weight == 1 and not marker:
            places = where.get(line, ())
            k = bisect_left(places, at)
            if k < len(places) and (loose or places[k] - at <= blanks[places[k]] - blanks[after]):
                at = places[k]
            elif strict:
                return None
            after, loose = at + 1, False
        elif marker and not weight:
            loose = True
        begins.append(at)
        at += weight
    if strict and at > len(source):
        return None
    begins.append(max(at, len(source)))
    return begins


def _items(lines: list[str], text: str) -> tuple[list[_Item], list[int]]:
    """The lines as items, and which items are failures.

    A line holding failures inside a quoted string (a JSON message's content) stands as
    those failure lines when it is too long to keep (:data:`VIEW_CHARS`): keeping all of a
    40,000-character message is not an option. They follow the line's start, cut before
    that string (a JSON log record's fields: which request failed). A shorter line (a
    record with a short stack trace) stays whole.
    """
    found = find_failures(text)
    quoted: dict[int, list[str]] = {}
    whole: set[int] = set()
    for failure in found:
        if failure.part and len(lines[failure.line]) >= VIEW_CHARS:
            quoted.setdefault(failure.line, []).append(failure.text)
        else:
            whole.add(failure.line)
    items: list[_Item] = []
    failing: list[int] = []
    for i, line in enumerate(lines):
        if i in quoted:
            head = _head_before(line)
            if head is not None:
                failing.append(len(items))
                items.append(_Item(head[0], i))
            for k, part in enumerate(quoted[i], 1):
                if head is not None and _escaped(part) in line[: head[1]]:
                    continue  # shown in the head ("severity": "ERROR")
                failing.append(len(items))
                items.append(_Item(part, i, k))
            continue
        if i in whole:
            failing.append(len(items))
        items.append(_Item(line, i))
    return items, failing


def _escaped(part: str) -> str:
    """``part`` as a JSON string holds it."""
    return json.dumps(part, ensure_ascii=False)[1:-1]


def _head_before(line: str) -> tuple[str, int] | None:
    """``line`` cut before its first string of many lines, and where the cut is.

    At most :data:`_HEAD_CHARS` are kept. None when no such string stands past the start.
    """
    found = next((m for m in _STRING.finditer(line) if "\\n" in m.group()), None)
    if found is None or found.start() == 0:
        return None
    at = min(found.start(), _HEAD_CHARS)
    return cut_line(line, at), at


def _with_gaps(
    items: list[_Item], order: list[int], units: LineUnits, titles: dict[int, str]
) -> list[str]:
    """The chosen items in order, a marker where lines between them were left out.

    A marker over the heading of a section (``titles``, by the text's line) names it:
    ``[… 42 lines: section "Installation"]``.

    A line of a view (lines re-rendering one long input line) stays under the view's label,
    which then counts the lines that follow it of the view: a view's line without it would
    read as an input line.
    """
    out: list[str] = []
    chosen = set(order)
    views = _views([item.text if not item.part else "" for item in items])
    imports = _imports_said(items)
    labels: dict[int, int] = {}  # the output's labels: their place, the last line of theirs
    previous = -1  # the text's line of the last item written
    for i in order:
        item = items[i]
        view = next(((at, end) for at, end in views if at <= item.line <= end), None)
        if view is not None and view[0] > previous:
            marker = units.gap(previous + 1, view[0])
            out.extend([marker, items[view[0]].text] if marker else [items[view[0]].text])
            labels[len(out) - 1] = len(out) - 1
            previous = view[0]
            if item.line == view[0]:
                continue
        # The next failure of the same quoted string opens no gap of lines.
        marker = units.gap(previous + 1, item.line) if item.line > previous else None
        if marker is not None:
            said = sum(imports.get(line, 0) for line in range(previous + 1, item.line))
            gone = [titles[line] for line in range(previous + 1, item.line) if line in titles]
            notes = [f"{said} imports"] if said > 1 else []
            notes += [sections_said(gone)] if gone else []
            out.append(f"{marker[:-1]}: {'; '.join(notes)}]" if notes else marker)
        elif item.part and (i - 1 not in chosen or items[i - 1].line != item.line):
            out.append("[…]")  # the rest of a quoted string, before its failure lines
        out.append(item.text)
        previous = item.line
        if view is not None:
            labels[max(labels)] = len(out) - 1
    for at, last in labels.items():
        out[at] = view_recount(out[at], last - at)
    return out


def _imports_said(items: list[_Item]) -> dict[int, int]:
    """The imports a skeleton's markers among ``items`` count, by the text's line.

    A gap over such a marker says them too (``[… 67 lines: 24 imports]``): what a file
    imports is told by its count when its lines do not fit.
    """
    return {
        item.line: int(found[1].replace(",", ""))
        for item in items
        if not item.part
        and item.text.endswith(" imports]")
        and (found := _IMPORTS.search(item.text)) is not None
    }


def _views(lines: list[str]) -> list[tuple[int, int]]:
    """The views among ``lines``: the line of each label and the last line of its view."""
    views = []
    for i, line in enumerate(lines):
        span = view_span(line) if line.startswith("[§") else None
        if span is not None:
            views.append((i, min(i + span[0], len(lines) - 1)))
    return views


def _prefix(lines: list[str], budget: int, counter: TokenCounter) -> list[str]:
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = counter(line) + 1
        if used + cost > budget:
            kept.extend(_fit_sentences(line, budget - used, counter, words=not kept))
            break
        kept.append(line)
        used += cost
    # A view cut short: its label counts the lines of it that stay.
    for at, end in _views(kept):
        kept[at] = view_recount(kept[at], end - at)
    return kept


def _fit_sentences(
    line: str, budget: int, counter: TokenCounter, *, words: bool = False
) -> list[str]:
    """The line's longest start that ends a sentence and fits, with the marker of its cut.

    ``words``: when no sentence end fits, the longest start that ends a word (the text's
    first line, rather than the marker alone).
    """
    fitting: list[str] = []
    for end in _SENTENCE_END.finditer(line):
        # The line's own characters up to the cut (never rejoined), then what was left out.
        candidate = cut_line(line, end.start())
        if counter(candidate) + 1 > budget:
            break
        fitting = [candidate]
    if fitting or not words:
        return fitting
    # A line cut already (a compressor's): its kept start is cut again, and the new marker
    # counts the characters both cuts left out.
    start, more = line, 0
    if cut_prefix(line) is not None:
        told = _MORE_CHARS.search(line)
        if told is None:
            return []
        start, more = line[: told.start()], int(told[1].replace(",", ""))

    def cut(end: int) -> str:
        return f"{start[:end]}[… {len(start) - end + more} more characters omitted]"

    # A token holds a few characters: no longer start can fit (and none is counted whole).
    limit = min(len(start), _CHARS_PER_TOKEN * max(budget, 0))
    ends = [m.start() for m in _WORD_END.finditer(start, 0, limit)]
    if not ends:  # no blank to cut at (minified JSON, base64): a character
        ends = list(range(1, limit))
    low, high = 0, len(ends)  # ends[:low] fit; ends[high:] do not
    while low < high:
        middle = (low + high) // 2
        if counter(cut(ends[middle])) + 1 <= budget:
            low = middle + 1
        else:
            high = middle
    return [cut(ends[low - 1])] if low else []
