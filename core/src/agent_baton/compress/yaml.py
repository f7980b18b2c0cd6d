"""YAML (manifests, workflows, configs): repeated documents told by their differences.

``kubectl get -o yaml`` and Helm output repeat one document per object: after the first, each
document is shown by the values in which it differs from it, and a run of documents that
differ in the same fields becomes one line per field listing their values. Long lists keep
their first and last items. Read line by line, without a YAML parser: nothing is re-written,
and comments say what was left out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from agent_baton.compress.guarantees import failing_lines
from agent_baton.compress.json import budget_chars
from agent_baton.compress.markers import note, omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

if TYPE_CHECKING:
    import yaml

_KEY = re.compile(r"^(\s*)(- )?([\w.\-/$\"']+):(?:\s+(.*))?$")
_ITEM = re.compile(r"^(\s*)- ")
_SEPARATOR = re.compile(r"^---(\s|$)")
_LIST_HEAD, _LIST_TAIL = 3, 1  # items a long list keeps at level 0
_SETTING_CHARS = 120  # a longer `key: value` line is text, not a setting
_VALUES_SHOWN = 8  # values listed for a field that differs across many documents
_QUERY_WORD = re.compile(r"[^\s,;'\"()\[\]{}]+")
# Keys whose value names a document or a list item (a manifest's kind and metadata.name, an
# Ansible task's or a workflow step's name, an id): kept at any depth an outline cuts.
_IDENTITIES = frozenset(("kind", "name", "id", "namespace"))
_IDENTITY_DEPTH = 6  # blanks of indent: a document's, a play's, a job's step's, not a field's
# Keys that say what an item runs or is called by, at whatever depth it stands: a container's
# image, a workflow step's action, an API operation's id. Each names its item once, where the
# labels and selectors around it repeat; in document order those took the room first.
_RUNS = frozenset(("image", "uses", "operationId"))


@once
def looks_like_yaml(text: str) -> bool:
    """Whether most sampled lines are ``key: value`` pairs or list items, nested by indent."""
    lines = [
        line
        for line in text[:20000].splitlines()[:200]
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(lines) < 5 or not any(_KEY.match(line) and not line[:1].isspace() for line in lines):
        return False
    shaped = sum(
        1 for line in lines if _KEY.match(line) or _ITEM.match(line) or _SEPARATOR.match(line)
    )
    return shaped >= 0.8 * len(lines)


# What composes the nodes: the base loader (libyaml's parser if there) resolves no tags, so
# every node keeps the shape the safe loader gives it at a fraction of the cost; an unknown
# tag (``!Ref``) is no error either, as nothing is constructed. Its resolver's hooks, called
# in Python for every node, give what the base resolver gives (it has no implicit or path
# resolvers: the default tag of the node's kind) without its lookups: a third of composing.
# Made at the first parse: importing PyYAML is a third of a second, on every import of
# agent_baton otherwise.
@cache
def _composer() -> Any:
    import yaml

    tags = {
        yaml.ScalarNode: yaml.BaseLoader.DEFAULT_SCALAR_TAG,
        yaml.SequenceNode: yaml.BaseLoader.DEFAULT_SEQUENCE_TAG,
        yaml.MappingNode: yaml.BaseLoader.DEFAULT_MAPPING_TAG,
    }

    def default_tag(loader: object, kind: type[yaml.Node], value: object, implicit: object) -> str:
        return tags[kind]

    def no_path(loader: object, *where: object) -> None:
        """No path resolvers: nothing to descend into or ascend from."""

    return type(
        "_Composer",
        (getattr(yaml, "CBaseLoader", yaml.BaseLoader),),
        {"resolve": default_tag, "descend_resolver": no_path, "ascend_resolver": no_path},
    )


_SAMPLE = 20_000  # characters of a long text that are parsed
_FOLDED_LINES = 3  # of a plain value: a listing YAML would fold into one string
_STREAM = 4  # documents: a stream, whose documents are mostly mappings and lists
_COLLECTIONS = 0.75  # of a stream's documents: mappings and lists
_STYLED = ("|", ">", "'", '"')  # a scalar's styles: literal, folded, single and double quoted


@once
def parses_as_yaml(text: str) -> bool:
    """Whether the text parses as YAML into mappings or lists (not one plain string).

    The parser composes the documents' nodes and builds no Python objects: YAML that Python
    cannot hold (a list as a mapping's key, as in the YAML specification's examples) is YAML
    all the same. A stream of four documents or more may hold a few plain ones. A record of
    fields whose value YAML would fold from a listing is not YAML, nor is a mapping that
    names a key twice. A long text is parsed up to a top-level line after its first 20,000
    characters.
    """
    import yaml  # imported by the first parse (_composer)

    documents = _documents(text)
    if documents is None:
        return False
    if any(map(_repeats_a_key, documents)):
        return False
    if len(documents) == 1 and _folds_a_listing(documents[0]):
        return False
    collections = sum(isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) for node in documents)
    if len(documents) >= 2:
        # In a stream, a document that is a block ("--- |", "--- >") or a quoted scalar is
        # written in YAML's syntax too (the YAML specification's examples); a plain one is
        # text, which a stream of many documents may hold a few of.
        collections += sum(
            isinstance(node, yaml.ScalarNode) and node.style in _STYLED for node in documents
        )
    least = len(documents) if len(documents) < _STREAM else _COLLECTIONS * len(documents)
    return bool(documents) and collections >= least


@once
def nests_yaml(text: str) -> bool:
    """Whether the text is YAML of several documents, or of a mapping holding a collection.

    A transcript's speaker lines (``action: strike``, ``user: hi``) parse as one flat
    mapping; a manifest, a workflow or the YAML specification's examples nest or repeat
    documents, which no transcript does.
    """
    import yaml  # imported by the first parse (_composer)

    documents = _documents(text)
    if documents is None or not parses_as_yaml(text):
        return False
    # Block collections only: a transcript's speaker may hold a JSON payload on its line
    # (a ReAct trace's ``Observation: [...]``), which YAML reads as a flow collection.
    return len(documents) >= 2 or any(
        isinstance(value, (yaml.MappingNode, yaml.SequenceNode)) and not value.flow_style
        for node in documents
        if isinstance(node, yaml.MappingNode)
        for _, value in node.value
    )


@once
def _documents(text: str) -> list[yaml.Node] | None:
    """The non-empty documents' nodes, composed once for both checks; None if not YAML."""
    import yaml  # imported by the first parse (_composer)

    try:
        nodes = list(yaml.compose_all(_top_level_prefix(text), Loader=_composer()))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    return [node for node in nodes if node is not None and node.value]


