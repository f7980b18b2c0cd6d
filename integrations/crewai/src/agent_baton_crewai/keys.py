"""Stable shared-context keys for CrewAI tasks: the task's name, else a slug of its description."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_SLUG_LENGTH = 48
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Lowercase words of ``text`` joined by ``-``, cut at a word boundary to ``max_length``.

    ``"Research the {topic} market!"`` -> ``"research-the-topic-market"``; accents are dropped
    (``"Ünïcode"`` -> ``"unicode"``). Text without a letter or digit gives ``"task"``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "task"


def task_key(name: str | None, description: str) -> str:
    """The key of a task: its ``name`` when set (stripped), else a slug of ``description``."""
    if name and name.strip():
        return name.strip()
    return slugify(description)


def unique_keys(bases: Iterable[str]) -> list[str]:
    """``bases`` with repeats made distinct: ``a, a, a`` -> ``a, a-2, a-3``."""
    seen: set[str] = set()
    keys: list[str] = []
    for base in bases:
        key, n = base, 1
        while key in seen:
            n += 1
            key = f"{base}-{n}"
        seen.add(key)
        keys.append(key)
    return keys
