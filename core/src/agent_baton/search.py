"""Lexical search over the original content: passages ranked with BM25.

A passage is what a reader would point at: a row of a JSON array, a block of code or a
paragraph, a few log lines. The index is built once per entry and answers in milliseconds.
"""

from __future__ import annotations

import json
import math
import re
import sys
from array import array
from collections import Counter
from dataclasses import dataclass

_WORD_RE = re.compile(r"[^\W_]+")
_CAMEL_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Words that carry no meaning in a task sentence such as "Find which run failed and why".
_STOPWORDS_TEXT = """a an and are as at be by can do does did for from give has have how i if in
into is it its me my of on or our please show tell that the their them then there these this
those to us was we were what when where which who why will with you your find list get"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_MAX_LINES = 12  # a block longer than this is split into chunks of _CHUNK_LINES
_CHUNK_LINES = 8
_MAX_CHARS = 2000  # a longer single line is split at whitespace
_K1, _B = 1.2, 0.75
_MEMO_WORDS = 65536  # distinct words whose terms one caller remembers


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage of an entry's original content that matches a query.

    Attributes:
        key: The entry it comes from.
        agent: The agent that put that entry, or ``None``.
        text: The passage, verbatim from the original.
        location: Where it sits in the original: ``data[97]`` (a row of a JSON array) or
            ``lines 457-464`` (lines of text, code or a log).
        score: BM25 relevance to the query; higher is better, comparable within one search.
    """

    key: str
    agent: str | None
    text: str
    location: str
    score: float


@dataclass(frozen=True, slots=True)
class Passage:
    """A searchable piece of a text and where it sits."""

    text: str
    location: str


