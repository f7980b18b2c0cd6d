"""Prose and markdown: extractive, never rewritten. Keep the structure and the telling sentences.

The document is split into blocks (headings, paragraphs, list items, tables, code blocks).
Headings always stay; sentences compete for a share of the text by what they carry: numbers
with units, dates, names, identifiers, claims and conclusions, their place (first in a
paragraph or section, introducing an example) and words or identifiers rare in the document;
a section of one sentence keeps it. With a query, the sentences, paragraphs and sections
(headings weighted) that BM25 ranks best are kept first, from one tokenization of the text.
Repeated sentences go, tables lose their padding, long code blocks their tails.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, pairwise

from agent_baton.compress.json import compress_records
from agent_baton.compress.markers import omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.compress.tables import find_table
from agent_baton.search import SearchIndex, query_terms, rank_texts, terms

# A text's number of terms and the counts of the query's terms in it, for BM25.
_Counts = tuple[int, Counter[str]]
# (block text, language, request) -> what replaces the block
CodeHandler = Callable[[str, str, Request], str]

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+#.-]*)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_UNDERLINE = re.compile(r"^\s*([=\-~^*#+\"'`])\1{2,}\s*$")
_BULLET = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)]|[a-z][.)])\s+")
_TABLE = re.compile(r"^\s*(\||\+[-=+]{3,})")
_META = re.compile(r"^[A-Z][\w-]{1,30}:\s+\S")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[*_`]?[A-Z0-9])")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_UNITS = (
    r"%|[kKMGTP]i?B\b|[mµun]?s\b|seconds?\b|minutes?\b|hours?\b|days?\b|weeks?\b|months?\b|"
    r"years?\b|lines?\b|bytes?\b|times\b|members?\b|percent\b|x\b|points?\b|[kKM]\b|cores?\b|"
    r"users?\b|developers?\b"
)
_FEATURES = re.compile(
    # A number with a unit is matched from the start of its run of digits, "," and ".": from
    # a digit inside the run, re would scan the rest of the run again, for the same end (n²).
    r"(?P<unit>(?<![\d,.])[,.]*\d[\d,.]*\s?(?:" + _UNITS + r"))"
    # Other matches start a word, or at a digit, backtick or quote: this gate only skips,
    # fast, the positions inside words where no branch below could match.
    r"|(?:(?<!\w)(?=[\w`\"/-])|(?=[\d`\"]))(?:"
    r"(?P<date>\b\d{4}-\d{2}-\d{2}|\b\d{1,2}-[A-Z][a-z]{2}-\d{4}\b"
    r"|\b" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)? " + _MONTH + r",? \d{4}\b)"
    r"|(?P<number>\b\d+(?:[.,]\d+)*\b)"
    # code spans, quoted names ("Recent Items"), paths, flags, dotted names, CONSTANTS, snake_case
    r"|(?P<ident>`[^`\n]+`|\"[A-Z][\w .&/-]{2,40}\"|(?<![\w/.])(?:/[\w.+-]+){2,}"
    r"|(?<!\w)--?[a-z][\w-]+|\b[A-Za-z_][\w]*(?:\.\w+)+\(?"
    r"|\b[A-Z][A-Z0-9_-]{2,}\b|\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z]\w*)"
    r"|(?P<cue>\b(?:must|shall|should|required?|never|always|guarantee\w*|cannot|can't|only|"
    r"at least|at most|decided|decision|conclu\w+|therefore|thus|results?|recommend\w*|"
    r"because|important|instead|replaced?|deprecated|breaking|fails?|failed|caused?)\b)"
    r"|(?P<name>(?<=[\w,;:)] )[A-Z][a-z]+(?: [A-Z][a-z]+)*))"
)
# feature: (weight per match, most matches counted)
_WEIGHTS = {
    "unit": (2.0, 2),
    "date": (2.0, 1),
    "number": (0.5, 2),
    "ident": (1.5, 3),
    "name": (0.5, 3),
    "cue": (1.0, 2),
}
# Opening marks, a word, closing marks, punctuation, closing quotes. Written so that a
# character has one place to go ("'" ends a word only where a closing mark may follow):
# a long run of marks is not tried n² or n³ ways.
_PLAIN_WORD = re.compile(r"[\"'(*_`]*[A-Za-z][a-z'’-]*(?:[)\"*_`][)\"'*_`]*)?(?:[.,;:!?][)\"']*)?")
_DATA_START = re.compile(r"\s*([\[{(]|[\w.]+\()")
_MIN_SENTENCE_CHARS = 300
_SHORT_LISTING = 20  # lines: a listing this short is kept whole
_KEEP = 100.0  # a score that keeps a unit whatever the budget
_LONG_UNIT = 400  # characters: a longer sentence over several lines is split at them
_RARE_IDENT = 3  # sentences an identifier may appear in and still mark a detail
_WORDS = re.compile(r"[a-z0-9]+(?:[.,]\d+)*")
# Link targets say where, not what: they would pass for identifiers and rare words. A
# target ends before the next "](": each start scans only up to the next one.
_LINK = re.compile(r"(?<=\])\((?:[^)\s\]]|\](?!\())*\)|<?https?://[^\s>)]+>?")


@dataclass(slots=True)
class _Block:
    kind: str  # heading, para, item, table, code, drop
    lines: list[str]
    lang: str = ""
    prefix: str = ""  # a list item's bullet with its indent
    units: list[int] = field(default_factory=list)  # sentence indices


@dataclass(slots=True)
class _Unit:
    text: str
    block: int
    score: float = 0.0
    signature: tuple[str, ...] = ()  # its distinct words, sorted: to drop repeated sentences
    line: bool = False  # a line of a listing rather than a sentence


@once
def looks_like_prose(text: str) -> bool:
    """Whether the sampled lines are mostly words (paragraphs, headings, list items)."""
    sample = [line for line in text[:8000].splitlines()[:200] if line.strip()]
    # Table rows say nothing either way: a report may be mostly one table.
    lines = [line for line in sample if not _TABLE.match(line)]
    if len(lines) < 3 and len(_SENTENCE.findall(text[:8000])) >= 10:
        # A page of text on one line, as scraping and search tools return it; not the repr
        # of a call or of data that quotes such text.
        return not _DATA_START.match(text)
    if len(lines) < (3 if len(lines) == len(sample) else 1):
        return False
    wordy = sum(1 for line in lines if len(re.findall(r"[A-Za-z]{2,}", line)) >= 4)
    return wordy >= 0.4 * len(lines)


def compress_prose(text: str, request: Request) -> tuple[str, str] | None:
    """Keep the headings and the sentences that carry content; None if not prose."""
    if not looks_like_prose(text):
        return None
    out = compress_document(text, request, keep_code_head)
    return None if out is None else (out, "prose:extract")


def keep_code_head(block: str, lang: str, request: Request) -> str:
    """A code block inside prose: whole when short, else its first lines and a marker."""
    lines = block.splitlines()
    room = max(4, 14 >> request.level)
    query = request.query
    if query and len(set(query_terms(query)) & set(terms(block))) >= 2:
        room *= 3  # a block the query talks about keeps more of itself
    width = max(120, 400 >> request.level)
    lines = [cut_line(line, width) for line in lines]
    if len(lines) <= room + 2:
        return "\n".join(lines)
    fence = lines[-1] if _FENCE.match(lines[-1]) else ""
    head = lines[:room]
    rest = len(lines) - room - (1 if fence else 0)
    return "\n".join([*head, omitted(f"{rest} of {len(lines)} lines", request.key), fence]).rstrip()


def cut_line(line: str, width: int) -> str:
    """A very long line (a repr, a minified blob) by its start and its length."""
    if len(line) <= width:
        return line
    return f"{line[:width]}… [{len(line) - width} more chars]"


def compress_document(text: str, request: Request, code: CodeHandler) -> str | None:
    """The document with its sentences selected and its code blocks sent to ``code``.

    None when nothing would be left out.
    """
    blocks = parse_blocks(text)
    request.check_time()
    units = _units(blocks)
    request.check_time()
    _score(units, blocks, request.query)
    request.check_time()
    kept = _select(units, request)
    out: list[str] = []
    dropped = 0
    for block in blocks:
        if block.kind == "heading":
            if request.level < 2 or not block.lines[0].lstrip().startswith("###"):
                out.extend(block.lines)
        elif block.kind == "code":
            out.append(code("\n".join(block.lines), block.lang, request))
        elif block.kind == "table":
            out.extend(_table(block.lines, request))
        elif block.kind in ("para", "item"):
            chosen = [units[u] for u in block.units if u in kept]
            dropped += len(block.units) - len(chosen)
            if chosen:
                tail = " …" if len(chosen) < len(block.units) and not request.level else ""
                # Lines of a listing stay lines; sentences of a paragraph run on.
                joined = "".join(("\n" if u.line else " ") + u.text for u in chosen)[1:]
                out.append(block.prefix + joined + tail)
    if not dropped and len("\n".join(out)) >= len(text):
        return None
    if dropped:
        out.append(omitted(f"{dropped} of {len(units)} sentences", request.key))
    return "\n".join(out)


def parse_blocks(text: str) -> list[_Block]:
    """Headings, paragraphs, list items, tables and code blocks, in order."""
    lines = text.splitlines()
    blocks: list[_Block] = []
    n = len(lines)
    # Where the last HTML comment closes: comments opened after it are never closed.
    last_close = max((j for j in range(n) if "-->" in lines[j]), default=-1)
    i = 0
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped == "::":  # a lone reST "::" only announces a code block
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            j = i + 1
            while j < n and not lines[j].strip().startswith(fence.group(1)):
                j += 1
            blocks.append(_Block("code", lines[i : j + 1], lang=fence.group(2).lower()))
            i = j + 1
        elif _MD_HEADING.match(line) or _UNDERLINE.match(line):
            blocks.append(_Block("heading", [line]))
            i += 1
        elif i + 1 < n and _UNDERLINE.match(lines[i + 1]) and not _TABLE.match(line):
            blocks.append(_Block("heading", lines[i : i + 2]))
            i += 2
        elif _TABLE.match(line):
            j = i
            while j < n and _TABLE.match(lines[j]):
                j += 1
            blocks.append(_Block("table", lines[i:j]))
            i = j
        elif stripped.startswith("<!--") and last_close >= i:
            # A closed HTML comment is not content; an unclosed one is read as text.
            j = i
            while "-->" not in lines[j]:
                j += 1
            i = j + 1
        elif line[:1] in " \t" and len(line) - len(line.lstrip()) >= 4 and not _BULLET.match(line):
            j = i
            while j < n and (not lines[j].strip() or lines[j][:1] in " \t"):
                j += 1
            while not lines[j - 1].strip():
                j -= 1
            blocks.append(_Block("code", lines[i:j]))
            i = j
        else:
            i = _paragraph(lines, i, blocks)
    return blocks


def _paragraph(lines: list[str], i: int, blocks: list[_Block]) -> int:
    bullet = _BULLET.match(lines[i])
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if not line.strip() or _FENCE.match(line) or _MD_HEADING.match(line) or _TABLE.match(line):
            break
        if _BULLET.match(line) or (_META.match(lines[i]) and _META.match(line)):
            break
        if j + 1 < len(lines) and _UNDERLINE.match(lines[j + 1]):
            break
        j += 1
    if bullet:
        first = lines[i][bullet.end() :]
        blocks.append(_Block("item", [first, *lines[i + 1 : j]], prefix=bullet.group(0)))
    else:
        blocks.append(_Block("para", lines[i:j]))
    return j


def _units(blocks: list[_Block]) -> list[_Unit]:
    units: list[_Unit] = []
    for index, block in enumerate(blocks):
        if block.kind not in ("para", "item"):
            continue
        text = "\n".join(line.strip() for line in block.lines)
        for sentence in _SENTENCE.split(text):
            pieces = _pieces(sentence)
            listing = len(pieces) > 1
            # A short listing (steps, commands) is kept whole, like a short code block.
            score = _KEEP if listing and len(pieces) <= _SHORT_LISTING else 0.0
            for piece in pieces:
                block.units.append(len(units))
                units.append(_Unit(piece, index, score=score, line=listing))
    return units


def _pieces(sentence: str) -> list[str]:
    """A sentence as units: a listing (tool output, commands, records) line by line.

    A unit is kept or dropped whole, and a 50-line listing read as one sentence would be
    dropped whole. Hard-wrapped prose stays one sentence.
    """
    lines = [line for line in sentence.split("\n") if line.strip()]
    if len(sentence) <= _LONG_UNIT or len(lines) < 3 or _wrapped(lines):
        return [" ".join(lines)] if lines else []
    return lines


def _wrapped(lines: list[str]) -> bool:
    """Whether lines are prose wrapped mid-sentence: mostly words, going on in lower case.

    Lines that mostly start with one word (records of a ledger, ``o`` bullets) are a listing.
    """
    firsts = Counter(line.split(maxsplit=1)[0] for line in lines)
    if len(lines) >= 4 and 2 * firsts.most_common(1)[0][1] >= len(lines):
        return False
    goes_on = sum(
        1
        for line, following in pairwise(lines)
        if following[:1].islower() and _wordy(line) and _wordy(following)
    )
    return goes_on >= 0.5 * (len(lines) - 1)


def _wordy(line: str) -> bool:
    """Mostly plain words, no column gaps: a line of prose, not of a command or a table."""
    tokens = line.split()
    if not tokens or "  " in line.strip() or "\t" in line:
        return False
    return sum(1 for t in tokens if _PLAIN_WORD.fullmatch(t)) >= 0.75 * len(tokens)


def _score(units: list[_Unit], blocks: list[_Block], query: str | None) -> None:
    plain = [_LINK.sub("", u.text) for u in units]
    # Each sentence's distinct words as a sorted tuple of strings shared by all sentences: a
    # frozenset and its own copies of the words would hold the text over twenty times.
    vocabulary: dict[str, str] = {}
    words = [
        tuple(sorted({vocabulary.setdefault(w, w) for w in _WORDS.findall(t.lower())}))
        for t in plain
    ]
    df: Counter[str] = Counter(t for ws in words for t in ws)
    # One scan of all sentences with every feature pattern; a match counts for its sentence.
    joined = "\n".join(plain)
    starts = list(accumulate((len(t) + 1 for t in plain[:-1]), initial=0))
    found: list[Counter[str]] = [Counter() for _ in units]
    idents: list[set[str]] = [set() for _ in units]
    for match in _FEATURES.finditer(joined):
        at = bisect_right(starts, match.start()) - 1
        if match.lastgroup == "ident":
            idents[at].add(match.group().strip('`"(').lower())
        else:
            found[at][match.lastgroup or ""] += 1
    # An identifier all over the document (the subject's acronym) tells sentences apart
    # no better than a common word; one named in few sentences marks the one detail.
    ident_df = Counter(i for found_idents in idents for i in found_idents)
    for f, found_idents in zip(found, idents, strict=True):
        f["ident"] = sum(1 for i in found_idents if ident_df[i] <= _RARE_IDENT)
    for u, ws, f in zip(units, words, found, strict=True):
        score = sum(weight * min(cap, f[name]) for name, (weight, cap) in _WEIGHTS.items())
        score += 0.5 * min(3, sum(1 for t in ws if df[t] <= 2 and len(t) > 3))
        if len(ws) < 4:
            score -= 1.0
        u.score += score
        u.signature = ws
    sections = _sections(blocks)
    for _, members in sections:
        texted = [blocks[b].units for b in members if blocks[b].units]
        if texted:
            # A section's opening sentence states its point; a one-sentence section is
            # all point, and its heading alone would say nothing.
            first = units[texted[0][0]]
            lone = sum(map(len, texted)) == 1 and len(first.text) < 200
            first.score += _KEEP if lone else 1.0
    previous: _Block | None = None
    for block in blocks:
        if block.units:
            units[block.units[0]].score += 1.0  # the first sentence states the topic
            lead = block.lines[0].lstrip()
            if lead.startswith(">") or block.kind == "item" or _META.match(lead):
                units[block.units[0]].score += 1.5  # quoted text, list entries, fields
            if lead.startswith(">"):
                for index in block.units[1:]:
                    units[index].score += 1.0  # a note or warning the author set apart
            if (
                previous is not None
                and previous.kind in ("para", "item")
                and previous.lines[-1].rstrip().endswith(":")
            ):
                units[block.units[0]].score += 1.5  # what "the following" points to
        if block.kind == "code" and previous is not None and previous.units:
            units[previous.units[-1]].score += 1.5  # the sentence that introduces an example
        previous = block
    if query and query_terms(query):
        _match_query(units, blocks, sections, query_terms(query))


def _match_query(
    units: list[_Unit],
    blocks: list[_Block],
    sections: list[tuple[int | None, list[int]]],
    wanted: list[str],
) -> None:
    """Raise the sentences, sections and paragraphs that BM25 ranks best for the query.

    Each sentence is tokenized once; paragraphs and sections add up their sentences' counts.
    """
    wanted_set = set(wanted)
    # Only the query's terms and the lengths matter to BM25: keep just those per sentence.
    counts: list[_Counts] = []
    for u in units:
        found = terms(u.text)
        counts.append((len(found), Counter(t for t in found if t in wanted_set)))
    ranked = SearchIndex.of_counts(counts).ranked(wanted)
    if ranked:
        best = ranked[0][1]
        for rank, (i, s) in enumerate(ranked[:12]):
            if s >= 0.3 * best:
                units[i].score += _KEEP if rank < 6 else 6.0 * s / best
                if rank < 3 and i + 1 < len(units) and units[i + 1].block == units[i].block:
                    units[i + 1].score += _KEEP  # the sentence that goes on with it
    # The sections whose heading and text match best keep their opening sentences.
    section_counts = []
    for heading, members in sections:
        # The heading counts twice, being the section's summary.
        title = terms(" ".join(blocks[heading].lines)) if heading is not None else []
        parts = [(2 * len(title), Counter(2 * [t for t in title if t in wanted_set]))]
        parts += [counts[k] for b in members for k in blocks[b].units]
        section_counts.append(_merge(parts))
    ranked = SearchIndex.of_counts(section_counts).ranked(wanted)
    if ranked:
        best = ranked[0][1]
        for i, s in ranked[:2]:
            if s >= 0.5 * best:
                for b in sections[i][1]:
                    for index in blocks[b].units[:1]:
                        units[index].score += 4.0
    # The paragraphs that match best stay whole: the answer often spans sentences (a
    # listing's lines stand alone: its best lines are kept above).
    texted = [b for b in blocks if b.units and not units[b.units[0]].line]
    ranked = SearchIndex.of_counts([_merge([counts[k] for k in b.units]) for b in texted]).ranked(
        wanted
    )
    if ranked:
        best = ranked[0][1]
        for i, s in ranked[:2]:
            if s >= 0.5 * best and sum(len(units[k].text) for k in texted[i].units) < 1500:
                for index in texted[i].units:
                    units[index].score += _KEEP


def _merge(parts: list[_Counts]) -> _Counts:
    """The length and query-term counts of several texts taken as one."""
    total: Counter[str] = Counter()
    for _, found in parts:
        total.update(found)
    return sum(length for length, _ in parts), total


def _sections(blocks: list[_Block]) -> list[tuple[int | None, list[int]]]:
    """(heading block, the blocks under it up to the next heading) in order."""
    sections: list[tuple[int | None, list[int]]] = [(None, [])]
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            sections.append((index, []))
        else:
            sections[-1][1].append(index)
    return sections


def _select(units: list[_Unit], request: Request) -> set[int]:
    total = sum(len(u.text) for u in units)
    # A few sentences at least: a report that is mostly a table still says what it found.
    budget = max(total * 0.42, _MIN_SENTENCE_CHARS) * 0.65**request.level
    order = sorted(
        range(len(units)), key=lambda i: -units[i].score / (1 + len(units[i].text) / 300)
    )
    kept: set[int] = set()
    seen: set[tuple[str, ...]] = set()
    used = 0
    for i in order:
        u = units[i]
        signature = u.signature
        if signature in seen:
            continue
        if used + len(u.text) > budget and u.score < _KEEP:
            continue
        kept.add(i)
        seen.add(signature)
        used += len(u.text)
    return kept


def _table(lines: list[str], request: Request) -> list[str]:
    """A table without its padding; a long one sampled like a JSON table (rare rows stay)."""
    rows = [_compact_row(line) for line in lines]
    room = max(4, 16 >> request.level)
    if len(rows) <= room + 2:
        return rows
    found = find_table("\n".join(lines))
    if found is not None and not found.before:
        # As many characters as room + 2 of its rows: first rows, outliers, rare values and
        # the query's rows, then statistics.
        width = sum(map(len, rows)) // len(rows)
        body, _ = compress_records(found.records, request, (room + 2) * width * 10 // 7)
        return [*body.splitlines(), *([found.after] if found.after else [])]
    keep = set(range(room + 2))
    if request.query and query_terms(request.query):
        keep.update(i for i, _ in rank_texts(rows, request.query)[:4])
    out = [row for i, row in enumerate(rows) if i in keep]
    out.append(omitted(f"{len(rows) - len(keep)} of {len(rows)} table rows", request.key))
    return out


def _compact_row(line: str) -> str:
    stripped = line.strip()
    if not stripped.startswith("|"):
        return stripped
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", stripped.strip("|"))]
    if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
        cells = ["-" * 3 for _ in cells]
    return "|" + "|".join(cells) + "|"
