"""A gated pattern finds what its pattern finds: on real text and on text holding the literals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent_baton.compress.code import grammar
from agent_baton.compress.gated import Gated, gated

# The language signs detection counts on every text that reaches them.
SIGNS = [*grammar._SIGNS.values(), grammar._CPP_SIGNS, grammar._OTHER_SIGNS, grammar._TS_SIGNS]
STDLIB = Path(re.__file__).parent.parent
# Source of several languages and prose from this machine: Python's own files and docs.
REAL = [p for p in sorted(STDLIB.glob("*.py"))[:60]] + sorted(STDLIB.glob("**/*.txt"))[:20]
MADE = [
    "a => {\nconsole.log(std::max)\nlet mut x = &mut self;\nif err != nil {\n",
    "System.out.println(x);\nmodule.exports = require('y');\n",
    "",
]


def _texts() -> list[str]:
    return [p.read_text(errors="replace")[:20000] for p in REAL] + MADE


@pytest.mark.parametrize("pattern", SIGNS, ids=lambda p: p.pattern[:30])
def test_finds_what_the_pattern_finds(pattern: re.Pattern[str]) -> None:
    for text in _texts():
        found = [m.span() for m in gated(pattern)._for(text).finditer(text)]
        assert found == [m.span() for m in pattern.finditer(text)]
        assert len(gated(pattern).findall(text)) == len(pattern.findall(text))
        assert gated(pattern).count(text) == len(pattern.findall(text))
        first, expected = gated(pattern).search(text), pattern.search(text)
        assert (first and first.span()) == (expected and expected.span())


def test_count_takes_alternatives_in_order_where_several_match_at_one_place() -> None:
    # At "let x" the first (anchored) alternative and the word-led one both match: the first
    # wins and takes the next line too; "letter" is no word "let"; "std::a" overlaps "d::a|".
    pattern = re.compile(r"^let x\n  let mut y|\blet (mut )?\w+|\bstd::\w+|d::\w+\||\bx\w", re.M)
    text = "let x\n  let mut y\nletter std::a| d::b| let z xs\nlet q"
    assert gated(pattern).count(text) == len(pattern.findall(text)) == 6
    assert gated(pattern).count("") == 0


def test_an_alternative_is_left_out_without_its_literal() -> None:
    signs = Gated(re.compile(r"^fn \w+|\bstd::\w+|x\{2\}|[|]|(?:a|b)c|^[^\S\n]*impl\b", re.M))
    literals = [literal for _, literal in signs._alternatives]
    # "\{" is a brace, not a repeat; an anchored alternative's keyword follows its indent.
    assert literals == ["fn ", "std::", "x{2}", "", "", "impl"]
    assert signs._for("fn main").pattern == r"^fn \w+|[|]|(?:a|b)c"
    assert signs._for("use std::io;\n    impl X").pattern == (
        r"\bstd::\w+|[|]|(?:a|b)c|^[^\S\n]*impl\b"
    )
    assert signs.findall("fn main\nuse std::io") == ["fn main", "std::io"]
    assert signs._for("fn std::io x{2} impl").pattern == signs.pattern.pattern  # all possible


def test_patterns_whose_alternatives_are_tied_stay_whole() -> None:
    for source in (r"(a)x|\1y", r"(?i)std::|b", r"(?P<n>a)|(?P=n)"):
        assert Gated(re.compile(source))._alternatives == []
    blind = Gated(re.compile(r"\bstd::|b", re.I))
    assert blind._for("B").pattern == r"\bstd::|b"


def test_count_finds_line_led_alternatives_where_lines_start() -> None:
    # "^" alternatives are found by the line feed before them, or at the text's start; one
    # that eats the line feed (\s*$) leaves the next line no start to match at, and a later
    # word-led alternative loses to an earlier anchored one at the same place.
    pattern = re.compile(r"^package \w+\s*$|\bfunc \w+|^[^\S\n]*func main|^}$|x\n", re.M)
    texts = [
        "package a\n\nfunc main() {\n}\n",
        "package a\npackage b\n  func main\nfunc f\nx\n}",
        "x\n}\nx\n}",
        "\n\n",
        "",
    ]
    for text in texts:
        assert gated(pattern).count(text) == len(pattern.findall(text))
    # Without re.M, "^" is the text's start only: such an alternative is no line's.
    single = re.compile(r"^a|\bbb\w")
    assert gated(single).count("a bbc\na bbd") == len(single.findall("a bbc\na bbd")) == 3
