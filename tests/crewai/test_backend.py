"""A dead backend is refused at attach; a Redis that stops answering costs a run one timeout."""

from __future__ import annotations

import logging
import re
import socket
import threading
import uuid

import pytest
from crewai import Crew, Task

from agent_baton import BackendUnavailableError, SharedContext
from agent_baton_crewai import CrewBaton

_COMMAND = re.compile(rb"\*\d+\r\n\$")


class HangingProxy:
    """A TCP proxy in front of Redis that, once ``hang()`` is called, swallows every request.

    It counts the commands it swallowed (the connection handshake's included): what a hung
    Redis was asked while the client waited out its timeouts.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.hung = threading.Event()
        self.swallowed = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def hang(self) -> None:
        self.hung.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, requests: bool) -> None:
        try:
            while data := source.recv(65536):
                if self.hung.is_set():
                    if requests:  # each command is a RESP array: *<count>\r\n$<length>
                        self.swallowed += len(_COMMAND.findall(data))
                    continue
                target.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self._server.close()


def _crew(make_agent, final, big):
    researcher, _ = make_agent("Researcher", [final(big)])
    writer, writer_llm = make_agent("Writer", [final("Done.")])
    tasks = [
        Task(name="research", description="Collect", expected_output="JSON", agent=researcher),
        Task(name="write", description="Write", expected_output="text", agent=writer),
    ]
    return Crew(agents=[researcher, writer], tasks=tasks), writer_llm


def test_a_dead_backend_is_refused_at_attach(make_agent, final, big):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed below: nothing listens there
    ctx = SharedContext.from_url(f"redis://127.0.0.1:{port}/0", namespace="dead", timeout=0.5)
    crew, _ = _crew(make_agent, final, big)
    with pytest.raises(BackendUnavailableError):
        CrewBaton(ctx).attach(crew)
    assert crew.task_callback is None and crew.before_kickoff_callbacks == []  # untouched


def test_a_hung_redis_is_refused_at_attach_within_its_timeout(redis_server, make_agent, final, big):
    proxy = HangingProxy(int(redis_server.url.rsplit(":", 1)[1].split("/")[0]))
    ctx = SharedContext.from_url(
        f"redis://127.0.0.1:{proxy.port}/0", namespace=f"t-{uuid.uuid4().hex}", timeout=0.3
    )
    proxy.hang()
    crew, _ = _crew(make_agent, final, big)
    with pytest.raises(BackendUnavailableError):
        CrewBaton(ctx).attach(crew)
    proxy.close()


def test_a_redis_that_hangs_mid_run_costs_the_run_one_timeout(
    redis_server, make_agent, final, big, caplog
):
    proxy = HangingProxy(int(redis_server.url.rsplit(":", 1)[1].split("/")[0]))
    ctx = SharedContext.from_url(
        f"redis://127.0.0.1:{proxy.port}/0", namespace=f"t-{uuid.uuid4().hex}", timeout=0.3
    )
    crew, writer_llm = _crew(make_agent, final, big)
    baton = CrewBaton(ctx, max_tokens=1000)
    baton.attach(crew)  # Redis answers here
    proxy.hang()

    with caplog.at_level(logging.WARNING, logger="agent_baton_crewai"):
        result = crew.kickoff()

    assert result.tasks_output[0].raw == big and result.raw == "Done."
    assert big in writer_llm.prompt()  # CrewAI's own context: the run went on without Redis
    # One request waited out the timeout; the rest of the run left the backend alone.
    assert proxy.swallowed == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unavailable" in warnings[0]
    proxy.close()


def test_after_a_failure_the_runs_tools_do_not_wait_for_the_backend(
    redis_server, make_agent, final, big
):
    proxy = HangingProxy(int(redis_server.url.rsplit(":", 1)[1].split("/")[0]))
    ctx = SharedContext.from_url(
        f"redis://127.0.0.1:{proxy.port}/0", namespace=f"t-{uuid.uuid4().hex}", timeout=0.3
    )
    baton = CrewBaton(ctx)
    researcher, _ = make_agent("Researcher", [final(big)])
    replies = [
        'Thought: look\nAction: read_shared_context\nAction Input: {"key": "research"}',
        'Thought: look\nAction: search_shared_context\nAction Input: {"query": "web-5"}',
        final("Done."),
    ]
    writer, writer_llm = make_agent("Writer", replies, tools=baton.tools())
    tasks = [
        Task(name="research", description="Collect", expected_output="JSON", agent=researcher),
        Task(name="write", description="Write", expected_output="text", agent=writer),
    ]
    crew = baton.attach(Crew(agents=[researcher, writer], tasks=tasks))
    proxy.hang()

    assert crew.kickoff().raw == "Done."

    assert proxy.swallowed == 1  # the research's store; not the handoff, not the two tools
    # Both tools answered at once that the context is unavailable.
    assert writer_llm.prompt(2).count("The shared context is unavailable") == 2
    proxy.close()
