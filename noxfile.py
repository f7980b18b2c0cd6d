"""Sessions: one test session per distribution, each in its own virtualenv.

nox -s tests        every distribution's tests (tests-core, tests-langchain, ...); the
                    framework sessions first run mypy --strict on their integration
nox -s lint         ruff on the whole repository, mypy --strict on the core and this file
nox -s demo         the multi-agent handoff demo in every framework
nox -s bench        the generated corpus, ../shared/corpus, routing and speed benchmarks
nox -s compare      the benchmark side by side with headroom-ai
nox -s bench-crewai what a CrewAI writer receives, with and without agent-baton
nox -s soak         the concurrency stress test for a minute (or -- SECONDS)
nox -s build        sdists and wheels of the four distributions in dist/, checked by twine
nox -s wheels       those wheels installed from dist/ alone, an example of each framework run
nox -s tokenizers   bpe-openai against tiktoken on ../shared/corpus: counts and speed
nox -s docs         the documentation site (mkdocs, API reference from docstrings) in site/
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import nox
from packaging.requirements import Requirement

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
# The SDK recipes (agent_baton.llm_tools, examples/*_sdk.py) are tested in tests-core through the
# real clients over a recording transport; these versions send through httpx2. Not in the core's
# test extra: crewai, in the same virtualenv as the core in its session, wants openai<3.
SDKS = ["openai>=3.63,<4", "anthropic>=2.17,<3"]
# Versions that resolve together on Python 3.11 (see docs and the frameworks' notes).
FRAMEWORKS = {
    "langchain": ["-e", "./integrations/langchain[test]"],
    "crewai": ["-e", "./integrations/crewai[test]"],
    "autogen": ["-e", "./integrations/autogen[test]"],
}


def _tests(folder: str, posargs: list[str]) -> list[str]:
    """pytest's arguments: the tests named after ``--`` if any are in ``folder``, else all of it.

    ``nox -s tests-core -- -q tests/core/test_cli.py`` runs that file alone; options alone
    (``-- -q -x``) apply to the whole folder.
    """
    named = any(arg.split("::")[0].startswith(folder) for arg in posargs)
    return list(posargs) if named else [folder, *posargs]


@nox.session(name="tests-core")
def tests_core(session: nox.Session) -> None:
    """The core's tests, with no agent framework installed.

    playwright drives the system's Chromium (/usr/bin/chromium) to check the HTML report; it
    never downloads a browser. Without Chromium those tests skip with a message.
    """
    session.install("-e", "./core[test,redis,code,o200k]", "playwright", *SDKS)
    session.run("pytest", *_tests("tests/core", session.posargs))


def _framework_session(framework: str) -> None:
    @nox.session(name=f"tests-{framework}")
    def run(session: nox.Session) -> None:
        session.install(*CORE, *FRAMEWORKS[framework], "mypy")
        # Here, not in lint: the integration is typed against its framework, installed only here.
        session.run("mypy", "--strict", f"integrations/{framework}/src")
        session.run("pytest", *_tests(f"tests/{framework}", session.posargs))

    run.__doc__ = (
        f"mypy --strict on the {framework} integration, then its tests, with only {framework} "
        "installed."
    )


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
    """ruff (lint and format check) everywhere, mypy --strict on the core and this noxfile."""
    session.install("ruff", "mypy", "types-PyYAML", "nox", *CORE)
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


ROOT = Path(__file__).parent
DIST = ROOT / "dist"
DISTRIBUTIONS = ["core", "integrations/langchain", "integrations/crewai", "integrations/autogen"]
# What the wheels session installs from dist/, with the extras its examples need.
WHEEL_INSTALLS = [
    "agent-baton",
    "agent-baton-langchain[agent]",
    "agent-baton-crewai",
    "agent-baton-autogen[openai]",
]
EXAMPLES = ["core_handoff.py", "langchain_handoff.py", "crewai_handoff.py", "autogen_handoff.py"]


@nox.session
def build(session: nox.Session) -> None:
    """sdists and wheels of the four distributions in dist/, checked by twine."""
    session.install("build[uv]", "twine")
    shutil.rmtree(DIST, ignore_errors=True)
    for distribution in DISTRIBUTIONS:
        session.run("python", "-m", "build", "--installer=uv", "--outdir", str(DIST), distribution)
    session.run("twine", "check", "--strict", *sorted(str(p) for p in DIST.iterdir()))
    _check_release(session)


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode())


def _check_release(session: nox.Session) -> None:
    """One version and one licence: VERSION's in every wheel, the root's LICENSE in each.

    And a wheel shipping ``py.typed`` says so in its classifiers, where type checkers' users
    and indexes look for it.
    """
    license_text = (ROOT / "LICENSE").read_bytes()
    for distribution in DISTRIBUTIONS:
        if (ROOT / distribution / "LICENSE").read_bytes() != license_text:
            session.error(f"{distribution}/LICENSE differs from the root's LICENSE")
    version = (ROOT / "VERSION").read_text().strip()
    for wheel in sorted(DIST.glob("*.whl")):
        meta = _wheel_metadata(wheel)
        if meta["Version"] != version:
            session.error(f"{wheel.name} has version {meta['Version']}, VERSION says {version}")
        with zipfile.ZipFile(wheel) as archive:
            typed = any(name.endswith("/py.typed") for name in archive.namelist())
        if typed and "Typing :: Typed" not in (meta.get_all("Classifier") or []):
            session.error(f"{wheel.name} ships py.typed without the 'Typing :: Typed' classifier")
        for line in meta.get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.name == "agent-baton" and version not in requirement.specifier:
                session.error(f"{wheel.name} requires {requirement}, not agent-baton {version}")
    session.log(f"all four distributions are version {version}")


def _third_party_requirements(installs: list[str]) -> list[str]:
    """What the wheels in dist/ need from PyPI for ``installs``, without our own packages."""
    wanted = {Requirement(spec).name: Requirement(spec).extras for spec in installs}
    needed: list[str] = []
    for wheel in sorted(DIST.glob("*.whl")):
        meta = _wheel_metadata(wheel)
        extras = wanted.get(meta["Name"])
        if extras is None:
            continue
        for line in meta.get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.name.startswith("agent-baton"):
                continue
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in extras):
                requirement.marker = None
                needed.append(str(requirement))
    return needed


# Run in the wheels session's virtualenv: every file installed from our wheels is the wheel's.
_SAME_AS_THE_WHEELS = """
import sys, sysconfig, zipfile
from pathlib import Path
site = Path(sysconfig.get_paths()["purelib"])
for wheel in sorted(Path(sys.argv[1]).glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if ".dist-info/" not in name and (site / name).read_bytes() != archive.read(name):
                sys.exit(f"{site / name} is not the one in {wheel.name}")
print("installed files match the wheels in", sys.argv[1])
"""


@nox.session
def wheels(session: nox.Session) -> None:
    """The wheels of dist/ (nox -s build) in a fresh virtualenv, then one example per framework.

    The frameworks come from PyPI; agent-baton's four packages only from dist/ (--no-index).
    """
    if len(list(DIST.glob("*.whl"))) != len(DISTRIBUTIONS):
        session.error("dist/ lacks the four wheels: run nox -s build first")
    session.install(*_third_party_requirements(WHEEL_INSTALLS))
    # Not from the installer's cache: it keeps an earlier build of the same version.
    no_cache = "--no-cache" if session.venv_backend == "uv" else "--no-cache-dir"
    session.install(no_cache, "--no-index", "--find-links", str(DIST), *WHEEL_INSTALLS)
    session.run("python", "-c", _SAME_AS_THE_WHEELS, str(DIST))
    # Out of the clone, so nothing is imported from the source tree.
    with tempfile.TemporaryDirectory() as elsewhere:
        session.chdir(elsewhere)
        session.run(
            "python",
            "-c",
            "import agent_baton_langchain, agent_baton_crewai, agent_baton_autogen, agent_baton; "
            "assert 'site-packages' in agent_baton.__file__, agent_baton.__file__; "
            "print('agent-baton', agent_baton.__version__, 'from', agent_baton.__file__)",
        )
        for example in EXAMPLES:
            session.run("python", str(ROOT / "examples" / example), env=CREWAI_OFFLINE)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site in site/, built with --strict: a broken link or reference fails."""
    session.install(
        "mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10", "mkdocstrings[python]>=0.29", "ruff"
    )
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def tokenizers(session: nox.Session) -> None:
    """bpe-openai against tiktoken: identical counts and speed (-- FOLDER ... for others)."""
    session.install("-e", "./core[o200k]")
    folders = session.posargs or ["../shared/corpus/cases", "../shared/corpus/more"]
    session.run("python", "benchmarks/tokenizer_bench.py", *folders)
