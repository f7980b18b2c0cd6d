"""HTML pages and fragments: their text, read with the standard library's parser.

Scripts, styles and markup go; the text stays in document order, one line per block element
(a heading, a paragraph, a list item, a table row, a ``<pre>`` line), with headings marked
``#`` and link targets in angle brackets after the link's text. That text is then compressed
as a document (:func:`~agent_baton.compress.prose.compress_document`: headings, the telling
sentences, a listing's lines), or by its own kind when the document keeps it all. What is
shown are the page's own lines that hold the kept text, byte for byte, markup and all; a
page line too long to keep (a page served on one line, rustdoc's head and navigation) is
shown as a view, the kept text it holds under a label that says so. A marker stands where
lines holding text were left out, and one at the end says the markup was.
"""

from __future__ import annotations

from agent_baton.compress.guarantees import VIEW_CHARS, restore_failures
from agent_baton.compress.markers import is_marker, note, omitted, view_label, view_of
from agent_baton.compress.prose import compress_document, keep_code_head
from agent_baton.compress.request import Request

# A run of at most this many page lines of markup alone, this many characters in all
# (``</p>``, ``</div>``), stays: it costs no more than the marker that would stand for it.
_SHORT_MARKUP_LINES = 2
_SHORT_MARKUP = 16


def compress_html(text: str, request: Request) -> tuple[str, str] | None:
    """The page's text, compressed by its own kind; None if it holds no text."""
    from agent_baton.compress.page_text import html_text  # lazy: html.parser, on first page

    try:
        body, sources = html_text(text)
    except Exception:  # html.parser raises on nothing documented, but be safe on content
        return None
    if not body.strip():
        return None
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports html

    # A page is a document, whatever its text looks like: the parser found its headings,
    # paragraphs and list items; a listing's lines stay lines.
    document = compress_document(body, request, keep_code_head)
    produced = compress_part(body, request, skip=("html",)) if document is None else None
    shown = document or (produced[0] if produced is not None else body)
    note = omitted("the markup (tags, scripts, styles)", request.key)
    if "\n" not in text.strip():
        # A page served on one line has no line to keep: its text is a view of that line,
        # which keeps the failures of that text.
        shown = restore_failures(body, shown)
        shown = view_of(text, text.strip(), shown, "HTML: its text, not its markup")
    else:
        shown = "\n".join(_page_lines(text.split("\n"), body.split("\n"), sources, shown))
    return f"{shown}\n{note}", "html:text"


def _page_lines(page: list[str], text: list[str], sources: list[set[int]], shown: str) -> list[str]:
    """The page's own lines that hold the text lines ``shown`` kept, byte for byte.

    A page line too long to keep (a page's head and navigation, from :data:`VIEW_CHARS`
    characters) is shown as a view: the kept text it holds, under a label. A run of page
    lines left out leaves a ``[… n lines]`` marker at its place, or, when it is a line or two
    of short markup (``</div>``, ``<p>``), which cost less than the marker, stays.
    """
    kept: set[int] = set()
    views: dict[int, list[str]] = {}
    at = 0
    for line in shown.split("\n"):
        if is_marker(line) or not line.strip():
            continue
        k = next((k for k in range(at, len(text)) if line in text[k]), None)
        if k is None:
            continue  # not a line of the page's text: no page line to show for it
        at = k
        long = sorted(j for j in sources[k] if len(page[j]) >= VIEW_CHARS)
        kept.update(j for j in sources[k] if len(page[j]) < VIEW_CHARS)
        if long:
            views.setdefault(long[0], []).append(line)
    with_text = set().union(*sources) if sources else set()
    out: list[str] = []
    gap: list[str] = []  # the lines left out since the last one kept, blank ones excepted
    for j, line in enumerate(page):
        if j not in kept and j not in views:
            if line.strip():
                gap.append("" if j in with_text else line)
            continue
        if gap:
            out.extend(_left_out(gap))
            gap = []
        if j in views:
            out.append(view_label(len(views[j]), len(line), "HTML: its text, not its markup"))
            out.extend(views[j])
        else:
            out.append(line)
    if gap:
        out.extend(_left_out(gap))
    return out


def _left_out(gap: list[str]) -> list[str]:
    """What stands for ``gap``, page lines left out ("" for one that held text)."""
    if len(gap) <= _SHORT_MARKUP_LINES and all(gap) and sum(map(len, gap)) <= _SHORT_MARKUP:
        return gap
    return [note(f"{len(gap)} {'lines' if len(gap) > 1 else 'line'}")]
