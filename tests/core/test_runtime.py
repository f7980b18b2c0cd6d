"""The runtime around the entries: worker threads, per-context caches, the async twins."""

import asyncio
import subprocess
import sys
import textwrap
import threading
import time

from agent_baton import SharedContext
from agent_baton.search import SearchIndex

LOG = "\n".join(
    f"2026-11-23 10:00:{i % 60:02d} INFO worker-{i % 4} served /items/{i}" for i in range(2000)
)


def test_exit_never_waits_for_background_work():
    # Each index build takes 30 s here; exit must not wait for the one running or queued.
    script = textwrap.dedent(
        """
        import time
        from agent_baton import SharedContext, search
        built = search.SearchIndex.of_text
        search.SearchIndex.of_text = classmethod(lambda cls, text: time.sleep(30) or built(text))
        ctx = SharedContext()
        for i in range(3):
            ctx.put(f"k{i}", "some text " * 100)
        print("done", flush=True)
        """
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    assert time.monotonic() - started < 25
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("agent-baton"))


def test_one_contexts_index_work_never_delays_anothers_reads(monkeypatch):
    release = threading.Event()
    built = SearchIndex.of_text.__func__

    finished = []

    def of_text(cls, text):
        if not text.startswith("slow"):
            return built(cls, text)
        release.wait(30)  # a build that takes as long as this test lets it
        finished.append(text[:6])
        return built(cls, text)

    monkeypatch.setattr(SearchIndex, "of_text", classmethod(of_text))
    busy, quiet = SharedContext(), SharedContext()
    for i in range(3):
        busy.put(f"b{i}", f"slow {i} {LOG}")
    quiet.put("q", LOG)  # its index is queued behind busy's
    try:
        hits = quiet.search("q", "worker-3 served", k=1)  # does not wait for busy's builds
        assert hits and hits[0].key == "q"
        assert finished == []  # busy's builds are still waiting
    finally:
        release.set()
    assert busy.search("b2", "worker-3", k=1)[0].key == "b2"


def test_deleting_an_entry_forgets_what_was_derived_from_it():
    ctx = SharedContext()
    ctx.put("k", LOG)
    ctx.put("other", LOG.replace("worker", "job"))
    ctx.get("k", query="worker-3", max_tokens=100)
    ctx.search(None, "worker-3", k=2)
    assert "k" in ctx._derived.entries()
    assert ctx.delete("k")
    assert ctx._derived.entries() == ["other"]
    ctx.clear()
    assert ctx._derived.entries() == [] and ctx._derived.nbytes == 0


def test_derived_data_stays_within_its_share_of_max_bytes():
    ctx = SharedContext(max_bytes=4_000_000, ttl=None)
    for i in range(30):
        ctx.put(f"k{i}", f"{i} {LOG}")  # ~100 KB each, an index of ~0.6 MB each
        ctx.get(f"k{i}", query="worker-2", max_tokens=200)
    assert ctx.search(None, "worker-1 served", k=3)
    assert 0 < ctx._derived.nbytes <= 4_000_000 // 4
    assert sum(e.size_bytes for e in ctx.entries()) <= 4_000_000


