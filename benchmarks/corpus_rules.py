"""Cases of the generated corpus and the fixed rules that choose their needles.

A needle is never picked by hand: it is a failure line, a signature from a parser, the
identifier of a rare or outlier record, a number with its unit, a heading, or the record a task
names. Every rule returns exact substrings of the text, in a deterministic order.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_NEEDLES = 6
MIN_NEEDLE = 4
# A line that reports a failure: the guarantee says no compressor may drop one.
FAILURE_RE = re.compile(
    r"(?<![\w-])(?:error|errors|fail|failed|failure|failures|exception|traceback|assert"
    r"|assertion|fatal|panic|panicked|critical|warning|denied|refused|timed out|not ok)(?![\w-])"
    r"|(?-i:\b\w+(?:Error|Exception|Warning)\b)|^E {2,}|✖|^FAIL:",
    re.IGNORECASE,
)
# Material that changes from run to run has no place in a needle.
VOLATILE_RE = re.compile(
    r"\d\d:\d\d:\d\d|\b\d+(?:\.\d+)?s\b|\bin \d+(?:\.\d+)? ?(?:ms|s|sec|seconds)\b"
    r"|/tmp/|0x[0-9a-f]{6,}|\bpid\b",
    re.IGNORECASE,
)
UNIT_RE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:ms|µs|ns|s|sec|seconds|minutes|hours|days|KB|kB|KiB|MB|MiB|GB|GiB"
    r"|TB|bytes|bits|Hz|kHz|MHz|GHz|%|px|pt|em|dpi)(?![\w])"
)


@dataclass
class Case:
    """One generated case: a content file, its labels and what must survive."""

    id: str
    kind: str  # the corpus kinds: json, code, logs, prose, chat, mixed (plus table, config)
    format: str  # the finer label the per-format rows use
    source: str
    text: str
    ext: str
    needles: list[str] = field(default_factory=list)
    task: str = ""
    task_needles: list[str] = field(default_factory=list)
    volatile: bool = False  # content from live system state (ps): not byte-stable across runs
    tool_output: bool = False  # output of a tool or an agent turn: no failure line may be lost

    def finish(self) -> Case | None:
        """The case with needles checked and deduplicated, or None when it has no needle."""
        self.needles = _clean(self.needles, self.text)[:MAX_NEEDLES]
        self.task_needles = [
            n for n in _clean(self.task_needles, self.text) if n not in self.needles
        ]
        self.task_needles = self.task_needles[:3]
        if not self.task_needles:
            self.task = ""
        if not self.needles or len(self.text) < 1500:
            return None
        return self

    def to_json(self) -> dict[str, Any]:
        needles = [{"text": n, "why": "rule", "needs_task": False} for n in self.needles]
        needles += [{"text": n, "why": "task", "needs_task": True} for n in self.task_needles]
        return {
            "id": self.id,
            "kind": self.kind,
            "format": self.format,
            "source": self.source,
            "task": self.task or "Summarise this for the next agent.",
            "needles": needles,
            "volatile": self.volatile,
            "tool_output": self.tool_output,
        }


def _clean(needles: Iterable[str], text: str) -> list[str]:
    out: list[str] = []
    for needle in needles:
        needle = needle.strip()
        if len(needle) >= MIN_NEEDLE and needle in text and needle not in out:
            out.append(needle)
    return out


def spread(items: Sequence[Any], k: int) -> list[Any]:
    """``k`` items evenly spaced through ``items``, first and last included."""
    if len(items) <= k:
        return list(items)
    if k == 1:
        return [items[len(items) // 2]]
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


def unique_lines(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines())


# --- failures and rare log lines -------------------------------------------------------


def failure_lines(text: str, k: int = MAX_NEEDLES) -> list[str]:
    """Lines that report a failure, occurring once, with no run-dependent material."""
    counts = unique_lines(text)
    found = [
        line.strip()
        for line in text.splitlines()
        if FAILURE_RE.search(line)
        and counts[line.strip()] == 1
        and _wordy(line)
        and not VOLATILE_RE.search(line)
        and len(line.strip()) <= 300
    ]
    return spread(found, k)


def _wordy(line: str) -> bool:
    """Whether a line says something: not a rule of "=" with a title in it."""
    return sum(c.isalnum() for c in line) >= 0.5 * len(line.strip())


def rare_lines(text: str, k: int = 3) -> list[str]:
    """Lines whose shape (first three words, digits blanked) occurs once: the odd events."""
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 12]

    def shape(line: str) -> str:
        return " ".join(re.sub(r"\d+", "#", line).split()[:3])

    shapes = Counter(shape(line) for line in lines)
    found = [
        line
        for line in lines
        if shapes[shape(line)] == 1 and not VOLATILE_RE.search(line) and len(line) <= 200
    ]
    return spread(found, k)


# --- source code -----------------------------------------------------------------------


def python_signatures(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Top-level def/class lines (single-line headers) and (name, return line) for tasks."""
    tree = ast.parse(text)
    lines = text.splitlines()
    heads: list[str] = []
    bodies: list[tuple[str, str]] = []
    counts = unique_lines(text)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        head = lines[node.lineno - 1].strip()
        if node.name.startswith("_") or not head.endswith(":"):
            continue
        heads.append(head)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            returns = [
                lines[n.lineno - 1].strip()
                for n in ast.walk(node)
                if isinstance(n, ast.Return) and n.value is not None
            ]
            returns = [r for r in returns if counts[r] == 1 and len(r) > 12]
            if returns:
                bodies.append((node.name, returns[-1]))
    return heads, bodies


