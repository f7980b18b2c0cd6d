"""Cases from tools this script runs: test runners, compilers, package managers, listings.

Inputs with planted failures are generated from fixed seeds under WORK, each tool runs there,
and the WORK path is stripped from what it prints, so paths read as relative ones.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

from corpus_files import Skip
from corpus_rules import (
    Case,
    aligned_rows,
    failure_lines,
    largest_records,
    rare_lines,
    record_needles,
    spread,
    unique_lines,
)

WORK = Path(".bench/corpus/work")  # set by build_corpus
ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": os.environ.get("HOME", "/root"),
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "NO_COLOR": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INDEX": "1",
    "NODE_DISABLE_COLORS": "1",
}


def run(args: list[str], where: Path, timeout: int = 300) -> str:
    """What ``args`` print (stdout, then stderr) run in ``where``, with ``where`` stripped."""
    done = subprocess.run(
        args, cwd=where, env=ENV, capture_output=True, text=True, errors="replace", timeout=timeout
    )
    out = done.stdout + (("\n" if done.stdout and done.stderr else "") + done.stderr)
    for prefix in (str(where.resolve()) + "/", str(where.resolve())):
        out = out.replace(prefix, "")
    return out


def need(tool: str) -> str:
    path = shutil.which(tool, path=ENV["PATH"])
    if not path:
        raise Skip(f"{tool} is not installed")
    return path


def need_module(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise Skip(f"Python module {module} is not installed")


def fresh(name: str) -> Path:
    where = WORK / name
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    return where


def log_case(fmt: str, n: int, source: str, text: str, volatile: bool = False) -> Case | None:
    case = Case(
        f"{fmt}__{n}", "logs", fmt, source, text, "log", volatile=volatile, tool_output=True
    )
    case.needles = failure_lines(text)
    if len(case.needles) < 2:
        case.needles += rare_lines(text)
    return case


# --- test runners ----------------------------------------------------------------------

# Real functions under test; the planted failures are wrong expectations.
CHECKS = [
    ("mean", "statistics.mean([{a}, {b}, {c}])", "statistics"),
    ("median", "statistics.median([{a}, {b}, {c}, {d}])", "statistics"),
    ("wrap", "len(textwrap.wrap('word ' * {a}, {b} + 10))", "textwrap"),
    ("digest", "len(hashlib.sha256(b'{a}').hexdigest())", "hashlib"),
    ("ratio", "round({a} / ({b} + 1), 3)", "math"),
    ("split", "len('{a},{b},{c}'.split(','))", "string"),
    ("total", "round(sum([{a}.5, {b}.25, {c}.0]) * 100, 2)", "math"),
]


def _test_module(seed: int, count: int, style: str) -> tuple[str, list[str]]:
    """A test module of ``count`` checks; about one in fifteen expects a wrong value."""
    rng = random.Random(seed)
    imports = sorted({m for _, _, m in CHECKS})
    lines = [f"import {m}" for m in imports]
    names = []
    if style == "unittest":
        lines += ["import unittest", "", "", "class LedgerTest(unittest.TestCase):"]
    for i in range(count):
        label, template, _ = CHECKS[rng.randrange(len(CHECKS))]
        values = {k: rng.randint(1, 999) for k in "abcd"}
        expr = template.format(**values)
        try:
            expected = eval(expr, {m: __import__(m) for m in imports})
        except ZeroDivisionError:
            expected = 0
        planted = rng.random() < 1 / 15
        if planted and isinstance(expected, int | float):
            expected = expected + rng.choice([1, 5, -3])
        if rng.random() < 0.03:
            expr = f"{values['a']} / ({values['b']} - {values['b']})"  # a ZeroDivisionError
        name = f"test_{label}_{i}"
        names.append(name)
        if style == "unittest":
            lines += [
                f"    def {name}(self):",
                f"        self.assertEqual({expr}, {expected!r})",
                "",
            ]
        else:
            lines += ["", "", f"def {name}():", f"    assert {expr} == {expected!r}"]
    if style == "unittest":
        lines += ["", "if __name__ == '__main__':", "    unittest.main()"]
    return "\n".join(lines) + "\n", names


def pytest_runs() -> Iterator[Case]:
    need_module("pytest")
    where = fresh("pytest")
    for n, (count, flags) in enumerate(
        ((40, ["-v"]), (160, ["-v"]), (500, ["-v"]), (120, ["--tb=long"]), (300, ["-rA"]))
    ):
        source, _ = _test_module(100 + n, count, "pytest")
        module = f"test_ledger_{n}.py"
        (where / module).write_text(source)
        out = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *flags, module], where)
        case = log_case("pytest", n, f"pytest {' '.join(flags)} on {count} generated tests", out)
        if case is None:
            continue
        passed = [line.strip() for line in out.splitlines() if " PASSED" in line and "::" in line]
        if passed:
            line = passed[len(passed) // 2]
            case.task = f"Did {line.split('::')[1].split()[0]} pass?"
            case.task_needles = [line]
        done = case.finish()
        if done:
            yield done


def unittest_runs() -> Iterator[Case]:
    where = fresh("unittest")
    for n, count in enumerate((60, 250)):
        source, _ = _test_module(200 + n, count, "unittest")
        (where / f"test_books_{n}.py").write_text(source)
        out = run([sys.executable, "-m", "unittest", "-v", f"test_books_{n}"], where)
        case = log_case("unittest", n, f"python -m unittest -v on {count} generated tests", out)
        if case is None:
            continue
        oks = [line.strip() for line in out.splitlines() if line.endswith(" ... ok")]
        if oks:
            case.task = f"Did {oks[len(oks) // 2].split()[0]} pass?"
            case.task_needles = [oks[len(oks) // 2]]
        done = case.finish()
        if done:
            yield done


def doctest_runs() -> Iterator[Case]:
    where = fresh("doctest")
    rng = random.Random(300)
    for n, count in enumerate((40, 120)):
        lines = [
            '"""Generated module whose docstrings hold examples."""',
            "",
            "import statistics",
            "",
        ]
        for i in range(count):
            data = [rng.randint(1, 99) for _ in range(rng.randint(3, 6))]
            value = statistics_median(data)
            if rng.random() < 1 / 12:
                value += 1
            lines += [
                "",
                f"def middle_{i}(values):",
                '    """The median of the values.',
                "",
                f"    >>> middle_{i}({data})",
                f"    {value!r}",
                '    """',
                "    return statistics.median(values)",
            ]
        (where / f"ranks_{n}.py").write_text("\n".join(lines) + "\n")
        out = run([sys.executable, "-m", "doctest", "-v", f"ranks_{n}.py"], where)
        case = log_case("doctest", n, f"python -m doctest -v on {count} generated examples", out)
        if case is None:
            continue
        text_lines = out.splitlines()
        failed = [
            text_lines[i + 1].strip()
            for i, line in enumerate(text_lines[:-1])
            if line.startswith("Failed example:")
        ]
        case.needles = spread(failed, 4) + case.needles
        done = case.finish()
        if done:
            yield done


