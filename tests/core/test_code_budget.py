"""Source under a budget keeps its outline; source with a long literal or KMP modifiers is code.

A next agent handed a file under ``max_tokens`` needs what it declares (types, method
signatures) before what it imports; a Go file holding a shell script in a raw string is one
Go file; a Kotlin Multiplatform class (``actual`` constructor on the line below its name) is
read by Kotlin's grammar; a C header's prototypes come before its ``#define`` lines.
"""

import re
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.code.fallback import brace_skeleton
from agent_baton.compress.code.skeleton import MEMBER
from agent_baton.compress.markers import is_marker
from agent_baton.tokens import get_token_counter

COUNT = get_token_counter("gpt-4")


def csharp_handlers() -> str:
    """A C# class of 30 public methods under 24 using directives, in a block namespace."""
    usings = [f"using Company.Product.Module{i}.Services;" for i in range(24)]
    members: list[str] = []
    for i in range(30):
        members += [
            f"        public async Task<Result{i}> Handle{i}Async(Request{i} request, "
            "CancellationToken token)",
            "        {",
            *[
                f"            var value{k} = await _store.LoadAsync(request.Id + {k}, token);"
                for k in range(8)
            ],
            f"            return new Result{i}(value0);",
            "        }",
            "",
        ]
    return "\n".join(
        [
            *usings,
            "",
            "namespace Company.Product.Handlers",
            "{",
            "    public sealed class RequestHandler : IRequestHandler",
            "    {",
            *members,
            "    }",
            "}",
            "",
        ]
    )


def test_a_budget_keeps_method_signatures_before_imports() -> None:
    text = csharp_handlers()
    budget = COUNT(text) // 10
    result = compress(text, counter=COUNT, key="RequestHandler.cs", max_tokens=budget)
    kept = result.text.splitlines()
    assert result.compressed_tokens <= budget
    inputs = set(text.splitlines())
    assert all(is_marker(line) or line in inputs for line in kept)
    assert "    public sealed class RequestHandler : IRequestHandler" in kept
    signatures = [line for line in kept if line.lstrip().startswith("public async Task")]
    usings = [line for line in kept if line.startswith("using ")]
    assert len(signatures) >= 20  # of 30; none were kept, and 8 of the 24 usings
    assert not usings
    assert kept[0] == "[… 25 lines: 24 imports]"  # the cut by lines tells them by count


def test_a_skeleton_counts_the_imports_it_leaves_out() -> None:
    text = csharp_handlers()
    result = compress(text, counter=COUNT, key="RequestHandler.cs", max_tokens=1200)
    assert "code:tree-sitter:csharp@2" in result.transforms
    assert "// [… 24 lines: 24 imports]" in result.text.splitlines()


def kotlin_multiplatform() -> str:
    """okio's ``actual`` ByteString: its constructor's modifiers on the line below its name."""
    imports = [f"import okio.internal.common{name}" for name in ("Base64", "Hex", "Utf8", "Of")]
    members: list[str] = []
    for i in range(12):
        members += [
            f'  actual open fun digest{i}(key: ByteString): ByteString = hmac("Hmac{i}", key)',
            "",
            f"  internal actual inline fun rangeEquals{i}(at: Int, other: ByteArray): Boolean {{",
            f"    return at + {i} <= other.size && data[at] == other[{i}]",
            "  }",
            "",
        ]
    return "\n".join(
        [
            "package okio",
            "",
            *imports,
            "",
            "actual open class ByteString",
            "internal actual constructor(",
            "  internal actual val data: ByteArray,",
            ") : Comparable<ByteString> {",
            "  internal actual var hashCode: Int = 0",
            "",
            *members,
            "  actual companion object {",
            "    actual val EMPTY: ByteString = ByteString(byteArrayOf())",
            "  }",
            "}",
            "",
        ]
    )


def test_kotlin_multiplatform_classes_are_read_by_kotlins_grammar() -> None:
    text = kotlin_multiplatform()
    for key in ("ByteString.kt", None):
        result = compress(text, counter=COUNT, key=key)
        assert result.transforms[0] == "code:tree-sitter:kotlin", key
        kept = set(result.text.splitlines())
        assert "internal actual constructor(" in kept
        assert all(line in kept for line in text.splitlines() if " fun " in line)


def go_completion() -> str:
    """cobra's bash completion V2: a Go function writing a 200-line script in a raw string."""
    script = ["# bash completion V2 for %-36[1]s -*- shell-script -*-", ""]
    for i in range(20):
        script += [
            f"# This function calls the %[1]s program to obtain the results of step {i}.",
            "# It fills the 'out' and 'directive' variables that the next step reads.",
            f"__%[1]s_step{i}()",
            "{",
            "    local cur prev words cword",
            f'    if [[ -n ${{BASH_COMP_DEBUG_FILE-}} ]]; then echo "step {i}: $*"; fi',
            f'    COMPREPLY=($(compgen -W "${{completions[{i}]}}" -- "$cur"))',
            '    __%[1]s_debug "COMPREPLY: ${COMPREPLY[*]}"',
            "}",
            "",
        ]
    return "\n".join(
        [
            "package cobra",
            "",
            "import (",
            '\t"bytes"',
            '\t"fmt"',
            '\t"io"',
            ")",
            "",
            "func (c *Command) genBashCompletion(w io.Writer) error {",
            "\tbuf := new(bytes.Buffer)",
            "\tgenBashComp(buf, c.Name())",
            "\t_, err := buf.WriteTo(w)",
            "\treturn err",
            "}",
            "",
            "func genBashComp(buf io.StringWriter, name string) {",
            "\tWriteStringAndCheck(buf, fmt.Sprintf(`" + script[0],
            *script[1:],
            "`, name))",
            "}",
            "",
            "// GenBashCompletionV2 generates Bash completion file version 2.",
            "func (c *Command) GenBashCompletionV2(w io.Writer) error {",
            "\treturn c.genBashCompletion(w)",
            "}",
            "",
        ]
    )