BODY_NODES = {"compound_statement", "statement_block", "block", "function_body"}


def tree_signatures(
    text: str, language: Any, kinds: set[str], body_kinds: set[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Definition lines found by a tree-sitter parser, and (name, body line) for tasks."""
    from tree_sitter import Parser

    source = text.encode()
    tree = Parser(language).parse(source)
    lines = text.splitlines()
    counts = unique_lines(text)
    heads: list[str] = []
    bodies: list[tuple[str, str]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in BODY_NODES:
            continue  # what a function body declares is not part of the file's interface
        stack.extend(reversed(node.children))
        if node.type not in kinds:
            continue
        row = node.start_point[0]
        if row >= len(lines):
            continue
        head = lines[row].strip()
        name = _node_name(node)
        if not name or name not in head or counts[head] != 1 or len(head) > 200:
            continue
        heads.append(head)
        inner = [
            lines[r].strip()
            for r in range(row + 1, min(node.end_point[0], len(lines)))
            if lines[r].strip().startswith(tuple(body_kinds))
        ]
        inner = [r for r in inner if counts[r] == 1 and len(r) > 12]
        if inner:
            bodies.append((name, inner[-1]))
    return heads, bodies


def _node_name(node: Any) -> str:
    name = node.child_by_field_name("name")
    if name is None:
        declarator = node.child_by_field_name("declarator")
        while declarator is not None and declarator.child_by_field_name("declarator") is not None:
            declarator = declarator.child_by_field_name("declarator")
        name = declarator
    if name is None or name.text is None:
        return ""
    text: str = name.text.decode(errors="replace")
    return text if re.fullmatch(r"[A-Za-z_$][\w$]*", text) else ""


def code_case_needles(
    case: Case, heads: list[str], bodies: list[tuple[str, str]], what: str
) -> Case | None:
    case.needles = spread(heads, 5)
    if bodies:
        name, line = bodies[len(bodies) // 2]
        case.task = f"Explain what {what} `{name}` does and what it returns."
        case.task_needles = [line]
    return case.finish()


# --- records: tables, JSON arrays, reprs, listings -------------------------------------


def record_needles(
    rows: Sequence[dict[str, Any]], text: str, noun: str = "record"
) -> tuple[list[str], str, list[str]]:
    """Needles of a list of records: identifiers of rare and outlier rows, and a task.

    The identifying field is the first one whose values are unique per row and found in the
    text. A row is rare when its value is the only one of its kind in a low-cardinality
    field; an outlier holds the largest value of a numeric field. The task names the middle
    row; its needle is another of that row's values that occurs once in the text.
    """
    rows = [r for r in rows if isinstance(r, dict)]
    if len(rows) < 8:
        return [], "", []
    fields = [f for f in rows[0] if all(f in r for r in rows)]
    ident = next(
        (
            f
            for f in fields
            if len({_scalar(r[f]) for r in rows}) == len(rows)
            and all(len(_scalar(r[f])) >= 2 for r in rows)
            and all(re.search("[A-Za-z]", _scalar(r[f])) for r in rows)
        ),
        None,
    )
    if ident is None:
        # No field is unique per row (ps, ls): the most varied text field, whose values
        # name a row only where they occur once.
        texts = [f for f in fields if not _numeric(_scalar(rows[0][f]))]
        if not texts:
            return [], "", []
        ident = max(texts, key=lambda f: (len({_scalar(r[f]) for r in rows}), -fields.index(f)))
    names = Counter(_scalar(r[ident]) for r in rows)
    needles: list[str] = []
    for f in fields:
        if f == ident:
            continue
        values = Counter(_scalar(r[f]) for r in rows)
        if 2 <= len(values) <= max(3, len(rows) // 10):
            needles += [_scalar(r[ident]) for r in rows if values[_scalar(r[f])] == 1]
    for f in fields:
        # A numeric field (a few blanks allowed): its largest value marks an outlier row.
        numbers = [(n, i) for i, r in enumerate(rows) if (n := _number(_scalar(r[f]))) is not None]
        if f != ident and len(numbers) >= 0.9 * len(rows):
            top = max(numbers, key=lambda p: (p[0], -p[1]))
            needles.append(_scalar(rows[top[1]][ident]))
    needles = [n for n in dict.fromkeys(needles) if n in text and names[n] == 1]
    needles = [n for n in needles if len(n) >= MIN_NEEDLE and not VOLATILE_RE.search(n)]
    middle = rows[len(rows) // 2]
    name = _scalar(middle[ident])
    if names[name] != 1:
        return spread(needles, MAX_NEEDLES), "", []
    task_needles = [
        _scalar(v)
        for f, v in middle.items()
        if f != ident
        and len(_scalar(v)) >= 6
        and text.count(_scalar(v)) == 1
        and not _numeric(_scalar(v))
    ][:1]
    task = f"Give the details of the {noun} {name}." if task_needles else ""
    return spread(needles, MAX_NEEDLES), task, task_needles


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)[:80]
    return str(value)


def _numeric(value: str) -> bool:
    return _number(value) is not None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def csv_rows(text: str, delimiter: str, header: bool) -> list[dict[str, Any]]:
    data = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    data = [r for r in data if r and not r[0].startswith("#")]
    if not data:
        return []
    width = len(data[0])
    names = data[0] if header else [f"c{i}" for i in range(width)]
    body = data[1:] if header else data
    return [dict(zip(names, r, strict=True)) for r in body if len(r) == width]


def aligned_rows(text: str, skip: int = 0) -> list[dict[str, Any]]:
    """Rows of a space-aligned listing (ps, dpkg -l, ls -l): the last column keeps spaces."""
    lines = [line for line in text.splitlines()[skip:] if line.strip()]
    if not lines:
        return []
    width = max(Counter(len(line.split()) for line in lines).most_common(1)[0][0], 2)
    rows = []
    for line in lines:
        parts = line.split(None, width - 1)
        if len(parts) == width:
            rows.append({f"c{i}": p for i, p in enumerate(parts)})
    return rows


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """One level of nested mappings as dotted fields; lists stay as values."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                if not isinstance(v2, dict | list):
                    out[f"{k}.{k2}"] = v2
        else:
            out[k] = v
    return out


def largest_records(data: Any) -> list[dict[str, Any]]:
    """The largest list of mappings in a JSON-like value (a dict of records counts too)."""
    best: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            dicts = [v for v in value if isinstance(v, dict)]
            if len(dicts) > len(best):
                best = [flatten(v) for v in dicts]
            stack.extend(value[:50])
        elif isinstance(value, dict):
            if len(value) >= 8 and all(isinstance(v, dict) for v in value.values()):
                records = [{"_key": k, **flatten(v)} for k, v in value.items()]
                if len(records) > len(best):
                    best = records
            stack.extend(value.values())
    return best


# --- documents -------------------------------------------------------------------------


def markdown_needles(text: str) -> tuple[list[str], str, list[str]]:
    """Headings and unique numbers with units; the task names a middle section."""
    lines = text.splitlines()
    counts = unique_lines(text)
    heads = [
        (i, line.lstrip("#").strip())
        for i, line in enumerate(lines)
        if re.match(r"#{1,3} \S", line) and counts[line.strip()] == 1
    ]
    units = [m.group(0) for m in UNIT_RE.finditer(text) if text.count(m.group(0)) == 1]
    needles = spread([h for _, h in heads], 4) + spread(units, 2)
    task, task_needles = _section_task(lines, heads, counts)
    return needles, task, task_needles


def _section_task(
    lines: list[str], heads: list[tuple[int, str]], counts: Counter[str]
) -> tuple[str, list[str]]:
    if len(heads) < 3:
        return "", []
    middle = len(heads) // 2
    at, title = heads[middle]
    # The section ends at the next heading: a line under it belongs to another section.
    end = heads[middle + 1][0] if middle + 1 < len(heads) else len(lines)
    for line in lines[at + 1 : min(end, at + 30)]:
        stripped = line.strip()
        if stripped.startswith("#"):
            break
        if len(stripped) >= 30 and counts[stripped] == 1:
            return f"What does the section '{title}' say?", [stripped]
    return "", []


def debian_changelog_needles(text: str) -> tuple[list[str], str, list[str]]:
    lines = text.splitlines()
    counts = unique_lines(text)
    heads = [
        (i, line.strip())
        for i, line in enumerate(lines)
        if re.match(r"\S+ \(.+\) .*urgency=", line)
    ]
    needles = spread([h for _, h in heads], 4)
    if len(heads) < 3:
        return needles, "", []
    middle = len(heads) // 2
    at, head = heads[middle]
    version = head.split("(", 1)[1].split(")", 1)[0]
    # The entry ends at the next one's header: a change listed there is another version's.
    end = heads[middle + 1][0] if middle + 1 < len(heads) else len(lines)
    for line in lines[at + 1 : min(end, at + 20)]:
        if line.strip().startswith("*") and counts[line.strip()] == 1 and len(line.strip()) > 20:
            return needles, f"What changed in version {version}?", [line.strip()]
    return needles, "", []


def plain_heading_needles(text: str) -> tuple[list[str], str, list[str]]:
    """Numbered or capitalised section titles of plain-text documents (licenses, notes)."""
    lines = text.splitlines()
    counts = unique_lines(text)
    heads = [
        (i, line.strip())
        for i, line in enumerate(lines)
        if re.fullmatch(r"\s{0,4}(?:\d+\.|[A-Z][A-Za-z ]{2,40}:?$)\s*[A-Z][\w ,'-]{2,60}\.?", line)
        and counts[line.strip()] == 1
    ]
    units = [m.group(0) for m in UNIT_RE.finditer(text) if text.count(m.group(0)) == 1]
    task, task_needles = _section_task(lines, heads, counts)
    return spread([h for _, h in heads], 4) + spread(units, 2), task, task_needles


def mapping_needles(data: Any, text: str) -> tuple[list[str], str, list[str]]:
    """Configuration documents: top-level keys, records inside, the value a task names."""
    needles: list[str] = []
    if isinstance(data, dict):
        # A key is a fact only where it names one place: "description" in a schema is not.
        keys = [str(k) for k in data if len(str(k)) >= MIN_NEEDLE and text.count(str(k)) == 1]
        needles += spread(keys, 4)
    records = largest_records(data)
    if records:
        needles += record_needles(records, text)[0][:2]
    leaves = [
        (path, str(v))
        for path, v in _leaves(data)
        if isinstance(v, str | int | float)
        and not isinstance(v, bool)
        and len(str(v)) >= 6
        and text.count(str(v)) == 1
    ]
    if not leaves:
        return needles, "", []
    path, value = leaves[len(leaves) // 2]
    return needles, f"What is {'.'.join(path)} set to?", [value]


def _leaves(data: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, (*path, str(k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, (*path, str(i)))
    else:
        yield path, data


def files_under(root: Path, pattern: str, min_size: int, max_size: int) -> list[Path]:
    """Regular files under ``root`` matching ``pattern``, sorted, within a size window."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob(pattern)):
        try:
            if (
                path.is_file()
                and not path.is_symlink()
                and min_size <= path.stat().st_size <= max_size
            ):
                found.append(path)
        except OSError:
            continue
    return found


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
