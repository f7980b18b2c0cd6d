"""Listings of records on real tool output: each record's naming lines stay.

``dpkg -s`` and ``apt-cache show`` print a stanza per package; ``openssl pkcs7 -print_certs
-text`` a ``Certificate:`` over each certificate of a bundle. Each test skips when the
machine lacks the tool or its data.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.config import control_stanzas
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import unmarked_omissions, violations

BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def _run(*argv: str, stdin: str | None = None) -> str:
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True).stdout


def _installed() -> list[str]:
    if shutil.which("dpkg-query") is None or shutil.which("dpkg") is None:
        pytest.skip("dpkg is not installed")
    names = _run("dpkg-query", "-W", "-f", "${Package}\n").split()
    if len(names) < 200:
        pytest.skip("too few packages installed")
    return names


def test_dpkg_s_of_many_packages_keeps_each_name_and_version():
    # Read as one control file's settings, 10 real listings of 10-60 packages kept nearly
    # every field (29-48 % saved); as records: 73-85 %, every name and version kept.
    names = _installed()
    for start in range(0, 200, 20):
        text = _run("dpkg", "-s", *names[start : start + 20])
        assert detect(text) == "lines"
        result = compress(text, model="gpt-4")
        kept = set(result.text.splitlines())
        named = [line for line in text.splitlines() if line.startswith(("Package: ", "Version: "))]
        assert len(named) >= 30
        assert [line for line in named if line not in kept] == []
        assert result.savings_percent > 60
        assert unmarked_omissions(text, result.text) == []
        assert violations(text, result.text) == []


def _bundle(first: int, count: int, *options: str) -> str:
    """``openssl pkcs7 -print_certs -text`` of ``count`` certificates of the system bundle."""
    if shutil.which("openssl") is None or not BUNDLE.exists():
        pytest.skip("no openssl or no system certificate bundle")
    pems = BUNDLE.read_text().split("-----END CERTIFICATE-----\n")[first : first + count]
    if len(pems) < count:
        pytest.skip("too few certificates in the system bundle")
    pem = "".join(p + "-----END CERTIFICATE-----\n" for p in pems)
    pkcs7 = _run("openssl", "crl2pkcs7", "-nocrl", "-certfile", "/dev/stdin", stdin=pem)
    return _run("openssl", "pkcs7", "-print_certs", "-text", *options, stdin=pkcs7)


@pytest.mark.parametrize(
    ("first", "count", "options"),
    [(0, 12, ()), (20, 20, ()), (40, 30, ("-noout",)), (80, 10, ("-noout",))],
)
def test_a_certificate_bundle_keeps_whom_each_names_and_when(first, count, options):
    # Every certificate opens with the same "Certificate:": folded line by line, 8 of 44
    # Subject/Issuer/validity lines of 10 certificates stayed; a bundle printed -noout read
    # as a control file of one-field stanzas was saved 1 %.
    text = _bundle(first, count, *options)
    result = compress(text, model="gpt-4")
    kept = set(result.text.splitlines())
    naming = [
        line for line in text.splitlines() if line.lstrip().startswith(("Subject: ", "Issuer: "))
    ]
    assert len(naming) == 2 * count
    assert [line for line in naming if line not in kept] == []
    assert result.savings_percent > 85
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []


def test_blocks_of_one_heading_each_are_no_control_file():
    one_field = "\n\n".join(f"Certificate:\n    Data:\n        Serial: {k}" for k in range(6))
    assert control_stanzas(one_field) is None
    stanzas = "\n\n".join(f"Package: p{k}\nVersion: {k}\nDepends: libc6" for k in range(3))
    assert control_stanzas(stanzas) is not None


def test_a_grouped_lint_report_is_no_control_file():
    """ruff's grouped report (``ruff check --select ALL --output-format grouped``, run here
    on four installed packages): two ``warning:`` lines, then a ``path.py:`` heading over
    each file's diagnostics. Its first stanza holds two fields, but its others are headings
    with nothing on their line: read as a control file, its long diagnostics and its
    ``Found 416 errors.`` went as long values."""
    text = (Path(__file__).parent / "data" / "ruff_grouped_select_all.txt").read_text()
    assert text.count(".py:\n") >= 10  # the headings this test is about
    assert control_stanzas(text) is None

    result = compress(text, model="gpt-4")

    assert not result.transforms[0].startswith("config")
    assert "Found 416 errors." in result.text.splitlines()
    assert violations(text, result.text) == []
    copyright_file = "\n\n".join(
        ["Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"]
        + [f"Files: src/{k}/*\nCopyright: 2026 Dev {k}\nLicense: MIT" for k in range(3)]
        + ["License: MIT\n Permission is hereby granted, free of charge, to any person."]
    )
    assert control_stanzas(copyright_file) is not None  # stanzas of fields stay one
