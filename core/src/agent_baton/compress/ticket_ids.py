"""A report's references: its opening line and the lines naming tickets, issues and CVEs.

An incident report opens with what it is about ("INC-4821: checkout latency after the
12.1 deploy"), a changelog entry closes bugs ("Closes: #1125678"), a security note names
CVE-2026-0861: the ids are what the next agent looks up, and a budget that keeps the first
lines of a report only loses all but the first. Under a budget the opening line and the
first line naming each id come before the other lines that carry facts
(:func:`~agent_baton.compress.budget.fit_lines`).
"""

from __future__ import annotations

import re

# A tracker's key and number (INC-4821, JIRA-123, CVE-2026-0861, gh-1234), or a bug's
# number after "#" (Debian's "Closes: #1125678", GitHub's "#1234").
_ID = re.compile(
    r"(?<![\w-])(?:[A-Z][A-Z0-9]{1,14}-\d{2,9}(?:-\d{1,9})?|(?:gh|bpo)-\d{2,9}|#\d{3,9})(?![\w-])"
)
# Names with a number that name no ticket: encodings, hashes, ciphers, architectures.
_NOT_IDS = frozenset({"UTF", "ISO", "SHA", "AES", "RSA", "CP", "KOI8", "X86", "ARM", "MD5"})
_MAX_IDS = 200  # distinct ids ranked, at most (a changelog of years names thousands)


def reference_lines(texts: list[str]) -> list[int]:
    """The opening line (if it names an id) and the first line naming each distinct id."""
    found: list[int] = []
    seen: set[str] = set()
    opening = next((i for i, text in enumerate(texts) if text.strip()), None)
    for i, text in enumerate(texts):
        if len(seen) >= _MAX_IDS:
            break
        new = {
            name
            for name in _ID.findall(text)
            if name not in seen and name.split("-")[0] not in _NOT_IDS
        }
        if new:
            seen.update(new)
            found.append(i)
    if opening is not None and found[:1] and opening not in found:
        found.insert(0, opening)  # what the report is about, its ids said further on
    return found
