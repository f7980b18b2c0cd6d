"""Framework-shaped agent outputs built from the other cases' real content.

The shapes are those agent frameworks hand on: tool results joined by a newline (AutoGen), the
bytes a tool returned, OpenAI and Anthropic message lists with tool calls, an AutoGen console
transcript, an answer with data pasted in without fences, and a long markdown report with test
failures inside. The needles are the parts' own needles that survive the shaping verbatim.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from corpus_rules import Case, spread


def _pick(cases: list[Case], fmt: str, n: int) -> list[Case]:
    return spread(sorted((c for c in cases if c.format == fmt), key=lambda c: c.id), n)


def _combine(
    case_id: str, kind: str, fmt: str, text: str, parts: list[Case], ext: str
) -> Case | None:
    source = " + ".join(p.id for p in parts)
    case = Case(
        case_id, kind, fmt, source, text, ext, tool_output=any(p.tool_output for p in parts)
    )
    for part in parts:
        case.needles += [n for n in part.needles[:3] if n in text]
    tasked = next((p for p in parts if p.task and all(n in text for n in p.task_needles)), None)
    if tasked:
        case.task, case.task_needles = tasked.task, list(tasked.task_needles)
    return case.finish()


def shape(cases: list[Case]) -> Iterator[Case]:
    """Every agent-shaped case, from the cases already built (none if those are missing)."""
    data = (
        _pick(cases, "json-api", 3)
        + _pick(cases, "sbom-cyclonedx", 1)
        + _pick(cases, "jsonl", 1)
        + _pick(cases, "python-repr", 1)
    )
    logs = (
        _pick(cases, "pytest", 3)
        + _pick(cases, "gcc", 1)
        + _pick(cases, "mypy", 1)
        + _pick(cases, "javac", 1)
        + _pick(cases, "unittest", 1)
        + _pick(cases, "node-test", 1)
    )
    tables = (
        _pick(cases, "csv", 2)
        + _pick(cases, "pip-list", 1)
        + _pick(cases, "ls-l", 1)
        + _pick(cases, "dpkg-l", 1)
        + _pick(cases, "tsv", 1)
    )
    docs = _pick(cases, "readme", 5)
    yield from _joined(data, logs)
    yield from _bytes(logs + tables)
    yield from _openai(logs, tables)
    yield from _anthropic(logs, data)
    yield from _autogen_transcript(logs, tables)
    yield from _unfenced(docs, tables, logs)
    yield from _reports(docs, cases)


def _joined(data: list[Case], logs: list[Case]) -> Iterator[Case]:
    """AutoGen joins one turn's tool results with a newline: JSON, then a log."""
    for n, (first, second) in enumerate(zip(data, logs, strict=False)):
        text = first.text.rstrip("\n") + "\n" + second.text
        done = _combine(
            f"joined-results__{n}", "mixed", "joined-results", text, [first, second], "txt"
        )
        if done:
            yield done


def _bytes(parts: list[Case]) -> Iterator[Case]:
    """A tool that returns bytes: str() of them is what reaches the next agent."""
    for n, part in enumerate(spread(parts, 6)):
        text = str(part.text.encode())
        done = _combine(f"tool-bytes__{n}", "mixed", "tool-bytes", text, [part], "txt")
        if done:
            yield done


def _openai(logs: list[Case], tables: list[Case]) -> Iterator[Case]:
    for n, (log, table) in enumerate(zip(logs, tables, strict=False)):
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a build engineer. Use the tools."},
            {"role": "user", "content": "Why is the build red, and which packages are installed?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    _openai_call("call_0", "run_command", {"command": log.source}),
                    _openai_call("call_1", "read_file", {"path": table.source}),
                ],
            },
            {"role": "tool", "tool_call_id": "call_0", "content": log.text},
            {"role": "tool", "tool_call_id": "call_1", "content": table.text},
            {"role": "assistant", "content": "I have the test log and the package table."},
        ]
        text = json.dumps(messages, indent=2, ensure_ascii=False)
        done = _combine(
            f"openai-messages__{n}", "chat", "openai-messages", text, [log, table], "json"
        )
        if done:
            yield done