def statistics_median(data: list[int]) -> float | int:
    import statistics

    return statistics.median(data)


def node_test_runs() -> Iterator[Case]:
    node = need("node")
    where = fresh("node")
    rng = random.Random(400)
    for n, count in enumerate((40, 150)):
        lines = ["const test = require('node:test');", "const assert = require('node:assert');", ""]
        for i in range(count):
            a, b = rng.randint(1, 500), rng.randint(1, 500)
            expected = a + b + (rng.choice([1, 2]) if rng.random() < 1 / 12 else 0)
            lines.append(
                f"test('sum of invoice {i}', () => {{ "
                f"assert.strictEqual({a} + {b}, {expected}); }});"
            )
        (where / f"invoice_{n}.test.js").write_text("\n".join(lines) + "\n")
        out = run([node, "--test", "--test-reporter=spec", f"invoice_{n}.test.js"], where)
        case = log_case("node-test", n, f"node --test on {count} generated tests", out)
        if case:
            done = case.finish()
            if done:
                yield done


# --- compilers and linters -------------------------------------------------------------

C_BROKEN = [
    "#include <string.h>\nvoid copy(char *d, const char *s) {{ memcpy(d, s); }}\n",
    "#include <stdio.h>\n"
    'int show_{i}(void) {{ printf("%d\\n", undefined_count_{i}); return 0; }}\n',
    "#include <stdlib.h>\nint *make_{i}(void) {{ int *p = malloc(4) return p; }}\n",
    "struct point_{i} {{ int x; int y; }};\n"
    "int norm_{i}(struct point_{i} p) {{ return p.z * p.x; }}\n",
    "#include <math.h>\ndouble scale_{i}(double x) {{ return sqrt(x, 2.0); }}\n",
    "int count_{i}(const char *s) {{ int n = 0; while (*s) {{ n += *s++ == ' '; }} return n; }}\n",
    '#include <stdio.h>\nvoid log_{i}(FILE *f, int v) {{ fprintf(f, "%s\\n", v); }}\n',
]


