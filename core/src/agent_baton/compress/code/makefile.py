"""Makefiles: told by make's own line grammar, outlined by their rules' heads.

A makefile is a sequence of logical lines (a backslash joins a line to the next), each one of
make's forms: a comment, a variable assignment (``CC ?= gcc``, ``SRC := $(wildcard *.c)``), a
directive (``include``, ``ifeq``/``else``/``endif``, ``define``/``endef``, ``export``,
``vpath``), a rule (``all: prog``, ``%.o: %.c``, ``prog: CFLAGS += -g``) or, after a rule,
a recipe line opening with a tab. A text every line of which is one of these, holding a rule
and something only make writes (a recipe, a ``$(VAR)`` reference, a ``:=``, ``.PHONY``, a
directive) is a makefile; ``key: value`` YAML, INI settings and shell scripts are not.

Its skeleton keeps the heads: each rule's line (its targets and prerequisites) always, the
variables and directives at the levels of a module's constants and imports; recipes and the
bodies of ``define`` are elided under the targets they build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_baton.compress.code.skeleton import ALWAYS, CONSTANT, IMPORT, Owner, Skeleton
from agent_baton.compress.memo import once

_LINE_END = re.compile(r"\r\n|\r|\n")
# An assignment: a name (maybe after modifiers), blanks, "=", ":=", "::=", ":::=", "?=", "+="
# or "!=" (the name takes its operator's first characters; "=" ends the match).
_ASSIGNMENT = re.compile(
    r"(?:(?:override|export|private|unexport)\s++)*+[^\s#=]++[^\S\n]*+[:?+!]*+="
)
# A rule: targets, one or two colons, prerequisites (or a target-specific assignment, or a
# recipe after ";"). A target is a word, a pattern, a path or a variable reference.
_RULE = re.compile(r"(?:[^\s:=#;]+|\$[({][^)}]*[)}])(?:[ \t]+[^\s:=#;]+)*[ \t]*::?(?:[^=]|$)")
_DIRECTIVE = re.compile(
    r"(?:-?include|sinclude|ifeq|ifneq|ifdef|ifndef|vpath|undefine|export|unexport)(?:\s|$)"
    r"|(?:else|endif)(?:\s|$|#)"
)
_INCLUDE = re.compile(r"(?:-?include|sinclude)\s")
_DEFINE = re.compile(r"(?:(?:override|export|private)\s+)*define\s+\S")
_ENDEF = re.compile(r"endef(?:\s|$|#)")
_CALL = re.compile(r"\$[({][\w$]")  # a function's or variable's expansion, alone on its line
_SUBSTITUTED = re.compile(r"@\w+@$")  # autoconf's placeholder for a whole line (Makefile.in)
_REFERENCE = re.compile(r"\$[({][\w@<^*?%.-]|\$[@<^*?]|^\.PHONY\s*:", re.M)
# make's functions that no shell command is named like (shell's $(basename x) is one).
_FUNCTION = re.compile(
    r"\$\((?:if|subst|patsubst|filter|filter-out|findstring|call|wildcard|foreach|eval"
    r"|addprefix|addsuffix|firstword|lastword|notdir) "
)
_MAKE_OPERATOR = re.compile(r"^[^\S\n]*+[\w.-]++[^\S\n]*+(?::{1,3}=|\?=|\+=)", re.M)
# What each form that only make writes holds: a recipe's tab, a reference's "$" (_REFERENCE,
# _FUNCTION), ".PHONY", an operator of _MAKE_OPERATOR.
_MAKE_ONLY = ("\t", "$", ".PHONY", ":=", "?=", "+=")
_SAMPLE = 20_000
_TAB_INDENT = "\t"


@dataclass
class _Line:
    """One logical line: its first and last physical lines and what make reads it as."""

    start: int
    end: int
    form: str  # comment, blank, assignment, directive, include, rule, recipe, define, call


@once
def parses_as_makefile(text: str) -> bool:
    """Whether every line of ``text`` (its first 20,000 characters) is one of make's forms.

    It must hold a rule and something only make writes, see the module.
    """
    sample = text[:_SAMPLE]
    if "=" not in sample and ":" not in sample:
        return False  # neither an assignment nor a rule: most texts stop here
    if not any(map(sample.__contains__, _MAKE_ONLY)):
        # Every yes below needs a recipe's tab, a reference or an operator of make's: none
        # can come, whatever the lines read as (YAML's "key: value" lines all read as rules).
        return False
    lines = _LINE_END.split(sample)
    if len(text) > _SAMPLE:
        lines.pop()  # the sample may end inside a line
    parsed = _logical_lines(lines)
    if parsed is None or len(parsed) < 3:
        return False
    forms = {line.form for line in parsed}
    referring = _REFERENCE.search(sample) is not None  # $(CC), $@, .PHONY
    if {"rule", "recipe"} <= forms and (referring or forms & {"assignment", "include"}):
        # A recipe's tab (YAML and settings indent with blanks) and make's variables: a
        # Java stack trace ("…Exception: boom", then tab-indented frames) has none.
        return True
    if forms & {"include", "directive"} and referring:
        return True
    # Variables alone (dpkg's *.mk, a build's settings): make's operators or functions say so.
    return (
        "assignment" in forms
        and "rule" not in forms
        and (_MAKE_OPERATOR.search(sample) is not None or _FUNCTION.search(sample) is not None)
    )


def _logical_lines(lines: list[str]) -> list[_Line] | None:
    """The logical lines read as make reads them; None at the first line make would refuse."""
    out: list[_Line] = []
    ruled = False  # a rule came before: a tab-indented line is its recipe
    defining = False
    i = 0
    while i < len(lines):
        start = i
        while lines[i].endswith("\\") and i + 1 < len(lines):
            i += 1  # a backslash joins the next line
        first = lines[start]
        stripped = " ".join(part.strip().rstrip("\\") for part in lines[start : i + 1]).strip()
        if defining:
            form = "define"
            defining = _ENDEF.match(stripped) is None
        elif not stripped:
            form = "blank"
        elif first.startswith(_TAB_INDENT) and ruled:
            form = "recipe"
        elif stripped.startswith("#"):
            form = "comment"
        elif _DEFINE.match(stripped):
            form, defining = "define", True
        elif _INCLUDE.match(stripped):
            form = "include"
        elif _DIRECTIVE.match(stripped):
            form = "directive"
        elif _ASSIGNMENT.match(stripped) and not _RULE.match(stripped):
            form = "assignment"
        elif _RULE.match(stripped):
            form, ruled = "rule", True
        elif _ASSIGNMENT.match(stripped):
            form = "assignment"
        elif _CALL.match(stripped) or _SUBSTITUTED.match(stripped):
            form = "call"
        else:
            return None
        out.append(_Line(start, i, form))
        i += 1
    return out


def makefile_skeleton(text: str) -> Skeleton | None:
    """The skeleton of a makefile: rule heads, variables and directives; None if not one."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    parsed = _logical_lines(lines)
    if parsed is None:
        return None
    skeleton = Skeleton(lines, "#")
    owner = -1
    for k, line in enumerate(parsed):
        if line.form == "rule":
            head = lines[line.start].strip()
            name = head.split(":", 1)[0].strip() or head
            end = _recipe_end(parsed, k)
            owner = skeleton.add_owner(Owner(name, line.start, end, ALWAYS))
            skeleton.keep(line.start, line.end, ALWAYS)
        elif line.form == "recipe":
            skeleton.elide(line.start, line.end, owner)
        elif line.form == "define":
            if _DEFINE.match(lines[line.start].strip()):
                name = lines[line.start].split("define", 1)[1].split()[0]
                end = next(
                    (
                        p.end
                        for p in parsed[k:]
                        if p.form == "define" and _ENDEF.match(lines[p.start].strip())
                    ),
                    line.end,
                )
                owner = skeleton.add_owner(Owner(name, line.start, end, ALWAYS))
                skeleton.keep(line.start, line.start, ALWAYS)
            else:
                skeleton.elide(line.start, line.end, owner)
        elif line.form == "include":
            skeleton.keep(line.start, line.end, IMPORT)
        elif line.form in ("assignment", "directive", "call"):
            skeleton.keep(line.start, line.start, CONSTANT)
            if line.end > line.start:
                value = skeleton.add_owner(
                    Owner(
                        lines[line.start].split("=", 1)[0].strip(),
                        line.start,
                        line.end,
                        CONSTANT,
                        function=False,
                    )
                )
                skeleton.elide(line.start + 1, line.end, value)
    return skeleton


def _recipe_end(parsed: list[_Line], k: int) -> int:
    """The last physical line of the recipe of the rule at ``parsed[k]``."""
    end = parsed[k].end
    for line in parsed[k + 1 :]:
        if line.form == "recipe":
            end = line.end
        elif line.form not in ("blank", "comment"):
            break
    return end
