"""What the shared context stores for each key, and its totals."""

from __future__ import annotations

from dataclasses import dataclass, field


class EntryTooLargeError(ValueError):
    """An entry larger than the context's ``max_bytes``: refused, nothing stored."""


def text_bytes(text: str) -> int:
    """UTF-8 size of ``text``, lone surrogates included."""
    return len(text.encode("utf-8", "surrogatepass"))


def savings_percent(original_tokens: int, compressed_tokens: int) -> float:
    """Percentage of tokens saved, rounded to 0.1 (0.0 for empty content)."""
    if original_tokens <= 0:
        return 0.0
    return round(100.0 * (original_tokens - compressed_tokens) / original_tokens, 1)


@dataclass(frozen=True, slots=True)
class ContextEntry:
    """One agent output: the original, its compressed form and their token counts.

    Attributes:
        key: The key it is stored under.
        agent: The agent that put it, or ``None``.
        original: The content as put, as text (dict and list content as JSON).
        compressed: What the next agent sees: the compressed form, with markers where
            something was left out.
        original_tokens: Tokens of ``original``, counted with the context's counter.
        compressed_tokens: Tokens of ``compressed``.
        transforms: What compression did, e.g. ``["json:table+sample"]``;
            ``fallback:<reason>`` when compression failed and the original was kept.
        timestamp: When it was put, by the context's clock (seconds since the epoch).
        size_bytes: UTF-8 bytes of original and compressed together: what it costs to keep.
    """

    key: str
    agent: str | None
    original: str
    compressed: str
    original_tokens: int
    compressed_tokens: int
    transforms: list[str] = field(default_factory=list)
    timestamp: float = 0.0
    # UTF-8 bytes of original and compressed together: what the entry costs to keep.
    size_bytes: int = 0

    @property
    def savings_percent(self) -> float:
        """Share of the original's tokens the compressed form saves, in percent."""
        return savings_percent(self.original_tokens, self.compressed_tokens)

    @property
    def tokens_saved(self) -> int:
        """Tokens the compressed form saves compared with the original."""
        return self.original_tokens - self.compressed_tokens


@dataclass(frozen=True, slots=True)
class SharedContextStats:
    """Totals over the live entries of a shared context.

    Attributes:
        entries: How many entries are live.
        total_original_tokens: Tokens of their originals.
        total_compressed_tokens: Tokens of their compressed forms.
    """

    entries: int
    total_original_tokens: int
    total_compressed_tokens: int

    @property
    def total_tokens_saved(self) -> int:
        """Tokens saved over all live entries."""
        return self.total_original_tokens - self.total_compressed_tokens

    @property
    def savings_percent(self) -> float:
        """Tokens saved over all live entries, in percent of their originals."""
        return savings_percent(self.total_original_tokens, self.total_compressed_tokens)
