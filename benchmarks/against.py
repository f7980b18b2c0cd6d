"""Run a benchmark on this tree and on another commit, alternately, in one session.

Usage: python benchmarks/against.py REV [perf_bench.py|corpus_bench.py] [-- ARGS...]

The other commit is checked out in a temporary git worktree; the benchmark script is this
tree's, so both runs measure the same way and only the library differs. Runs alternate
(REV, this tree, REV, this tree) so a noisy moment hurts both sides alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 2


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    rev, rest = args[0], args[1:]
    script = "perf_bench.py"
    if rest and rest[0].endswith(".py"):
        script, rest = rest[0], rest[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    with tempfile.TemporaryDirectory(prefix="agent-baton-against-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
            check=True,
            capture_output=True,
        )
        try:
            for round_ in range(1, ROUNDS + 1):
                for label, src in ((rev, tree), ("this tree", ROOT)):
                    print(f"\n######## {label} (round {round_} of {ROUNDS})\n", flush=True)
                    env = {**os.environ, "PYTHONPATH": str(src / "core" / "src")}
                    where = "import agent_baton; print('library:', agent_baton.__file__)"
                    subprocess.run([sys.executable, "-c", where], check=True, env=env)
                    subprocess.run(
                        [sys.executable, str(ROOT / "benchmarks" / script), *rest],
                        check=True,
                        env=env,
                        cwd=ROOT,
                    )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
