"""Mixed markdown: prose with fenced code, JSON, tables and run output, each by its kind.

The document keeps its order: prose goes through the prose compressor's sentence selection,
and every fenced block through the compressor its content calls for (code, JSON, logs);
a block no compressor shortens stays as it was. Lines an earlier block already showed (the
same request and response fields in example after example) shrink to a marker that counts them.
"""

from __future__ import annotations

import re
from itertools import accumulate

from agent_baton.compress.chat import said_chars
from agent_baton.compress.indented import dedented, indent_lines, looks_like_note, pasted_blocks
from agent_baton.compress.lines import lines_matching
from agent_baton.compress.memo import once
from agent_baton.compress.prose import compress_document, keep_code_head
from agent_baton.compress.repeats import Shown
from agent_baton.compress.request import Request

# The indent before a fence stays on its line: "\s*" would scan every blank line after each
# line start, n² on a run of them.
_FENCED = re.compile(r"^[^\S\n]*(`{3,}|~{3,})", re.MULTILINE)
# A line that may be a fence, with the line feed before it (lines.lines_matching).
_FENCE_LINE = re.compile(r"\n[^\S\n]*+(?:```|~~~)")
HEADING = re.compile(r"^ {0,3}#{1,6} \S", re.MULTILINE)  # a markdown (ATX) heading
_KEPT = 0.75  # of a transcript in a block: a chat compression keeping more is no summary


@once
def looks_like_mixed(text: str) -> bool:
    """Whether the text is markdown with fenced blocks and prose or headings around them."""
    sample = text[:200000]
    # Every fence holds one of these: found by str.find, where the pattern ("^" of each
    # line) is tried at every character of a text that has none (most: every put asks).
    if "```" not in sample and "~~~" not in sample:
        return False
    fences = _FENCED.findall(sample)
    if len(fences) < 2:
        return False
    outside = unfenced(text)
    if len(re.findall(r"[A-Za-z]{3,}", outside)) >= 30:
        return True
    # Or little but headings over its blocks ("## Script", "## Result"); source code with
    # fenced examples in its docstrings has plenty of text outside them.
    return len(outside) < 0.2 * len(text) and bool(HEADING.search(outside))


@once
def unfenced(text: str) -> str:
    """The text with its fenced blocks removed, with the blank lines right before each.

    A block opens at a line starting with three or more backticks (or tildes) and closes at
    the next line starting with as many, or, when no later line has as many, with as many as
    the longest later fence (three at least); what follows the closing fence stays. A fence
    that nothing closes is text. One pass over the fences, however many stay open: the
    lines that may be one are found in one scan of the text.
    """
    lines = text.split("\n")
    at = lines_matching(_FENCE_LINE, text)  # the lines that may open or close a block
    fences = [_fence(lines[i]) for i in at]
    # later[char][k]: the longest fence of that character after the k-th fence line, so a
    # fence that will not be closed is known at once instead of by a scan to the end.
    later: dict[str, list[int]] = {"`": [0] * len(at), "~": [0] * len(at)}
    for char, longest in later.items():
        for k in range(len(at) - 2, -1, -1):
            following = fences[k + 1]
            longest[k] = max(longest[k + 1], following[1] if following[0] == char else 0)
    starts = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    pieces: list[str] = []
    kept_from = 0  # the text from here on is kept unless a block is found
    k = 0
    while k < len(at):
        char, run, _ = fences[k]
        length = min(run, later[char][k]) if char else 0
        if length < 3:
            k += 1  # a fence that nothing closes is text
            continue
        close = k + 1
        while fences[close][0] != char or fences[close][1] < length:
            close += 1
        first = at[k]
        while first > 0 and not lines[first - 1].strip():
            first -= 1  # the blank lines right above the block go with it
        pieces.append(text[kept_from : starts[first]])
        kept_from = starts[at[close]] + fences[close][2] + length
        k = close + 1
    pieces.append(text[kept_from:])
    return "".join(pieces)


def _fence(line: str) -> tuple[str, int, int]:
    """(character, length, indent) of the fence a line starts with; ("", 0, 0) if none."""
    code = line.lstrip()
    run = len(code) - len(code.lstrip(code[:1])) if code[:1] in ("`", "~") else 0
    return (code[0], run, len(line) - len(code)) if run >= 3 else ("", 0, 0)


def compress_mixed(text: str, request: Request) -> tuple[str, str] | None:
    """Compress prose and each fenced block by its kind, in order; None if not mixed.

    A block indented under a line that introduces it is read as a fenced one (a note's log).
    """
    if not (looks_like_mixed(text) or looks_like_note(text)):
        return None
    shown = Shown()
    spans = pasted_blocks(text)
    every = text.splitlines() if spans else []
    pasted = {"\n".join(every[first:end]) for first, end in spans}

    def handler(block: str, lang: str, req: Request) -> str:
        out, kind = _by_kind(block, lang, req, block in pasted)
        # A transcript repeats its speaker lines on purpose; examples repeat by accident.
        if kind == "chat":
            return out
        lines = out.splitlines()
        kept = shown.drop_repeated(lines, (0, len(lines) - 1), in_order=False)[0]
        found = dedented(block) if block in pasted else None
        if found is not None:
            # The markers for repeated lines stay inside the block, at its indent.
            kept = [
                line if not line or line.startswith(found[0]) else found[0] + line for line in kept
            ]
        return "\n".join(kept)

    out = compress_document(text, request, handler, [first for first, _ in spans])
    return None if out is None else (out, "mixed:segments")


def _by_kind(block: str, lang: str, request: Request, pasted: bool = False) -> tuple[str, str]:
    """The compressed block and the kind that compressed it ("" when none did).

    A ``pasted`` block (a tool's output indented in a note) is read without its indent.
    """
    lines = block.splitlines()
    fenced = len(lines) >= 2 and _FENCED.match(lines[0]) is not None
    closing = fenced and _FENCED.match(lines[-1]) is not None
    inner = "\n".join(lines[1 : -1 if closing else None]) if fenced else block
    indent = ""
    if pasted and (found := dedented(block)) is not None:
        indent, inner = found  # its kind is read, and it is compressed, without the indent
    if len(inner) < 400:
        return block, ""
    from agent_baton.compress.guarantees import restore_failures  # lazy: it imports logs
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports mixed

    produced = compress_part(inner, request, skip=("mixed", "prose"))
    if produced is None or (produced[1] == "chat" and len(produced[0]) > _KEPT * said_chars(inner)):
        # A transcript shown as an example keeps most of what its turns say (written out or
        # as a result's repr): its head and end show what it is, as for any other example.
        return keep_code_head(block, lang, request), ""
    # A block's failure lines stay in that block, at their place.
    compressed, kind = indent_lines(restore_failures(inner, produced[0]), indent), produced[1]
    return "\n".join([lines[0], compressed, lines[-1]] if closing else [compressed]), kind
