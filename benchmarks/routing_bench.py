"""Routing benchmark: does compress() send real files to the compressor for their kind?

Usage: python benchmarks/routing_bench.py [--per-kind 200] [--with-hint] [--corpus DIR]

Collects files from this machine whose kind is known from their extension or origin (Python
modules, C and C++ headers, JavaScript, Java from the JDK's src.zip, shell scripts, JSON, YAML,
TOML, INI, CSV/TSV, markdown, HTML, XML, logs, plain-text docs), compresses each WITHOUT the
key that would give away its extension, and reads the route from the first transform
(``json:table`` -> json). Prints accuracy per kind and overall, and the top confusions.
--with-hint also compresses with the file name as key. Runner logs and CSV/TSV come from
the generated corpus (--corpus, built by build_corpus.py) when it is there.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

from corpus_files import SITE, STDLIB, SYSTEM_ROOTS, walk
from corpus_rules import read_text, spread

from agent_baton import get_token_counter
from agent_baton.compress import compress

REPO = Path(__file__).resolve().parent.parent
# Route names as compress() reports them (the text before the first ":" of the first
# transform), mapped to families. Renamed or new compressors only need a line here.
ROUTES = {
    "json": "json",
    "jsonl": "json",
    "repr": "json",
    "table": "table",
    "csv": "table",
    "yaml": "config",
    "toml": "config",
    "ini": "config",
    "config": "config",
    "logs": "logs",
    "log": "logs",
    "lines": "logs",
    "code": "code",
    "prose": "prose",
    "markdown": "markdown",
    "mixed": "markdown",
    "segments": "markdown",
    "chat": "chat",
    "html": "markup",
    "xml": "markup",
    "markup": "markup",
}
# The families each kind of file may rightly go to.
EXPECTED = {
    "python": {"code"},
    "c-header": {"code"},
    "cpp-header": {"code"},
    "javascript": {"code"},
    "java": {"code"},
    "shell": {"code"},
    "json": {"json"},
    "jsonl": {"json"},
    "yaml": {"config"},
    "toml": {"config"},
    "ini": {"config"},
    "csv": {"table"},
    "tsv": {"table"},
    "markdown": {"markdown", "prose"},
    "html": {"markup"},
    "xml": {"markup"},
    "logs": {"logs"},
    "text": {"prose"},
}
LO, HI = 2_000, 300_000
COUNT = get_token_counter("gpt-4")


def collect(per_kind: int, corpus: Path) -> dict[str, list[tuple[str, str]]]:
    """(name, text) of up to ``per_kind`` files of each kind, spread over what was found."""
    usr = [Path("/usr/share"), Path("/usr/lib"), Path("/etc")]
    node = [Path("/usr/lib/node_modules"), Path("/usr/share/nodejs")]
    found: dict[str, list[Path]] = {
        "python": walk([STDLIB], (".py",), LO, HI, 100_000)
        + walk([SITE], (".py",), LO, HI, 100_000),
        "c-header": [
            p for p in walk([Path("/usr/include")], (".h",), LO, HI, 100_000) if "c++" not in str(p)
        ],
        "cpp-header": walk([Path("/usr/include")], (".hpp", ".hh", ".hxx"), LO, HI, 100_000)
        + [
            p for p in walk([Path("/usr/include/c++")], ("",), LO, HI, 100_000) if "." not in p.name
        ],
        "javascript": [
            p
            for p in walk([*node, SITE], (".js", ".cjs", ".mjs"), LO, HI, 100_000)
            if ".min." not in p.name
        ],
        "json": walk([*node, *usr, SITE], (".json",), LO, HI, 100_000),
        "yaml": walk([*usr, SITE], (".yaml", ".yml"), LO, HI, 100_000),
        "toml": walk([*SYSTEM_ROOTS, SITE, Path.home() / ".rustup"], (".toml",), LO, HI, 100_000),
        "ini": walk([*usr, SITE], (".ini", ".desktop", ".service", ".cfg"), 1_000, HI, 100_000),
        "csv": walk([*usr, SITE], (".csv",), LO, HI, 100_000),
        "tsv": walk([*usr, SITE], (".tsv", ".tab"), LO, HI, 100_000),
        "markdown": walk(
            [*node, Path("/usr/share/doc"), SITE], (".md", ".markdown"), LO, HI, 100_000
        ),
        "html": walk(
            [
                Path("/usr/share/doc"),
                *sorted(Path.home().glob(".rustup/toolchains/*/share/doc/rust/html"))[:1],
            ],
            (".html", ".htm"),
            LO,
            HI,
            4000,
        ),
        "xml": walk(
            [
                Path("/usr/share/mime"),
                Path("/usr/share/xml"),
                Path("/etc"),
                Path("/usr/share/dbus-1"),
                Path("/usr/libexec"),
            ],
            (".xml",),
            LO,
            HI,
            4000,
        ),
        "logs": walk([Path("/var/log")], (".log",), LO, 50_000_000, 200),
        "text": walk(
            [Path("/usr/share/doc"), Path("/usr/share/common-licenses")],
            ("copyright", "README", "NEWS", "AUTHORS", "THANKS", ".txt"),
            LO,
            HI,
            4000,
        ),
    }
    picked: dict[str, list[tuple[str, str]]] = {}
    for kind, paths in found.items():
        texts = []
        for path in spread(paths, per_kind * 2):
            text = read_text(path)
            if text is not None and text.strip():
                texts.append((str(path), text[:HI] if kind == "logs" else text))
        picked[kind] = spread(texts, per_kind)
    picked["java"] = _java(per_kind)
    picked["shell"] = _shell(per_kind)
    sources = (
        ("logs", None, False),
        ("csv", {"csv"}, True),
        ("csv", {"csv-headerless"}, False),
        ("tsv", {"tsv"}, True),
        ("tsv", {"tsv-headerless"}, False),
        ("jsonl", {"jsonl"}, False),
    )
    for kind, formats, header in sources:
        whole = _from_corpus(corpus, formats)
        if kind == "logs":
            whole += picked.get("logs", [])
        picked[kind] = picked.get(kind, []) + whole + _windows(whole, per_kind, header)
        picked[kind] = spread(sorted(set(picked[kind])), per_kind)
    return {k: v for k, v in picked.items() if v}


def _windows(texts: list[tuple[str, str]], per_kind: int, header: bool) -> list[tuple[str, str]]:
    """Runs of consecutive lines of long logs and tables (what `sed -n A,Bp` would show),
    keeping a table's header line: more samples of the kinds with few files."""
    out = []
    for name, text in texts:
        lines = text.splitlines()
        head, body = (lines[:1], lines[1:]) if header else ([], lines)
        for size in (30, 80, 200, 500):
            for start in range(0, max(1, len(body) - size), max(size, len(body) // 6)):
                window = "\n".join(head + body[start : start + size]) + "\n"
                if LO <= len(window) <= HI:
                    out.append((f"{name}[{start}:{start + size}]", window))
    return spread(out, per_kind)


def _java(per_kind: int) -> list[tuple[str, str]]:
    zips = sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip"))
    if not zips:
        return []
    with zipfile.ZipFile(zips[0]) as z:
        infos = sorted(
            (i for i in z.infolist() if i.filename.endswith(".java") and LO <= i.file_size <= HI),
            key=lambda i: i.filename,
        )
        return [(i.filename, z.read(i).decode("utf-8", "replace")) for i in spread(infos, per_kind)]


def _shell(per_kind: int) -> list[tuple[str, str]]:
    out = []
    for path in sorted(Path("/usr/bin").iterdir()) + sorted(Path("/usr/sbin").iterdir()):
        try:
            if path.is_symlink() or not LO <= path.stat().st_size <= HI:
                continue
            with path.open("rb") as f:
                head = f.read(30)
        except OSError:
            continue
        if head.startswith((b"#!/bin/sh", b"#!/bin/bash", b"#! /bin/sh", b"#!/usr/bin/env bash")):
            text = read_text(path)
            if text:
                out.append((str(path), text))
    return spread(out, per_kind)


def _from_corpus(corpus: Path, formats: set[str] | None) -> list[tuple[str, str]]:
    """Cases of the generated corpus whose origin gives their kind (runner output, tables)."""
    out = []
    for case_json in sorted(corpus.glob("cases/*/case.json")):
        meta = json.loads(case_json.read_text())
        if formats is None:
            if meta["kind"] != "logs":
                continue
        elif meta.get("format") not in formats:
            continue
        content = next(p for p in case_json.parent.iterdir() if p.name.startswith("content"))
        out.append((f"corpus:{meta['id']}", content.read_text(encoding="utf-8")))
    return out


def route(text: str, key: str | None) -> str:
    """The family compress() sent ``text`` to (its route name if it has no family yet)."""
    try:
        result = compress(text, counter=COUNT, key=key)
    except Exception as exc:
        return f"raised:{type(exc).__name__}"
    if not result.transforms:
        return "passthrough"
    name = result.transforms[0].split(":", 1)[0]
    return ROUTES.get(name, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--with-hint", action="store_true", help="also pass the file name as key")
    parser.add_argument("--corpus", type=Path, default=REPO / ".bench" / "corpus")
    args = parser.parse_args()
    files = collect(args.per_kind, args.corpus)
    total = sum(len(v) for v in files.values())
    print(f"routing {total} files of {len(files)} kinds (extension hint withheld)")
    hints = [False, True] if args.with_hint else [False]
    for hinted in hints:
        report(files, hinted)
    return 0


def report(files: dict[str, list[tuple[str, str]]], hinted: bool) -> None:
    title = "with the file name as key" if hinted else "without the extension hint"
    print(f"\n## Routing accuracy, {title}\n")
    print(f"{'kind':<12} {'files':>6} {'right':>6} {'accuracy':>9}  top routes")
    confusions: Counter[tuple[str, str]] = Counter()
    right_total = n_total = 0
    worst = 1.0
    for kind in sorted(files):
        routes: Counter[str] = Counter()
        for name, text in files[kind]:
            key = Path(name).name if hinted else None
            routes[route(text, key)] += 1
        right = sum(n for r, n in routes.items() if r in EXPECTED[kind])
        n = sum(routes.values())
        right_total, n_total = right_total + right, n_total + n
        worst = min(worst, right / n)
        for r, c in routes.items():
            if r not in EXPECTED[kind]:
                confusions[(kind, r)] += c
        tops = ", ".join(f"{r} {c}" for r, c in routes.most_common(4))
        print(f"{kind:<12} {n:>6} {right:>6} {100 * right / n:>8.1f}%  {tops}")
    print(
        f"\nROUTING ({title}): {right_total}/{n_total} = {100 * right_total / n_total:.1f}%"
        f" overall, worst kind {100 * worst:.1f}% (targets: >= 99% overall, >= 97% per kind)"
    )
    print(
        "top confusions (kind -> route): "
        + ", ".join(f"{k}->{r} {c}" for (k, r), c in confusions.most_common(12))
    )


if __name__ == "__main__":
    sys.exit(main())