def gcc_runs() -> Iterator[Case]:
    gcc = need("gcc")
    make = shutil.which("make", path=ENV["PATH"])
    where = fresh("gcc")
    rng = random.Random(500)
    for n, count in enumerate((12, 40)):
        build = where / f"build_{n}"
        build.mkdir()
        objects = []
        for i in range(count):
            (build / f"unit_{i}.c").write_text(C_BROKEN[rng.randrange(len(C_BROKEN))].format(i=i))
            objects.append(f"unit_{i}.o")
        if make:
            (build / "Makefile").write_text(
                "CFLAGS = -Wall -Wextra -O2\n"
                f"all: {' '.join(objects)}\n"
                "%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n"
            )
            out = run([make, "-k", f"CC={gcc}"], build)
        else:
            out = "\n".join(run([gcc, "-Wall", "-c", f"unit_{i}.c"], build) for i in range(count))
        case = log_case(
            "gcc", n, f"gcc -Wall on {count} generated C files", out.replace(gcc, "gcc")
        )
        if case:
            done = case.finish()
            if done:
                yield done


def gxx_runs() -> Iterator[Case]:
    gxx = need("g++")
    where = fresh("gxx")
    source = textwrap.dedent(
        """\
        #include <map>
        #include <string>
        #include <vector>
        #include <algorithm>
        struct Order { std::string id; int cents; };
        int total(const std::map<std::string, std::vector<Order>> &by_user) {
            int sum = 0;
            for (auto &entry : by_user) sum += entry.second.cents;
            std::sort(by_user.begin(), by_user.end());
            std::vector<Order> all;
            all.push_back("order-17");
            return sum;
        }
        """
    )
    (where / "orders.cpp").write_text(source)
    out = run([gxx, "-std=c++17", "-c", "orders.cpp"], where)
    case = log_case("g++", 0, "g++ on a generated C++ file with type errors", out)
    if case:
        done = case.finish()
        if done:
            yield done


def javac_runs() -> Iterator[Case]:
    javac = need("javac")
    where = fresh("javac")
    rng = random.Random(600)
    for n, count in enumerate((15, 40)):
        src = where / f"src_{n}"
        src.mkdir()
        for i in range(count):
            body = [
                'return items.size() + "x";',
                "int n = items.length; return n;",
                "return missingHelper(items);",
                "String s = items.get(0); return s;",
                "return items.size();",
            ][rng.randrange(5)]
            (src / f"Stock{i}.java").write_text(
                "import java.util.List;\n\n"
                f"public class Stock{i} {{\n"
                f"    public int count(List<Integer> items) {{\n        {body}\n    }}\n}}\n"
            )
        files = sorted(p.name for p in src.glob("*.java"))
        out = run([javac, "-Xmaxerrs", "500", *files], src)
        case = log_case("javac", n, f"javac on {count} generated classes", out)
        if case:
            done = case.finish()
            if done:
                yield done


def rustc_runs() -> Iterator[Case]:
    rustc = need("rustc")
    where = fresh("rustc")
    rng = random.Random(700)
    items = []
    for i in range(30):
        items.append(
            [
                f"fn price_{i}(q: u32) -> u64 {{ q * 100 }}",
                f'fn name_{i}() -> String {{ "widget-{i}" }}',
                f"fn sum_{i}(v: &Vec<i32>) -> i32 {{ v.iter().sum() }}",
                f"fn first_{i}(v: Vec<String>) -> &str {{ &v[0] }}",
                f"fn twice_{i}(x: i32) -> i32 {{ let y = x * 2; y }}",
            ][rng.randrange(5)]
        )
    (where / "lib.rs").write_text("\n".join(items) + "\n")
    out = run([rustc, "--crate-type", "lib", "--color", "never", "lib.rs"], where)
    case = log_case("rustc", 0, "rustc on a generated file with type errors", out)
    if case:
        done = case.finish()
        if done:
            yield done