def _repeats_a_key(node: yaml.Node) -> bool:
    """Whether ``node`` is a mapping naming one key twice, which YAML forbids.

    The composer lets it pass; stanzas of fields (``apt-cache show`` of several packages,
    each ``Package:``, ``Version:``…) read so, as one mapping, and no YAML file is written so.
    """
    import yaml  # imported by the first parse (_composer)

    if not isinstance(node, yaml.MappingNode):
        return False
    keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
    return len(set(keys)) < len(keys)


def _folds_a_listing(node: yaml.Node) -> bool:
    """Whether ``node`` is a flat mapping with a plain value over several lines.

    YAML folds such a value into one string; in a record of ``Field: value`` lines (``pip
    show -f``'s Files, ``dpkg -s``'s Conffiles) each of its lines is an item of a listing.
    YAML files nest their lists and quote or block their long texts.
    """
    import yaml  # imported by the first parse (_composer)

    if not isinstance(node, yaml.MappingNode):
        return False
    values = [value for _, value in node.value]
    return all(isinstance(value, yaml.ScalarNode) for value in values) and any(
        not value.style and value.end_mark.line - value.start_mark.line >= _FOLDED_LINES
        for value in values
    )


def _top_level_prefix(text: str) -> str:
    """About the first 20,000 characters, cut before a top-level line (a valid YAML prefix)."""
    if len(text) <= _SAMPLE:
        return text
    cut = _SAMPLE
    while cut < len(text):
        cut = text.find("\n", cut)
        if cut < 0:
            return text
        following = text[cut + 1 : cut + 2]
        if following and not following.isspace() and following not in "-#":
            return text[:cut]
        cut += 1
    return text


