"""Sessions: one test session per distribution, each in its own virtualenv.

nox -s tests        every distribution's tests (tests-core, tests-langchain, ...)
nox -s lint         ruff on the whole repository, mypy on the typed packages
nox -s demo         the multi-agent handoff demo in every framework
nox -s bench        the generated corpus, ../shared/corpus, routing and speed benchmarks
nox -s compare      the benchmark side by side with headroom-ai
nox -s bench-crewai what a CrewAI writer receives, with and without agent-baton
nox -s soak         the concurrency stress test for a minute (or -- SECONDS)
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]
# CrewAI otherwise waits on telemetry and version checks it cannot reach offline.
CREWAI_OFFLINE = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "OTEL_SDK_DISABLED": "true",
}

CORE = ["-e", "./core[test,redis,code]"]
# Versions that resolve together on Python 3.11 (see docs and the frameworks' notes).
FRAMEWORKS = {
    "langchain": ["-e", "./integrations/langchain[test]"],
    "crewai": ["-e", "./integrations/crewai[test]"],
    "autogen": ["-e", "./integrations/autogen[test]"],
}


@nox.session(name="tests-core")
def tests_core(session: nox.Session) -> None:
    """The core's tests, with no agent framework installed."""
    session.install(*CORE)
    session.run("pytest", "tests/core", *session.posargs)


def _framework_session(framework: str) -> None:
    @nox.session(name=f"tests-{framework}")
    def run(session: nox.Session) -> None:
        session.install(*CORE, *FRAMEWORKS[framework])
        session.run("pytest", f"tests/{framework}", *session.posargs)

    run.__doc__ = f"The {framework} integration's tests, with only {framework} installed."


for _framework in FRAMEWORKS:
    _framework_session(_framework)


@nox.session
def tests(session: nox.Session) -> None:
    """Every distribution's tests, each in its own virtualenv."""
    session.notify("tests-core")
    for framework in FRAMEWORKS:
        session.notify(f"tests-{framework}")


@nox.session
def soak(session: nox.Session) -> None:
    """The concurrency stress test for longer: nox -s soak -- 300 runs it for 300 s."""
    session.install(*CORE)
    seconds = session.posargs[0] if session.posargs else "60"
    session.run(
        "pytest", "tests/core/test_stress.py", "-q", env={"AGENT_BATON_SOAK_SECONDS": seconds}
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format check) everywhere, mypy --strict on the core."""
    session.install("ruff", "mypy", *CORE)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


DEMO = [
    "-e",
    "./core",
    "-e",
    "./integrations/langchain[agent]",
    "-e",
    "./integrations/crewai",
    "-e",
    "./integrations/autogen[test]",
]


@nox.session
def demo(session: nox.Session) -> None:
    """researcher → analyst → writer in every framework, printing tokens saved per handoff."""
    session.install(*DEMO)
    session.run("agent-baton", "demo", *session.posargs, env=CREWAI_OFFLINE)


# The generated corpus reads parsers and runs tools: grammars for its needles, runners for logs.
BENCH = [
    "-e",
    "./core[code,test]",
    "pyyaml",
    "tree-sitter-c",
    "tree-sitter-bash",
    "mypy",
    "ruff",
    "pip",
    "setuptools",
]


@nox.session
def bench(session: nox.Session) -> None:
    """Build the generated corpus and score it, then ../shared/corpus, routing and speed.

    nox -s bench -- OUT puts the generated corpus in OUT (default .bench/corpus).
    """
    session.install(*BENCH)
    out = session.posargs[0] if session.posargs else ".bench/corpus"
    session.run("python", "benchmarks/build_corpus.py", out)
    session.run("python", "benchmarks/corpus_bench.py", "--corpus", out, "--generated")
    session.run("python", "benchmarks/corpus_bench.py", "--scaling")
    session.run("python", "benchmarks/corpus_bench.py", "--corpus", "../shared/corpus/more")
    session.run("python", "benchmarks/routing_bench.py", "--with-hint")
    session.run("python", "benchmarks/speed_bench.py", "--corpus", out)


@nox.session(name="bench-crewai")
def bench_crewai(session: nox.Session) -> None:
    """What a CrewAI writer receives, with and without agent-baton, on ../shared/corpus."""
    session.install("-e", "./core[code]", *FRAMEWORKS["crewai"])
    session.run("python", "benchmarks/crewai_bench.py", *session.posargs, env=CREWAI_OFFLINE)


@nox.session
def compare(session: nox.Session) -> None:
    """The benchmark side by side with headroom-ai, installed only here."""
    session.install("-e", "./core[code]", "headroom-ai")
    session.run("python", "benchmarks/corpus_bench.py", "--headroom", *session.posargs)
