"""Python values pretty-printed over several lines (pprint.pformat of a tool's result)."""

from __future__ import annotations

import dataclasses
import json
import pprint
from pathlib import Path

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import violations
from agent_baton.compress.markers import is_marker
from agent_baton.compress.parsed import NOT_DATA
from agent_baton.compress.pretty import compress_pretty, pretty_value
from agent_baton.compress.request import Request

DATA = Path(__file__).parent / "data"


def quakes() -> list[dict]:
    """USGS's feed of 60 earthquakes: each one's properties, one reviewed by hand failing."""
    features = json.loads((DATA / "usgs_earthquakes_60.geojson").read_text())["features"]
    rows = [f["properties"] for f in features]
    rows[37] = {**rows[37], "status": "error: ObspyException: station CI.CHF clock drift 2.4 s"}
    return rows


@dataclasses.dataclass
class Quake:
    code: str
    place: str
    mag: float
    status: str


@dataclasses.dataclass
class Feed:
    network: str
    events: list[Quake]
    count: int


def feed() -> Feed:
    events = [Quake(q["code"], q["place"], q["mag"], q["status"]) for q in quakes()]
    return Feed("USGS", events, len(events))


def item_lines(text: str) -> list[list[str]]:
    """The lines of each top-level item of a pformat'd list of dicts (each opens with '{')."""
    items: list[list[str]] = []
    for line in text.splitlines():
        if line.lstrip("[ ").startswith("{"):
            items.append([])
        if items:
            items[-1].append(line)
    return items


def test_a_pformat_list_of_records_keeps_whole_items_and_marks_the_rest():
    text = pprint.pformat(quakes())
    result = compress(text, key="quakes")

    assert result.transforms == ["repr:outline+sample"]
    assert result.compressed_tokens < result.original_tokens / 2
    assert violations(text, result.text) == []
    kept = [line for line in result.text.splitlines() if not is_marker(line.strip())]
    items = item_lines(text)
    # Every item shown is shown whole: the failing one with its code, place and magnitude.
    shown = [item for item in items if next(x for x in item if "'code':" in x) in kept]
    assert all(line in kept for item in shown for line in item)
    failing = next(item for item in items if any("clock drift" in line for line in item))
    assert failing in shown
    lines = result.text.splitlines()
    gaps = [line.split()[1] for line in lines if line.endswith(("item]", "items]"))]
    assert sum(map(int, gaps)) == len(items) - len(shown)


def test_a_dataclass_pformat_is_read_as_a_record_not_as_a_csv_table():
    text = pprint.pformat(feed())
    assert text.startswith("Feed(network='USGS',\n     events=[Quake(")

    assert detect(text) == "repr"
    result = compress(text, key="feed")
    assert result.transforms == ["repr:outline+sample"]
    assert violations(text, result.text) == []
    assert "     events=[Quake(code='37868143'," in result.text  # its first item, whole
    assert "     count=60)" in result.text  # the fields after the list
    # The failing event whole, its status over the two lines pprint split it into.
    assert "status='error: ObspyException: station CI.CHF clock drift '\n" in result.text
    assert "'2.4 s')," in result.text


def test_code_and_wrapped_numbers_are_not_sampled_as_items():
    code = "print(\n    'a',\n    'b',\n)"
    numbers = pprint.pformat(list(range(0, 3000, 7)), compact=True)  # many values a line

    assert pretty_value(code) is NOT_DATA and detect(code) != "repr"
    assert compress_pretty(numbers, Request()) is None