@dataclass
class _Document:
    lines: list[str]
    paths: list[str]  # the key path of each line ("" for lines that are not key: value)


def compress_yaml(text: str, request: Request) -> tuple[str, str] | None:
    """Repeated documents by their differences, long lists by their ends; None if not YAML."""
    if not (looks_like_yaml(text) or parses_as_yaml(text)):
        return None
    documents = [_Document(lines, _paths(lines)) for lines in _split(text)]
    request.check_time()
    keep = best_matches(["\n".join(d.lines) for d in documents], request.query, most=3, floor=0.5)
    # Each document is compared with the first of its shape (a Namespace may come first).
    first_of_shape: dict[tuple[str, ...], int] = {}
    diffs: list[list[tuple[str, str]] | None] = []
    for i, document in enumerate(documents):
        base = first_of_shape.setdefault(tuple(document.paths), i)
        same = base == i or i in keep
        diffs.append(None if same else _differences(documents[base], document))
    bases = [first_of_shape[tuple(d.paths)] for d in documents]
    out: list[str] = []
    i = 0
    while i < len(documents):
        diff = diffs[i]
        if diff is None:
            out.extend(["---"] if i else [])
            out.extend(_trim_lists(documents[i].lines, request))
            i += 1
            continue
        # The documents after this one that differ from the same base in the same fields.
        fields = [path for path, _ in diff]
        j = i + 1
        while j < len(documents) and bases[j] == bases[i]:
            following = diffs[j]
            if following is None or [path for path, _ in following] != fields:
                break
            j += 1
        out.extend(_described(diffs[i:j], bases[i], i, j))
        i = j
    name = "yaml:documents"
    # A document that nothing above shortened is outlined to half its size at most.
    budget = min(budget_chars(len(text), request), len(text) // 2)
    if sum(map(len, out)) + len(out) > budget:
        # One large mapping (a config, a schema, an API spec): its outline, the deeper
        # blocks cut with a count where they were.
        out = _outline(out, budget, request)
        name = "yaml:outline"
    if len(out) >= len(text.splitlines()):
        return None
    if any(line.startswith("[… document") for line in out):
        out.append(f"# {omitted('repeated lines (and the values shown as …)', request.key)}")
    elif name == "yaml:outline":
        out.append(f"# {omitted('deeper lines', request.key)}")
    return "\n".join(out), name


def _outline(lines: list[str], budget: int, request: Request) -> list[str]:
    """The lines up to the deepest indentation that fits ``budget`` characters.

    Lines the query matches, lines that report a failure (a status, a job's log) and the
    lines that name what a document or an item is or runs (``kind:``, ``name:``: a manifest's
    object, a task, a step; ``image:``, ``uses:``, ``operationId:``) stay; so do the keys
    above each kept line, which say whose value it is. Each run of deeper lines becomes one
    ``# [… n lines]`` line at its place.
    """
    depths = [len(line) - len(line.lstrip(" ")) if line.strip() else -1 for line in lines]
    matched = best_matches(lines, request.query, most=12, floor=0.3) | _named(lines, request)
    matched.update(failing_lines(lines))
    matched.update(i for i, line in enumerate(lines) if _identity(line))
    # Each image or action once: a workflow checks out the same action in every job.
    first = {line.strip(): i for i, line in reversed(list(enumerate(lines))) if _runs(line)}
    matched.update(first.values())
    matched |= _above(lines, depths, matched, -1, matched)
    sizes: Counter[int] = Counter()  # characters of the other lines at each depth (blank: -1)
    for i, (line, depth) in enumerate(zip(lines, depths, strict=True)):
        if i not in matched:
            sizes[depth] += len(line) + 1
    keep_depth = -1
    # Of the lines up to the depth kept (blank ones at every depth) and the ones kept above.
    used = size = sizes[-1] + sum(len(lines[i]) + 1 for i in matched)
    for depth in sorted(d for d in sizes if d >= 0):
        size += sizes[depth]
        if size > budget and keep_depth >= 0:
            break
        keep_depth, used = depth, size
    # Room left goes to deeper `key: value` lines, in order: the settings themselves, each
    # with the keys above it.
    for i, (line, depth) in enumerate(zip(lines, depths, strict=True)):
        pair = _KEY.match(line)
        if (
            depth > keep_depth
            and i not in matched
            and pair
            and pair.group(4)
            and len(line) <= _SETTING_CHARS
        ):
            added = {i} | _above(lines, depths, {i}, keep_depth, matched)
            cost = sum(len(lines[k]) + 1 for k in added)
            if used + cost > budget:
                break
            matched |= added
            used += cost
    out: list[str] = []
    gap = 0
    indent = ""
    for i, (line, depth) in enumerate(zip(lines, depths, strict=True)):
        if gap and depth < 0:
            gap += 1  # a blank line inside a cut block goes with it
        elif depth <= keep_depth or i in matched or line.lstrip().startswith("# […"):
            if gap:
                out.append(f"{indent}# [… {gap} lines]")
                gap = 0
            out.append(line)
        else:
            if not gap:
                indent = " " * max(0, depth)
            gap += 1
    if gap:
        out.append(f"{indent}# [… {gap} lines]")
    return out


def _identity(line: str) -> bool:
    """Whether a line names what its document or list item is: ``kind: Deployment``."""
    pair = _KEY.match(line)
    return (
        pair is not None
        and len(pair.group(1)) <= _IDENTITY_DEPTH
        and pair.group(3) in _IDENTITIES
        and len(line) <= _SETTING_CHARS
    )


def _runs(line: str) -> bool:
    """Whether a line names what its item runs or is called by: ``image: redis:7``.

    Of any length: an image pinned by its digest runs past a setting's 120 characters.
    """
    pair = _KEY.match(line)
    return pair is not None and pair.group(3) in _RUNS and bool(pair.group(4))


def _above(
    lines: list[str], depths: list[int], kept: set[int], floor: int, known: set[int]
) -> set[int]:
    """The key lines above each of ``kept`` deeper than ``floor``: whose value it is.

    A list's items may stand at its key's indent (``env:`` over ``- name: A``). A line of
    ``known`` (kept already) ends the climb: the keys above it are known too.
    """
    found: set[int] = set()
    for i in sorted(kept, reverse=True):
        depth, item = depths[i], lines[i].lstrip().startswith("- ")
        for j in range(i - 1, -1, -1):
            if depth <= floor or depth < 0 or (depth == 0 and not item):
                break
            if depths[j] < 0 or lines[j].lstrip()[:1] == "#":
                continue
            if depths[j] < depth or (
                item
                and depths[j] == depth
                and _KEY.match(lines[j])
                and not lines[j].lstrip().startswith("- ")
            ):
                if j in found or j in known:
                    break  # the keys above it are found or kept already
                found.add(j)
                depth, item = depths[j], lines[j].lstrip().startswith("- ")
    return found


def _named(lines: list[str], request: Request) -> set[int]:
    """Lines whose key path the query spells (``packages.liblzma-dev.summary``).

    With them, the lines of the keys above them, which say whose value it is.
    """
    if not request.query:
        return set()
    words = {w.rstrip(".?!:") for w in _QUERY_WORD.findall(request.query) if "." in w}
    found: set[int] = set()
    for i, path in enumerate(_paths(lines)):
        if path and path in words:
            found.add(i)
            depth = len(lines[i]) - len(lines[i].lstrip(" "))
            for j in range(i - 1, -1, -1):  # the nearest line of each shallower depth
                line = lines[j]
                shallower = len(line) - len(line.lstrip(" "))
                if line.strip() and shallower < depth and _KEY.match(line):
                    found.add(j)
                    depth = shallower
                    if not depth:
                        break
    return found


def _split(text: str) -> list[list[str]]:
    documents: list[list[str]] = [[]]
    for line in text.splitlines():
        if _SEPARATOR.match(line):
            if documents[-1]:
                documents.append([])
            continue
        documents[-1].append(line)
    return [d for d in documents if any(line.strip() for line in d)]


def _paths(lines: list[str]) -> list[str]:
    """Each line's key path (``spec.template.spec.containers.-.image``), from indentation."""
    stack: list[tuple[int, str]] = []
    paths = []
    for line in lines:
        match = _KEY.match(line)
        if match is None:
            paths.append("")
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if match.group(2):  # "- key: value" opens a list item, its keys one level deeper
            stack.append((indent, "-"))
            indent += 2
        paths.append(".".join([*(name for _, name in stack), match.group(3)]))
        stack.append((indent, match.group(3)))
    return paths


def _differences(first: _Document, other: _Document) -> list[tuple[str, str]] | None:
    """(path, line) of each line of ``other`` unlike ``first``'s; None if not comparable."""
    if other.paths != first.paths:
        return None  # another shape of document: shown in full
    changed = [
        (path, line.strip())
        for path, line, base in zip(other.paths, other.lines, first.lines, strict=True)
        if line != base
    ]
    if any(not path for path, _ in changed) or len(changed) > len(first.lines) // 2:
        return None  # free text differs, or most of it: the document says it better whole
    return changed


def _described(
    diffs: list[list[tuple[str, str]] | None], base: int, start: int, end: int
) -> list[str]:
    """Documents ``start``..``end``-1, which differ from document ``base`` in the same fields."""
    span = f"document {start + 1}" if end - start == 1 else f"documents {start + 1}-{end}"
    rows = [diff or [] for diff in diffs]
    if not rows[0]:
        return [note(f"{span}: the same as document {base + 1}")]
    # Markers, not lines: a field's path and its values, gathered from several documents,
    # are no line of the input.
    lines = [note(f"{span}: as document {base + 1}, except")]
    for field, (path, _) in enumerate(rows[0]):
        values = [_value(row[field][1]) for row in rows]
        if len(values) > _VALUES_SHOWN:
            values = [*values[: _VALUES_SHOWN - 1], "…", values[-1]]
        lines.append(note(f"{path}: {', '.join(values)}"))
    return lines


def _value(line: str) -> str:
    match = _KEY.match(line)
    return (match.group(4) or "") if match else line


def _trim_lists(lines: list[str], request: Request) -> list[str]:
    """Lines with each long run of sibling list items cut to its first and last items.

    An item holding a line that reports a failure stays too (guarantee 3), and so does a
    step that runs an action no kept step runs (``- uses: actions/cache@v4``), with a marker
    at each run of items left out.
    """
    head = max(1, _LIST_HEAD - request.level)
    failing = sorted(failing_lines(lines))
    runs = [i for i, line in enumerate(lines) if _runs(line)]
    shown: set[str] = set()  # what the kept items run: an item running something new stays
    out: list[str] = []
    i = 0
    while i < len(lines):
        item = _ITEM.match(lines[i])
        if item is None:
            out.append(lines[i])
            i += 1
            continue
        indent = len(item.group(1))
        starts = []  # where each sibling item of this list starts
        j = i
        while j < len(lines):
            line = lines[j]
            depth = len(line) - len(line.lstrip())
            if line.strip() and depth < indent:
                break
            if line.strip() and depth == indent and not line.lstrip().startswith("- "):
                break
            if depth == indent and line.lstrip().startswith("- "):
                starts.append(j)
            j += 1
        if len(starts) > head + _LIST_TAIL + 2:
            ends = [*starts[1:], j]
            ran = [
                {lines[r].strip() for r in runs[bisect_left(runs, s) : bisect_left(runs, e)]}
                for s, e in zip(starts, ends, strict=True)
            ]
            # A workflow's steps: some run an action, the others a script. Where every item
            # runs something (a showcase of sites and their images) the items are records.
            steps = not all(ran)
            kept = []
            for k in range(len(starts)):
                runs_new = ran[k] - shown if steps else set()
                keep = (
                    k < head
                    or k >= len(starts) - _LIST_TAIL
                    or bisect_left(failing, ends[k]) > bisect_left(failing, starts[k])
                    or bool(runs_new)
                )
                if keep:
                    shown |= runs_new
                kept.append(keep)
            skipped = 0
            for k, keep in enumerate(kept):
                if not keep:
                    skipped += 1
                    continue
                if skipped:
                    marker = omitted(f"{skipped} of {len(starts)} items", request.key)
                    out.append(f"{' ' * indent}# {marker}")
                    skipped = 0
                out.extend(lines[starts[k] : ends[k]])
        else:
            out.extend(lines[i:j])
        i = j
    return out
