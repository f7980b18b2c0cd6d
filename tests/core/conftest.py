import functools
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_baton import Backend, MemoryBackend, RedisBackend, SharedContext


class FakeClock:
    """A clock the test moves by hand, so TTL tests never sleep."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def redis_backend_factory(redis_server: Any) -> Iterator[Callable[..., RedisBackend]]:
    """Makes RedisBackends on the session server, each in a fresh namespace by default."""
    made: list[RedisBackend] = []

    def make(namespace: str | None = None, timeout: float = 2.0) -> RedisBackend:
        namespace = namespace or f"test-{uuid.uuid4().hex}"
        backend = RedisBackend(redis_server.url, namespace=namespace, timeout=timeout)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.clear()
        backend.close()


@pytest.fixture(params=["memory", "redis"])
def backend_factory(request: pytest.FixtureRequest) -> Callable[[], Backend]:
    """Makes fresh, empty backends of each kind, so one test checks both behave the same."""
    if request.param == "memory":
        return MemoryBackend
    # Looked up only here, so memory runs need no redis-server.
    return request.getfixturevalue("redis_backend_factory")


@pytest.fixture
def patient_backend_factory(backend_factory: Callable[..., Backend]) -> Callable[[], Backend]:
    """:func:`backend_factory`, its Redis backends with a 60 s timeout: for many threads on a
    loaded machine, where an answer may come after the default 2 s. Tests of timeouts and
    refused puts set their own."""
    if backend_factory is MemoryBackend:
        return backend_factory
    return functools.partial(backend_factory, timeout=60.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(clock: FakeClock, backend_factory: Callable[[], Backend]) -> SharedContext:
    return SharedContext(ttl=60, max_entries=3, clock=clock, backend=backend_factory())


@pytest.fixture
def install_extra() -> Callable[[str], str]:
    """The command that installs the core's extra ``name`` wherever the core came from.

    Its requirements as core/pyproject.toml lists them: agent-baton is on no index, so
    ``pip install 'agent-baton[name]'`` would find nothing (or someone else's package).
    """
    pyproject = Path(__file__).resolve().parents[2] / "core" / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    return lambda name: "pip install " + " ".join(f"'{req}'" for req in extras[name])