def _bad_python(seed: int, count: int) -> str:
    rng = random.Random(seed)
    parts = ["import os", "import sys", "from typing import Any", ""]
    for i in range(count):
        parts.append(
            [
                f"def parse_{i}(value: str) -> int:\n    return value.strip()\n",
                f"def scale_{i}(x: int, factor: float = 2.0) -> float:\n    return x * factor\n",
                f"def load_{i}(path: str) -> list[str]:\n"
                "    unused = 1\n    return open(path).read()\n",
                f"def join_{i}(items: list[int]) -> str:\n    return ', '.join(items)\n",
                f"def ok_{i}(a: int, b: int) -> int:\n    return a + b\n",
                f"def call_{i}() -> None:\n    scale_{max(i - 1, 0)}('three')\n",
            ][rng.randrange(6)]
        )
    return "\n\n".join(parts)


def mypy_runs() -> Iterator[Case]:
    need_module("mypy")
    where = fresh("mypy")
    for n, count in enumerate((60, 200)):
        (where / f"billing_{n}.py").write_text(_bad_python(800 + n, count))
        out = run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--no-incremental",
                "--cache-dir=/dev/null",
                "--no-color-output",
                f"billing_{n}.py",
            ],
            where,
        )
        case = log_case("mypy", n, f"mypy on a generated module of {count} functions", out)
        if case:
            done = case.finish()
            if done:
                yield done


def ruff_runs() -> Iterator[Case]:
    ruff = shutil.which("ruff", path=ENV["PATH"]) or shutil.which("ruff")
    if not ruff:
        need_module("ruff")
        ruff_cmd = [sys.executable, "-m", "ruff"]
    else:
        ruff_cmd = [ruff]
    where = fresh("ruff")
    for n, count in enumerate((80,)):
        (where / f"report_{n}.py").write_text(_bad_python(900 + n, count))
        out = run(
            [
                *ruff_cmd,
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                "E,F,W,B,UP,SIM",
                "--output-format",
                "full",
                f"report_{n}.py",
            ],
            where,
        )
        case = log_case("ruff", n, f"ruff check on a generated module of {count} functions", out)
        if case:
            done = case.finish()
            if done:
                yield done


def py_compile_runs() -> Iterator[Case]:
    where = fresh("compileall")
    pkg = where / "pkg"
    pkg.mkdir()
    rng = random.Random(1000)
    for i in range(40):
        broken = [
            f"def f_{i}(x):\n    return x +\n",
            f"def g_{i}(x)\n    return x\n",
            f"class C{i}:\n    def m(self):\n    pass\n",
            f"value_{i} = [1, 2, 3\n",
            f"def ok_{i}():\n    return {i}\n",
            f"print 'total {i}'\n",
        ][rng.randrange(6)]
        (pkg / f"mod_{i}.py").write_text(broken)
    out = run([sys.executable, "-m", "compileall", "-f", "pkg"], where)
    case = log_case("py-compile", 0, "python -m compileall on 40 generated modules", out)
    if case:
        done = case.finish()
        if done:
            yield done


def python_traceback_runs() -> Iterator[Case]:
    """A script that logs a batch, then crashes deep in the standard library."""
    where = fresh("traceback")
    script = textwrap.dedent(
        """\
        import json, logging, sys
        logging.basicConfig(stream=sys.stdout, format="%(levelname)s %(name)s %(message)s",
                            level=logging.INFO)
        log = logging.getLogger("importer")
        for i in range(400):
            log.info("imported record %d of batch 7 (%d fields)", i, 12 + i % 5)
            if i % 97 == 13:
                log.warning("record %d has no currency, defaulting to EUR", i)
        json.loads('{"id": 17, "amount": 12.5,, "currency": "EUR"}')
        """
    )
    (where / "importer.py").write_text(script)
    out = run([sys.executable, "importer.py"], where)
    case = log_case("python-traceback", 0, "a generated script's log and its traceback", out)
    if case:
        done = case.finish()
        if done:
            yield done


# --- package managers ------------------------------------------------------------------