def test_async_twins_share_one_worker_thread():
    ctx = SharedContext(ttl=None)
    threads: set[str] = set()
    real_put = ctx.put

    def put(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real_put(*args, **kwargs)

    ctx.put = put

    async def main():
        await asyncio.gather(*(ctx.aput(f"k{i}", f"{i} {LOG[:2000]}") for i in range(20)))
        return await ctx.aget("k3", full=True)

    assert asyncio.run(main()).startswith("3 ")
    assert len(threads) == 1 and threads.pop().startswith("agent-baton-async")


def test_async_twins_compress_in_a_child_process_with_the_same_result():
    from agent_baton import offload

    ctx, twin = SharedContext(ttl=None), SharedContext(ttl=None)

    async def main():
        entry = await ctx.aput("log", LOG)
        focused = await ctx.aget("log", query="worker-3 served", max_tokens=120)
        return entry, focused

    entry, focused = asyncio.run(main())
    assert offload._child is not None and offload._child.usable()
    expected = twin.put("log", LOG)
    assert (entry.compressed, entry.transforms) == (expected.compressed, expected.transforms)
    assert focused == twin.get("log", query="worker-3 served", max_tokens=120)
    # The search index came back from the child with the compression, built.
    held = ctx._derived.get("log", "index")
    assert held is not None and held[1].done()
    assert ctx.search("log", "worker-3 served", k=3) == twin.search("log", "worker-3 served", k=3)
    offload._child._proc.kill()  # a dead child is replaced
    offload._child._proc.wait()
    assert asyncio.run(ctx.aput("log", LOG)).compressed == expected.compressed


def test_async_twins_with_a_custom_counter_compress_in_process():
    from agent_baton import offload

    ctx = SharedContext(token_counter=lambda text: len(text) // 4)
    before = offload._child
    entry = asyncio.run(ctx.aput("log", LOG))
    assert entry.original_tokens == len(LOG) // 4 and entry.compressed != LOG
    assert offload._child is before  # nothing sent to the child: the lambda would not pickle


def test_what_was_derived_from_an_evicted_entry_goes_with_it(backend_factory, clock):
    ctx = SharedContext(ttl=60, max_entries=2, clock=clock, backend=backend_factory())
    for key in ("a", "b"):
        ctx.put(key, f"{key} {LOG[:3000]}")
        ctx.search(key, "worker-1", k=1)
        ctx.get(key, query="worker-2", max_tokens=50)
    ctx.put("c", "c")  # evicts "a", the oldest
    assert sorted(ctx._derived.entries()) == ["b", "c"]
    clock.advance(61)
    ctx.put("d", "d")  # "b" and "c" expired: dropped on the way
    assert ctx._derived.entries() == ["d"]


def test_an_entry_dropped_before_its_index_is_built_lets_its_text_go(monkeypatch):
    release = threading.Event()
    built = SearchIndex.of_text.__func__

    def of_text(cls, text):
        release.wait(30)
        return built(cls, text)

    monkeypatch.setattr(SearchIndex, "of_text", classmethod(of_text))
    ctx = SharedContext(max_entries=2, ttl=None)
    try:
        ctx.put("first", "f " + LOG)  # its build starts and waits
        time.sleep(0.2)
        ctx.put("k0", "0 " + LOG)
        early = ctx._derived.get("k0", "index")
        assert early[3] and not early[1].done()  # queued, holding its text
        for i in range(1, 5):
            ctx.put(f"k{i}", f"{i} {LOG}")  # evicts k0, then others
        assert early[1].cancelled() and early[3] == []  # its build cancelled, its text let go
        late = ctx._derived.get("k4", "index")
        assert late[3] and not late[1].done()  # live and queued: kept
    finally:
        release.set()
    assert ctx.search("k4", "worker-1", k=1)[0].key == "k4"


def test_a_cancelled_job_is_let_go_by_the_idle_worker():
    # A put counting on another thread cancels its job when both counting threads are busy;
    # the thread that later takes the cancelled job from its queue must not keep it (and the
    # text it closes over) while it waits for the next one.
    import gc
    import weakref

    from agent_baton.background import DaemonExecutor

    class Text:
        pass

    executor = DaemonExecutor("cancel-test", threads=1)
    gate = threading.Event()
    executor.submit(gate.wait)
    text = Text()
    job = executor.submit(lambda held=text: held)
    assert job.cancel()
    held = weakref.ref(text)
    del text, job
    gate.set()
    deadline = time.monotonic() + 5
    while held() is not None and time.monotonic() < deadline:
        time.sleep(0.01)
        gc.collect()
    assert held() is None


def test_a_context_dropped_by_its_user_is_freed_while_its_index_is_built():
    # Whatever the index thread is doing with a put's index (queued, building, running its
    # done-callback), it never holds the context: the user's last reference frees it then and
    # there (the AutoGen registry frees a dumped context's name when its context is freed).
    import gc
    import weakref

    gate = threading.Event()
    from agent_baton.background import worker

    worker("index").submit(gate.wait)  # the index thread is busy: the put's build is queued
    gc.disable()  # freed by reference counting alone, not by a collection that may not run
    try:
        ctx = SharedContext()
        ctx.put("log", LOG)
        held = weakref.ref(ctx)
        del ctx
        queued = held() is None
        gate.set()
        assert queued
        ctx = SharedContext()
        ctx.put("log", LOG)
        assert ctx.search(None, "worker-3")  # built, its done-callback run or running
        held = weakref.ref(ctx)
        del ctx
        assert held() is None
    finally:
        gate.set()
        gc.enable()
