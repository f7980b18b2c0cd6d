"""The generated corpus (benchmarks/build_corpus.py) is deterministic and its needles hold.

Builds the fast sources twice (package data, a SBOM, RECORD files, licenses, a doctest run,
agent shapes over them) from this machine's real material and compares the two builds.
"""

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
FAST = {
    "packages-csv",
    "packages-json-api",
    "packages-jsonl",
    "packages-repr",
    "packages-ini",
    "sbom",
    "unicode-records",
    "pkg-record",
    "license",
    "doctest",
    "agents",
}


@pytest.fixture(scope="module")
def build_corpus() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import build_corpus

        yield build_corpus
    finally:
        sys.path.remove(str(BENCHMARKS))


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted((root / "cases").rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_identical_and_every_needle_is_in_its_content(
    build_corpus: ModuleType, tmp_path: Path
) -> None:
    if not Path("/var/lib/dpkg/status").is_file():
        pytest.skip("not a Debian machine: the package sources have no material")
    first = build_corpus.build(tmp_path / "a", FAST, quiet=True)
    build_corpus.build(tmp_path / "b", FAST, quiet=True)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")

    formats = {case.format for case in first}
    assert len(first) >= 30 and len(formats) >= 10, sorted(formats)
    for folder in sorted((tmp_path / "a" / "cases").iterdir()):
        meta = json.loads((folder / "case.json").read_text())
        content = next(folder.glob("content.*")).read_text(encoding="utf-8")
        assert meta["needles"], meta["id"]
        assert any(not n["needs_task"] for n in meta["needles"]), meta["id"]
        for needle in meta["needles"]:
            assert needle["text"] in content, (meta["id"], needle["text"])
