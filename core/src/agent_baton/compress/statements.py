"""Statements in an agent's report: the decisions, constraints and blockers it records.

A report or an answer mixes tool output with the agent's own prose. The prose's narrative
may go, but a sentence that records a decision ("decided to keep the legacy exporter"), a
scope ("out of scope until Q3"), a rule ("must not retry more than 3 times"), a blocker or a
root cause is what the next agent acts on: the line fold keeps it, and when a compressor of
documents dropped one, it comes back at its place. Only a line that opens like a sentence
(a capitalised word, maybe after a list bullet, then more words) counts: a log's records
("[INFO] RAT will not execute") and code say "must" and "never" as data.
"""

from __future__ import annotations

import re
from itertools import accumulate

from agent_baton.compress.guarantees import Failure, lines_holding, put_back

# Whole texts of these kinds hold an agent's prose among blocks: markdown with fenced blocks
# and split segments. (The line fold keeps statements itself, chat turns restore their own;
# prose documents, licences and references state rules throughout: not a report's record.)
STATEMENT_KINDS = frozenset({"mixed", "segments"})
_STATEMENT = re.compile(
    r"\b(?:decid(?:e|ed|es|ing)|decisions?|agreed|out of scope|blocked (?:on|by)|blockers?"
    r"|must|mustn't|won't|will not|root cause|deadline)\b",
    re.IGNORECASE,
)
# What every match of _STATEMENT holds, case-folded: the lines holding none are not read.
_STATEMENT_WORDS = (
    *("decid", "decision", "agreed", "out of scope", "block", "must", "won't", "will not"),
    *("root cause", "deadline"),
)
# A capitalised word, after a list bullet or a quote mark if any, then four more words.
_SENTENCE = re.compile(r"^ {0,3}(?:[-*+>] |\d{1,3}[.)] )?[A-Z][\w'-]*+ (?:[^\s|]++ ){4}")
_MAX_CHARS = 400  # a longer line is a paragraph, not one statement
_LABEL = "[… statements from elsewhere in the original:]"


def statement_lines(lines: list[str]) -> list[int]:
    """The indexes of the lines that state a decision, a constraint, a blocker or a cause."""
    # Most lines hold none of the words: one scan of the joined text finds the few that do.
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    holding = lines_holding("\n".join(lines), starts, _STATEMENT_WORDS)
    return [
        i
        for i in sorted(holding)
        if len(lines[i]) < _MAX_CHARS and _STATEMENT.search(lines[i]) and _SENTENCE.match(lines[i])
    ]


def restore_statements(original: str, compressed: str) -> str:
    """``compressed`` with the statement lines of ``original`` it dropped put back."""
    lines = original.splitlines()
    kept = set(compressed.split("\n"))
    missing = [Failure(i, lines[i], 0) for i in statement_lines(lines) if lines[i] not in kept]
    return put_back(original, compressed, missing, _LABEL)
