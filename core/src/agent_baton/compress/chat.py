"""Chat transcripts: every turn by its kind, with its failures, decisions, questions and answers.

Recognised: AutoGen console output (``user_proxy (to assistant):`` then a line of dashes, or
``---------- agent ----------``), LangChain's printed messages (``=== Ai Message ===``),
role-prefixed lines (``User:``, ``**assistant:**``, ``[planner]:``), console panels
(CrewAI's ``verbose=True`` boxes: each box a turn named by its title), JSON lists of
``{role, content}`` messages, and the ``str()`` of framework messages (LangChain's
``[HumanMessage(content=...), ...]``, AutoGen's ``messages=[TextMessage(...), ...]``). Every
turn keeps its speaker line, or a label (``[§ message 3 of 6: tool (call_0)]``) naming a
message's sender, its tool calls and results; long bodies go through the matching compressor
(code, logs, JSON, prose), each tool call and result on its own. Every line of a body that
reports a failure stays, at its place, and lines that state a decision, a constraint, a
question or a result are put back whatever the level.
"""

from __future__ import annotations

import dataclasses
import json
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import Any

from agent_baton.compress.guarantees import restore_failures
from agent_baton.compress.logs import compress_lines, template
from agent_baton.compress.markers import cut_prefix, label, omitted
from agent_baton.compress.memo import once
from agent_baton.compress.options import option_heads
from agent_baton.compress.panels import Panel, panels
from agent_baton.compress.parsed import NOT_DATA, data_value, line_values
from agent_baton.compress.prose import cut_line as _cut
from agent_baton.compress.repeats import Shown
from agent_baton.compress.request import Request
from agent_baton.search import best_matches


def _speaker_pattern(line: str, blank: str, named: str = "") -> re.Pattern[str]:
    """A speaker's line: ``line`` where it starts, ``blank`` the blank ending some forms.

    ``named``: the pattern of any name's line, tried last (a transcript's plain names).
    """
    return re.compile(
        line + r"(?:(?P<autogen>[\w .-]{1,60}) \(to [\w .-]{1,60}\):\s*$"
        # AutoGen's Console: ten dashes each side. pytest pads its section titles to the
        # terminal's width ("---- Captured stdout call ----"): a test run's, no speaker's.
        r"|-{10} (?P<console>[\w .()-]{1,60}) -{10}\s*$"
        # LangChain's pretty_print of a message: "=== Ai Message ===" padded to 80 columns
        # (a title of its own type; pytest's "=== FAILURES ===" is no speaker).
        r"|={10,} (?P<ruled>[A-Z]\w{0,30} Message) ={10,}\s*$"
        # CrewAI 0.x's verbose log: "# Agent: Analyst", "## Thought: ...", "## Final Answer: ".
        r"|#{1,2} (?P<crew>Agent|Task|Thought|Using tool|Tool Input|Tool Output|Final Answer):"
        + blank
        + r"|\*\*(?P<bold>[\w .-]{1,40}(?: \([^)\n]{0,80}\))?):\*\*\s*$"
        # A markdown export's "**planner:** text": the turn starts on the speaker's line.
        + r"|\*\*(?P<inline>[A-Za-z][\w .-]{0,39}):\*\*"
        + blank
        + r"|\[(?P<bracket>[\w .-]{1,40})\]:"
        + blank
        + r"|(?P<plain>User|Assistant|System|Human"
        # ReAct traces (LangChain's classic agents and many prompts):
        r"|AI|Tool|Agent|Bot|Model|Question|Thought|Action Input|Action|Observation"
        r"|Final Answer)\s*:" + blank + (f"|{named}" if named else "") + ")",
        re.MULTILINE | re.IGNORECASE,
    )


