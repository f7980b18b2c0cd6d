"""The reprs of Python's collections (Counter, defaultdict, deque, ...) read as data.

Each is what ``str()`` gives of a real value built from this machine's standard library: its
modules' names, sizes and source words. The parser reads them as calls holding a display;
compressed, they keep their first items and a marker saying how many were left out.
"""

from __future__ import annotations

import array
import collections
import os
import pprint
import types
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.guarantees import violations
from agent_baton.compress.markers import is_marker
from agent_baton.compress.parsed import NOT_DATA, literal_value
from agent_baton.compress.pretty import pretty_value

STDLIB = Path(os.__file__).parent
MODULES = sorted(STDLIB.rglob("*.py"))[:800]
NAMES = [str(p.relative_to(STDLIB).with_suffix("")) for p in MODULES]
WORDS = (STDLIB / "argparse.py").read_text().split()


def _by_letter() -> collections.defaultdict[str, list[str]]:
    grouped: collections.defaultdict[str, list[str]] = collections.defaultdict(list)
    for name in NAMES:
        grouped[name[0]].append(name)
    return grouped


REPRS = {
    "Counter": lambda: str(collections.Counter(WORDS)),
    "defaultdict": lambda: str(_by_letter()),
    "OrderedDict": lambda: repr(collections.OrderedDict((n, len(n)) for n in NAMES)),
    "deque": lambda: str(collections.deque(NAMES)),
    "deque maxlen": lambda: str(collections.deque(NAMES, maxlen=len(NAMES) // 2)),
    "array": lambda: str(array.array("q", [p.stat().st_size for p in MODULES])),
    "frozenset": lambda: str(frozenset(NAMES)),
    "mappingproxy": lambda: repr(types.MappingProxyType({n: n.upper() for n in NAMES})),
    "dict_items": lambda: str({n: len(n) for n in NAMES}.items()),
    "dict_keys": lambda: str({n: len(n) for n in NAMES}.keys()),
    "dict_values": lambda: str({n: n.upper() for n in NAMES}.values()),
    "ChainMap of one": lambda: str(collections.ChainMap({n: len(n) for n in NAMES})),
}


@pytest.mark.parametrize("name", sorted(REPRS))
def test_a_collection_repr_is_read_and_cut_between_its_items(name: str) -> None:
    text = REPRS[name]()
    value = literal_value(text)
    assert value is not NOT_DATA and value["class"] == text.split("(")[0]
    result = compress(text, key="reprs")
    out = result.text
    assert result.transforms[0].startswith("repr:") and len(out) < len(text) / 2
    assert any(is_marker(line) for line in out.splitlines())
    items = value["items"]
    first = next(iter(items)) if not isinstance(items, set) else min(items)
    first = first[0] if isinstance(first, tuple) else first  # a pair: its key
    assert str(first) in out  # an item that names it: its first one (its least, for a set)
    assert not violations(text, out)


def test_a_pretty_printed_collection_keeps_its_lines_and_samples_its_items() -> None:
    text = pprint.pformat(collections.deque(NAMES))
    assert pretty_value(text) is not NOT_DATA
    out = compress(text, key="deque").text
    lines = text.splitlines()
    assert out.splitlines()[0] == lines[0] and lines[-1] in out
    assert all(line in lines or is_marker(line) for line in out.splitlines())
    assert len(out) < len(text) / 2
