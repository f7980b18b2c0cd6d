import glob
import re
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.code.dockerfile import parses_as_dockerfile
from agent_baton.compress.detect import kinds
from agent_baton.compress.guarantees import violations

# docker-library/python's 3.10/slim-bookworm/Dockerfile: FROM, ENV lines and three RUNs of
# `\`-continued shell (the longest 106 lines).
SLIM = (Path(__file__).parent / "data" / "python_3.10_slim-bookworm.Dockerfile").read_text()
_INSTRUCTION = re.compile(r"\s*(FROM|RUN|ENV|ARG|CMD|ENTRYPOINT|EXPOSE|COPY|WORKDIR|USER)\b")

# Dockerfiles of this machine (pyenv's test image, the Cloud SDK's runtime templates).
MACHINE = sorted(
    path
    for pattern in (
        "/root/.pyenv/test/Dockerfile",
        "/usr/lib/google-cloud-sdk/platform/ext-runtime/*/data/Dockerfile",
    )
    for path in glob.glob(pattern)
)


def test_a_dockerfile_keeps_every_instruction_and_elides_its_long_runs_whole():
    # Folded line by line, it lost FROM and the ENV lines (the fold kept the RUN's
    # continuations as the body); read by the instruction grammar, every instruction's
    # first line stays and each long RUN's continuation goes under one `#` marker.
    assert kinds(SLIM)[0] == "code"
    result = compress(SLIM)
    assert result.transforms == ["code:dockerfile"]
    out = result.text.splitlines()
    heads = [line for line in SLIM.splitlines() if _INSTRUCTION.match(line)]
    assert "FROM debian:bookworm-slim" in heads and "ENV PYTHON_VERSION 3.10.20" in heads
    assert [head for head in heads if head not in out] == []
    # Each RUN cut is marked in the file's comment syntax, under the RUN it belongs to.
    bodies = [line for line in out if re.fullmatch(r"\s*# … \d+ lines of RUN omitted", line)]
    assert len(bodies) == 3
    for i, line in enumerate(out):
        if line in bodies:
            assert out[i - 1].startswith("RUN ") and out[i - 1].endswith("\\")
    assert result.compressed_tokens < 0.2 * result.original_tokens
    assert violations(SLIM, result.text) == []


def test_a_dockerfile_under_a_budget_keeps_its_base_image_before_its_runs():
    budget = compress(SLIM).original_tokens // 10
    result = compress(SLIM, max_tokens=budget)
    assert result.compressed_tokens <= budget
    out = result.text.splitlines()
    assert "FROM debian:bookworm-slim" in out
    assert "ENV PYTHON_VERSION 3.10.20" in out
    assert violations(SLIM, result.text) == []


def test_a_windows_dockerfile_continues_its_lines_with_the_escape_it_names():
    # `# escape=`` ` makes the backtick the continuation (PowerShell's own escape), and the
    # builder skips comment lines inside a continued RUN.
    steps = "".join(f"    Write-Host 'step {i}'; `\n" for i in range(30))
    text = (
        "# escape=`\n\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        "ENV PYTHON_VERSION 3.13.1\n"
        "RUN $url = 'https://www.python.org/ftp/python/'; `\n"
        "# a comment the builder skips\n"
        f"{steps}"
        "    Write-Host 'done'\n"
        "WORKDIR C:\\app\n"
        'CMD ["python"]\n'
    )
    assert parses_as_dockerfile(text)
    result = compress(text)
    assert result.transforms == ["code:dockerfile"]
    for line in ("ENV PYTHON_VERSION 3.13.1", "WORKDIR C:\\app", 'CMD ["python"]'):
        assert line in result.text.splitlines()
    assert "# … 32 lines of RUN omitted" in result.text.splitlines()
    assert violations(text, result.text) == []


def test_a_here_document_belongs_to_its_run():
    body = "".join(f"apt-get install -y package-{i}\n" for i in range(40))
    text = (
        "# syntax=docker/dockerfile:1\nFROM debian:bookworm\nARG TARGET=/opt\n"
        f"RUN <<EOF\nset -eux\n{body}EOF\n"
        "COPY --from=build /src /app\nEXPOSE 8080\nUSER app\n"
        'ENTRYPOINT ["/app/run"]\n'
    )
    assert parses_as_dockerfile(text)
    out = compress(text).text.splitlines()
    for line in ("ARG TARGET=/opt", "RUN <<EOF", "EXPOSE 8080", "USER app"):
        assert line in out
    assert "# … 42 lines of RUN omitted" in out
    assert "EOF" not in out  # inside the elided here-document, not read as an instruction
    # Never closed, it is no Dockerfile the builder would take.
    assert not parses_as_dockerfile(text.replace("\nEOF\n", "\n"))


@pytest.mark.parametrize(
    "text",
    [
        # A query's FROM, a shell script copying files, a makefile, prose about images.
        "SELECT id, name\nFROM users\nWHERE id = 1\nORDER BY name;\n",
        "#!/bin/sh\nFROM=debian\nRUN=1\necho $FROM $RUN\n",
        "all: image\nimage:\n\tdocker build -t app .\nFROM ?= debian\n",
        "FROM the start, images were built by hand.\nRUN by a script, they are reproducible.\n",
        # Instructions, but none of them a FROM (a fragment, not a Dockerfile).
        'RUN apt-get update\nRUN apt-get install -y curl\nCMD ["bash"]\n',
    ],
)
def test_text_with_instruction_words_is_no_dockerfile(text):
    assert not parses_as_dockerfile(text)


@pytest.mark.parametrize("path", MACHINE, ids=str)
def test_the_machines_dockerfiles_parse_by_their_instructions(path):
    text = Path(path).read_text()
    assert parses_as_dockerfile(text)
    result = compress(text)
    heads = [line for line in text.splitlines() if _INSTRUCTION.match(line)]
    assert [head for head in heads if head not in result.text.splitlines()] == []
    assert violations(text, result.text) == []
