"""Fixtures every distribution's tests share: throwaway redis-servers on loopback, and the
check that README.md quotes a demo's figures."""

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent_baton.demo import DemoResult


class RedisServer:
    """A throwaway redis-server on 127.0.0.1: no persistence, its own temp dir."""

    def __init__(self, workdir: Path, port: int | None = None, *extra: str) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.extra = extra
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        self._proc = subprocess.Popen(
            ["redis-server", *args, "--save", "", "--appendonly", "no", *self.extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Kill the server outright, as a crash would."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too."""
    while True:
        port = free_port()
        if port + 10000 <= 65535:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port


@pytest.fixture(scope="session")
def redis_server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., RedisServer]]:
    """Starts redis-servers that are stopped at the end of the session."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server binary on PATH: install redis-server to run Redis tests")
    servers: list[RedisServer] = []

    def start(*extra: str, port: int | None = None) -> RedisServer:
        server = RedisServer(tmp_path_factory.mktemp("redis"), port, *extra)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def redis_cluster(redis_server_factory: Callable[..., RedisServer]) -> str:
    """A real three-node Redis Cluster on loopback (no replicas); the URL of one node."""
    if shutil.which("redis-cli") is None:
        pytest.skip("no redis-cli binary on PATH: it is needed to create a Redis Cluster")
    nodes = [
        # A node also listens on its port + 10000 (the cluster bus): pick ports that allow it.
        redis_server_factory(
            "--cluster-enabled", "yes", "--cluster-node-timeout", "2000", port=cluster_port()
        )
        for _ in range(3)
    ]
    addresses = [f"127.0.0.1:{node.port}" for node in nodes]
    subprocess.run(
        ["redis-cli", "--cluster", "create", *addresses, "--cluster-yes"],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=60,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # every node must agree the cluster is up
        states = [
            subprocess.run(
                ["redis-cli", "-p", str(node.port), "cluster", "info"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
            for node in nodes
        ]
        if all("cluster_state:ok" in state for state in states):
            return nodes[0].url
        time.sleep(0.1)
    raise RuntimeError("the Redis Cluster did not come up")


@pytest.fixture(scope="session")
def redis_server(redis_server_factory: Callable[..., RedisServer]) -> RedisServer:
    """One redis-server for the session; each test uses its own namespaces in it."""
    return redis_server_factory()


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (for a store that cannot be reached)."""
    return free_port()


@pytest.fixture
def readme_quotes_demo() -> Callable[[DemoResult], None]:
    """Checks that README.md's demo block quotes a framework demo's result as printed now.

    README.md shows `nox -s demo` as "real output": each framework's line of the stats, and
    the handoff rows for the framework it shows whole (CrewAI), must be this code's.
    """
    import io
    import re

    from agent_baton.cli import _print_result, _print_summary

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()

    def check(result: DemoResult) -> None:
        printed = io.StringIO()
        _print_result(result, 0.0, printed, styled=False)
        _print_summary([result], printed)
        lines = printed.getvalue().splitlines()
        name = result.framework
        quoted = [line for line in lines if re.match(rf"  {name} +\d+ entries", line)]
        if name == "crewai":
            quoted += [line for line in lines if re.search(r" tokens +[\d.]+%$", line)]
        missing = [line for line in quoted if line not in readme]
        assert quoted and not missing, "README.md's demo output is stale; now:\n" + "\n".join(lines)

    return check
