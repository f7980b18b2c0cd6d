"""Cases built from the machine's package databases and the standard library's data.

The data is real (dpkg's status file, the installed Python distributions, Unicode's character
database); only its shape is chosen: CSV, TSV, JSON API pages, JSON Lines, a CycloneDX SBOM,
Python reprs, a dict of thousands of records, a YAML mapping.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from corpus_files import Skip
from corpus_rules import Case, largest_records, mapping_needles, record_needles

DPKG_STATUS = Path("/var/lib/dpkg/status")


def dpkg_packages() -> list[dict[str, Any]]:
    """One record per installed Debian package, from dpkg's status file."""
    if not DPKG_STATUS.is_file():
        raise Skip("no dpkg status file")
    records = []
    for para in DPKG_STATUS.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        fields: dict[str, str] = {}
        last = ""
        for line in para.splitlines():
            if line.startswith((" ", "\t")):
                continue  # continuation lines: long descriptions, conffiles
            name, _, value = line.partition(":")
            fields[name] = value.strip()
            last = name
        del last
        if "Package" in fields:
            records.append(fields)
    records.sort(key=lambda r: (r["Package"], r.get("Architecture", "")))
    return records


def package_rows() -> list[dict[str, Any]]:
    return [
        {
            "package": r["Package"],
            "version": r.get("Version", ""),
            "architecture": r.get("Architecture", ""),
            "section": r.get("Section", ""),
            "priority": r.get("Priority", ""),
            "installed_size_kb": int(r.get("Installed-Size", "0") or 0),
            "maintainer": r.get("Maintainer", ""),
            "summary": r.get("Description", ""),
        }
        for r in dpkg_packages()
    ]


def python_dists() -> list[importlib.metadata.Distribution]:
    dists = {
        d.metadata["Name"]: d for d in importlib.metadata.distributions() if d.metadata["Name"]
    }
    return [dists[n] for n in sorted(dists, key=str.lower)]


def _case(
    fmt: str,
    kind: str,
    n: int,
    source: str,
    text: str,
    ext: str,
    rows: list[dict[str, Any]],
    noun: str,
) -> Case | None:
    case = Case(f"{fmt}__{n}", kind, fmt, source, text, ext)
    case.needles, case.task, case.task_needles = record_needles(rows, text, noun)
    return case.finish()


