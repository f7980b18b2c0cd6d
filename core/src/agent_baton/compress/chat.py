"""Chat transcripts: keep the first and latest turns, decisions, constraints, questions, answers.

Recognised: AutoGen console output (``user_proxy (to assistant):`` then a line of dashes, or
``---------- agent ----------``), role-prefixed lines (``User:``, ``**assistant:**``,
``[planner]:``) and JSON lists of ``{role, content}`` messages. Every turn keeps its speaker
line; long bodies go through the matching compressor (code, logs, JSON, prose), harder for
turns in the middle of the conversation, and lines that state a decision, a constraint, a
question, an error or a result are kept whatever the level.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from agent_baton.compress.logs import template
from agent_baton.compress.markers import omitted
from agent_baton.compress.memo import once
from agent_baton.compress.prose import cut_line as _cut
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

_SPEAKER = re.compile(
    r"^(?:(?P<autogen>[\w .-]{1,60}) \(to [\w .-]{1,60}\):\s*$"
    r"|-{5,} (?P<console>[\w .()-]{1,60}) -{5,}\s*$"
    r"|\*\*(?P<bold>[\w .-]{1,40}(?: \([^)\n]{0,80}\))?):\*\*\s*$"
    r"|\[(?P<bracket>[\w .-]{1,40})\]:\s"
    r"|(?P<plain>User|Assistant|System|Human|AI|Tool|Agent|Bot|Model"
    # ReAct traces (LangChain's classic agents and many prompts):
    r"|Question|Thought|Action Input|Action|Observation|Final Answer)\s*:\s)",
    re.MULTILINE | re.IGNORECASE,
)
_RULE = re.compile(r"^-{20,}\s*$")
_KEY_LINE = re.compile(
    r"\?\s*$|\b(decid\w*|agree\w*|approved?|final\w*|conclu\w+|must|never|always|should|"
    r"required?|constraints?|only|at least|at most|don't|do not|will use|let's|plan|"
    r"(?:out of|in) scope|until|deadline|blocked|blockers?|won't|cannot|can't|limit|budget|"
    # A percentage starts where its digits do: a start inside a run of digits would scan
    # the rest of the run again, for the same answer.
    r"error|exception|failed|traceback|exitcode|result|total|TERMINATE)\b|(?<!\d)\d+(\.\d+)?\s*%",
    re.IGNORECASE,
)
# Sentences of a long line worth restoring: decisions, constraints, errors.
_DECISION = re.compile(
    r"\b(decid\w*|agreed|approved|conclu\w+|must|never|required|constraints?|(?:out of|in) scope"
    r"|until|deadline|blocked|won't|cannot|can't|error|exception|failed)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_SHORT_BODY = 600  # characters: shorter bodies are kept whole
_CALL_CHARS = 400  # a tool call's line is cut after this many characters


@dataclass
class _Turn:
    header: str  # the speaker line(s), kept verbatim
    body: str


@once
def looks_like_chat(text: str) -> bool:
    """Whether the text is a transcript: several speaker lines, or a list of messages."""
    data = _json(text)
    if data is not _NOT_JSON:
        return _is_messages(data)
    found = [m for m in _SPEAKER.finditer(text) if _speaker(m)]
    if len(found) < 3:
        return False
    strong = sum(1 for m in found if m.group("autogen") or m.group("console"))
    names = {_speaker(m).lower() for m in found}
    return strong >= 2 or (len(names) >= 2 and bool(names & _ROLES))


_ROLES = {"user", "assistant", "system", "human", "ai", "tool", "agent", "bot", "model"} | {
    "question",
    "thought",
    "action input",
    "action",
    "observation",
    "final answer",
}


def _speaker(match: re.Match[str]) -> str:
    for group in ("autogen", "console", "bold", "bracket", "plain"):
        value = match.group(group)
        if value:
            return value.split(" (")[0].strip()
    return ""


def compress_chat(text: str, request: Request) -> tuple[str, str] | None:
    """Compress each turn's body by its kind, harder in the middle; None if not a chat."""
    messages = _messages(text)
    turns = _from_messages(messages) if messages is not None else _split(text)
    if turns is None or len(turns) < 2:
        return None
    matched = _query_turns(turns, request.query)
    out: list[str] = []
    changed = 0
    last = len(turns) - 1
    for i, turn in enumerate(turns):
        request.check_time()
        recent = i == 0 or i >= last - 1 or i in matched
        level = request.level if recent else request.level + 2
        body = _body(turn.body, level, request, keep_whole=i in matched and request.level < 2)
        changed += body != turn.body
        out.append(f"{turn.header}\n{body}".rstrip() if body else turn.header)
    if not changed:
        return None
    out.append(omitted(f"parts of {changed} of {len(turns)} turns", request.key))
    return "\n".join(out), "chat:turns"


