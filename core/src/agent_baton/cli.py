"""The ``agent-baton`` command: compress a file, or run the multi-agent demo.

agent-baton compress FILE|- [--query TEXT] [--max-tokens N] [--model M] [--json]
agent-baton inspect FILE|- [--html OUT] [--model M]
agent-baton inspect [KEY] --namespace NS [--scope NAME ...] [--redis URL] [--html OUT]
agent-baton demo [--framework core|langchain|crewai|autogen|all] [--max-tokens N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from agent_baton import __version__
from agent_baton.alignment import Fate, Role, align
from agent_baton.backends import BackendError
from agent_baton.compress import compress
from agent_baton.content import decode_text, text_of
from agent_baton.context import SharedContext, labelled_entries
from agent_baton.demo import DemoResult
from agent_baton.report_html import report_html
from agent_baton.tokens import (
    DEFAULT_MODEL,
    encoding_name_for_model,
    get_token_counter,
    is_known_model,
)

FRAMEWORKS = ("core", "langchain", "crewai", "autogen")
# From a clone's root: the packages are not on PyPI yet.
INSTALL_HINTS = {
    "langchain": 'pip install ./core "./integrations/langchain[agent]"',
    "crewai": "pip install ./core ./integrations/crewai",
    "autogen": 'pip install ./core "./integrations/autogen[openai]"',
}
EXIT_USAGE = 2
EXIT_FAILURE = 1


class CliError(Exception):
    """A problem the user can fix: printed as one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "compress":
            return _compress(args)
        if args.command == "inspect":
            return _inspect(args)
        return _demo(args)
    except CliError as exc:
        print(f"agent-baton: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BackendError as exc:  # Redis down, refusing, or holding something else
        print(f"agent-baton: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader left (`| head`): say nothing more; stdout's flush at exit would fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-baton",
        description="Compress what one agent hands to the next; zoom back in on demand.",
    )
    parser.add_argument("--version", action="version", version=f"agent-baton {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    comp = sub.add_parser("compress", help="compress a file (or - for stdin) and print it")
    comp.add_argument("file", help="path of the text to compress, or - for standard input")
    comp.add_argument("--query", help="keep what matches this task or question")
    comp.add_argument("--max-tokens", type=_positive_int, help="fit the result in N tokens")
    comp.add_argument(
        "--model", type=_model, default=DEFAULT_MODEL, help="model whose tokenizer counts"
    )
    comp.add_argument("--json", action="store_true", help="print a JSON result instead")
    insp = sub.add_parser(
        "inspect",
        help="show what compression keeps of a file, or of entries in Redis",
        description="Compress FILE (or read KEY from a Redis namespace) and show what was kept: "
        "a summary, or with --html one self-contained page with the original beside the "
        "compressed form.",
    )
    insp.add_argument(
        "target", nargs="?", help="a file (- for stdin); with --namespace, a key (default: all)"
    )
    insp.add_argument("--html", metavar="OUT", help="write the HTML page to OUT")
    insp.add_argument(
        "--model", type=_model, default=DEFAULT_MODEL, help="model whose tokenizer counts"
    )
    insp.add_argument("--namespace", help="read entries of this Redis namespace instead of a file")
    insp.add_argument("--redis", metavar="URL", help="Redis URL (default: $REDIS_URL)")
    insp.add_argument(
        "--scope",
        action="append",
        metavar="NAME",
        help="with --namespace, only this scope (a thread, run or team; repeat for one inside "
        "another); default: every entry, named by its scope",
    )
    demo = sub.add_parser("demo", help="run a researcher → analyst → writer handoff")
    demo.add_argument("--framework", choices=(*FRAMEWORKS, "all"), default="all")
    demo.add_argument("--max-tokens", type=_positive_int, default=2000, help="handoff budget")
    return parser


def _model(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("expected a model's name, such as gpt-4o")
    return value


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


# -- compress ------------------------------------------------------------------------------


def _compress(args: argparse.Namespace) -> int:
    text, binary = _read_text(args.file)
    if not is_known_model(args.model):
        _warn(
            f"unknown model {args.model!r}: counting with {encoding_name_for_model(args.model)} "
            "as an approximation (known: gpt-4o, gpt-4.1, gpt-5, o1, o3, o4, gpt-4, gpt-3.5, "
            "claude-*)"
        )
    counter = get_token_counter(args.model)
    # The file's name hints its kind, as a key does for a put; markers do not name it as a key.
    filename = None if args.file == "-" else os.path.basename(args.file)
    result = compress(
        text, query=args.query, max_tokens=args.max_tokens, filename=filename, counter=counter
    )
    _warn_binary(binary, result.transforms)
    if args.json:
        payload = {
            "text": result.text,
            "original_tokens": result.original_tokens,
            "compressed_tokens": result.compressed_tokens,
            "savings_percent": result.savings_percent,
            "transforms": result.transforms,
            "token_counter": counter.name,
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(result.text if result.text.endswith("\n") else result.text + "\n")
    transforms = ", ".join(result.transforms) or "none"
    print(
        f"{result.original_tokens:,} → {result.compressed_tokens:,} tokens "
        f"({result.savings_percent}% saved; {transforms}; counted with {counter.name})",
        file=sys.stderr,
    )
    return 0


def _read_text(path: str) -> tuple[str, str | None]:
    """The file's bytes as :meth:`SharedContext.put` stores them: one decoder for both.

    Also the name to warn of when the bytes are not text (:func:`_warn_binary`), else None.
    """
    name = "standard input" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else _read_file(path)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text, note = text_of(data)
    if note is not None:
        _warn(f"{name} decoded as {note.removeprefix('decoded:')}")
    return text, (name if data and note is None and decode_text(data) is None else None)


def _warn_binary(name: str | None, transforms: Sequence[str]) -> None:
    """Say what became of bytes that are not text: described, or kept as text with escapes."""
    if name is None:
        return
    if any(transform.startswith("binary") for transform in transforms):
        done = "described as binary data"
    else:
        done = "read as UTF-8 with each byte that is not UTF-8 written as \\xNN"
    _warn(f"{name} is not text in any encoding agent-baton reads: {done}")


def _read_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _warn(message: str) -> None:
    print(f"agent-baton: warning: {message}", file=sys.stderr)


# -- inspect -------------------------------------------------------------------------------


def _inspect(args: argparse.Namespace) -> int:
    if args.namespace is not None:
        # ttl=None: reading expires nothing; Redis drops entries by their writers' ttl.
        try:
            ctx = SharedContext.from_url(args.redis, namespace=args.namespace, ttl=None)
            for name in args.scope or ():
                ctx = ctx.scope(name)
        except (ImportError, ValueError) as exc:  # no redis extra, a URL or name misspelt
            raise CliError(str(exc)) from exc
        where = " / ".join((f"namespace {args.namespace!r}", *ctx.scope_path))
        if args.target is None:
            entries = labelled_entries(ctx)
            if not entries:
                print(f"agent-baton: no live entries in {where}", file=sys.stderr)
        else:
            entry = ctx.get_entry(args.target)
            if entry is None:
                raise CliError(f"no entry {args.target!r} in {where}")
            entries = [entry]
        title = f"agent-baton inspect: {where}"
    else:
        if args.target is None:
            raise CliError("inspect needs a FILE (or - for stdin), or --namespace")
        text, binary = _read_text(args.target)
        ctx = SharedContext(model=args.model, ttl=None)
        name = "stdin" if args.target == "-" else os.path.basename(args.target)
        entries = [ctx.put(name, text)]
        _warn_binary(binary, entries[0].transforms)
        title = f"agent-baton inspect: {name}"
    if args.html:
        page = report_html(entries, title=title, counter_name=ctx.token_counter_name)
        try:
            with open(args.html, "w", encoding="utf-8") as handle:
                handle.write(page)
        except OSError as exc:
            raise CliError(f"cannot write {args.html}: {exc.strerror or exc}") from exc
        print(f"wrote {args.html} ({len(entries)} entries)", file=sys.stderr)
        return 0
    for entry in entries:
        aligned = align(entry.original, entry.compressed)
        markers = sum(1 for line in aligned.compressed if line.role is Role.MARKER)
        fates = ", ".join(f"{aligned.count(fate):,} {fate.value}" for fate in Fate)
        print(
            f"{entry.key}: {entry.original_tokens:,} → {entry.compressed_tokens:,} tokens "
            f"({entry.savings_percent}% saved; {', '.join(entry.transforms) or 'unchanged'})\n"
            f"  lines of the original: {fates}; {markers} markers"
        )
    return 0


# -- demo ----------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    chosen = FRAMEWORKS if args.framework == "all" else (args.framework,)
    out = sys.stdout
    styled = out.isatty()
    ran: list[DemoResult] = []
    for framework in chosen:
        runner = _demo_runner(framework)
        if runner is None:
            print(f"\n{framework}: skipped, not installed. {INSTALL_HINTS[framework]}", file=out)
            continue
        print(f"running the {framework} demo …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = runner(args.max_tokens)
        _print_result(result, time.perf_counter() - start, out, styled)
        ran.append(result)
    if not ran:
        raise CliError("no demo could run")
    _print_summary(ran, out)
    return 0


def _demo_runner(framework: str) -> Callable[[int], DemoResult] | None:
    name = "agent_baton.demo" if framework == "core" else f"agent_baton_{framework}.demo"
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    runner: Callable[[int], DemoResult] = module.run
    return runner


def _print_result(result: DemoResult, seconds: float, out: TextIO, styled: bool) -> None:
    title = f"{result.framework} — {result.model} ({seconds:.1f} s)"
    print(f"\n{_bold(title, styled)}", file=out)
    head = f"  {'handoff':<34}{'without agent-baton':>21}{'with agent-baton':>18}{'saved':>8}"
    print(head, file=out)
    if styled:  # box drawing for a terminal; plain text for files and pipes
        print("  " + "─" * (len(head) - 2), file=out)
    for h in result.handoffs:
        saved = _green(f"{h.savings_percent:>7}%", styled) if h.delivered else f"{'—':>8}"
        print(
            f"  {h.label:<34}{h.tokens_without:>14,} tokens{h.tokens_with:>11,} tokens{saved}",
            file=out,
        )
    if not all(h.delivered for h in result.handoffs):
        print("  — no entry fits --max-tokens: the next agent got their names at most", file=out)
    if result.zoom:
        zoom = result.zoom if len(result.zoom) <= 150 else result.zoom[:149] + "…"
        print(f"  zoom in: {zoom}", file=out)


def _print_summary(results: list[DemoResult], out: TextIO) -> None:
    print(
        "\nstats (what each run's shared context holds, every entry also kept in full):", file=out
    )
    for result in results:
        if result.stats is None:
            continue
        s = result.stats
        print(
            f"  {result.framework:<10} {s.entries} entries, {s.total_original_tokens:,} → "
            f"{s.total_compressed_tokens:,} tokens ({s.savings_percent}% saved)",
            file=out,
        )


def _bold(text: str, styled: bool) -> str:
    return f"\033[1m{text}\033[0m" if styled else text


def _green(text: str, styled: bool) -> str:
    return f"\033[32m{text}\033[0m" if styled else text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