def _slices(
    rows: list[dict[str, Any]], sizes: tuple[int, ...]
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Windows of the records: different sizes at different offsets, always the same ones."""
    for i, size in enumerate(sizes):
        start = (i * 97) % max(1, len(rows) - size) if len(rows) > size else 0
        yield i, rows[start : start + size]


def _csv_text(rows: list[dict[str, Any]], delimiter: str = ",", header: bool = True) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def packages_csv() -> Iterator[Case]:
    rows = package_rows()
    for i, part in _slices(rows, (60, 200, 600, 2000)):
        done = _case(
            "csv", "table", i, "dpkg status as CSV", _csv_text(part), "csv", part, "package"
        )
        if done:
            yield done
    for i, part in _slices(rows, (150, 900)):
        text = _csv_text(part, header=False)
        body = [dict(zip([f"c{j}" for j in range(len(r))], r.values(), strict=True)) for r in part]
        done = _case(
            "csv-headerless",
            "table",
            i + 10,
            "dpkg status as headerless CSV",
            text,
            "csv",
            body,
            "package",
        )
        if done:
            yield done
    for i, part in _slices(rows, (120, 700)):
        done = _case(
            "tsv",
            "table",
            i + 10,
            "dpkg status as TSV",
            _csv_text(part, "\t"),
            "tsv",
            part,
            "package",
        )
        if done:
            yield done


def packages_json_api() -> Iterator[Case]:
    """Pages shaped like a REST API's list endpoint: nested objects, links, counts."""
    rows = package_rows()
    for i, part in _slices(rows, (40, 150, 500)):
        items = [
            {
                "id": 1000 + n,
                "name": r["package"],
                "version": r["version"],
                "arch": r["architecture"],
                "section": r["section"],
                "priority": r["priority"],
                "size": {"installed_kb": r["installed_size_kb"]},
                "maintainer": {"name": r["maintainer"].split(" <")[0]},
                "description": r["summary"],
                "links": {"self": f"/api/v1/packages/{r['package']}"},
            }
            for n, r in enumerate(part)
        ]
        page = {"total_count": len(rows), "page": i + 1, "per_page": len(items), "items": items}
        text = json.dumps(page, indent=2)
        done = _case(
            "json-api",
            "json",
            i,
            "dpkg status as a JSON API page",
            text,
            "json",
            largest_records(page),
            "package",
        )
        if done:
            yield done


def packages_jsonl() -> Iterator[Case]:
    rows = package_rows()
    for i, part in _slices(rows, (100, 800)):
        text = "\n".join(json.dumps(r) for r in part) + "\n"
        done = _case(
            "jsonl", "json", i, "dpkg status as JSON Lines", text, "jsonl", part, "package"
        )
        if done:
            yield done


def packages_repr() -> Iterator[Case]:
    """str() of a tool's return value, as AutoGen passes it on: a list or dict repr."""
    rows = package_rows()
    for i, part in _slices(rows, (80, 400)):
        done = _case(
            "python-repr", "json", i, "str() of a list of dicts", str(part), "txt", part, "package"
        )
        if done:
            yield done
    by_name = {r["package"]: {k: v for k, v in r.items() if k != "package"} for r in rows[:300]}
    records = [{"_key": k, **v} for k, v in by_name.items()]
    done = _case(
        "python-repr",
        "json",
        9,
        "str() of a dict of dicts",
        str(by_name),
        "txt",
        records,
        "package",
    )
    if done:
        yield done


def sboms() -> Iterator[Case]:
    """CycloneDX 1.5 JSON documents of the installed Python and Debian packages."""
    dists = python_dists()
    components = []
    dependencies = []
    names = {d.metadata["Name"].lower() for d in dists}
    for d in dists:
        name, version = d.metadata["Name"], d.version
        ref = f"pkg:pypi/{name.lower()}@{version}"
        urls = [u.split(",", 1)[-1].strip() for u in d.metadata.get_all("Project-URL") or []]
        home = d.metadata.get("Home-page") or (urls[0] if urls else "")
        component: dict[str, Any] = {
            "type": "library",
            "bom-ref": ref,
            "name": name,
            "version": version,
            "purl": ref,
        }
        license_ = d.metadata.get("License-Expression") or d.metadata.get("License") or ""
        if license_ and len(license_) < 60:
            component["licenses"] = [{"license": {"id": license_}}]
        if home:
            component["externalReferences"] = [{"type": "website", "url": home}]
        components.append(component)
        requires = []
        for req in d.requires or []:
            base = req.split(";")[0].split("[")[0]
            for sep in "<>=!~ (":
                base = base.split(sep)[0]
            if base.lower() in names and "extra ==" not in req:
                requires.append(base.lower())
        dependencies.append({"ref": ref, "dependsOn": sorted(set(requires))})
    yield from _sbom_case(0, "installed Python distributions", components, dependencies)
    try:
        rows = package_rows()
    except Skip:
        return
    deb = [
        {
            "type": "application" if r["section"] in ("admin", "utils") else "library",
            "bom-ref": f"pkg:deb/debian/{r['package']}@{r['version']}?arch={r['architecture']}",
            "name": r["package"],
            "version": r["version"],
            "supplier": {"name": r["maintainer"].split(" <")[0]},
            "properties": [
                {"name": "debian:section", "value": r["section"]},
                {"name": "debian:priority", "value": r["priority"]},
            ],
        }
        for r in rows
    ]
    for i, part in _slices(deb, (250, 800)):
        yield from _sbom_case(1 + i, "installed Debian packages", part, [])


def _sbom_case(
    n: int, what: str, components: list[dict[str, Any]], deps: list[dict[str, Any]]
) -> Iterator[Case]:
    doc: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:00000000-0000-4000-8000-00000000000{n}",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": what}},
        "components": components,
    }
    if deps:
        doc["dependencies"] = deps
    text = json.dumps(doc, indent=2)
    records = [
        {
            "bom-ref": c["bom-ref"],
            "type": c["type"],
            "license": c.get("licenses", [{"license": {"id": ""}}])[0]["license"]["id"],
            "url": c.get("externalReferences", [{"url": ""}])[0]["url"],
            "supplier": c.get("supplier", {}).get("name", ""),
            **{p["name"]: p["value"] for p in c.get("properties", [])},
        }
        for c in components
    ]
    case = Case(
        f"sbom-cyclonedx__{n}",
        "json",
        "sbom-cyclonedx",
        f"CycloneDX SBOM of the {what}",
        text,
        "json",
    )
    case.needles, case.task, case.task_needles = record_needles(records, text, "component")
    if deps:
        # The dependency graph's identifying column: the most connected component's ref.
        top = max(deps, key=lambda d: (len(d["dependsOn"]), d["ref"]))
        case.needles.insert(0, top["ref"])
    done = case.finish()
    if done:
        yield done


