"""Build the generated corpus: hundreds of cases from real material on this machine.

Usage: python benchmarks/build_corpus.py [OUT] [--only SOURCE,...] [--list]

Reads files already here (Python's standard library and site-packages, /usr/include,
/usr/share/doc, dpkg's database, ...) and runs tools (pytest, gcc, javac, pip, ps, ...) on
generated inputs with planted failures, then shapes some of it the way agent frameworks hand it
on. Writes cases/<id>/content.<ext> and case.json in the format of ../shared/corpus, plus a
"format" label. Needles come from fixed rules (corpus_rules.py), never by hand. A source whose
tool or material is missing is skipped, and the skip printed. Offline and deterministic: the
same machine gives the same corpus (sources marked volatile, like ps, excepted).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import corpus_agents
import corpus_data
import corpus_files
import corpus_runs
from corpus_files import Skip
from corpus_rules import Case

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / ".bench" / "corpus"
SOURCES: dict[str, Callable[[], Iterator[Case]]] = {
    **corpus_files.SOURCES,
    **corpus_data.SOURCES,
    **corpus_runs.SOURCES,
}


def build(out: Path, only: set[str] | None = None, quiet: bool = False) -> list[Case]:
    """Write every case under ``out``/cases (replacing what was there) and return them."""
    cases_dir = out / "cases"
    if cases_dir.exists():
        shutil.rmtree(cases_dir)
    cases_dir.mkdir(parents=True)
    corpus_runs.WORK = out / "work"
    cases: list[Case] = []
    for name, source in SOURCES.items():
        if only and name not in only:
            continue
        cases += _run(name, source, quiet)
    if not only or "agents" in only:
        cases += _run("agents", lambda: corpus_agents.shape(cases), quiet)
    seen: set[str] = set()
    for case in cases:
        while case.id in seen:
            case.id += "_"
        seen.add(case.id)
        folder = cases_dir / case.id
        folder.mkdir()
        (folder / f"content.{case.ext}").write_text(case.text, encoding="utf-8")
        (folder / "case.json").write_text(
            json.dumps(case.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return cases


def _run(name: str, source: Callable[[], Iterator[Case]], quiet: bool) -> list[Case]:
    try:
        made = list(source())
    except Skip as skip:
        print(f"  skip {name}: {skip}")
        return []
    if not quiet:
        print(f"  {name}: {len(made)} cases")
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", help="comma-separated source names (see --list)")
    parser.add_argument("--list", action="store_true", help="list the sources and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join([*SOURCES, "agents"]))
        return 0
    only = set(args.only.split(",")) if args.only else None
    print(f"building the corpus in {args.out}")
    cases = build(args.out, only)
    formats = Counter(c.format for c in cases)
    needles = sum(len(c.needles) for c in cases)
    tasks = sum(len(c.task_needles) for c in cases)
    print(
        f"{len(cases)} cases in {len(formats)} formats, {needles} task-free needles,"
        f" {tasks} task needles"
    )
    print(", ".join(f"{f} {n}" for f, n in sorted(formats.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
