"""One self-contained HTML page that shows what was kept of each entry and what was dropped.

For each entry, the compressed form (what the next agent sees) sits beside the original: kept
lines are highlighted in both, dropped ones greyed, and each marker links to the dropped lines
it stands for. Above them, the run as a timeline of handoffs with tokens before and after.
The page needs no network: styles and the few lines of script are inline.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

from agent_baton.alignment import Alignment, Fate, Role, align
from agent_baton.entry import ContextEntry, savings_percent

MAX_LINES = 20_000
"""Lines of an original drawn at most; the rest is summed up in one line."""
_FOLD_OVER = 12  # a dropped run longer than this shows its ends and folds its middle
_FOLD_KEEP = 3  # lines shown at each end of a folded run

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2329;background:#fafbfc}
header,section{padding:12px 24px}
header{background:#1f3a5f;color:#fff}
header h1{margin:0 0 4px;font-size:22px}
h2{font-size:18px;margin:18px 0 6px}
h2 small{font-weight:normal;color:#57606a}
.legend span,.chip{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px}
.totals{font-size:15px}
.timeline{list-style:none;padding:0;margin:0}
.timeline li{display:grid;grid-template-columns:70px 260px 1fr 320px;gap:10px;align-items:center;
  padding:4px 0;border-bottom:1px solid #e6e8eb}
.timeline li.handoff{display:block;color:#1f3a5f;font-weight:600;border:none;padding:6px 0 2px}
.bar{background:#d0d7de;height:12px;border-radius:2px;position:relative}
.bar i{display:block;background:#2da44e;height:12px;border-radius:2px}
.stats{color:#424a53}
.columns{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.pane{border:1px solid #d0d7de;border-radius:6px;background:#fff;max-height:70vh;overflow:auto}
.pane h3{position:sticky;top:0;margin:0;padding:6px 10px;font-size:14px;background:#f0f3f6;
  border-bottom:1px solid #d0d7de;z-index:1}
.code{font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;padding:4px 0}
.l{display:block;white-space:pre-wrap;overflow-wrap:anywhere;padding:0 10px;color:inherit;
  text-decoration:none;min-height:1.5em}
.kept,.legend .kept{background:#dafbe1}
.cut .part{background:#dafbe1}
.cut .tail,.dropped,.legend .dropped{color:#8c959f;background:#f3f4f6}
.cut .tail:empty{display:none}
.reshaped,.legend .reshaped{background:#ddf4ff}
.marker,.legend .marker{background:#fff1c2;color:#7d4e00;font-weight:600}
a.marker:hover,a.kept:hover{outline:1px solid #bf8700}
.gap{display:block;border-left:3px solid #d0d7de}
.gap:target,.gap.hl{border-left-color:#bf8700;background:#fff8c5}
.gap:target .dropped,.gap.hl .dropped{background:#fff8c5}
.l:target{outline:2px solid #2da44e}
details summary{cursor:pointer;color:#57606a;padding:0 10px}
.note{color:#57606a;font-style:italic;padding:0 10px}
"""

# Pointing at a marker lights up every dropped run it stands for (one link goes to the first).
_SCRIPT = """
document.querySelectorAll('a.marker[data-gaps]').forEach(function (a) {
  var gaps = a.dataset.gaps.split(' ').map(function (id) { return document.getElementById(id); });
  function light(on) { gaps.forEach(function (g) { if (g) g.classList.toggle('hl', on); }); }
  a.addEventListener('mouseenter', function () { light(true); });
  a.addEventListener('mouseleave', function () { light(false); });
});
"""


def report_html(
    entries: Sequence[ContextEntry],
    *,
    title: str = "agent-baton: what each agent handed on",
    counter_name: str | None = None,
) -> str:
    """The page for ``entries``: a timeline of the run, then each entry, oldest first."""
    ordered = sorted(entries, key=lambda e: e.timestamp)
    before = sum(e.original_tokens for e in ordered)
    after = sum(e.compressed_tokens for e in ordered)
    counted = f" · counted with {html.escape(counter_name)}" if counter_name else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{html.escape(title)}</h1>",
        f'<div class="totals" id="totals">{len(ordered)} entries · {before:,} → {after:,} tokens '
        f"({savings_percent(before, after)}% saved){counted}</div></header>",
        _legend(),
        _timeline(ordered),
    ]
    parts += [_entry(n, entry) for n, entry in enumerate(ordered, 1)]
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def _legend() -> str:
    return (
        '<section class="legend" id="legend">'
        '<span class="kept">kept: the next agent sees it as it is</span>'
        '<span class="reshaped">reshaped: its values are there in another form (a table '
        "row, a template)</span>"
        '<span class="dropped">dropped: left out</span>'
        '<span class="marker">marker: says what was left out; click it to see what</span>'
        "</section>"
    )


