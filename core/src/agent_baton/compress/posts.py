"""Discussion threads inside prose: who posted where, and which post answers the opener.

An issue or pull request thread, a forum or Q&A page, a research note quoting threads: each
post opens with a line naming its author (the search tool's ``alice · comment · 2016-08-05``,
a web page's ``**alice** commented on Aug 5, 2016:``, ``@alice replied:``, a Q&A page's
``### Accepted answer``, an exported issue's ``_Comment by @alice on 2016-10-11 10:41_`` or
``## alice | 2017-02-28T02:49:27+00:00``). A post's opening sentence is its turn's point, and
the last reply by someone other than the opener, or the answer marked accepted, carries the
thread's resolution ("I believe this was fixed in #3118", "Windows is not supported."):
short conversational sentences that salience alone ranks low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# An author: a login or up to three words of a name, maybe bold or with "@".
_WHO = r"(?:\*\*|__)?@?(?P<who>\w[\w.-]{0,38}(?: \w[\w.-]{0,38}){0,2})(?:\*\*|__)?"
# The search tool's post line: "alice · comment · 2016-08-05" (its kind says who opened).
_DOTTED = re.compile(
    _WHO + r" · (?P<kind>description|comment|review(?: thread)?|answer) · \d{4}-\d\d-\d\d"
)
# A copied web page's: "alice commented on Aug 5, 2016", "**bob** replied:", "@carol answered
# 3 days ago". A date, a time or a closing colon says it is a post's line, not a sentence.
_VERBED = re.compile(
    _WHO + r" (?P<kind>commented|replied|answered|asked|opened this issue|posted)"
    r"(?P<tail>(?: [^\n]{0,60}?)?):?"
)
_WHEN = re.compile(r"\d{4}|\d:\d\d|\bago\b|\btoday\b|\byesterday\b|'\d\d\b")
# A Q&A page's heading of an answer or a comment: "## Accepted answer", "### Answer by bob".
_HEADED = re.compile(
    r"#{1,6} (?P<accepted>Accepted )?(?P<kind>Answer|Comment|Reply|Question)\b"
    r"(?: by " + _WHO + r")?[^\n]{0,60}",
    re.IGNORECASE,
)
# Issues exported to markdown, a post's line in one of two forms: "_@alice_" over the
# description, "_Comment by @bob on 2016-10-11 10:41_" over each comment ("_@bob approved on
# 2023-03-04 17:55_" over a review), or "## bob | 2017-02-28T02:49:27+00:00" under
# "# Discussion History".
_LOGIN = r"(?P<who>[\w.-]{1,39}(?:\[bot\])?)"
_EXPORTED = re.compile(
    r"_(?P<comment>Comment by )?@"
    + _LOGIN
    + r"(?P<review> approved| commented| requested changes)?"
    r"(?: on [\d: -]{10,19})?_"
)
_STAMPED = re.compile(
    r"#{1,6} " + _LOGIN + r" \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?"
)
# Stack Overflow pages as scraped: "up vote 3 down vote accepted" over the accepted answer.
_VOTED = re.compile(r"(?:up ?vote )?-?\d+ (?:down ?vote )?(?P<accepted>accepted)", re.IGNORECASE)
_OPENING = ("description", "asked", "opened this issue", "question")
_LONGEST = 120  # characters: a longer line is a sentence that mentions a post, not its line


@dataclass(frozen=True, slots=True)
class Post:
    """A post's first line: its index, its author ("" when unnamed) and what it is."""

    line: int
    who: str
    opening: bool  # opens a thread: an issue's description, a question
    accepted: bool  # marked as the accepted answer


def posts(lines: list[str]) -> list[Post]:
    """The lines that open a post of a discussion, in order."""
    found = []
    for i, line in enumerate(lines):
        post = _post(line.strip())
        if post is not None:
            found.append(Post(i, *post))
    return found