def unicode_records() -> Iterator[Case]:
    """A dict of thousands of records keyed by name, from the Unicode database."""
    for n, (lo, hi) in enumerate(
        ((0x0370, 0x0400), (0x0400, 0x0530), (0x2000, 0x2BFF), (0x1F300, 0x1FAFF))
    ):
        records: dict[str, dict[str, Any]] = {}
        for code in range(lo, hi):
            name = unicodedata.name(chr(code), "")
            if not name:
                continue
            records[name] = {
                "codepoint": f"U+{code:04X}",
                "category": unicodedata.category(chr(code)),
                "bidirectional": unicodedata.bidirectional(chr(code)),
                "east_asian_width": unicodedata.east_asian_width(chr(code)),
                "mirrored": bool(unicodedata.mirrored(chr(code))),
            }
        text = json.dumps(records, indent=1, ensure_ascii=False)
        rows = [{"_key": k, **v} for k, v in records.items()]
        done = _case(
            "json-dict-records",
            "json",
            n,
            f"unicodedata U+{lo:04X}..U+{hi:04X}",
            text,
            "json",
            rows,
            "character",
        )
        if done:
            yield done


def yaml_mapping() -> Iterator[Case]:
    """A single-document YAML mapping (the shape `helm get values` or a config dump has)."""
    try:
        import yaml
    except ImportError as exc:
        raise Skip("PyYAML is not installed") from exc
    rows = package_rows()
    for i, part in _slices(rows, (150, 600)):
        doc = {
            "packages": {r["package"]: {k: v for k, v in r.items() if k != "package"} for r in part}
        }
        text = yaml.safe_dump(doc, sort_keys=False, width=200)
        case = Case(
            f"yaml-mapping__{i}", "config", "yaml", "dpkg status as a YAML mapping", text, "yaml"
        )
        case.needles, case.task, case.task_needles = mapping_needles(doc, text)
        records = [{"_key": k, **v} for k, v in doc["packages"].items()]
        rare, _, _ = record_needles(records, text, "package")
        case.needles = rare + case.needles
        done = case.finish()
        if done:
            yield done


def packages_ini() -> Iterator[Case]:
    """An INI file with a section per package (the shape of pacman.conf or a .desktop file)."""
    rows = package_rows()
    for i, part in _slices(rows, (80, 300)):
        text = "".join(
            f"[{r['package']}]\n"
            + "".join(f"{k} = {v}\n" for k, v in r.items() if k != "package")
            + "\n"
            for r in part
        )
        done = _case(
            "ini", "config", i, "dpkg status as INI sections", text, "ini", part, "package"
        )
        if done:
            yield done


SOURCES: dict[str, Callable[[], Iterator[Case]]] = {
    "packages-csv": packages_csv,
    "packages-json-api": packages_json_api,
    "packages-jsonl": packages_jsonl,
    "packages-repr": packages_repr,
    "sbom": sboms,
    "unicode-records": unicode_records,
    "yaml-mapping": yaml_mapping,
    "packages-ini": packages_ini,
}
