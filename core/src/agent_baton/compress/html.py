"""HTML pages and fragments: their text, read with the standard library's parser.

Scripts, styles and markup go; the text stays in document order, one line per block element
(a heading, a paragraph, a list item, a table row, a ``<pre>`` line), with headings marked
``#`` and link targets in angle brackets after the link's text. That text is then compressed
as a document (:func:`~agent_baton.compress.prose.compress_document`: headings, the telling
sentences, a listing's lines), or by its own kind when the document keeps it all. A page
served on one line keeps its text too, as a view of that line under a label that says so
(it has no line to keep). The kept lines of a page over several lines are lines of its text,
byte for byte, not of its markup: a marker says the markup was left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from agent_baton.compress.json import as_view
from agent_baton.compress.markers import omitted
from agent_baton.compress.prose import compress_document, keep_code_head
from agent_baton.compress.request import Request

_BLOCK_TAGS = (
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form"
    " h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead title"
    " tr ul"
)
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_SPACES = re.compile(r"[ \t\r\f\v]+")


class _Text(HTMLParser):
    """Collects the visible text, a new line at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0
        self.pre = 0
        self.title = False
        self.heading = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED and tag != "head":
            self.skipping += 1
        elif tag == "title":
            self.title = True
        if tag in _BLOCKS:
            self._break()
        if tag == "pre":
            self.pre += 1
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.lines[-1] = "#" * int(tag[1]) + " "
        elif tag == "li":
            self.lines[-1] = "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and tag != "head":
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title":
            self.title = False
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self.lines[-1] += first
            self.lines.extend(rest)
        else:
            self.lines[-1] += _SPACES.sub(" ", data.replace("\n", " "))

    def _break(self) -> None:
        if self.lines[-1].strip(" #-"):
            self.lines.append("")
        else:
            self.lines[-1] = ""


def html_text(text: str) -> str:
    """The visible text of an HTML page or fragment, one line per block element."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = [line.rstrip() for line in parser.lines]
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out).strip("\n")


def compress_html(text: str, request: Request) -> tuple[str, str] | None:
    """The page's text, compressed by its own kind; None if it holds no text."""
    try:
        body = html_text(text)
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
        # A page served on one line has no line to keep: its text is a view of that line.
        shown = as_view(text, text.strip(), shown, "an HTML page, as its text")
    return f"{shown}\n{note}", "html:text"
