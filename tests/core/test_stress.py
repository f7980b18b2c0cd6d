"""Concurrency stress: many threads doing everything at once, for a bounded time.

The suite runs it for a few seconds; ``nox -s soak`` sets AGENT_BATON_SOAK_SECONDS for a
longer run.
"""

import json
import os
import random
import threading
import time

from agent_baton import SharedContext

SECONDS = float(os.environ.get("AGENT_BATON_SOAK_SECONDS", "3"))
THREADS = 32


def payload(thread: int, key: int, version: int) -> str:
    rows = [{"t": thread, "k": key, "v": version, "i": i, "s": "ok"} for i in range(40 + key)]
    return json.dumps(rows, indent=1)


def test_mixed_operations_under_load(patient_backend_factory):
    ctx = SharedContext(ttl=None, max_entries=100_000, backend=patient_backend_factory())
    # Clears started and finished, so a reader knows whether one overlapped its write.
    clears = {"started": 0, "finished": 0}
    clear_lock = threading.Lock()
    errors: list[BaseException] = []
    done = [0] * THREADS
    # The window opens when every thread has started: on a loaded machine the last ones
    # started after a window opened at the first start (and made no progress in it).
    window: list[float] = []
    started_all = threading.Barrier(
        THREADS, action=lambda: window.append(time.monotonic() + SECONDS), timeout=120
    )

    def worker(t: int) -> None:
        rng = random.Random(t)
        versions: dict[int, int] = {}
        try:
            started_all.wait()
            while time.monotonic() < window[0]:
                op = rng.random()
                key = rng.randrange(20)
                name = f"t{t}-k{key}"
                if op < 0.45:
                    version = versions.get(key, 0) + 1
                    started, finished = clears["started"], clears["finished"]
                    ctx.put(name, payload(t, key, version), agent=f"agent{t}")
                    versions[key] = version
                    got = ctx.get(name, full=True)
                    # An acknowledged write is readable unless a clear overlapped it.
                    if started == finished == clears["started"]:
                        assert got == payload(t, key, version)
                    else:
                        assert got is None or got == payload(t, key, version)
                elif op < 0.75:
                    got = ctx.get(name, full=True)
                    if got is not None:  # never a torn or foreign value
                        assert json.loads(got)[0]["t"] == t
                        assert json.loads(got)[0]["k"] == key
                elif op < 0.85:
                    for hit in ctx.search(None, f"t {t} k {key}", k=3):
                        assert hit.text and hit.key.startswith("t")
                elif op < 0.95:
                    block = ctx.render(query="ok", max_tokens=300)
                    assert ctx.count_tokens(block) <= 300
                elif op < 0.97:
                    with clear_lock:
                        clears["started"] += 1
                        ctx.clear()
                        clears["finished"] += 1
                else:
                    stats = ctx.stats()
                    assert stats.total_compressed_tokens <= stats.total_original_tokens
                done[t] += 1
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
        assert not thread.is_alive(), "deadlock: a worker did not finish"
    assert not errors, errors[0]
    assert all(done), "every thread made progress"

    # At rest, the views agree with each other and with the entries.
    entries = ctx.entries()
    stats = ctx.stats()
    assert stats.entries == len(entries) == len(ctx.keys())
    assert stats.total_original_tokens == sum(e.original_tokens for e in entries)
    assert stats.total_compressed_tokens == sum(e.compressed_tokens for e in entries)
    for entry in entries:
        rows = json.loads(entry.original)
        assert entry.key == f"t{rows[0]['t']}-k{rows[0]['k']}"
