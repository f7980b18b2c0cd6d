"""Routing benchmark: does compress() send real files to the compressor for their kind?

Usage: python benchmarks/routing_bench.py [--per-kind 200] [--with-hint] [--corpus DIR]

Collects files from this machine whose kind is known from their extension or origin (Python
modules, C and C++ headers, JavaScript, Java from the JDK's src.zip, shell scripts, JSON, YAML,
TOML, INI, CSV/TSV, markdown, HTML, XML, logs, plain-text docs, Debian's machine-readable
copyright files, the --help of installed commands), routes each WITHOUT the key that would
give away its extension, and reads the route detection chose (``kinds()``, mapped to a
family: ``yaml`` -> config). It also counts the rightly routed files whose compressor found
nothing to cut, so that the line-level fallback compressed them (read from the first
transform of ``compress()``). Prints accuracy per kind and overall, and the top confusions.
--with-hint also routes with the file name as key. Runner logs and CSV/TSV come from the
generated corpus (--corpus, built by build_corpus.py) when it is there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

from corpus_files import SITE, STDLIB, SYSTEM_ROOTS, walk
from corpus_rules import read_text, spread

from agent_baton import get_token_counter
from agent_baton.compress import compress
from agent_baton.compress.detect import kinds

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
    "segments": "segments",
    "binary": "binary",
    "chat": "chat",
    "html": "markup",
    "xml": "markup",
    "markup": "markup",
}
# The families each kind of file may rightly go to. Documents of sentences may go to prose
# or markdown whatever their extension: a .md file of paragraphs is prose, a .txt written
# with markdown's lists and headings is markdown. A document with big blocks of different
# sorts (paragraphs, then a listing of merges or a table) is rightly split into segments,
# each compressed by its kind. GNU's AUTHORS and THANKS files list people one per line,
# often after a paragraph: a listing (the line fold), segments or prose.
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
    "markdown": {"markdown", "prose", "segments"},
    "html": {"markup"},
    "xml": {"markup"},
    "logs": {"logs"},
    "text": {"prose", "markdown", "segments"},
    "credits": {"logs", "segments", "prose"},
    "deb822": {"config"},
    # A command's --help: usage lines, option listings and sentences, folded by line, read
    # as prose or split into both; never code (it names a language's keywords), data or
    # settings.
    "help": {"logs", "prose", "markdown", "segments", "table"},
}
# Commands whose --help the benchmark reads, each skipped when it is not installed.
_HELP_COMMANDS = (
    "apt-cache apt-get awk base64 bash cargo chmod cmake cp curl cut date dd df diff docker du"
    " env find gcc git gpg grep gzip head install java javac journalctl ln ls make mkdir mount"
    " mv node npm openssl patch perl pip pip3 ps python3 readelf redis-server rm rsync ruby"
    " rustc sed sort ssh stat systemctl tail tar tee touch tr uniq wc wget xargs zip"
)
LO, HI = 2_000, 300_000
_NOT_INI = ("<?xml", "%YAML", "# -*- Python -*-")
# DEP-5's Format line, by the URLs of its drafts and of its 1.0 version.
_DEP5 = re.compile(r"Format(?:-Specification)?: https?://\S*(?:copyright-format|dep5)")
COUNT = get_token_counter("gpt-4")
_SHOWN_MISROUTES = 40


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
        # .service and .cfg name several formats: a first line that declares another one
        # (Avahi's XML services, a %YAML file) says what the file is, and lit's lit*.cfg
        # files are Python by lit's design. Jetty's start.ini holds command-line arguments,
        # one a line ("--module=http"), under comments, by Jetty's design: no INI sections
        # or keys (configparser refuses it).
        "ini": [
            p
            for p in walk(
                [*usr, SITE], (".ini", ".desktop", ".service", ".cfg"), 1_000, HI, 100_000
            )
            if not _first_line(p).startswith(_NOT_INI)
            and not p.name.startswith("lit.")
            and not (p.name == "start.ini" and "jetty" in str(p))
        ],
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
    }
    docs = walk(
        [Path("/usr/share/doc"), Path("/usr/share/common-licenses")],
        ("copyright", "README", "NEWS", "AUTHORS", "THANKS", ".txt"),
        LO,
        HI,
        4000,
    )
    # A document that declares a machine-readable format on its first line is that format:
    # Debian's copyright-format 1.0 files are control-file stanzas (Files:, Copyright:,
    # License: fields with the license texts as indented continuation lines). CMakeLists.txt
    # is CMake's build language, not a text.
    found["deb822"] = [p for p in docs if _DEP5.match(_first_line(p))]
    found["credits"] = [p for p in docs if p.name in ("AUTHORS", "THANKS")]
    found["text"] = [
        p
        for p in docs
        if p.name not in ("CMakeLists.txt", "AUTHORS", "THANKS") and not _DEP5.match(_first_line(p))
    ]
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
    picked["help"] = _help(per_kind)
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


def _first_line(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return f.readline()
    except OSError:
        return ""


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
                    # The range goes before the extension: the name stays a key with a hint.
                    path = Path(name)
                    ranged = f"{path.stem}[{start}:{start + size}]{path.suffix}"
                    out.append((str(path.with_name(ranged)), window))
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


def _help(per_kind: int) -> list[tuple[str, str]]:
    """``COMMAND --help`` of the commands installed here, in the C locale, 80 columns wide."""
    env = {**os.environ, "LC_ALL": "C", "COLUMNS": "80", "NO_COLOR": "1"}
    out = []
    for command in _HELP_COMMANDS.split():
        path = shutil.which(command)
        if path is None:
            continue
        try:
            done = subprocess.run(
                [path, "--help"],
                capture_output=True,
                text=True,
                errors="replace",
                env=env,
                stdin=subprocess.DEVNULL,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        text = done.stdout if len(done.stdout) >= len(done.stderr) else done.stderr
        if len(text) >= LO // 2:
            out.append((f"{command} --help", text))
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
        out.append((f"corpus:{meta['id']}/{content.name}", content.read_text(encoding="utf-8")))
    return out


def route(text: str, key: str | None) -> tuple[str, str]:
    """The family detection routes ``text`` to, and the family of the compressor that took it.

    They differ when the routed compressor found nothing to cut (a .desktop file of settings
    only, a header of #define lines) and the line-level fallback folded the text instead.
    """
    try:
        routed = ROUTES.get(kinds(text, key)[0], "?")
        result = compress(text, counter=COUNT, key=key)
    except Exception as exc:
        failed = f"raised:{type(exc).__name__}"
        return failed, failed
    if not result.transforms:
        return routed, "passthrough"
    name = result.transforms[0].split(":", 1)[0]
    return routed, ROUTES.get(name, name)


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
    print(f"{'kind':<12} {'files':>6} {'right':>6} {'accuracy':>9} {'declined':>9}  top routes")
    confusions: Counter[tuple[str, str]] = Counter()
    misroutes: list[str] = []
    right_total = n_total = declined_total = 0
    worst = 1.0
    for kind in sorted(files):
        routes: Counter[str] = Counter()
        declined = 0
        for name, text in files[kind]:
            key = Path(name).name if hinted else None
            routed, compressed = route(text, key)
            routes[routed] += 1
            declined += routed in EXPECTED[kind] and compressed != routed
            if routed not in EXPECTED[kind]:
                misroutes.append(f"  {kind:<12} -> {routed:<10} {name}")
        right = sum(n for r, n in routes.items() if r in EXPECTED[kind])
        n = sum(routes.values())
        right_total, n_total = right_total + right, n_total + n
        declined_total += declined
        worst = min(worst, right / n)
        for r, c in routes.items():
            if r not in EXPECTED[kind]:
                confusions[(kind, r)] += c
        tops = ", ".join(f"{r} {c}" for r, c in routes.most_common(4))
        print(f"{kind:<12} {n:>6} {right:>6} {100 * right / n:>8.1f}% {declined:>9}  {tops}")
    print(
        f"\nROUTING ({title}): {right_total}/{n_total} = {100 * right_total / n_total:.1f}%"
        f" overall, worst kind {100 * worst:.1f}% (targets: >= 99% overall, >= 97% per kind)"
    )
    print(
        f"declined: {declined_total} rightly routed files whose compressor found nothing to cut"
        " and that the line-level fallback folded instead"
    )
    print(
        "top confusions (kind -> route): "
        + ", ".join(f"{k}->{r} {c}" for (k, r), c in confusions.most_common(12))
    )
    print(f"misrouted files ({len(misroutes)}):", *misroutes[:_SHOWN_MISROUTES], sep="\n")


if __name__ == "__main__":
    sys.exit(main())
