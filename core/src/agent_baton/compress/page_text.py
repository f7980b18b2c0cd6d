"""The visible text of an HTML page, read with the standard library's parser.

Its own module, imported when a page is first compressed: ``html.parser`` is not imported by
``import agent_baton``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from agent_baton.compress.memo import once

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
        self.sources: list[set[int]] = [set()]  # the input lines each text line comes from
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
        line = self.getpos()[0] - 1
        first, *rest = data.split("\n")
        if first.strip():
            self.sources[-1].add(line)
        if self.pre:
            self.lines[-1] += first
            for k, piece in enumerate(rest, 1):
                self.lines.append(piece)
                self.sources.append({line + k})
        else:
            self.lines[-1] += _SPACES.sub(" ", data.replace("\n", " "))
            self.sources[-1].update(line + k for k, piece in enumerate(rest, 1) if piece.strip())

    def _break(self) -> None:
        if self.lines[-1].strip(" #-"):
            self.lines.append("")
            self.sources.append(set())
        else:
            self.lines[-1] = ""
            self.sources[-1] = set()


@once  # asked again at each level a budget tries
def html_text(text: str) -> tuple[str, list[set[int]]]:
    """The visible text of an HTML page or fragment, one line per block element.

    With it, for each of its lines, the input lines its text stands on. Shared by every
    caller within a compression: they must not change it.
    """
    parser = _Text()
    parser.feed(text)
    parser.close()
    out: list[str] = []
    sources: list[set[int]] = []
    for line, source in zip(parser.lines, parser.sources, strict=True):
        line = line.rstrip()
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
            sources.append(source)
    while out and not out[-1].strip():
        out.pop()
        sources.pop()
    return "\n".join(out), sources
