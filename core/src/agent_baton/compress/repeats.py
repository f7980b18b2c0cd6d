"""Lines an output already showed: a run of them becomes one marker that counts them.

Agent outputs repeat themselves verbatim: documentation shows the same request and response
fields in example after example, a class's methods take the same parameters as its other
methods (``get``, ``post``, ``put``; a sync and an async twin), and a conversation resends a
revised program whole. Once a run of lines is in the output, a repeat of it says nothing new;
what differs between the repeats stands out when the rest shrinks to ``[… 7 lines as
above]``: the same lines, in the same order, stand together higher up in the output.

Never dropped: markers, lines too short to carry more than shape (brackets, fences, ``self,``),
failure lines (guarantee 3 keeps each one at its place) and the line right under one (the
source line a traceback's frame names).
"""

from __future__ import annotations

from collections.abc import Container

from agent_baton.compress.guarantees import failing_lines
from agent_baton.compress.markers import is_marker
from agent_baton.tokens import estimate_tokens

# Characters left once blanks, brackets and fences are stripped, below which a line is shape
# only ("```python", "}),").
_SHAPE_CHARS = 8
# Earlier places of a line tried as the start of a repeated run (a line repeated thousands
# of times must not make the search quadratic).
_PLACES = 16
# Lines a repeated run needs in order: a line alone could repeat any one of several shown
# ("exitcode: 1 (execution failed)" or "exitcode: 0"); its neighbours tell which.
_RUN = 2


class Shown:
    """The lines an output has shown so far, in order, to find runs that repeat them."""

    def __init__(self) -> None:
        self._lines: list[str] = []  # stripped, and those markers stand for
        self._at: dict[str, list[int]] = {}

    def drop_repeated(
        self,
        lines: list[str],
        fixed: Container[int] = (),
        comment: str = "",
        in_order: bool = True,
    ) -> tuple[list[str], int]:
        """``lines`` with each run shown before left out; and how many lines were.

        A run becomes one marker where it was, when the marker takes clearly fewer tokens
        (two thirds of the run's, estimated). ``fixed``:
        indices always kept (a fence, what the query asked for, the line naming a
        definition). ``comment``: the line-comment opener the marker stands in, indented
        as the run (source code), or none. ``in_order``: a run is two lines or more that
        stand together, in the same order, higher up (a program's lines); else any lines
        each shown anywhere (the fields of a data example, each a fact of its own).
        """
        keys = [line.strip() for line in lines]
        failing = failing_lines(lines)  # one scan of them all
        droppable = [
            i not in fixed
            and len(key.strip("{}[](),;`~")) >= _SHAPE_CHARS
            and not is_marker(line)
            and i not in failing
            # The line under a traceback's frame is the source line it names.
            and i - 1 not in failing
            for i, (line, key) in enumerate(zip(lines, keys, strict=True))
        ]
        out: list[str] = []
        dropped = 0
        i = 0
        while i < len(lines):
            run = self._run(keys, droppable, i, in_order) if droppable[i] else 0
            if run:
                marker = f"[… {run} line{'s' * (run > 1)} as above]"
                if comment:
                    first = lines[i]
                    marker = f"{first[: len(first) - len(first.lstrip())]}{comment} {marker}"
                # The estimate overcounts names: a marker must be clearly cheaper.
                if 3 * estimate_tokens(marker.strip()) <= 2 * sum(
                    map(estimate_tokens, keys[i : i + run])
                ):
                    out.append(marker)
                    # The run stands here too, by its marker: a later repeat of these
                    # lines and their neighbours is one run, not several.
                    for key in keys[i : i + run]:
                        self._add(key)
                    dropped += run
                    i += run
                    continue
            out.append(lines[i])
            self._add(keys[i])
            i += 1
        return out, dropped

    def _run(self, keys: list[str], droppable: list[bool], i: int, in_order: bool) -> int:
        """The most lines from ``i`` on shown before (together, in order, if ``in_order``)."""
        if not in_order:
            k = 0
            while i + k < len(keys) and droppable[i + k] and keys[i + k] in self._at:
                k += 1
            return k
        best = 0
        for place in self._at.get(keys[i], [])[-_PLACES:]:
            k = 0
            while (
                i + k < len(keys)
                and droppable[i + k]
                and place + k < len(self._lines)
                and self._lines[place + k] == keys[i + k]
            ):
                k += 1
            best = max(best, k)
        return best if best >= _RUN else 0

    def _add(self, key: str) -> None:
        self._at.setdefault(key, []).append(len(self._lines))
        self._lines.append(key)