def test_a_go_file_holding_a_script_in_a_raw_string_is_one_go_file() -> None:
    text = go_completion()
    result = compress(text, counter=COUNT, key="bash_completionsV2.go")
    assert result.transforms[0] == "code:tree-sitter:go"
    kept = result.text.splitlines()
    assert "func (c *Command) GenBashCompletionV2(w io.Writer) error {" in kept
    assert "\t// … 182 lines of genBashComp omitted" in kept


_HEADERS = [Path("/usr/include") / name for name in ("stdio.h", "stdlib.h", "string.h", "unistd.h")]


@pytest.mark.parametrize("header", _HEADERS, ids=lambda p: p.name)
def test_a_c_headers_budget_keeps_its_prototypes_before_its_directives(header):
    # Under a tenth of its tokens, a glibc header's skeleton kept its guard, #define and #if
    # lines first, dense with names (unistd.h: 44 of them, 16 prototypes).
    if not header.is_file():
        pytest.skip(f"no {header} on this machine")
    text = header.read_text(encoding="utf-8", errors="replace")
    tokens = get_token_counter("gpt-4")(text)
    out = compress(text, key=header.name, model="gpt-4", max_tokens=tokens // 10).text
    kept = out.splitlines()
    prototypes = [line for line in kept if re.match(r"extern\s.*\(", line)]
    directives = [line for line in kept if line.lstrip().startswith("#")]
    assert len(prototypes) >= 8 and len(directives) <= len(prototypes) // 10


def kotlin_expression_functions() -> str:
    """okio's JVM ByteString shape: a class of fields and functions written ``fun f() = x``."""
    members: list[str] = []
    for i in range(12):
        members += [
            "  @Transient",
            f"  internal var cache{i}: Int = 0 // Lazily computed; 0 if unknown.",
            "",
            f'  actual fun sha{i}() = digest("SHA-{i}")',
            "",
            f"  actual open fun substring{i}(beginIndex: Int, endIndex: Int): ByteString =",
            f"    commonSubstring(beginIndex, endIndex + {i})",
            "",
        ]
    return "\n".join(
        [
            "package okio",
            "",
            "actual open class ByteString",
            "internal actual constructor(",
            "  internal actual val data: ByteArray,",
            ") : Serializable, Comparable<ByteString> {",
            *members,
            "  internal open fun digest(algorithm: String): ByteString {",
            "    val digestBytes = MessageDigest.getInstance(algorithm).run {",
            "      update(data, 0, size)",
            "      digest()",
            "    }",
            "    return ByteString(digestBytes)",
            "  }",
            "}",
            "",
        ]
    )


def test_the_brace_scanner_ranks_a_function_without_a_block_as_a_function() -> None:
    text = kotlin_expression_functions()
    lines = text.split("\n")[:-1]
    skeleton = brace_skeleton(text, lines)
    # At the level that leaves out fields and attributes, every function's head stays.
    out = skeleton.render(None, MEMBER, "ByteString.kt") or ""
    kept = set(out.splitlines())
    heads = [line for line in lines if " fun " in line]
    assert len(heads) == 25
    assert all(line in kept for line in heads)
    assert not any("@Transient" in line or "var cache" in line for line in kept)


def test_a_budget_with_a_query_keeps_signatures_not_the_braces_under_them() -> None:
    """guzzle's Utils.php (PSR-12: each method's ``{`` on the line under its signature).

    Cut to a tenth with a query, the fitting form kept some methods' ``{`` lines; every copy
    of them was preferred and took the room of the other methods' signatures (1 of 14 kept,
    beside 14 braces).
    """
    text = (Path(__file__).parent / "data" / "guzzle_utils.php").read_text()
    signatures = [line for line in text.splitlines() if re.match(r"    (public|private) ", line)]
    budget = COUNT(text) // 10
    out = compress(
        text, counter=COUNT, max_tokens=budget, query="Explain what normalizeHeaderKeys does."
    )
    lines = out.text.splitlines()
    assert out.compressed_tokens <= budget
    kept = [s for s in signatures if s in lines]
    braces = [line for line in lines if line.strip() == "{"]
    assert len(kept) >= len(signatures) // 2, kept
    assert len(braces) < len(kept)


def test_a_budget_names_other_methods_before_repeating_a_kept_brace() -> None:
    """A query's method kept whole, its ``}`` stands for every ``}``: signatures come first."""
    members: list[str] = []
    for i in range(24):
        members += [
            "    /**",
            f"     * Returns the value of counter {i} after adding the given delta to it.",
            "     */",
            f"    public final int addAndGet{i}(int delta) {{",
            f"        int next = value{i} + delta;",
            f"        value{i} = next;",
            "        return next;",
            "    }",
            "",
        ]
    text = "\n".join(["public class Counters {", *members, "}"])
    query = "Explain what the function `addAndGet12` does and what it returns."
    out = compress(text, counter=COUNT, query=query, max_tokens=COUNT(text) // 10).text
    named = [i for i in range(24) if f"public final int addAndGet{i}(int delta) {{" in out]
    assert 12 in named
    assert len(named) >= 4, out  # before: the query's method alone
