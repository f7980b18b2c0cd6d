"""Two agents in two OS processes hand work over through one SharedContext in Redis.

A researcher process stores a large API result and a CI log; a writer process, which shares
no memory with it, reads the compressed forms, zooms into one fact and prints tokens saved.

Uses the Redis at $REDIS_URL (default redis://localhost:6379/0); when none answers there, it
starts a throwaway redis-server (which must be installed) and stops it at the end.

Run: python examples/multiprocess_handoff.py     (needs: pip install "./core[redis]")
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from agent_baton import BackendUnavailableError, SharedContext

DEFAULT_URL = "redis://localhost:6379/0"


def orders_api_result() -> str:
    """400 orders, one of them failed."""
    orders = [
        {"order_id": 4000 + i, "status": "failed" if i == 123 else "delivered", "eur": i % 97}
        for i in range(400)
    ]
    return json.dumps({"total": len(orders), "orders": orders}, indent=2)


def ci_log() -> str:
    """Routine build lines around one failing test."""
    lines = [f"10:{i // 60:02d}:{i % 60:02d} INFO compiled module_{i}.py" for i in range(500)]
    lines[300:300] = ["10:05:00 ERROR test_refund FAILED", "AssertionError: 12.5 != 12.05"]
    return "\n".join(lines)


def researcher(url: str, namespace: str) -> None:
    ctx = SharedContext.from_url(url, namespace=namespace)
    for key, content in (("orders", orders_api_result()), ("ci_log", ci_log())):
        entry = ctx.put(key, content, agent="researcher")
        print(
            f"[researcher pid {os.getpid()}] put {key:<7} {entry.original_tokens:>6,} tokens "
            f"-> {entry.compressed_tokens:>5,} compressed ({entry.savings_percent}% saved)"
        )


def writer(url: str, namespace: str) -> None:
    ctx = SharedContext.from_url(url, namespace=namespace)
    print(f"[writer pid {os.getpid()}] sees keys {ctx.keys()}")
    block = ctx.render(query="failed order and failing test", max_tokens=1500)
    full = sum(e.original_tokens for e in ctx.entries())
    sent = ctx.count_tokens(block)
    print(f"[writer pid {os.getpid()}] prompt: {sent:,} tokens instead of {full:,}")
    hit = ctx.search("orders", "order 4123 failed", k=1)[0]
    print(f"[writer pid {os.getpid()}] zoom in -> {hit.location}: {' '.join(hit.text.split())}")
    stats = ctx.stats()
    print(f"[writer pid {os.getpid()}] tokens saved: {stats.total_tokens_saved:,}")
    ctx.clear()  # the demo leaves nothing behind in a real Redis


def reachable(url: str) -> bool:
    try:
        SharedContext.from_url(url, namespace="probe", timeout=0.5).keys()
    except BackendUnavailableError:
        return False
    return True


def start_redis() -> tuple[str, subprocess.Popen[bytes]]:
    """A throwaway redis-server on a free loopback port, with no persistence."""
    if shutil.which("redis-server") is None:
        sys.exit("no Redis at $REDIS_URL and no redis-server binary to start one")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["--port", str(port), "--bind", "127.0.0.1", "--dir", tempfile.gettempdir()]
    proc = subprocess.Popen(
        ["redis-server", *args, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        if reachable(url):
            return url, proc
        time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def main() -> None:
    url = os.environ.get("REDIS_URL", DEFAULT_URL)
    server = None
    if not reachable(url):
        url, server = start_redis()
        print(f"started a throwaway redis-server at {url}")
    namespace = f"demo-{uuid.uuid4().hex[:8]}"  # a fresh flow, isolated from any other
    spawn = multiprocessing.get_context("spawn")
    try:
        for role in (researcher, writer):  # one after the other: the handoff
            proc = spawn.Process(target=role, args=(url, namespace))
            proc.start()
            proc.join()
            if proc.exitcode != 0:
                sys.exit(f"{role.__name__} failed")
    finally:
        if server is not None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
