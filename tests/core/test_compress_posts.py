"""Discussion threads in prose: each post's opening counts, the thread's answer stays."""

from agent_baton.compress import compress
from agent_baton.compress.budget import fit_lines
from agent_baton.compress.guarantees import violations
from agent_baton.compress.posts import answering, posts
from agent_baton.tokens import get_token_counter

OPENING = """\
After the upgrade our nightly build stopped producing the archive, and the job now stops
halfway through the packaging step without any hint of what went wrong in the logs.
We have tried clearing the build directory, pinning the compiler and running the step on
a fresh machine, and the same thing happens every time, on every branch we have.
The packaging step copies the static libraries into the output folder, then links them.
Our setup is a plain Ubuntu machine with the default toolchain and nothing unusual on it.
Nothing in our own configuration changed between the last good night and the first bad one."""

CHATTER = [
    "Same here on two of our machines, it started the same week and nothing else changed.\n"
    "The step took 45 minutes instead of 3 minutes and wrote 2.5 GB of `liblib.a` copies.\n"
    "It would be good to know whether anyone found a way around it in the meantime.",
    "Could this be the file system? Our machines use a network share for the build folder,\n"
    "and `link(2)` across devices fails with `EXDEV` there, which would explain 12 runs.\n"
    "Moving the folder to a local disk did not change anything for us, though.",
    "We rolled back to the previous nightly toolchain and the packaging step works again.\n"
    "That keeps `nightly-2016-05-26` on 40 runners, and `cargo_home` grows by 800 MB a week.\n"
    "Happy to test a patch on our machines if that helps narrow it down.",
]
# What each answer adds: a measured detail, which outranks a plain sentence on its own.
DETAILS = (
    "On runner {k} the step took 4{k} minutes, wrote 2.{k} GB to `target/debug/deps` and\n"
    "failed over to `cp --reflink` {k}0 times, per the `CARGO_LOG=trace` output of 1.1{k}.0."
)
# The opener's last word, after the answer: the answer is not the thread's last post.
THANKS = "Thanks a lot, that did it here too and on the other machines, so closing this one now."
ANSWER = "I think you need to restore the packages before the build; please reopen if not."


def search_tool_thread() -> str:
    """A thread as the search tool hands it over: ``user · kind · date`` over each post."""
    parts = [
        "acme/packer · issue #2956 · closed · Rust",
        "# Nightly fails to package the archive",
        "",
        "alice · description · 2016-08-04",
        OPENING,
    ]
    for k, text in enumerate(CHATTER):
        parts += ["", f"user{k} · comment · 2016-08-0{5 + k}", text]
    parts += ["", "maintainer · comment · 2017-09-26", ANSWER]
    parts += ["", "alice · comment · 2017-09-27", THANKS, ""]
    return "\n".join(parts)


def web_thread() -> str:
    """The same thread copied from its web page as markdown."""
    parts = [
        "# Nightly fails to package the archive",
        "",
        "**alice** opened this issue on Aug 4, 2016:",
    ]
    parts += ["", OPENING]
    for k, text in enumerate(CHATTER):
        parts += ["", f"**user{k}** commented on Aug {5 + k}, 2016:", "", text]
    parts += ["", "**maintainer** commented on Sep 26, 2017:", "", ANSWER]
    parts += ["", "**alice** commented on Sep 27, 2017:", "", THANKS, ""]
    return "\n".join(parts)


def test_the_last_reply_by_another_than_the_opener_is_the_threads_answer():
    for text in (search_tool_thread(), web_thread()):
        result = compress(text, key="t")
        assert result.compressed_tokens < result.original_tokens
        assert ANSWER in result.text.splitlines()
        assert not violations(text, result.text)


def test_an_accepted_answer_stays_wherever_it_stands():
    # A Q&A page as scraped: the votes' line over each answer, no headings between them.
    parts = ["Why does the nightly build not package the archive?", "", OPENING]
    accepted = (
        ANSWER + "\nThe packages live outside the build folder, so clean checkouts keep them."
    )
    answers = [*CHATTER[:1], accepted, *CHATTER[1:], THANKS]
    for k, text in enumerate(answers):
        votes = "up vote 3 down vote accepted" if text == accepted else f"up vote {k} down vote"
        parts += [
            "",
            votes,
            "",
            text,
            DETAILS.format(k=k),
            "",
            f"answered Aug {5 + k} '16 at 10:0{k}",
        ]
    result = compress("\n".join(parts) + "\n", key="q")
    assert result.compressed_tokens < result.original_tokens
    assert ANSWER in result.text.splitlines()


