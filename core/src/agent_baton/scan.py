"""Search without an index, for entries too large to index: the text is scanned per query.

A search index takes several times its text in memory (a 50 MB log's: about 250 MB), more
than a context's ``max_bytes`` leaves for it, and building one costs seconds of CPU. For an
entry of :data:`SCAN_FROM_CHARS` characters or more, each query scans the text instead: the
lower-cased text is searched for each query term (in C), every word found is checked to
hold the term as the index would have it, and the passages holding them are ranked with
BM25, their lengths in characters. Passages are blocks of :data:`BLOCK_LINES` lines, long
lines cut every 2,000 characters.

The time stays near linear and bounded: a term found more than :data:`COMMON` times
(``request`` in every line of a log) is not enumerated; it only reranks the best passages
the rarer terms found, or, when every term is that common, the first passages that hold the
rarest one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from itertools import islice

from agent_baton.search import Hit, Passage, query_terms, word_terms

SCAN_FROM_CHARS = 1_000_000
BLOCK_LINES = 8
_MAX_CHARS = 2000  # a block longer than this is cut into windows of this many characters
COMMON = 20_000  # occurrences of a term beyond which it is not enumerated
_RERANKED = 1000  # passages a common term reranks
_K1, _B = 1.2, 0.75
_WORD_END = re.compile(r"[^\W_]*")
_WORD_TAIL = re.compile(r"[^\W_]+\Z")


class TextScan:
    """The query methods of :class:`~agent_baton.search.SearchIndex`, answered by scanning."""

    nbytes = 0  # holds nothing but a reference to the text

    def __init__(self, text: str) -> None:
        self.text = text
        self._lowered: str | None = None
        self._spans: dict[int, tuple[int, int, str]] = {}  # pid -> (start, end, location)
        self._blocks: dict[int, tuple[int, int]] = {}  # first line -> (start, end) offsets
        self._memo: dict[str, tuple[str, ...]] = {}

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of the passages that hold a term of ``query``, by passage id."""
        wanted = query_terms(query)
        if not wanted:
            return {}
        lowered = self._lower()
        counts = {t: lowered.count(_core(t)) for t in wanted}
        found = sorted((t for t in wanted if counts[t]), key=lambda t: counts[t])
        if not found:
            return {}
        rare = [t for t in found if counts[t] <= COMMON] or found[:1]
        passages = max(1, self.text.count("\n") // BLOCK_LINES + 1)
        average = len(self.text) / passages
        hits = [
            (at, t) for t in rare for at in islice(self._occurrences(t, 0, len(self.text)), COMMON)
        ]
        tf: dict[int, dict[str, int]] = {}
        for pid, term in self._locate(hits):
            counted = tf.setdefault(pid, {})
            counted[term] = counted.get(term, 0) + 1
        # A term enumerated in part (every term common) is taken to be in as many passages
        # as it occurs, at most all.
        df = {t: sum(t in c for c in tf.values()) for t in rare}
        df.update({t: min(counts[t], passages) for t in found if counts[t] > COMMON})
        scores = {pid: self._bm25(pid, c, df, passages, average) for pid, c in tf.items()}
        common = [t for t in found if t not in rare]
        if common:
            best = sorted(scores, key=lambda pid: (-scores[pid], pid))[:_RERANKED]
            for term in common:
                for pid in best:
                    start, end, _ = self._spans[pid]
                    n = sum(1 for _ in self._occurrences(term, start, end))
                    if n:
                        scores[pid] += self._bm25(pid, {term: n}, df, passages, average)
        return scores

    def passage(self, pid: int) -> Passage:
        """The passage ``pid`` of the last :meth:`scores`."""
        start, end, location = self._spans[pid]
        return Passage(self.text[start:end], location)

    def search(self, query: str, k: int, *, key: str, agent: str | None) -> list[Hit]:
        """The ``k`` best passages for ``query`` as hits of entry ``key``."""
        scores = self.scores(query)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Hit(key, agent, *self._shown(pid), round(score, 4)) for pid, score in ranked]

    def relevance(self, query: str) -> float:
        """The share of the query's terms the text holds (a term found over COMMON times: held)."""
        wanted = query_terms(query)
        if not wanted:
            return 0.0
        lowered = self._lower()
        held = 0
        for term in wanted:
            occurrences = self._occurrences(term, 0, len(self.text))
            if lowered.count(_core(term)) > COMMON or next(occurrences, None) is not None:
                held += 1
        return held / len(wanted)

    def _shown(self, pid: int) -> tuple[str, str]:
        passage = self.passage(pid)
        return passage.text, passage.location

    def _bm25(
        self, pid: int, tf: dict[str, int], df: dict[str, int], passages: int, average: float
    ) -> float:
        start, end, _ = self._spans[pid]
        norm = _K1 * (1 - _B + _B * (end - start) / (average or 1))
        score = 0.0
        for term, n in tf.items():
            idf = math.log(1 + (passages - df[term] + 0.5) / (df[term] + 0.5))
            score += idf * n * (_K1 + 1) / (n + norm)
        return score

    def _lower(self) -> str:
        if self._lowered is None:
            lowered = self.text.lower()
            # A few characters lower to two ("İ"): positions would shift; casefold per char.
            if len(lowered) != len(self.text):
                lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.text)
            self._lowered = lowered
        return self._lowered

    def _occurrences(self, term: str, start: int, end: int) -> Iterator[int]:
        """Start offsets of the words in ``text[start:end]`` that hold ``term``, in order.

        Each word is read once, however many times the term's core sits in it.
        """
        lowered, text, core = self._lower(), self.text, _core(term)
        at = lowered.find(core, start, end)
        while at >= 0:
            first = _word_start(text, at, start)
            last = _word_end(text, at)
            if term in self._terms(text[first:last]):
                yield first
            at = lowered.find(core, max(last, at + 1), end)

    def _terms(self, word: str) -> tuple[str, ...]:
        found = self._memo.get(word)
        if found is None:
            found = self._memo[word] = word_terms(word)
        return found

    def _locate(self, hits: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """(passage id, term) per hit; lines are counted once over the text, in order."""
        text = self.text
        located = []
        line, line_at, counted_to = 0, 0, 0  # line number (0-based) at counted_to
        for at, term in sorted(hits):
            newlines = text.count("\n", counted_to, at)
            if newlines:
                line += newlines
                line_at = text.rfind("\n", counted_to, at) + 1
            counted_to = at
            located.append((self._passage_at(at, line, line_at), term))
        return located

    def _passage_at(self, at: int, line: int, line_at: int) -> int:
        """The id (its start offset) of the passage holding offset ``at`` on ``line``."""
        text = self.text
        first = line - line % BLOCK_LINES
        block = self._blocks.get(first)
        if block is None:
            start = line_at
            for _ in range(line - first):
                start = text.rfind("\n", 0, start - 1) + 1
            end = at
            for _ in range(first + BLOCK_LINES - line):
                found = text.find("\n", end)
                end = len(text) if found < 0 else found + 1
            end = end - 1 if end > start and text[end - 1] == "\n" else end
            block = self._blocks[first] = (start, end)
        start, end = block
        if end - start <= _MAX_CHARS:
            if start not in self._spans:
                last = first + text.count("\n", start, end)
                where = f"line {first + 1}" if last == first else f"lines {first + 1}-{last + 1}"
                self._spans[start] = (start, end, where)
            return start
        pid = start + (at - start) // _MAX_CHARS * _MAX_CHARS
        if pid not in self._spans:
            stop = min(end, pid + _MAX_CHARS)
            top = line - text.count("\n", pid, at)
            bottom = top + text.count("\n", pid, stop)
            if top == bottom:  # a window inside one line: it starts at line_at
                where = f"line {top + 1}, chars {pid - line_at}-{stop - line_at}"
            else:
                where = f"lines {top + 1}-{bottom + 1}"
            self._spans[pid] = (pid, stop, where)
        return pid


def _core(term: str) -> str:
    """What every word holding ``term`` contains, lower-cased: its stem, less a final ``y``.

    ("entries" stems to "entry"; its text holds "entr".)
    """
    return term[:-1] if len(term) > 2 and term.endswith("y") else term


def _word_end(text: str, at: int) -> int:
    """Where the word holding offset ``at`` ends."""
    found = _WORD_END.match(text, at)
    assert found is not None  # it matches the empty string
    return found.end()


def _word_start(text: str, at: int, floor: int) -> int:
    """Where the word holding offset ``at`` starts (not before ``floor``)."""
    if at == floor or not text[at - 1].isalnum():  # str.isalnum is re's [^\W_]
        return at
    window = 64
    while True:
        low = max(floor, at - window)
        found = _WORD_TAIL.search(text, low, at)
        if found is None:
            return at
        if found.start() > low or low == floor:
            return found.start()
        window *= 4