def _post(line: str) -> tuple[str, bool, bool] | None:
    """(author, opening, accepted) if the line opens a post."""
    # Every form holds " · ", a posting verb or a mark that starts a heading or a vote: most
    # lines are passed over without a pattern tried.
    if not line or len(line) > _LONGEST:
        return None
    dotted = _DOTTED.fullmatch(line) if " · " in line else None
    if dotted is not None:
        return dotted.group("who"), dotted.group("kind") == "description", False
    verbed = _VERBED.fullmatch(line) if any(v in line for v in _VERBS) else None
    if verbed is not None and (
        line.endswith(":") or line[0] in "*_@" or _WHEN.search(verbed.group("tail"))
    ):
        return verbed.group("who"), verbed.group("kind") in _OPENING, False
    exported = _EXPORTED.fullmatch(line) if line[0] == "_" else None
    if exported is not None:
        opening = exported.group("comment") is None and exported.group("review") is None
        return exported.group("who"), opening, False
    stamped = _STAMPED.fullmatch(line) if line[0] == "#" and " | " in line else None
    if stamped is not None:
        return stamped.group("who"), False, False
    headed = _HEADED.fullmatch(line) if line[0] == "#" else None
    if headed is not None:
        kind = headed.group("kind").lower()
        return headed.group("who") or "", kind in _OPENING, headed.group("accepted") is not None
    voted = _VOTED.fullmatch(line) if "accepted" in line else None
    if voted is not None:
        return "", False, True
    return None


_VERBS = (" commented", " replied", " answered", " asked", " opened this issue", " posted")


def answering(found: list[Post], breaks: list[int]) -> list[Post]:
    """The posts that carry a thread's resolution.

    A thread runs from a post that opens one (or a break: a section's heading between posts,
    where a research note puts each thread under its own title) to the next. Its answer is
    its last reply by someone other than the one who opened it; an accepted answer is one
    wherever it stands.
    """
    out: list[Post] = []
    run: list[Post] = []
    at = 0  # the next break to pass
    for post in [*found, None]:
        crossed = False
        while at < len(breaks) and (post is None or breaks[at] < post.line):
            crossed = True
            at += 1
        if post is None or crossed or post.opening:
            out += _answer(run)
            run = []
        if post is not None:
            run.append(post)
    return out + [p for p in found if p.accepted and p not in out]


def _answer(run: list[Post]) -> list[Post]:
    """The last post of a thread by someone other than the one whose post opens it."""
    opener = run[0].who if run else ""
    replies = [p for p in run[1:] if not (opener and p.who == opener)]
    return replies[-1:]


def openings(found: list[Post], spans: list[tuple[int, int]], passed: set[int]) -> list[list[int]]:
    """For each post, the sentences that open it: on its first line, and its body's first.

    ``spans`` are the sentences' (first line, last line), in order; those in ``passed`` (a
    quote of an earlier post the reply opens with) open nothing.
    """
    out: list[list[int]] = []
    k = 0
    ends = [p.line for p in found[1:]] + [1 << 62]
    for post, end in zip(found, ends, strict=True):
        while k < len(spans) and spans[k][1] < post.line:
            k += 1
        picked = []
        j = k
        while j < len(spans) and spans[j][0] <= post.line:
            picked.append(j)  # the sentence the post's line runs into
            j += 1
        while j in passed:
            j += 1
        if (
            j < len(spans)
            and spans[j][0] < end
            and not any(spans[i][1] > post.line for i in picked)
        ):
            picked.append(j)  # the body's first sentence, below the post's line
        out.append(picked)
    return out


def answer_posts(lines: list[str]) -> list[int]:
    """The lines that carry each thread's answer: its post's line and its body's first.

    For a budget that keeps whole lines: a markdown heading of the first two levels that is
    no post's own line ends a thread; a quote the reply opens with, a blank or a marker is
    passed over.
    """
    found = posts(lines)
    if not found:
        return []
    own = {p.line for p in found}
    breaks = [i for i, line in enumerate(lines) if i not in own and line.startswith(_BREAKS)]
    out: list[int] = []
    for post in answering(found, breaks):
        body = range(post.line + 1, min(len(lines), post.line + 1 + _BODY_LOOK))
        first = next(
            (k for k in body if lines[k].strip() and lines[k].lstrip()[:1] not in ">["), None
        )
        out += [post.line] if first is None or first in own else [post.line, first]
    return out


_BREAKS = ("# ", "## ")
_BODY_LOOK = 6  # lines under a post's line where its body's first line is looked for
