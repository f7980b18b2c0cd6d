"""A compression asks each question of a text once; answers never outlive it or cross threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from agent_baton.compress import config, detect, guarantees, memo
from agent_baton.compress.memo import once, remembering, remembering_calls
from agent_baton.compress.pipeline import compress

INI = "[server]\nhost = example.org\nport = 8080\n" + "".join(
    f"[section{i}]\nkey{i} = value {i}\n"
    + "".join(f"; about key {i}: line {j}\n" for j in range(6))
    for i in range(40)
)


def _counting() -> tuple[list[str], Callable[[str], str]]:
    calls: list[str] = []

    @once
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    return calls, shout


def test_answered_once_per_argument_inside_and_every_time_outside() -> None:
    calls, shout = _counting()
    with remembering():
        assert [shout("a"), shout("a"), shout("b"), shout("a")] == ["A", "A", "B", "A"]
    assert calls == ["a", "b"]
    shout("a")
    shout("a")
    assert calls == ["a", "b", "a", "a"]


def test_each_call_of_a_decorated_function_remembers_for_itself() -> None:
    calls, shout = _counting()

    @remembering_calls
    def twice(text: str) -> str:
        return shout(text) + shout(text)

    assert [twice("a"), twice("a")] == ["AA", "AA"]
    assert calls == ["a", "a"]  # once per call, nothing kept between them
    assert memo.answers(shout) is None  # nor after


def test_a_call_spelling_out_a_default_is_the_call_without_it() -> None:
    calls: list[tuple[str, str | None, bool]] = []

    @once
    def kind(text: str, key: str | None = None, *, strict: bool = False) -> str:
        calls.append((text, key, strict))
        return text

    with remembering():
        kind("a")
        kind("a", None)
        kind("a", key=None)
        kind("a", strict=False)
        kind("a", "a.py")
        kind("a", strict=True)
    assert calls == [("a", None, False), ("a", "a.py", False), ("a", None, True)]


def test_threads_do_not_share_answers() -> None:
    calls, shout = _counting()
    both_in = threading.Barrier(2)

    def run() -> None:
        with remembering():
            both_in.wait()
            shout("same")
            shout("same")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["same", "same"]  # once per thread


def test_a_compression_parses_a_config_once_and_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    parse = config.parses_as_config.__wrapped__  # type: ignore[attr-defined]

    @once
    def counted(text: str) -> bool:
        parsed.append(text)
        return bool(parse(text))

    # Detection asks first, then the config compressor: the real parser, counted.
    monkeypatch.setattr(detect, "parses_as_config", counted)
    monkeypatch.setattr(config, "parses_as_config", counted)
    result = compress(INI)
    assert result.transforms == ["config:settings"]
    assert parsed == [INI]
    assert memo._memo.get() is None  # nothing is held after the compression


def _transcript() -> str:
    """An AutoGen chat whose runs fail: a turn's check, the whole text's and a compressor's."""
    rule = "-" * 80
    prose = " ".join(f"The assistant explains step {i} of the plan at length." for i in range(30))
    turns = [("user_proxy", "assistant", "Plot the stock prices from free data sources.")]
    for i in range(4):
        turns.append(("assistant", "user_proxy", prose))
        run = "exitcode: 1 (execution failed)\nTraceback (most recent call last):\n"
        run += (
            f"  File \"plot.py\", line {i + 3}, in <module>\nNameError: name 'x{i}' is not defined"
        )
        turns.append(("user_proxy", "assistant", run))
    return "\n".join(f"{a} (to {b}):\n\n{body}\n\n{rule}" for a, b, body in turns)


def test_a_compression_tests_each_line_for_a_failure_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tested: list[str] = []
    test = guarantees._is_failure

    def counted(line: str) -> bool:
        tested.append(line)
        return test(line)

    monkeypatch.setattr(guarantees, "_is_failure", counted)
    result = compress(_transcript())
    assert result.transforms[0].startswith("chat")
    assert "NameError: name 'x2' is not defined" in result.text
    assert tested and len(tested) == len(set(tested))