def pip_runs() -> Iterator[Case]:
    need_module("pip")
    pip = [sys.executable, "-m", "pip"]
    where = fresh("pip")
    out = run([*pip, "list"], where)
    case = Case("pip-list__0", "table", "pip-list", "pip list", out, "txt")
    rows = aligned_rows(out, skip=2)
    case.needles, case.task, case.task_needles = record_needles(rows, out, "package")
    if not case.needles and rows:
        case.needles = [spread([r["c0"] for r in rows], 4)[i] for i in range(min(4, len(rows)))]
    done = case.finish()
    if done:
        yield done
    names = sorted(r["c0"] for r in rows)
    for n, name in enumerate(spread(names, 3)):
        out = run([*pip, "show", "-f", name], where)
        case = Case(f"pip-show__{n}", "logs", "pip-show", f"pip show -f {name}", out, "txt")
        lines = [
            line.strip()
            for line in out.splitlines()
            if line.startswith("  ") and line.strip().endswith(".py")
        ]
        case.needles = spread(lines, 4)
        done = case.finish()
        if done:
            yield done
    yield from _pip_install(pip, where)


def _pip_install(pip: list[str], where: Path) -> Iterator[Case]:
    """pip install -v of a local project, offline, and of a requirement that is not there."""
    if importlib.util.find_spec("setuptools") is None:
        raise Skip("setuptools is not installed (needed to build the local project)")
    project = where / "ledgerkit"
    (project / "ledgerkit").mkdir(parents=True)
    (project / "ledgerkit" / "__init__.py").write_text(
        '"""Ledger helpers."""\n\n__version__ = "1.4.2"\n'
    )
    for i in range(30):
        (project / "ledgerkit" / f"rule_{i}.py").write_text(f"def apply(x):\n    return x * {i}\n")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "ledgerkit"\nversion = "1.4.2"\n'
        'dependencies = ["ledgerkit-missing-dep>=2"]\n'
    )
    out = run(
        [
            *pip,
            "install",
            "-v",
            "--no-index",
            "--no-build-isolation",
            "--target",
            "target",
            "./ledgerkit",
        ],
        where,
    )
    case = log_case("pip-install", 0, "pip install -v of a local project offline", out)
    if case:
        done = case.finish()
        if done:
            yield done
    out = run(
        [
            *pip,
            "wheel",
            "-v",
            "--no-index",
            "--no-build-isolation",
            "--no-deps",
            "-w",
            "dist",
            "./ledgerkit",
        ],
        where,
    )
    case = log_case("pip-install", 1, "pip wheel -v of a local project offline", out)
    if case:
        done = case.finish()
        if done:
            yield done


def pip_inspect() -> Iterator[Case]:
    """pip inspect: the JSON report of every installed distribution's metadata."""
    need_module("pip")
    out = run([sys.executable, "-m", "pip", "inspect"], fresh("pip-inspect"))
    try:
        data = json.loads(out)
    except ValueError as exc:
        raise Skip("pip inspect printed no JSON (pip older than 22.2?)") from exc
    for record in data.get("installed", []):
        record.pop("metadata_location", None)  # a path into this run's environment
    text = json.dumps(data, indent=2)
    case = Case("pip-inspect__0", "json", "pip-inspect", "pip inspect", text, "json")
    case.needles, case.task, case.task_needles = record_needles(
        largest_records(data), text, "distribution"
    )
    done = case.finish()
    if done:
        yield done


def pydoc_pages() -> Iterator[Case]:
    """python -m pydoc MODULE: the help page of standard-library modules, as plain text."""
    where = fresh("pydoc")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    modules = [p for p in sorted(stdlib.glob("*.py")) if 10_000 <= p.stat().st_size <= 80_000]
    for path in spread(modules, 8):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        out = run([sys.executable, "-m", "pydoc", path.stem], where)
        names = [
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")
        ]
        lines = unique_lines(out)
        # The signature line pydoc prints for each public function the parser found.
        heads = [
            line.strip()
            for line in out.splitlines()
            if any(line.strip().startswith(f"{name}(") for name in names)
            and lines[line.strip()] == 1
        ]
        case = Case(
            f"pydoc__{path.stem}", "prose", "pydoc", f"python -m pydoc {path.stem}", out, "txt"
        )
        case.needles = spread(heads, 5)
        done = case.finish()
        if done:
            yield done


