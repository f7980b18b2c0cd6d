"""The compressor of last resort, for when the content-aware one runs out of time.

One pass over the lines, whatever the content: the first and last lines stay, and so does
every line that reports a failure, whatever the budget (the guarantee wins over it); other
lines that name a problem stay while the budget lasts (the first and last of them when they
outgrow it); runs of lines equal but for their digits fold into a count with their first and
last lines (kept lines only when equal); every cut leaves a marker. A line too long to keep
whole keeps its start.
"""

from __future__ import annotations

from itertools import groupby

from agent_baton.compress.guarantees import failing_lines_of
from agent_baton.compress.logs import problem_lines
from agent_baton.compress.markers import gap, omitted

_EDGE = 20  # lines kept at the head and at the tail
_WIDTH = 2000  # characters a kept line keeps
_FOLD = 3  # a run of this many lines of one shape folds into one
_NO_DIGITS = str.maketrans("", "", "0123456789")


def compress_fallback(text: str, key: str | None, budget: int) -> str:
    """``text`` cut to about ``budget`` characters in one linear pass (see the module)."""
    lines = text.splitlines()
    n = len(lines)
    keep = set(range(min(_EDGE, n))) | set(range(max(0, n - _EDGE), n))
    # With what belongs to them: Rust's operands, the message a panic line announces.
    failing = sorted(failing_lines_of(text))
    keep.update(failing)
    used = sum(min(len(lines[i]), _WIDTH) + 1 for i in failing)
    problems = [i for i in problem_lines(lines, text) if i not in keep]
    # Problem lines have the budget that failures leave; folds take what they leave.
    first, last = 0, len(problems) - 1
    from_start = True
    while first <= last and used < budget:  # the first and the last problems, inwards
        if from_start:
            i, first = problems[first], first + 1
        else:
            i, last = problems[last], last - 1
        from_start = not from_start
        keep.add(i)
        used += min(len(lines[i]), _WIDTH) + 1
    # A line's shape is the line without its digits; a kept line has none, so no run
    # folds it in (groupby compares the shapes in C: no Python step per routine line).
    shapes: list[str | None] = list(text.translate(_NO_DIGITS).splitlines())
    shapes += [""] * (n - len(shapes))  # a last line of digits alone, left empty
    for i in keep:
        shapes[i] = None
    out: list[str] = []
    loose = 0  # lines left out since the last line written
    i = 0
    for shape, run in groupby(shapes):
        size = len(list(run))
        if shape is None or (size >= _FOLD and used < budget and shape.strip()):
            if loose:
                out.append(gap(loose))
                loose = 0
            if shape is None:  # kept lines: only exact repeats fold, never blank ones
                for line, same in groupby(lines[i : i + size]):
                    times = len(list(same))
                    if times >= _FOLD and line.strip():
                        out.append(f"[×{times}] {_cut(line, key)}")
                    else:
                        out.extend([_cut(line, key)] * times)
            else:
                out.extend(_fold(lines[i : i + size], key))
                used += min(len(lines[i]), _WIDTH) + 8
        else:
            loose += size
        i += size
    if loose:
        out.append(gap(loose))
    what = f"{n - len(keep)} of {n} lines"
    if last >= first:
        what += f", {last - first + 1} of them problem lines,"
    out.append(omitted(f"{what} (compression ran out of time)", key))
    return "\n".join(out)


def _fold(run: list[str], key: str | None) -> list[str]:
    """A run of lines equal but for their digits: its count, and its first and last lines.

    One line stands for the run only when all are that line (a fold never shows one line
    for several different ones).
    """
    first, last = run[0], run[-1]
    if all(line == first for line in run):
        return [f"[×{len(run)}] {_cut(first, key)}"]
    return [f"[×{len(run)}, numbers differ; first and last:] {_cut(first, key)}", _cut(last, key)]


def _cut(line: str, key: str | None) -> str:
    if len(line) <= _WIDTH:
        return line
    return line[:_WIDTH] + omitted(f"{len(line) - _WIDTH} more characters of this line", key)