# A transcript's "Reviewer: text", "Maria Lopez: text": any name, taken only when the names
# take turns (see _named_turns), so looked for apart, at a line feed.
_NAME = r"(?P<named>[^\W\d_][\w.-]{0,29}(?: [^\W\d_][\w.-]{0,29})?):[ \t]+(?=\S)"
_NAMED_LINE = re.compile(r"\n" + _NAME)
_SPEAKER = _speaker_pattern("^", r"\s", _NAME)
# The same lines, found in one scan of the text with a line feed before it: the search skips
# from line feed to line feed in C, where "^" is tried at every character (twice as slow).
# The blank that ends a form is looked at, not taken: it may be the line feed before the
# next speaker.
_AFTER_BREAK = _speaker_pattern(r"\n", r"(?=\s)")
_RULE = re.compile(r"^-{20,}\s*$")
# AutoGen 0.2 frames a tool call or its response in a turn: "***** Response from calling
# tool (call_1) *****". The frame belongs with the speaker line, so what follows it (a table,
# a log) is detected on its own.
_FRAME = re.compile(r"^\*{3,} [^\n]{1,200} \*{3,}$")
_KEY_LINE = re.compile(
    r"\?\s*$|\b(decid\w*|decisions?|agree\w*|approved?|final\w*|conclu\w+|must|never|always|should|"
    r"required?|constraints?|only|at least|at most|don't|do not|will use|let's|plan|"
    r"(?:out of|in) scope|until|deadline|blocked|blockers?|won't|cannot|can't|limit|budget|"
    # A percentage starts where its digits do: a start inside a run of digits would scan
    # the rest of the run again, for the same answer.
    r"error|exception|failed|traceback|exitcode|result|total|TERMINATE)\b|(?<!\d)\d+(\.\d+)?\s*%",
    re.IGNORECASE,
)
# Sentences of a long line worth restoring: decisions, constraints, errors.
_DECISION = re.compile(
    r"\b(decid\w*|decisions?|agreed|approved|conclu\w+|must|never|required|constraints?"
    r"|(?:out of|in) scope|until|deadline|blocked|won't|cannot|can't|error|exception|failed)\b",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# A line of a hard-wrapped paragraph that goes on (no sentence ends it), and a line that
# continues one (it starts in lower case).
_WRAPPED = re.compile(r"^\s*\w.{30,}[\w,;`*)-]\s*$")
_CONTINUED = re.compile(r"^\s*[a-z`(\"]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_SHORT_BODY = 600  # characters: shorter bodies are kept whole
_SAID = frozenset({"prose", "mixed", "segments", "chat"})  # kinds of what agents say
_CALL_CHARS = 400  # a tool call's arguments are cut after this many characters
_LONG_LINE = 300  # characters: from a longer line, only its key sentences are put back
_WHOLE_CHARS = 4000  # characters: a turn the query matches is kept whole up to this length


@dataclass
class _Turn:
    header: list[str]  # the speaker's line (kept verbatim) or labels naming the part
    body: str
    inline: bool = False  # the body starts on the header's line ("Observation: {...")
    # A console panel's content: wrapped at the console's width, so a program or a document
    # in it may no longer parse.
    framed: bool = False
    # An agent's final answer (ReAct's, CrewAI's): what the next agent works from.
    answer: bool = False


@once
def _console_panels(text: str) -> list[Panel]:
    """The console panels of ``text`` to read as turns.

    None in a command's boxed ``--help``: a listing, whose rows each stay
    (:func:`~agent_baton.compress.options.option_heads`).
    """
    found = panels(text)
    return found if not found or not option_heads(text.splitlines()) else []


@once
def looks_like_chat(text: str) -> bool:
    """Whether the text is a transcript: several speaker lines, or a list of messages."""
    data = data_value(text)
    if data is not NOT_DATA:
        return _messages(data) is not None
    if _stream(text) is not None or _console_panels(text):
        return True
    found = _speakers(text)
    if len(found) < 3:
        return False
    strong = sum(
        1
        for m in found
        if m.group("autogen") or m.group("console") or m.group("ruled") or m.group("crew")
    )
    names = {_speaker(m).lower() for m in found}
    # Names found taking turns (see _speakers) are a transcript's whatever they are.
    taking_turns = any(m.group("inline") or m.group("named") for m in found)
    return strong >= 2 or taking_turns or (len(names) >= 2 and bool(names & _ROLES))


_ROLES = {"user", "assistant", "system", "human", "ai", "tool", "agent", "bot", "model"} | {
    "question",
    "thought",
    "action input",
    "action",
    "observation",
    "final answer",
}


@once
def _speakers(text: str) -> list[re.Match[str]]:
    """The speakers' lines of ``text``, as ``_SPEAKER.finditer`` finds them, that name one.

    Detection asks, then the transcript's compressor splits it at them: found once.
    """
    found = []
    end = 0  # where the last line's match ends: a match starts at or after it
    for candidate in _AFTER_BREAK.finditer("\n" + text):
        # At the line's start in the text (the candidate's line feed is the one before it).
        match = _SPEAKER.match(text, candidate.start())
        if match is None or match.start() < end:
            continue
        end = match.end()
        if _speaker(match):
            found.append(match)
    # Any name: a transcript's speakers where its lines take turns, and take more than the
    # lines of a known form (an issue template's "**Desktop:**" quoted in a turn).
    turns = _named_turns(text)
    if len(turns) > len(found):
        found = turns
    inline = [m for m in found if m.group("inline")]
    if inline and not _take_turns(inline, text):
        # "**Note:** …" labels in a document: no speakers.
        return [m for m in found if not m.group("inline")]
    return found


_HEADING = re.compile(r" {0,3}#{1,6} \S")  # a markdown heading, matched at a line's start
# A fence of backticks, indented three spaces at most: a compiler's ~~~~ under the code it
# points at opens no block.
_FENCE_LINE = re.compile(r"^ {0,3}`{3,}", re.MULTILINE)
_PREAMBLE_LINES = 2  # lines before a transcript's first turn: a title, a date


def _take_turns(found: list[re.Match[str]], text: str) -> bool:
    """Whether bold names that start their lines' text take turns, as in a transcript.

    Three turns at least, by two names or more, one coming back after another spoke, from
    the text's start to the last turn with no heading between (outside fenced blocks, which
    quote code and logs): a document's bold labels (``**Note:**``, ``**Warning:**``) sit
    under its headings.
    """
    return _comes_back([_speaker(m).lower() for m in found]) and _opens_unheaded(found, text)


def _comes_back(names: list[str]) -> bool:
    """Whether a name comes back after another spoke (a set of the names before, no scan)."""
    earlier: set[str] = set()  # the names before the turn before the k-th
    for k in range(2, len(names)):
        earlier.add(names[k - 2])
        if names[k] != names[k - 1] and names[k] in earlier:
            return True
    return False


def _opens_unheaded(found: list[re.Match[str]], text: str) -> bool:
    """Whether the turns start the text (after a title, a date) with no heading between.

    Headings inside fenced blocks (a shell's comments) do not count.
    """
    before = text[: found[0].start()]
    if len([line for line in before.splitlines() if line.strip()]) > _PREAMBLE_LINES:
        return False
    fenced = False
    for line in text[found[0].start() : found[-1].start()].splitlines():
        if _FENCE_LINE.match(line):
            fenced = not fenced
        elif not fenced and _HEADING.match(line):
            return False
    return True


_MOST_NAMES = 6  # speakers of a transcript in plain "Name: text" lines
_LEAST_TURNS = 4  # by the names that speak twice or more
_CHANGE_SHARE = 0.6  # of the turns, at least, by another name than the turn before
_SAYING_SHARE = 0.75  # of the turns, at least, whose line says three words or more
_NEXT_LINE_SHARE = 0.25  # of the turns, at most, on the line right after the turn before
_WORD = re.compile(r"[^\W\d_]{2,}")
# Labels a tool gives its messages, never a speaker's name: rustc's and ruff's ``help:`` and
# ``note:`` under each diagnostic take turns as two speakers would.
_LABELS = frozenset(
    ("help", "note", "hint", "info", "warning", "warn", "error", "debug", "trace", "fatal")
)


def _named_turns(text: str) -> list[re.Match[str]]:
    """The ``Name: text`` lines that are a transcript's turns; none if they are not one.

    ``Word: text`` lines are everywhere (mail headers, package metadata, Debian copyright
    files, git log's ``Author:`` and ``Date:``, logs' ``ERROR:``): taken only by the
    structure of a conversation (:func:`_taking_turns`), from the text's start with no
    heading between (:func:`_opens_unheaded`). The first lines decide: a log of a
    hundred thousand ``ERROR:`` lines is no transcript by its first few hundred.
    """
    if not _named_at_top(text):
        return []  # a quick no for most texts: a transcript's first turn is at its top
    # (start, end, name) of each line, at the text's indices (the scan's line feed is the
    # one before the line).
    lines = (
        (m.start(), m.end() - 1, m["named"].lower()) for m in _NAMED_LINE.finditer("\n" + text)
    )
    sample = list(islice(lines, _SAMPLE_LINES))
    if not _taking_turns(sample, text):
        return []
    turns = _taking_turns([*sample, *lines], text)
    matches = [_SPEAKER.match(text, start) for start, _, _ in turns]
    found = [m for m in matches if m is not None]
    return found if found and _opens_unheaded(found, text) else []


_SAMPLE_LINES = 400  # "Name: text" lines that decide whether the names take turns


def _taking_turns(found: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """Of ``Name: text`` lines (start, end of the name, name), those of a conversation.

    Outside fenced blocks, a few names (two to six, each heard twice or more, of two
    letters or more) take four turns or more, mostly by another name than the turn before,
    one coming back after another spoke; turns stand apart, the next one below what the
    last one said, not on the line after it (a record's fields), and a turn's line says
    something (three words or more). A name heard once (the reviewer who decides) is a
    turn too where its line opens a paragraph and says something. None if they are not.
    """
    fences = [m.start() for m in _FENCE_LINE.finditer(text, 0, found[-1][0])] if found else []
    outside = [line for line in found if bisect_right(fences, line[0]) % 2 == 0]
    counts = Counter(name for _, _, name in outside)
    names = {
        name for name, n in counts.items() if n >= 2 and len(name) >= 2 and name not in _LABELS
    }
    if not 2 <= len(names) <= _MOST_NAMES:
        return []
    turns = [line for line in outside if line[2] in names]
    if len(turns) < _LEAST_TURNS:
        return []
    said = [name for _, _, name in turns]
    pairs = len(turns) - 1
    if (
        sum(a != b for a, b in pairwise(said)) < _CHANGE_SHARE * pairs
        or sum(text.count("\n", a[0], b[0]) == 1 for a, b in pairwise(turns))
        > _NEXT_LINE_SHARE * pairs
        or not _comes_back(said)
        or sum(_says(end, text) for _, end, _ in turns) < _SAYING_SHARE * len(turns)
    ):
        return []
    once = [
        line
        for line in outside
        if counts[line[2]] == 1
        and turns[0][0] < line[0] < turns[-1][0]
        and text.endswith("\n\n", 0, line[0])
        and _says(line[1], text)
    ]
    return sorted([*turns, *once])


def _named_at_top(text: str) -> bool:
    """Whether a ``Name: text`` line is among the text's first lines (a title, a date above)."""
    start = seen = 0
    while seen <= _PREAMBLE_LINES and start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start : min(end, start + _TOP_CHARS)]
        if line.strip():
            if _NAMED_LINE.match("\n" + line):
                return True
            seen += 1  # blank lines do not count
        start = end + 1
    return False


_TOP_CHARS = 100  # of a line's start: a name and its colon are in it


def _says(start: int, text: str) -> bool:
    """Whether the rest of a speaker's line, from ``start``, says three words or more."""
    end = text.find("\n", start)
    return len(_WORD.findall(text, start, len(text) if end < 0 else end)) >= 3


def _speaker(match: re.Match[str]) -> str:
    for group in (
        *("autogen", "console", "ruled", "crew", "bold", "inline", "bracket", "plain"),
        "named",
    ):
        value = match.group(group)
        if value:
            return value.split(" (")[0].strip()
    return ""


def compress_chat(text: str, request: Request) -> tuple[str, str] | None:
    """Compress each turn's body by its kind, keeping its failure lines; None if not a chat."""
    turns, read = _turns(text)
    if turns is None or len(turns) < 2:
        return None
    matched = _query_turns(turns, request.query)
    out: list[str] = []
    changed = 0
    last = len(turns) - 1
    # Agents resend what they said before (a revised program whole, the plan they agreed
    # on): lines an earlier turn showed, in the same order, shrink to a marker.
    shown = Shown()
    for i, turn in enumerate(turns):
        request.check_time()
        # What was said in the middle of a conversation, later turns build on; what a tool
        # returned (a table, a log, a document) no later turn repeats.
        recent = i == 0 or i >= last - 1 or i in matched or turn.answer
        output = _is_output(turn.body)
        level = request.level if recent or output else request.level + 2
        sub = dataclasses.replace(request, level=level)
        # A turn the query matches is kept whole when short; a long one (a tool's log) is
        # compressed with the query, which keeps its matching lines.
        # So is a final answer, whatever the level: each agent's is what the next one needs.
        whole = (turn.answer or (i in matched and request.level < 2)) and len(
            turn.body
        ) <= _WHOLE_CHARS
        body = _body(turn.body, sub, whole, said=not output, framed=turn.framed)
        lines = body.splitlines()
        body = "\n".join(shown.drop_repeated(lines, range(len(lines)) if whole else ())[0])
        changed += body != turn.body
        out.extend(_joined(turn, body))
    if not changed and not read:
        return None
    # Messages read as turns: what each says, under a label, is their compression even when
    # every body stays (a repr of short turns is mostly ids, timestamps and usage counts).
    other = "the panels' borders" if _console_panels(text) else "the messages' other fields"
    what = f"parts of {changed} of {len(turns)} turns" if changed else other
    out.append(omitted(what, request.key))
    return "\n".join(out), "chat:turns"


def _turns(text: str) -> tuple[list[_Turn] | None, bool]:
    """The turns of a text (None if none), and whether they were read from messages.

    Messages are a list in JSON or a repr, or a stream of updates: their other fields are
    left out. A written transcript's turns are its own lines.
    """
    if _console_panels(text):
        return _from_panels(text), True
    data = data_value(text)
    messages = _messages(data) if data is not NOT_DATA else _stream(text)
    if messages is None:
        return _split(text), False
    return _from_messages(messages, data), True


def _from_panels(text: str) -> list[_Turn]:
    """A turn per console panel, named by its title; the lines between panels are turns too.

    A panel's body is its content, without the box (see :mod:`agent_baton.compress.panels`).
    """
    lines = text.splitlines()
    turns = []
    at = 0
    for panel in _console_panels(text):
        between = "\n".join(lines[at : panel.start]).strip("\n")
        if between.strip():
            turns.append(_Turn([], between))
        title = label(panel.title or "panel")
        turns.append(_Turn([title], "\n".join(panel.content), framed=True))
        at = panel.end
    rest = "\n".join(lines[at:]).strip("\n")
    if rest.strip():
        turns.append(_Turn([], rest))
    return turns


def said_chars(text: str) -> int:
    """The characters of what a transcript's turns say, speakers included.

    A repr's or a JSON list's fields around the messages do not count; ``len(text)`` when
    the text holds no turns.
    """
    turns = _turns(text)[0]
    if not turns:
        return len(text)
    return sum(len("\n".join(_joined(turn, turn.body))) + 1 for turn in turns)


def _joined(turn: _Turn, body: str) -> list[str]:
    """A turn's lines: its header, then its body (on the header's line, if it was there)."""
    if not turn.inline:
        return [*turn.header, *([body] if body else [])]
    if body.partition("\n")[0] == turn.body.partition("\n")[0]:
        return [turn.header[0] + body]  # the speaker's line stays as it was
    # The line that held the speaker and the start of the body is cut: a label names it.
    return [label(turn.header[0].strip()), *([body] if body else [])]


def _is_output(body: str) -> bool:
    """Whether a turn's body is a tool's output (data, a log, code), not what an agent said."""
    if len(body) <= _SHORT_BODY:
        return False
    from agent_baton.compress.detect import detect  # lazy: detect imports chat

    return detect(body) not in _SAID


# A message's class in a framework's repr, read as a record ({"class": ..., fields}):
# LangChain's HumanMessage, AIMessage, ToolMessage; AutoGen's TextMessage, ToolCallRequestEvent;
# CrewAI's TaskOutput.
_MESSAGE_CLASS = re.compile(r"(?:\w+\.)*\w*(?:Message|Event|MessageChunk|Output)")
_NAME_CHARS = 80  # a sender's name in a label is cut after this many (a CrewAI task's name)


def _messages(data: Any) -> list[dict[str, Any]] | None:
    """The messages of a parsed value: a list of them, or the list a result holds.

    A message has content and a role, or is the repr of a framework's message class. A
    result (LangChain's ``{"messages": [...]}``, AutoGen's TaskResult) holds the list under
    ``messages``; CrewAI's CrewOutput holds its tasks' outputs (``raw`` text, an ``agent``)
    under ``tasks_output``.
    """
    if isinstance(data, dict):
        data = next((data[k] for k in _LISTS if k in data), data)
    if (
        isinstance(data, list)
        and len(data) >= 2
        and all(isinstance(m, dict) and _text_field(m) and _role(m) for m in data)
    ):
        return data
    return None


_LISTS = ("messages", "tasks_output")
_LANGCHAIN_TYPES = frozenset(
    {"human", "ai", "system", "tool", "function", "chat", "developer"}
    | {"HumanMessageChunk", "AIMessageChunk", "SystemMessageChunk", "ToolMessageChunk"}
)
_TEXTS = ("content", "raw")  # a message's text; a CrewAI TaskOutput's


def _text_field(message: dict[str, Any]) -> str:
    return next((k for k in _TEXTS if k in message), "")


def _role(message: dict[str, Any]) -> str:
    role = message.get("role")
    if isinstance(role, str):
        return role
    kind = message.get("class")
    if isinstance(kind, str) and _MESSAGE_CLASS.fullmatch(kind):
        return kind
    kind = message.get("type")  # a LangChain message as JSON (model_dump): its type
    if isinstance(kind, str) and kind in _LANGCHAIN_TYPES:
        return kind
    if isinstance(kind, str) and _MESSAGE_CLASS.fullmatch(kind) and "content" in message:
        return kind  # an AutoGen message as JSON (model_dump): its class under "type"
    # A CrewAI TaskOutput as JSON (model_dump): its raw text, by the agent that wrote it.
    agent = message.get("agent")
    return "output" if isinstance(agent, str) and "raw" in message else ""


def _who(message: dict[str, Any]) -> str:
    """A message's sender, as its label names it: role, names, whom it hands off to, status.

    A handoff's target (AutoGen's HandoffMessage) and a tool result's status other than
    success (LangChain's ToolMessage ``status="error"``) are said: the next agent acts on them.
    """
    names = [str(message[k]) for k in ("name", "source", "agent", "tool_call_id") if message.get(k)]
    names = [n if len(n) <= _NAME_CHARS else n[:_NAME_CHARS] + "…" for n in names]
    if message.get("target"):
        names.append(f"to {message['target']}")
    status = message.get("status")
    if isinstance(status, str) and status not in ("", "success"):
        names.append(f"status {status}")
    return f"{_role(message)} ({', '.join(names)})" if names else _role(message)


def _from_messages(messages: list[dict[str, Any]], data: Any) -> list[_Turn]:
    """A turn per message, and per tool call, tool use and tool result inside one.

    The other fields of a result that holds the messages (AutoGen's ``stop_reason``) are
    said in a label after them; a long text among them (CrewOutput's ``raw``) is a turn.
    """
    turns = []
    for n, m in enumerate(messages, 1):
        head = label(f"message {n} of {len(messages)}: {_who(m)}")
        content = m[_text_field(m)]
        if isinstance(content, list) and all(isinstance(b, dict) and "type" in b for b in content):
            parts = [_block(b) for b in content]
        elif isinstance(content, list) and all(isinstance(b, dict) and _record(b) for b in content):
            parts = [_record_part(b) for b in content]  # AutoGen's calls and their results
        else:
            parts = [_Turn([], _content(content))]
        for call in _calls(m.get("tool_calls")):
            parts.append(call)
        parts = [p for p in parts if p.header or p.body] or [_Turn([], "")]
        parts[0].header.insert(0, head)
        turns.extend(parts)
        # The conversation a message carries (a CrewAI TaskOutput's agent's prompts, tool
        # calls and observations; the context an AutoGen handoff hands over), after it.
        for field in _CARRIED:
            inner = _carried(m.get(field))
            if inner:
                noun = field if field == "messages" else f"messages of its {field}"
                turns.append(_Turn([label(f"message {n}'s {len(inner)} {noun}:")], ""))
                turns.extend(_from_messages(inner, None))
        # Its other fields, when they say something (a refusal, a finish reason, a tool
        # call that did not parse), in a label: none is left out unsaid.
        said = _other_fields(m)
        if said:
            turns.append(_Turn([label(f"message {n}'s {said}")], ""))
    if isinstance(data, dict):
        rest = {k: v for k, v in data.items() if k not in _LISTS}
        texts = {k: v for k, v in rest.items() if isinstance(v, str) and len(v) > _CALL_CHARS}
        said = ", ".join(f"{k}={v!r}"[:_CALL_CHARS] for k, v in rest.items() if k not in texts)
        if said:
            turns.append(_Turn([label(f"and {said}")], ""))
        turns.extend(_Turn([label(f"{k}:")], v) for k, v in texts.items())
    return turns


_CARRIED = ("messages", "context")  # fields of a message that carry messages
# Fields of a message its label or its turns already say, or that say nothing to the next
# agent (ids, times, token counts, the model's name).
_SAID_FIELDS = frozenset(
    {"content", "raw", "role", "class", "type", "name", "source", "agent", "target"}
    | {"tool_call_id", "status", "tool_calls", "id", "created_at", "models_usage"}
    | {"usage_metadata", "timestamp", "call_id", "example", "lc_attributes"}
    # A streamed chunk's: its tool calls as they came (tool_calls says them parsed).
    | {"tool_call_chunks", "chunk_position"}
    # CrewAI's TaskOutput: its summary is its description's first words, its output_format
    # how its raw text was read.
    | {"summary", "output_format"}
    | set(_CARRIED)
)
# Said fields of a message's response metadata: who answered, with what, at what cost.
_QUIET_METADATA = frozenset(
    {"model_name", "model", "system_fingerprint", "token_usage", "usage", "id", "created"}
    | {"model_provider", "service_tier", "logprobs", "created_at"}
)


def _carried(value: object) -> list[dict[str, Any]]:
    """The messages a message's field carries (none if it holds something else)."""
    if isinstance(value, list) and all(
        isinstance(m, dict) and _text_field(m) and _role(m) for m in value
    ):
        return value
    return []


def _other_fields(message: dict[str, Any]) -> str:
    """A message's fields its turns do not say, ``name=value`` each; "" when all are empty.

    A finish reason other than a normal stop, a refusal, a tool call that did not parse
    (LangChain's ``invalid_tool_calls``), an AutoGen message's metadata: the next agent
    may need them. A field set in a CrewAI TaskOutput (its task's description) too.
    """
    said = []
    named = {str(message.get(k)) for k in ("name", "source", "agent")}  # said in its label
    for name, value in message.items():
        if name in _SAID_FIELDS or value in (None, "", [], {}, False) or str(value) in named:
            continue
        if name == "additional_kwargs" and isinstance(value, dict) and message.get("tool_calls"):
            # OpenAI's form of the tool calls the label already says, parsed.
            value = {k: v for k, v in value.items() if k != "tool_calls"}
            if not value:
                continue
        if name == "response_metadata" and isinstance(value, dict):
            value = {
                k: v
                for k, v in value.items()
                if k not in _QUIET_METADATA and v not in (None, "", [], {}, "stop", "end_turn")
            }
            if not value:
                continue
        said.append(f"{name}={value!r}"[:_CALL_CHARS])
    return ", ".join(said)


def _record(block: dict[str, Any]) -> bool:
    """Whether a block of a message's content is a call or its result (AutoGen's)."""
    return "class" in block or ("name" in block and ("arguments" in block or "call_id" in block))


def _stream(text: str) -> list[dict[str, Any]] | None:
    """The messages of LangGraph's ``stream()`` printed update by update, in order.

    A line per update, ``{node: {"messages": [...]}}`` (``None`` for a node that changed
    nothing), each message the repr or JSON of one; or a line per state
    (``stream_mode="values"``: ``{"messages": [...]}``, each holding the messages before
    it), whose messages are read once, where they first appear; or a line per token
    (``stream_mode="messages"``: a message chunk and its metadata), the chunks of one
    message joined into it. With several modes a line is ``(mode, what it streamed)``.
    """
    values = line_values(text)
    if values is None:
        return None
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    # With several modes, the messages mode shows every message the others would again.
    modes = {str(v[0]) for v in values if isinstance(v, tuple) and len(v) == 2}
    for value in values:
        if isinstance(value, tuple) and len(value) == 2 and str(value[0]) in _STREAM_MODES:
            if value[0] != "messages" and "messages" in modes:
                continue
            value = value[1]
        if isinstance(value, tuple) and len(value) == 2 and _carried([value[0]]):
            _add_chunk(found, value[0])
            continue
        if not isinstance(value, dict):
            return None
        state = _carried(value.get("messages"))
        if state:
            # A message is known by its id; without one, by its place in the state.
            keys = [str(m.get("id") or f"#{k}") for k, m in enumerate(state)]
            found.extend(m for m, key in zip(state, keys, strict=True) if key not in seen)
            seen.update(keys)
            continue
        for update in value.values():
            listed = update.get("messages") if isinstance(update, dict) else None
            if update is None:
                continue
            if not isinstance(listed, list) or not all(
                isinstance(m, dict) and _text_field(m) and _role(m) for m in listed
            ):
                return None
            found.extend(listed)
    return found if len(found) >= 2 else None


# The modes a stream() of several names on each line it yields (those that stream messages).
_STREAM_MODES = frozenset({"messages", "updates", "values"})


def _add_chunk(found: list[dict[str, Any]], message: dict[str, Any]) -> None:
    """``message`` after ``found``, or joined to the last one: a chunk of the same message.

    A chunk's text goes on the text before it; its tool calls are the message's too.
    """
    last = found[-1] if found else None
    if (
        last is None
        or not str(message.get("class", "")).endswith("Chunk")
        or last.get("id") != message.get("id")
        or not isinstance(last.get("content"), str)
        or not isinstance(message.get("content"), str)
    ):
        found.append(message)
        return
    # A new dict: the parsed lines are shared. A later chunk's fields that say something
    # (the tool calls streamed after the text, a finish reason) are the message's.
    joined = {**last, **{k: v for k, v in message.items() if v not in (None, "", [], {})}}
    joined["content"] = last["content"] + message["content"]
    calls = [*(last.get("tool_calls") or []), *(message.get("tool_calls") or [])]
    if calls:
        joined["tool_calls"] = calls
    found[-1] = joined


def _record_part(record: dict[str, Any]) -> _Turn:
    """A tool call or its result in a message's repr (AutoGen's FunctionCall, its result)."""
    name, ident = record.get("name"), record.get("id") or record.get("call_id")
    if isinstance(record.get("arguments"), str):
        head = label(f"calls {name}" + (f" ({ident})" if ident else ""))
        return _Turn([head], record["arguments"])
    if "content" in record:
        error = " (an error)" if record.get("is_error") else ""
        return _Turn([label(f"result of {name} ({ident}){error}:")], _content(record["content"]))
    fields = {k: v for k, v in record.items() if k != "class"}
    return _Turn([_call_label(record["class"], None, fields)], "")


def _content(content: object) -> str:
    """A message's or tool result's content as text (its blocks' texts, one after another)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(b, dict) and "type" in b for b in content):
        return "\n".join(_block(b).body for b in content)
    return json.dumps(content, ensure_ascii=False, indent=1)


def _block(block: dict[str, object]) -> _Turn:
    """An Anthropic content block: text, a tool use (its input) or a tool result."""
    kind = block["type"]
    if kind == "text" and isinstance(block.get("text"), str):
        return _Turn([], str(block["text"]))
    if kind == "tool_use":
        return _Turn([_call_label(block.get("name"), block.get("id"), block.get("input"))], "")
    if kind == "tool_result":
        error = " (an error)" if block.get("is_error") else ""
        origin = block.get("tool_use_id", "a tool call")
        return _Turn([label(f"result of {origin}{error}:")], _content(block.get("content")))
    return _Turn([label(f"{kind} block")], "")


def _calls(tool_calls: object) -> list[_Turn]:
    """OpenAI ``tool_calls``: a label with the call's name, then its arguments as given."""
    if not isinstance(tool_calls, list):
        return []
    parts = []
    for call in tool_calls:
        if isinstance(call, dict) and "args" in call and "name" in call:
            parts.append(_Turn([_call_label(call["name"], call.get("id"), call["args"])], ""))
            continue  # LangChain's tool call: name, args, id
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            ident = call.get("id") if isinstance(call, dict) else None
            arguments = function.get("arguments")
            if isinstance(arguments, str):
                head = label(f"calls {function.get('name')}" + (f" ({ident})" if ident else ""))
                parts.append(_Turn([head], arguments))
            else:
                parts.append(_Turn([_call_label(function.get("name"), ident, arguments)], ""))
    return parts


def _call_label(name: object, ident: object, arguments: object) -> str:
    """A call whose arguments are data, not a string: the label says them, cut if long."""
    said = json.dumps(arguments, ensure_ascii=False)
    if len(said) > _CALL_CHARS:
        said = said[:_CALL_CHARS] + f" … {len(said) - _CALL_CHARS} more characters"
    return label(f"calls {name}" + (f" ({ident})" if ident else "") + f" with {said}")


def _split(text: str) -> list[_Turn] | None:
    """The turns of a transcript in text: each speaker's line, then what it said."""
    found = _speakers(text)
    if not found:
        return None
    turns = []
    preamble = text[: found[0].start()].strip("\n")
    if preamble.strip():
        first, _, rest = preamble.partition("\n")
        turns.append(_Turn([first], rest))
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        header = m.group(0)
        inline = not header.endswith("\n") and text[m.end() : m.end() + 1] not in ("\n", "")
        body = text[m.end() : end]
        lines = [line for line in body.split("\n") if not _RULE.match(line)]
        while lines and not lines[0].strip():
            lines.pop(0)
        head = [header.rstrip("\n")]
        if not inline and lines and _FRAME.match(lines[0]):
            head.append(lines.pop(0))
        answer = _speaker(m).lower() == "final answer"
        turns.append(_Turn(head, "\n".join(lines).strip("\n"), inline, answer=answer))
    return turns


def _query_turns(turns: list[_Turn], query: str | None) -> set[int]:
    texts = ["\n".join([*t.header, t.body]) for t in turns]
    return best_matches(texts, query, most=3, floor=0.5)


def _body(body: str, request: Request, keep_whole: bool, said: bool, framed: bool) -> str:
    """The body compressed by its kind, with its failure lines put back if dropped.

    In what an agent said, so are the lines that state a decision, a question or a result;
    a tool's output keeps what its own compressor chose. A console panel's content, wrapped
    at the console's width, is folded line by line when its kind's compressor keeps more
    than half of it (a program whose lines were wrapped no longer parses).
    """
    if len(body) <= _SHORT_BODY >> min(request.level, 3) or keep_whole:
        return body
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports chat

    produced = compress_part(body, request, skip=("chat",))
    if framed and (produced is None or 2 * len(produced[0]) > len(body)):
        folded = compress_lines(body, request)
        if folded is not None and (produced is None or len(folded[0]) < len(produced[0])):
            produced = folded
    compressed = produced[0] if produced else _head_tail(body, request.level, request.key)
    kept = restore_failures(body, compressed)
    restored = _restore_key_lines(body, kept) if said else kept
    return body if len(restored) >= len(body) else restored  # what it put back made it no shorter


def _head_tail(body: str, level: int, key: str | None) -> str:
    width = max(40, 400 >> level)
    lines = [_cut(line, width) for line in body.splitlines()]
    room = max(2, 10 >> level)
    if len(lines) <= 2 * room + 1:
        return "\n".join(lines)
    skipped = len(lines) - 2 * room
    return "\n".join(
        [*lines[:room], omitted(f"{skipped} of {len(lines)} lines", key), *lines[-room:]]
    )


def _restore_key_lines(body: str, compressed: str) -> str:
    """Add the decision, question, error and result lines the compression dropped.

    From a long line (a paragraph on one line), the sentences that state a decision, a
    constraint or an error ("out of scope until Q3"), each after a marker saying it is part
    of a longer line.
    """
    flat = re.sub(r"\s+", " ", compressed)
    kept = compressed.splitlines()
    # A line a fold already stands for (the same template) is not missing.
    folded = {template(line) for line in kept}
    # A key line shown cut short is shown whole where it stands, not a second time below.
    cut = {start: k for k, line in enumerate(kept) if (start := cut_prefix(line))}
    widths = {len(start) for start in cut}
    missing: list[str] = []
    fence = ""  # the fence of the code block the line is in
    previous = ""
    for line in body.splitlines():
        wrapped = _WRAPPED.match(previous) and _CONTINUED.match(line)
        previous = line
        opened = _FENCE.match(line)
        if opened or fence:
            # Code states no decision: "result" and "total" there are names. (Its failure
            # lines, like any, are put back by restore_failures.)
            if opened and (not fence or opened.group(1).startswith(fence)):
                fence = "" if fence else opened.group(1)
            continue
        start = next((line[:w] for w in widths if line[:w] in cut), None)
        if start is not None and len(line) < _LONG_LINE and _KEY_LINE.search(line):
            kept[cut.pop(start)] = line
            continue
        if len(line) < _LONG_LINE:
            # Not the middle of a sentence a paragraph's wrapping cut ("the standard library
            # should not be"), unless it states a decision or a constraint itself ("aggregated
            # keyring), gpg1 cannot read the ed25519 key"): the turn would lose it.
            key = _DECISION.search(line) if wrapped else _KEY_LINE.search(line)
            pieces = [(line, line)] if key else []
        else:
            sentences = [p.strip() for p in _SENTENCE_END.split(line) if _DECISION.search(p)]
            pieces = [(p, f"[… from a longer line:] {p}") for p in sentences if len(p) < 300]
        for text, shown_as in pieces:
            if not text.strip():
                continue
            if re.sub(r"\s+", " ", text.strip()) in flat or template(text) in folded:
                continue
            missing.append(shown_as)
    compressed = "\n".join(kept)
    if not missing:
        return compressed
    # Labelled: they come from anywhere in the turn, not after what precedes them here.
    return "\n".join([compressed, "[… also in this turn:]", *missing[:12]])