def test_a_quote_of_an_earlier_post_goes_before_the_post_it_repeats():
    first = CHATTER[1].splitlines()[0]
    text = web_thread().replace(
        "**user2** commented on Aug 7, 2016:\n\n",
        f"**user2** commented on Aug 7, 2016:\n\n> {first}\n\n",
    )
    result = compress(text, key="t").text.splitlines()
    assert f"> {first}" not in result


def test_post_lines_in_their_forms_and_sentences_that_are_none():
    lines = [
        "alice · description · 2016-08-04",
        "**bob** commented on Aug 5, 2016:",
        "@carol replied 3 days ago",
        "dave commented:",
        "## Accepted answer",
        "up vote 3 down vote accepted",
        "The maintainer commented on the design at length in the review.",
        "bob commented on it",
    ]
    found = posts(lines)
    assert [p.line for p in found] == [0, 1, 2, 3, 4, 5]
    assert [p.who for p in found[:4]] == ["alice", "bob", "carol", "dave"]
    assert found[0].opening and found[4].accepted and found[5].accepted


def test_each_thread_of_a_research_note_has_its_own_answer():
    lines = [
        "## [1] First thread",
        "alice · description · 2020-01-01",
        "bob · comment · 2020-01-02",
        "alice · comment · 2020-01-03",
        "## [2] Second thread",
        "carol · comment · 2021-01-01",
        "dave · comment · 2021-01-02",
    ]
    found = posts(lines)
    breaks = [0, 4]
    # The opener's own last word is no answer: the last reply by someone else is.
    assert [p.line for p in answering(found, breaks)] == [2, 6]


def test_under_a_budget_the_threads_answer_comes_before_other_lines():
    count = get_token_counter("gpt-4")
    text = search_tool_thread()
    out = fit_lines(text, count(text) // 4, count, "t")
    assert count(out) <= count(text) // 4
    assert ANSWER in out.splitlines()
    assert "maintainer · comment · 2017-09-26" in out.splitlines()


def rewrapped(text: str, width: int) -> list[str]:
    """``text`` as a mail client quotes it: "> " before lines wrapped at ``width``."""
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(f"> {line}")
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*out, f"> {line}"]


def test_what_an_email_reply_quotes_goes_before_what_it_says():
    # A comment posted by replying to GitHub's notification mail: its text, then "On <date>
    # X <notifications@github.com> wrote:" over the earlier comment quoted and re-wrapped,
    # with the mail's footer. The quote of the comment's details outranked the comment.
    own = "Not a file system issue here: our build folder is on a local disk already."
    footer = ["> You are receiving this because you commented.", "> Reply to this email directly"]
    quote = [*rewrapped(CHATTER[2], 72), ">", "> —", *footer]
    attribution = ["On Fri, Aug 5, 2016 at 9:14 AM user2 <notifications@github.com>", "wrote:"]
    reply = "\n".join(["", "", "user9 · comment · 2016-08-09", own, "", *attribution, "", *quote])
    text = search_tool_thread().replace(CHATTER[2], CHATTER[2] + reply)
    result = compress(text, key="t")
    kept = result.text.splitlines()
    assert own in kept
    assert CHATTER[2].splitlines()[1] in kept  # what the quote says again, where it was said
    assert not any(line in kept for line in quote if len(line) > 20)
    assert not violations(text, result.text)


def test_an_exported_issues_post_lines_are_posts():
    # Issues exported to markdown (the search corpus's synced mirrors): "_@alice_" over the
    # description, "_Comment by @bob on <date>_" over each comment; or "## bob | <date>".
    parts = ["# Nightly fails to package the archive", "", "---", "", "_@alice_", "", OPENING]
    replies = [*CHATTER, ANSWER]
    for k, text in enumerate(replies):
        who = "maintainer" if text == ANSWER else f"user{k}"
        parts += ["", "---", "", f"_Comment by @{who} on 2016-08-0{5 + k} 10:1{k}_", "", text]
    parts += ["", "---", "", "_Comment by @alice on 2017-09-27 08:00_", "", THANKS, ""]
    exported = "\n".join(parts)
    stamped = exported.replace("_@alice_", "## alice | 2016-08-04T09:00:00+00:00")
    for k in range(len(replies) + 1):
        stamped = stamped.replace(f"2016-08-0{5 + k} 10:1{k}_", f"2016-08-0{5 + k}T10:1{k}:00Z")
    stamped = stamped.replace("_Comment by @", "## ").replace(" on 2016", " | 2016")
    stamped = stamped.replace(" on 2017-09-27 08:00_", " | 2017-09-27T08:00:00Z")
    for text in (exported, stamped):
        found = posts(text.splitlines())
        assert [p.who for p in found][-2:] == ["maintainer", "alice"]
        result = compress(text, key="t")
        assert result.compressed_tokens < result.original_tokens
        assert ANSWER in result.text.splitlines()
        assert not violations(text, result.text)
