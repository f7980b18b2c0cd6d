"""A digest of compress()'s outputs on every case of corpora: a speed-up must not change them.

Usage: python benchmarks/output_digest.py [CORPUS ...] > before.txt   (default ../shared/corpus,
../shared/corpus/more and .bench/corpus), change the code, run it again and diff the two files.

Each case is compressed as corpus_bench.py does (no query; the task as query) and under a
budget of a fifth of its tokens; one line per case and run gives a hash of the output with its
token counts and transforms, so a diff names the cases whose output changed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from corpus_bench import COUNT, load_cases

from agent_baton.compress import compress

REPO = Path(__file__).resolve().parent.parent
DEFAULTS = [
    REPO.parent / "shared" / "corpus",
    REPO.parent / "shared" / "corpus" / "more",
    REPO / ".bench" / "corpus",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULTS)
    args = parser.parse_args()
    for corpus in args.corpora:
        for case in load_cases(corpus, None):
            original = COUNT(case.text)
            runs = {"free": (None, None), "task": (case.task, None)}
            runs["budget"] = (case.task, max(1, original // 5))
            for name, (query, max_tokens) in runs.items():
                result = compress(
                    case.text, counter=COUNT, key=case.id, query=query, max_tokens=max_tokens
                )
                digest = hashlib.sha256(result.text.encode()).hexdigest()[:16]
                print(
                    f"{corpus.name}/{case.id} {name} {digest} {result.original_tokens}"
                    f" {result.compressed_tokens} {','.join(result.transforms)}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