def dpkg_runs() -> Iterator[Case]:
    dpkg = need("dpkg")
    where = fresh("dpkg")
    out = run([dpkg, "-l"], where)
    case = Case("dpkg-l__0", "table", "dpkg-l", "dpkg -l", out, "txt")
    rows = aligned_rows(out, skip=5)
    case.needles, case.task, case.task_needles = record_needles(rows, out, "package")
    done = case.finish()
    if done:
        yield done
    query = need("dpkg-query")
    out = run(
        [query, "-W", "-f", "${Package}\t${Version}\t${Installed-Size}\t${Priority}\t${Section}\n"],
        where,
    )
    case = Case("dpkg-query__0", "table", "tsv-headerless", "dpkg-query -W", out, "tsv")
    rows = [dict(enumerate(line.split("\t"))) for line in out.splitlines() if line.count("\t") == 4]
    case.needles, case.task, case.task_needles = record_needles(
        [{str(k): v for k, v in r.items()} for r in rows], out, "package"
    )
    done = case.finish()
    if done:
        yield done


def apt_logs() -> Iterator[Case]:
    paths = [
        Path("/var/log/apt/term.log"),
        Path("/var/log/apt/history.log"),
        Path("/var/log/dpkg.log"),
        Path("/var/log/alternatives.log"),
    ]
    found = [p for p in paths if p.is_file() and p.stat().st_size > 2_000]
    if not found:
        raise Skip("no apt or dpkg logs")
    for n, path in enumerate(found):
        text = path.read_text(encoding="utf-8", errors="replace")
        if len(text) > 400_000:
            text = text[: text.rfind("\n", 0, 400_000) + 1]
        case = log_case("apt-log", n, str(path), text)
        if case:
            done = case.finish()
            if done:
                yield done


# --- system listings -------------------------------------------------------------------


def listings() -> Iterator[Case]:
    where = fresh("listings")
    commands: list[tuple[str, list[str], int, bool]] = [
        ("ls-l", ["ls", "-l", "/usr/bin"], 1, False),
        ("ls-l", ["ls", "-la", "/etc"], 1, False),
        (
            "ls-l",
            [
                "ls",
                "-lR",
                "/usr/share/doc/python3.11"
                if Path("/usr/share/doc/python3.11").exists()
                else "/usr/share/doc",
            ],
            1,
            False,
        ),
        ("ps-aux", ["ps", "aux"], 1, True),
        ("ps-ef", ["ps", "-ef"], 1, True),
        ("df", ["df", "-a", "-h"], 1, True),
        (
            "find-listing",
            ["find", "/usr/include", "-maxdepth", "2", "-name", "*.h", "-size", "+4k"],
            0,
            False,
        ),
    ]
    for n, (fmt, args, skip, volatile) in enumerate(commands):
        if not shutil.which(args[0], path=ENV["PATH"]):
            print(f"  skip {fmt}: {args[0]} is not installed")
            continue
        out = run(args, where)
        if fmt == "find-listing":
            out = "\n".join(sorted(out.splitlines())) + "\n"
        case = Case(f"{fmt}__{n}", "table", fmt, " ".join(args), out, "txt", volatile=volatile)
        rows = (
            aligned_rows(out, skip=skip)
            if fmt != "find-listing"
            else [{"path": p, "dir": p.rsplit("/", 1)[0]} for p in out.split()]
        )
        case.needles, case.task, case.task_needles = record_needles(rows, out, "entry")
        done = case.finish()
        if done:
            yield done


SOURCES: dict[str, Callable[[], Iterator[Case]]] = {
    "pytest": pytest_runs,
    "unittest": unittest_runs,
    "doctest": doctest_runs,
    "node-test": node_test_runs,
    "gcc": gcc_runs,
    "g++": gxx_runs,
    "javac": javac_runs,
    "rustc": rustc_runs,
    "mypy": mypy_runs,
    "ruff": ruff_runs,
    "py-compile": py_compile_runs,
    "python-traceback": python_traceback_runs,
    "pip": pip_runs,
    "pip-inspect": pip_inspect,
    "pydoc": pydoc_pages,
    "dpkg": dpkg_runs,
    "apt-logs": apt_logs,
    "listings": listings,
}