def terms(text: str, memo: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Lower-cased words of ``text``; ``camelCase`` and ``snake_case`` also give their parts.

    ``memo`` remembers the terms of words already seen, for a caller that reads many texts
    (an index build); it belongs to that caller, so no word outlives the caller's content.
    """
    memo = {} if memo is None else memo
    out: list[str] = []
    for word in _WORD_RE.findall(text):
        found = memo.get(word)
        if found is None:
            if len(memo) >= _MEMO_WORDS:
                memo.clear()
            found = memo[word] = word_terms(word)
        out.extend(found)
    return out


def word_terms(word: str) -> tuple[str, ...]:
    """The terms of one word."""
    if word.isdigit():
        return (word,)  # no case, no suffix
    lowered = _stem(word.lower())
    if word.islower() or word.isupper():
        return (lowered,)
    parts = _CAMEL_RE.findall(word)
    if len(parts) < 2:
        return (lowered,)
    return (lowered, *(_stem(p.lower()) for p in parts))


def _stem(word: str) -> str:
    """A light suffix stripper, so "unloaded", "unloading" and "unload" match each other.

    Not a linguistic stemmer: it only has to map a word's common forms to one key.
    """
    last = word[-1:]  # most words end in none of the suffixes' last letters
    if last == "g":
        if len(word) > 5 and word.endswith("ing"):
            word = word[:-3]
    elif last == "d":
        if len(word) > 4 and word.endswith("ied"):
            word = word[:-3] + "y"
        elif len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
            word = word[:-2]
    elif last == "s":
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    if len(word) > 3 and word[-1] == "e":
        word = word[:-1]
    return word


# A query's words as terms are stemmed ("does" is "doe", "where" is "wher"): so are these.
_STOP_TERMS = STOPWORDS | {_stem(word) for word in STOPWORDS}
# Words a query writes as code: in backticks, or a name called (``get(``, ``config.get(``).
_CODE = re.compile(r"`[^`\n]+`|(?<![\w.])[\w.]+\(")


def query_terms(query: str) -> list[str]:
    """The distinct meaningful terms of a query, stopwords removed (unless nothing is left).

    A stopword written as code (```get```, ``config.get(``) names something: it stays.
    """
    found = list(dict.fromkeys(terms(query)))
    named = {t for span in _CODE.findall(query) for t in terms(span)}
    meaningful = [t for t in found if t not in _STOP_TERMS or t in named]
    return meaningful or found


def split_passages(text: str) -> list[Passage]:
    """Rows of a JSON array, else blocks of lines separated by blank lines (long ones chunked)."""
    rows = _json_rows(text)
    if rows is not None:
        return rows
    passages: list[Passage] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block.append((number, line))
            continue
        passages.extend(_block_passages(block))
        block = []
    passages.extend(_block_passages(block))
    return passages


def _block_passages(block: list[tuple[int, str]]) -> list[Passage]:
    if not block:
        return []
    if len(block) == 1 and len(block[0][1]) > _MAX_CHARS:
        number, line = block[0]
        return [
            Passage(piece, f"line {number}, chars {start}-{start + len(piece)}")
            for start, piece in _split_long_line(line)
        ]
    size = len(block) if len(block) <= _MAX_LINES else _CHUNK_LINES
    out = []
    for i in range(0, len(block), size):
        chunk = block[i : i + size]
        first, last = chunk[0][0], chunk[-1][0]
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        out.append(Passage("\n".join(line for _, line in chunk), where))
    return out


def _split_long_line(line: str) -> list[tuple[int, str]]:
    pieces = []
    start = 0
    while start < len(line):
        end = min(len(line), start + _MAX_CHARS)
        if end < len(line):
            space = line.rfind(" ", start + _MAX_CHARS // 2, end)
            end = space + 1 if space > 0 else end
        pieces.append((start, line[start:end]))
        start = end
    return pieces


def _json_rows(text: str) -> list[Passage] | None:
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    path, rows = _main_array(data)
    if rows is None:
        return None
    return [
        Passage(json.dumps(row, ensure_ascii=False), f"{path}[{i}]") for i, row in enumerate(rows)
    ]


def _main_array(data: object) -> tuple[str, list[object] | None]:
    """The JSON array that holds the records: the top level, or the largest array one level in."""
    if isinstance(data, list):
        return "", data if len(data) > 1 else None
    if isinstance(data, dict):
        arrays = [(k, v) for k, v in data.items() if isinstance(v, list) and len(v) > 1]
        if arrays:
            name, rows = max(arrays, key=lambda kv: len(kv[1]))
            return str(name), rows
    return "", None


def rank_texts(texts: list[str], query: str) -> list[tuple[int, float]]:
    """BM25 ranking of ``texts`` for ``query``: (index, score) pairs, best first."""
    index = SearchIndex([Passage(t, str(i)) for i, t in enumerate(texts)])
    return sorted(index.scores(query).items(), key=lambda item: (-item[1], item[0]))


def best_matches(
    texts: list[str],
    query: str | None,
    *,
    most: int,
    floor: float,
    sure: int = 0,
    groups: list[int] | None = None,
    per_group: int = 0,
) -> set[int]:
    """Indices of the ``texts`` that match ``query`` best, for a compressor to keep whole.

    The ``sure`` best always, then any scoring at least ``floor`` times the best, at most
    ``most`` in all; with ``groups``, at most ``per_group`` from one group, so one noisy
    kind of text cannot crowd out the rest.
    """
    if not query or not query_terms(query):
        return set()
    ranked = rank_texts(texts, query)
    if not ranked:
        return set()
    best = ranked[0][1]
    taken: Counter[int] = Counter()
    keep: set[int] = set()
    for rank, (i, score) in enumerate(ranked):
        if len(keep) == most or (rank >= sure and score < floor * best):
            break
        if groups is not None:
            taken[groups[i]] += 1
            if taken[groups[i]] > per_group:
                continue
        keep.add(i)
    return keep


class SearchIndex:
    """A BM25 index over passages (see :func:`split_passages`) or pre-counted documents."""

    @classmethod
    def of_text(cls, text: str) -> SearchIndex:
        """Index the passages of ``text``."""
        return cls(split_passages(text))

    @classmethod
    def of_counts(cls, docs: list[tuple[int, Counter[str]]]) -> SearchIndex:
        """Index documents given as (length, term counts).

        For callers that count terms their own way; :meth:`ranked` scores them (there are no
        passages to show).
        """
        index = cls([])
        index._add(docs)
        return index

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._lengths: list[int] = []
        # term -> its passages and counts, interleaved (pid, tf, pid, tf, ...) in an array:
        # a tuple per posting in a list took about 9 times the text's size.
        self._postings: dict[str, array[int]] = {}
        memo: dict[str, tuple[str, ...]] = {}
        self._add(
            [(len(found), Counter(found)) for found in (terms(p.text, memo) for p in passages)]
        )
        self.nbytes = self._estimate_bytes()

    def _add(self, docs: list[tuple[int, Counter[str]]]) -> None:
        growing: dict[str, list[int]] = {}
        for pid, (length, counts) in enumerate(docs, start=len(self._lengths)):
            self._lengths.append(length)
            for term, tf in counts.items():
                found = growing.get(term)
                if found is None:
                    found = growing[term] = []
                found += (pid, tf)
        for term, postings in growing.items():
            self._postings.setdefault(term, array("I")).extend(postings)
        self._avg_length = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0

    def _estimate_bytes(self) -> int:
        """About what this index holds in memory (over by 10-50 %, measured): what it costs."""
        passages = sum(
            sys.getsizeof(p.text) + sys.getsizeof(p.location) + 56 for p in self.passages
        )
        postings = sum(sys.getsizeof(a) + len(t) + 120 for t, a in self._postings.items())
        return passages + postings + 40 * len(self._lengths)

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every passage that shares a term with ``query``."""
        return self._term_scores(query_terms(query))

    def ranked(self, wanted: list[str]) -> list[tuple[int, float]]:
        """(document, score) for the documents holding any of the terms ``wanted``, best first."""
        return sorted(self._term_scores(wanted).items(), key=lambda item: (-item[1], item[0]))

    def _term_scores(self, wanted: list[str]) -> dict[int, float]:
        n = len(self._lengths)
        scores: dict[int, float] = {}
        for term in wanted:
            postings = self._postings.get(term)
            if not postings:
                continue
            df = len(postings) // 2
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for pid, tf in zip(postings[::2], postings[1::2], strict=True):
                norm = _K1 * (1 - _B + _B * self._lengths[pid] / (self._avg_length or 1))
                scores[pid] = scores.get(pid, 0.0) + idf * tf * (_K1 + 1) / (tf + norm)
        return scores

    def passage(self, pid: int) -> Passage:
        """The passage ``pid``, as :meth:`scores` names it."""
        return self.passages[pid]

    def search(self, query: str, k: int, *, key: str, agent: str | None) -> list[Hit]:
        """The ``k`` best passages for ``query`` as hits of entry ``key``."""
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))[:k]
        return [
            Hit(key, agent, self.passages[pid].text, self.passages[pid].location, round(score, 4))
            for pid, score in ranked
        ]

    def relevance(self, query: str) -> float:
        """How well the whole text matches ``query``: the share of its terms found, weighted."""
        wanted = query_terms(query)
        if not wanted:
            return 0.0
        return sum(1.0 for t in wanted if t in self._postings) / len(wanted)