def _timeline(entries: Sequence[ContextEntry]) -> str:
    rows = ['<section id="timeline"><h2>The run, as handoffs</h2><ol class="timeline">']
    start = entries[0].timestamp if entries else 0.0
    widest = max((e.original_tokens for e in entries), default=0) or 1
    previous: str | None = None
    for n, entry in enumerate(entries, 1):
        agent = entry.agent or "unknown agent"
        if previous is not None and agent != previous:
            rows.append(f'<li class="handoff">{html.escape(previous)} → {html.escape(agent)}</li>')
        previous = agent
        width = 100 * entry.original_tokens / widest
        kept = 100 * entry.compressed_tokens / max(entry.original_tokens, 1)
        rows.append(
            f'<li class="put"><span>+{entry.timestamp - start:.1f} s</span>'
            f'<a href="#entry-{n}">{html.escape(agent)} put <b>{html.escape(entry.key)}</b></a>'
            f'<span class="bar" style="width:{width:.1f}%"><i style="width:{kept:.1f}%"></i>'
            f"</span><span>{entry.original_tokens:,} → {entry.compressed_tokens:,} tokens "
            f"({entry.savings_percent}% saved)</span></li>"
        )
    rows.append("</ol></section>")
    return "".join(rows)


def _entry(n: int, entry: ContextEntry) -> str:
    aligned = align(entry.original, entry.compressed)
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.timestamp))
    kept = aligned.count(Fate.KEPT) + aligned.count(Fate.CUT)
    counts = (
        f"{kept:,} kept, {aligned.count(Fate.RESHAPED):,} reshaped, "
        f"{aligned.count(Fate.DROPPED):,} dropped of {len(aligned.original):,} lines"
    )
    return (
        f'<section class="entry" id="entry-{n}"><h2>{html.escape(entry.key)} '
        f"<small>from {html.escape(entry.agent or 'unknown agent')} at {when}</small></h2>"
        f'<p class="stats"><span class="tokens">{entry.original_tokens:,} → '
        f"{entry.compressed_tokens:,} tokens ({entry.savings_percent}% saved)</span> · "
        f'transforms: <span class="transforms">{html.escape(", ".join(entry.transforms))}'
        f"</span> · {counts}</p>"
        '<div class="columns">'
        f'<div class="pane compressed"><h3>What the next agent sees</h3><div class="code">'
        f"{_compressed(n, aligned)}</div></div>"
        f'<div class="pane original"><h3>Original</h3><div class="code">'
        f"{_original(n, aligned)}</div></div></div></section>"
    )


def _compressed(n: int, aligned: Alignment) -> str:
    out = []
    for line in aligned.compressed:
        text = html.escape(line.text)
        if line.role is Role.MARKER and line.gaps:
            ids = " ".join(f"e{n}-g{g}" for g in line.gaps)
            out.append(
                f'<a class="l marker" href="#e{n}-g{line.gaps[0]}" data-gaps="{ids}" '
                f'title="stands for {_dropped_lines(aligned, line.gaps):,} dropped lines">'
                f"{text}</a>"
            )
        elif line.role in (Role.KEPT, Role.MARKER) and line.source is not None:
            role = line.role.value
            out.append(f'<a class="l {role}" href="#e{n}-o{line.source}">{text}</a>')
        else:
            out.append(f'<span class="l {line.role.value}">{text}</span>')
    return "".join(out)


def _dropped_lines(aligned: Alignment, gaps: Sequence[int]) -> int:
    return sum(aligned.gaps[g][1] - aligned.gaps[g][0] + 1 for g in gaps)


def _original(n: int, aligned: Alignment) -> str:
    starts = {a: (g, b) for g, (a, b) in enumerate(aligned.gaps)}
    shown = min(len(aligned.original), MAX_LINES)
    out = []
    i = 0
    while i < shown:
        if i in starts:
            g, last = starts[i]
            last = min(last, shown - 1)
            out.append(f'<span class="gap" id="e{n}-g{g}">{_run(n, aligned, i, last)}</span>')
            i = last + 1
        else:
            out.append(_line(n, aligned, i))
            i += 1
    if shown < len(aligned.original):
        rest = len(aligned.original) - shown
        out.append(f'<span class="note">… {rest:,} more lines of the original not drawn</span>')
    return "".join(out)


def _run(n: int, aligned: Alignment, first: int, last: int) -> str:
    lines = range(first, last + 1)
    if len(lines) <= _FOLD_OVER:
        return "".join(_line(n, aligned, i) for i in lines)
    head, middle, tail = lines[:_FOLD_KEEP], lines[_FOLD_KEEP:-_FOLD_KEEP], lines[-_FOLD_KEEP:]
    return (
        "".join(_line(n, aligned, i) for i in head)
        + f"<details><summary>… {len(middle):,} more dropped lines</summary>"
        + "".join(_line(n, aligned, i) for i in middle)
        + "</details>"
        + "".join(_line(n, aligned, i) for i in tail)
    )


def _line(n: int, aligned: Alignment, i: int) -> str:
    fate = aligned.fates[i]
    text = aligned.original[i]
    if fate is Fate.CUT:  # the kept parts highlighted, the rest greyed
        parts, at = [], 0
        for start, end in aligned.kept_spans[i]:
            parts.append(f'<span class="tail">{html.escape(text[at:start])}</span>')
            parts.append(f'<span class="part">{html.escape(text[start:end])}</span>')
            at = end
        parts.append(f'<span class="tail">{html.escape(text[at:])}</span>')
        body = "".join(parts)
    else:
        body = html.escape(text)
    return f'<span class="l {fate.value}" id="e{n}-o{i}">{body}</span>'
