"""The short lines that tell the next agent what was left out and how to get it back.

Every line a compressor writes itself, rather than keeps from its input, is one of three
forms, so a reader (and the guarantee checks) can tell it from content:

- ``[… 288 of 300 rows omitted — full: …]``: an omission, where it happened;
- ``[×12 like: …]``: a fold, a run of lines of one template with its count;
- ``[§ message 3 of 6: tool, call_0]``: a label, naming what the next lines are (a chat
  message's sender, the kind of bytes that are not text).

A marker may stand in a comment (``# … 9 lines of parse omitted``), and a line cut short
ends with one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# A marker line: an optional comment opener, then "[…", "[×", "[§" or a bare "…". The blanks
# are taken possessively: neither an opener nor the marker starts with one, and giving them
# back one at a time made a line of n blanks take n² steps (a 160,000-blank line: minutes).
_MARKER = re.compile(r"^\s*+(?:#+|//|--|/?\*+|<!--)?\s*+(?:\[[…×§]|…)")
# A line cut short: what it kept of an input line, then an omission marker to its end.
_CUT = re.compile(r"\[… [^\[\]]* omitted(?: — [^\]]*)?\]$")
# The hint baked into compressed text: full: get("key", full=True), the key JSON-quoted.
_BAKED_HINT = re.compile(r'full: get\(("(?:[^"\\]|\\.)*+"), full=True\)')
# What str.splitlines() breaks a line at.
_ONE_LINE = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class ToolNames:
    """The names of the tools an agent has over a shared context, for markers and answers.

    Markers name Python's ``get("key", full=True)`` unless an adapter says which tools its
    agent really has; then they name those (``read_shared_context(key="key", full=true)``).
    """

    read: str = "read_shared_context"
    search: str = "search_shared_context"
    list: str = "list_shared_context"

    def read_call(self, key: str, **arguments: object) -> str:
        """How the agent calls the read tool: ``read_shared_context(key="k", full=true)``."""
        args = {"key": key, **arguments}
        listed = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items())
        return f"{self.read}({listed})"


def retrieval_hint(key: str | None, tools: ToolNames | None = None) -> str:
    """How to fetch the original: ``get("key", full=True)``, or a generic hint with no key."""
    if key is None:
        return "full text on request"
    if tools is not None:
        return f"full: {tools.read_call(key, full=True)}"
    # json.dumps quotes and escapes the key, so a key cannot break out of the marker.
    return f"full: get({json.dumps(key, ensure_ascii=False)}, full=True)"


def note(text: str) -> str:
    """A line a compressor writes that is not the input's: ``[… 23 rows]``, ``[… stats: …]``.

    Shaped as a marker so that every reader (the guarantees, the benchmarks, the next
    agent) tells it from the input's own lines. One line whatever it quotes: a value with line
    breaks (a license text in a column's counts) shows them escaped, as JSON does.
    """
    return f"[… {_ONE_LINE.sub(_escaped, text)}]"


def _escaped(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]


def omitted(what: str, key: str | None) -> str:
    """A marker such as ``[… 288 of 300 rows omitted — full: get("research", full=True)]``."""
    return note(f"{what} omitted — {retrieval_hint(key)}")


def label(what: str) -> str:
    """A line naming what the next lines are: ``[§ message 2 of 6: assistant]``."""
    return f"[§ {what}]"


def is_marker(line: str) -> bool:
    """Whether a line is one a compressor wrote (an omission, a fold, a label)."""
    return _MARKER.match(line) is not None


def cut_prefix(line: str) -> str | None:
    """The part of a line cut short that was kept (before its marker); None if not cut."""
    found = _CUT.search(line)
    return None if found is None or found.start() == 0 else line[: found.start()]


def name_tools(text: str, tools: ToolNames) -> str:
    """``text`` with the hints baked into its markers naming ``tools`` instead of ``get``."""
    return _BAKED_HINT.sub(lambda m: retrieval_hint(json.loads(m.group(1)), tools), text)
