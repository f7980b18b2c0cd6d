"""JSON whose records' bulk is arrays of numbers (GeoJSON, TopoJSON): every record's name stays."""

import json
import math
import pathlib
import zoneinfo

from agent_baton.compress import compress
from agent_baton.compress.guarantees import violations


def _places(n: int) -> list[tuple[str, float, float]]:
    """``n`` real place names (the tz database's cities) at positions spread over the globe."""
    zones = sorted(z for z in zoneinfo.available_timezones() if z.count("/") == 1)
    cities = [z.split("/")[1].replace("_", " ") for z in zones]
    return [(c, -170 + (k * 37) % 340, -60 + (k * 23) % 130) for k, c in enumerate(cities[:n])]


def _ring(x: float, y: float, points: int) -> list[list[float]]:
    """A closed ring around (x, y), coordinates rounded as GeoJSON writers round them."""
    ring = [
        [
            round(x + math.cos(2 * math.pi * k / points), 6),
            round(y + math.sin(2 * math.pi * k / points), 6),
        ]
        for k in range(points)
    ]
    return [*ring, ring[0]]


def test_a_feature_collection_an_item_a_line_keeps_every_features_name():
    """As world.geo.json writes it: a feature a line, its coordinates 98 % of the text (the
    line fold kept 27 of its 180 countries' names)."""
    features = [
        {
            "type": "Feature",
            "id": f"P{k:03}",
            "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": [_ring(x, y, 60 + k % 90)]},
        }
        for k, (name, x, y) in enumerate(_places(150))
    ]
    lines = [json.dumps(f, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    result = compress(text)
    assert result.transforms == ["json:rows"]
    assert result.savings_percent > 80
    for feature in features:
        name = json.dumps(feature["properties"]["name"])
        assert f'"id":"{feature["id"]}","properties":{{"name":{name}}}' in result.text
    # The cut says what the coordinates held: how many positions, and their bounds.
    first = features[0]["geometry"]["coordinates"][0]
    assert f"({len(first)} positions, x " in result.text
    assert violations(text, result.text) == []


def test_properties_after_the_geometry_are_shown_in_its_marker():
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [_ring(x, y, 80)]},
            "properties": {"name": name},
        }
        for name, x, y in _places(40)
    ]
    text = (
        '{"type":"FeatureCollection","features":[\n'
        + ",\n".join(map(json.dumps, features))
        + "\n]}"
    )
    result = compress(text)
    assert all(f'"name": "{name}"' in result.text for name, _, _ in _places(40))
    assert violations(text, result.text) == []


# USGS's feed of a week's earthquakes, its first 60: a feature a line, its bulk 27 properties
# (the title among the last), then a point.
QUAKES = (pathlib.Path(__file__).parent / "data" / "usgs_earthquakes_60.geojson").read_text()


def test_features_whose_bulk_is_properties_keep_each_features_name():
    """The line fold kept 256 of a week's 1,707 titles: each line is one feature."""
    result = compress(QUAKES)
    assert result.transforms == ["json:rows"]
    assert result.savings_percent > 80
    features = json.loads(QUAKES)["features"]
    # The first and the last share their lines with the collection's head and tail, each
    # cut at 400 characters.
    for feature in features[1:-1]:
        assert json.dumps(feature["properties"]["title"]) in result.text
    # Each marker stands for its line and says how much of it went.
    lines = result.text.splitlines()
    assert sum(line.startswith("[… title ") for line in lines) == len(features) - 2
    assert all(line.endswith(" characters omitted]") for line in lines)
    assert violations(QUAKES, result.text) == []


def test_a_topology_on_one_line_keeps_every_geometrys_name():
    """TopoJSON (world-atlas): each geometry's arcs are arrays of indices; shown cut, they
    took the sampled table's room and 97 of 177 countries' names went."""
    places = _places(177)
    geometries = [
        {
            "type": "MultiPolygon" if k % 5 == 0 else "Polygon",
            "arcs": [[list(range(k * 7, k * 7 + 20 + k % 60))]],
            "id": f"{k:03}",
            "properties": {"name": name},
        }
        for k, (name, _, _) in enumerate(places)
    ]
    arcs = [[[int(x * 100), int(y * 100)], [3, -2], [5, 1], [-4, 7]] for _, x, y in places * 10]
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.0036, 0.0017], "translate": [-180, -85.6]},
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }
    text = json.dumps(topology, separators=(",", ":"))
    result = compress(text)
    assert all(f"|{name}" in result.text for name, _, _ in places)
    assert "numbers>|" in result.text
    assert violations(text, result.text) == []


def test_a_topology_of_several_collections_keeps_each_collections_names():
    """vega's us-10m: counties, states and land, each a collection: read as one table of
    three rows, each collection's geometries a cell, it kept 14 of 3,694 ids."""
    places = _places(300)

    def collection(names: list[str], step: int) -> dict[str, object]:
        geometries = [
            {"type": "Polygon", "arcs": [list(range(k * step, k * step + 12 + k % 40))], "id": name}
            for k, name in enumerate(names)
        ]
        return {"type": "GeometryCollection", "geometries": geometries}

    counties = [name for name, _, _ in places[:240]]
    states = [name for name, _, _ in places[240:]]
    arcs = [[[int(x * 100), int(y * 100)], [3, -2], [5, 1], [-4, 7]] for _, x, y in places * 12]
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.0036, 0.0005], "translate": [-179.1, 17.6]},
        "objects": {
            "counties": collection(counties, 9),
            "states": collection(states, 31),
            "land": {"type": "MultiPolygon", "arcs": [[list(range(400))]]},
        },
        "arcs": arcs,
    }
    text = json.dumps(topology, separators=(",", ":"))
    result = compress(text)
    assert all(f"|{name}" in result.text for name in counties + states)
    assert violations(text, result.text) == []