_NOT_JSON = object()


def _json(text: str) -> Any:
    """The parsed text if it is one JSON document, else _NOT_JSON."""
    if text.lstrip()[:1] not in ("[", "{"):
        return _NOT_JSON
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # "[planner]: ..." lines start with "[" too
        return _NOT_JSON


def _is_messages(data: Any) -> bool:
    return (
        isinstance(data, list)
        and len(data) >= 2
        and all(isinstance(m, dict) and "role" in m and "content" in m for m in data)
    )


def _messages(text: str) -> list[dict[str, object]] | None:
    data = _json(text)
    return data if _is_messages(data) else None


def _from_messages(messages: list[dict[str, object]]) -> list[_Turn]:
    turns = []
    for m in messages:
        names = [str(m[k]) for k in ("name", "tool_call_id") if m.get(k)]
        label = f"{m['role']} ({', '.join(names)}):" if names else f"{m['role']}:"
        calls, body = _calls(m.get("tool_calls")), _content(m["content"])
        # A tool call is an action taken: it goes in the header, which is kept verbatim.
        turns.append(_Turn("\n".join([label, *calls]), body))
    return turns


def _content(content: object) -> str:
    """A message's content as text: OpenAI strings, or lists of typed blocks (Anthropic)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(b, dict) and "type" in b for b in content):
        return "\n".join(_block(b) for b in content)
    return json.dumps(content, ensure_ascii=False, indent=1)


def _block(block: dict[str, object]) -> str:
    kind = block["type"]
    if kind == "text" and isinstance(block.get("text"), str):
        return str(block["text"])
    if kind == "tool_use":
        return _call(block.get("name"), block.get("input"))
    if kind == "tool_result":
        origin = block.get("tool_use_id", "a tool call")
        return f"tool result {origin}:\n{_content(block.get('content'))}"
    return json.dumps(block, ensure_ascii=False)


def _calls(tool_calls: object) -> list[str]:
    """OpenAI ``tool_calls`` as one line each: ``→ name(arguments)``."""
    if not isinstance(tool_calls, list):
        return []
    lines = []
    for call in tool_calls:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            lines.append(_call(function.get("name"), function.get("arguments")))
    return lines


def _call(name: object, arguments: object) -> str:
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    return _cut(f"→ {name}({arguments})", _CALL_CHARS)


def _split(text: str) -> list[_Turn] | None:
    found = [m for m in _SPEAKER.finditer(text) if _speaker(m)]
    if not found:
        return None
    turns = []
    preamble = text[: found[0].start()].strip()
    if preamble:
        turns.append(_Turn(preamble.splitlines()[0], "\n".join(preamble.splitlines()[1:])))
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        header = m.group(0).rstrip("\n")
        body = text[m.end() : end]
        lines = [line for line in body.strip("\n").splitlines() if not _RULE.match(line)]
        turns.append(_Turn(header.strip(), "\n".join(lines).strip("\n")))
    return turns


def _query_turns(turns: list[_Turn], query: str | None) -> set[int]:
    texts = [t.header + "\n" + t.body for t in turns]
    return best_matches(texts, query, most=3, floor=0.5)


def _body(body: str, level: int, request: Request, keep_whole: bool) -> str:
    """The body compressed by its kind, with its key lines put back if they were dropped."""
    if len(body) <= _SHORT_BODY >> min(level, 3) or keep_whole:
        return body
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports chat

    sub = Request(query=request.query, key=request.key, level=level, deadline=request.deadline)
    produced = compress_part(body, sub, skip=("chat",))
    compressed = produced[0] if produced else _head_tail(body, level, request.key)
    return _restore_key_lines(body, compressed)


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
    constraint or an error ("out of scope until Q3").
    """
    flat = re.sub(r"\s+", " ", compressed)
    # A line a fold already stands for (the same template) is not missing.
    folded = {template(line) for line in compressed.splitlines()}
    missing: list[str] = []
    for line in body.splitlines():
        if len(line) < 300:
            pieces = [line] if _KEY_LINE.search(line) else []
        else:
            pieces = [p for p in _SENTENCE_END.split(line) if _DECISION.search(p)]
        for piece in pieces:
            text = piece.strip()
            shown = re.sub(r"\s+", " ", text) in flat or template(text) in folded
            if text and len(text) < 300 and not shown:
                missing.append(text)
    if not missing:
        return compressed
    # Labelled: they come from anywhere in the turn, not after what precedes them here.
    return "\n".join([compressed, "[… also in this turn:]", *missing[:12]])
