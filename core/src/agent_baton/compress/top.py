"""top's batch report (``top -b -n1``): a summary block over a table of processes.

procps top prints its uptime and load, then the tasks (or threads), CPU states and memory,
each line a label and its counts (``Tasks: 113 total,  10 running, …``, ``MiB Mem : 24105.3
total, …``; with ``-1`` one ``%Cpu0  :`` per CPU, two to a line on a wide screen), then a
blank line and the process table. Read as lines, the fold kept the first rows as examples
and a budget cut the summary, the header and the busiest processes alike; read as a table
under its summary, the summary and header stay and the rows are sampled by their values.
"""

from __future__ import annotations

import re

_UPTIME = re.compile(
    r"top - \d\d:\d\d:\d\d up .{1,40}?, +load average: \d+[.,]\d+, \d+[.,]\d+, \d+[.,]\d+ *"
)
# A label and its counts: ``Tasks:``, ``%Cpu(s):``, ``%Cpu0  :``, ``MiB Mem :``; each count a
# number and its name (``0.0 us``, ``22363.2 avail Mem``; older tops: ``0.3%us``, ``3925128k
# total``), separated by commas (and a full stop before ``avail Mem``). top cuts its lines
# at the screen's width: the last count may be cut short.
_COUNT = r"\d+(?:[.,]\d+)?[kmgtpe]?\s*%?[A-Za-z/]+(?: Mem)?"
_FIELD = (
    r"(?:Tasks|Threads|%?Cpu(?:\(s\)|\d+)|%Node\d+|(?:[KMGTPE]iB )?(?:Mem|Swap)) *:"
    rf" *{_COUNT}(?:[,.] +{_COUNT})*[,.]? *"
)
_SUMMARY_LINE = re.compile(rf"(?:{_FIELD})+(?:\d[\d.,]*(?: ?%?[A-Za-z/]*)?)?")
_MOST = 40  # summary lines: one per CPU of a large machine with -1


def summary_end(lines: list[str]) -> int:
    """The index of the first line after top's summary block and its blank line, or 0.

    0 when the lines do not open with the uptime line, then labelled counts only, then a
    blank line: the text is no top report (each line parsed whole, not searched).
    """
    if not lines or _UPTIME.fullmatch(lines[0]) is None:
        return 0
    for i, line in enumerate(lines[1 : _MOST + 1], 1):
        if not line.strip():
            return i + 1 if i > 1 else 0
        if _SUMMARY_LINE.fullmatch(line) is None:
            return 0
    return 0