def _openai_call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def _anthropic(logs: list[Case], data: list[Case]) -> Iterator[Case]:
    for n, (log, record) in enumerate(zip(logs, data, strict=False)):
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": "Check the service data and the latest run."},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "I'll fetch both."},
                    {
                        "type": "tool_use",
                        "id": "toolu_01",
                        "name": "http_get",
                        "input": {"url": "/api/v1/packages"},
                    },
                    {
                        "type": "tool_use",
                        "id": "toolu_02",
                        "name": "shell",
                        "input": {"cmd": log.source},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_01", "content": record.text},
                    {"type": "tool_result", "tool_use_id": "toolu_02", "content": log.text},
                ],
            },
        ]
        text = json.dumps(messages, indent=2, ensure_ascii=False)
        done = _combine(
            f"anthropic-messages__{n}", "chat", "anthropic-messages", text, [record, log], "json"
        )
        if done:
            yield done


def _autogen_transcript(logs: list[Case], tables: list[Case]) -> Iterator[Case]:
    """The console transcript AutoGen 0.2 prints: speaker lines, then each message."""
    rule = "-" * 80
    for n, (log, table) in enumerate(zip(logs, tables, strict=False)):
        turns = [
            ("user_proxy", "assistant", "Run the tests and list the installed packages."),
            (
                "assistant",
                "user_proxy",
                f"***** Suggested tool call (call_{n}): run_command *****\n"
                f'Arguments:\n{{"command": "{log.source}"}}',
            ),
            (
                "user_proxy",
                "assistant",
                f"***** Response from calling tool (call_{n}) *****\n{log.text}",
            ),
            (
                "user_proxy",
                "assistant",
                f"***** Response from calling tool (call_{n}b) *****\n{table.text}",
            ),
            ("assistant", "user_proxy", "Both results are above. TERMINATE"),
        ]
        text = "".join(f"{a} (to {b}):\n\n{body}\n\n{rule}\n" for a, b, body in turns)
        done = _combine(
            f"autogen-transcript__{n}", "chat", "autogen-transcript", text, [log, table], "txt"
        )
        if done:
            yield done


def _unfenced(docs: list[Case], tables: list[Case], logs: list[Case]) -> Iterator[Case]:
    """An answer with a table and a log pasted in, no code fences around them."""
    for n, (doc, table, log) in enumerate(zip(docs, tables, logs, strict=False)):
        intro = doc.text.split("\n\n")[:3]
        text = (
            "\n\n".join(intro)
            + "\n\nHere is the data I pulled:\n\n"
            + table.text
            + "\nAnd the run that failed:\n\n"
            + log.text
            + "\nThat is everything I found.\n"
        )
        done = _combine(
            f"answer-unfenced__{n}", "mixed", "answer-unfenced", text, [table, log], "md"
        )
        if done:
            yield done


def _reports(docs: list[Case], cases: list[Case]) -> Iterator[Case]:
    """A long markdown triage report: prose sections with runner output pasted inside."""
    runs = _pick(cases, "unittest", 2) + _pick(cases, "doctest", 2) + _pick(cases, "pytest", 2)
    for n in range(min(5, len(docs), max(0, len(runs) - 1))):
        pieces = [runs[n], runs[(n + 2) % len(runs)]]
        text = f"# Triage report {n + 1}\n\n"
        for i, piece in enumerate(pieces):
            text += f"## Finding {i + 1}\n\n{docs[(n + i) % len(docs)].text[:3000]}\n\n"
            text += f"## Output of {piece.source}\n\n{piece.text}\n\n"
        text += "## Conclusion\n\nThe failures above block the release.\n"
        done = _combine(f"report-failures__{n}", "mixed", "report-failures", text, pieces, "md")
        if done:
            yield done
