"""The HTML report: what was kept of each entry, checked in a real headless Chromium.

The page is loaded in Debian's chromium driven by playwright (never playwright's own browser
download); a screenshot of it is saved under .artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent_baton import SharedContext
from agent_baton.alignment import Fate, Role, align
from agent_baton.cli import main
from agent_baton.compress import compress
from agent_baton.compress.markers import is_marker
from agent_baton.demo import load_samples

ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
CHROMIUM = os.environ.get("AGENT_BATON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Clock:
    def __init__(self):
        self.now = 1_764_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def run_ctx():
    """A researcher → analyst run over the bundled samples, a second apart."""
    clock = Clock()
    ctx = SharedContext(clock=clock, ttl=None)
    samples = load_samples()
    for agent, key in [
        ("researcher", "transactions"),
        ("researcher", "research_note"),
        ("analyst", "ci_log"),
        ("analyst", "refunds_code"),
    ]:
        ctx.put(key, samples[key], agent=agent)
        clock.now += 1.5
    return ctx


# -- alignment -----------------------------------------------------------------------------


def test_kept_lines_dropped_runs_and_markers_line_up(run_ctx):
    entry = run_ctx.get_entry("refunds_code")
    aligned = align(entry.original, entry.compressed)
    kept = [line for line in aligned.compressed if line.role is Role.KEPT]
    assert kept and all(aligned.original[line.source] == line.text for line in kept)
    assert [line.source for line in kept] == sorted(line.source for line in kept)
    markers = [line for line in aligned.compressed if line.role is Role.MARKER]
    body = next(m for m in markers if "lines of prorate omitted" in m.text)
    (gap,) = body.gaps
    first, last = aligned.gaps[gap]
    # The run it links to is the function's body: from after its kept first docstring line
    # (the rest of the docstring is dropped too) to its last line, 13 lines of code.
    assert aligned.original[first - 3].startswith("def prorate(")  # docstring, blank line
    assert aligned.original[last].strip() == "return parts"
    code = [i for i in range(first, last + 1) if aligned.fates[i] is Fate.DROPPED]
    assert len(code) == 13 + 3  # 13 lines of code and the docstring's other 3 lines
    summary = markers[-1]
    assert summary.text.startswith("[… 103 of 164 lines") and len(summary.gaps) == len(aligned.gaps)


def test_cut_lines_fold_lines_and_records():
    note = "# Title\n\nFirst sentence here. Second sentence that goes. Third one.\n"
    aligned = align(note, "# Title\nFirst sentence here. …\n")
    assert aligned.fates == [Fate.KEPT, Fate.BLANK, Fate.CUT]
    assert aligned.kept_spans[2] == [(0, len("First sentence here."))]
    log = "\n".join(f"10:00:{i:02d} INFO ok {i}" for i in range(20)) + "\n10:01:00 ERROR boom"
    folded = "[×20 10:00:00 … 10:00:19] 10:00:00 INFO ok 0\n10:01:00 ERROR boom"
    aligned = align(log, folded)
    assert aligned.fates[0] is Fate.KEPT and aligned.fates[-1] is Fate.KEPT
    assert aligned.count(Fate.DROPPED) == 19
    assert aligned.compressed[0].role is Role.MARKER and aligned.compressed[0].gaps == (0,)
    records = (
        '[\n  {\n    "id": "a1",\n    "s": "ok"\n  },\n  {\n    "id": "b2",\n    "s": "ok"\n  }\n]'
    )
    aligned = align(records, "id|s\na1|ok\n[… 1 of 2 rows omitted]")
    assert aligned.fates[2] is Fate.RESHAPED and aligned.fates[3] is Fate.RESHAPED
    # b2's record was dropped whole, although "ok" occurs in the kept row.
    assert aligned.fates[6] is Fate.DROPPED and aligned.fates[7] is Fate.DROPPED


def test_prose_is_matched_word_by_word_across_rewrapped_lines():
    note = (
        "Intro line that stays.\n\n"
        "Alpha beta gamma delta. Epsilon zeta eta\n"
        "theta iota. Kappa lambda mu nu.\n\n"
        "The second paragraph opens here. It goes on and on.\n"
    )
    kept = (
        "Intro line that stays.\n"
        "Alpha beta gamma delta. Kappa lambda mu nu.\n"
        "The second paragraph opens here. …\n"
        "[… 2 of 5 sentences omitted]"
    )
    aligned = align(note, kept)
    assert aligned.fates[0] is Fate.KEPT
    first, second = aligned.original[2], aligned.original[3]
    assert aligned.fates[2] is Fate.CUT and aligned.fates[3] is Fate.CUT
    assert [first[a:b] for a, b in aligned.kept_spans[2]] == ["Alpha beta gamma delta."]
    assert [second[a:b] for a, b in aligned.kept_spans[3]] == ["Kappa lambda mu nu."]
    # A run never spans two compressed lines: "nu." ends one, "The second" starts the next.
    last = aligned.original[5]
    assert [last[a:b] for a, b in aligned.kept_spans[5]] == ["The second paragraph opens here."]
    assert [line.role for line in aligned.compressed] == [Role.KEPT] * 3 + [Role.MARKER]


def test_a_word_run_never_spans_two_compressed_lines():
    note = (
        "Para one starts here and\nends right now. The rest is dropped.\n\n"
        "The cat sat on the mat.\n"
    )
    kept = "Para one starts here and ends right now. …\nThe cat sat on the mat today.\n"
    aligned = align(note, kept)
    second, last = aligned.original[1], aligned.original[3]
    assert [second[a:b] for a, b in aligned.kept_spans[1]] == ["ends right now."]
    assert [last[a:b] for a, b in aligned.kept_spans[3]] == ["The cat sat on the"]


def test_nothing_compressed_is_all_kept():
    text = "alpha\nbeta\n\ngamma"
    aligned = align(text, text)
    assert aligned.count(Fate.KEPT) == 3 and aligned.gaps == []


# -- the page ------------------------------------------------------------------------------


def test_the_page_of_a_context_shows_the_runs_in_its_scopes():
    # The integrations keep every run in a scope: the page of the context shows them all.
    ctx = SharedContext()
    ctx.scope("alice").put("research", "Alice's research.\n" * 5, agent="researcher")
    ctx.scope("bob").put("research", "Bob's research.\n" * 5, agent="researcher")
    page = ctx.report_html()
    assert "alice / research" in page and "bob / research" in page and "2 entries" in page
    alice = ctx.scope("alice").report_html()
    assert "Alice&#x27;s research" in alice or "Alice's research" in alice
    assert "Bob" not in alice


def test_page_is_self_contained(run_ctx, tmp_path):
    path = tmp_path / "run.html"
    page = run_ctx.report_html(path)
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>")
    for external in ("http://", "https://", "<link", "src="):
        # Only the sample data's own URLs may appear, as text.
        assert external not in page.replace("https://api.example.com", "")
    assert "0 entries" in SharedContext().report_html()  # an empty context renders too
    escaped = SharedContext()
    escaped.put("k", "<script>alert(1)</script>\n" * 3)
    assert "<script>alert(1)" not in escaped.report_html()


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium) to check the page")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def test_page_in_a_real_browser(run_ctx, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    path = tmp_path / "run.html"
    run_ctx.report_html(path)
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())

        stats = run_ctx.stats()
        totals = f"{stats.total_original_tokens:,} → {stats.total_compressed_tokens:,} tokens"
        assert totals in page.inner_text("#totals")
        timeline = page.inner_text("#timeline")
        assert "researcher → analyst" in timeline
        assert page.locator("#timeline li.put").count() == 4
        assert page.locator("section.entry").count() == 4
        log = page.locator("#entry-3")
        assert "ci_log" in log.locator("h2").inner_text()
        ci_log = next(e for e in run_ctx.entries() if e.key == "ci_log")
        tokens = f"{ci_log.original_tokens:,} → {ci_log.compressed_tokens:,} tokens"
        assert tokens in log.locator(".tokens").inner_text()
        assert log.locator(".transforms").inner_text() == "logs:fold"

        # The failure line is kept: highlighted in both panes, the compressed one linking to it.
        failure = log.locator(".compressed a.kept", has_text="FAILED tests/test_refunds.py")
        target = failure.get_attribute("href")
        assert log.locator(f".original {target}").get_attribute("class") == "l kept"
        # A marker links to the dropped lines it stands for; pointing at it lights them up.
        code = page.locator("#entry-4")
        marker = code.locator("a.marker", has_text="13 lines of prorate omitted")
        gap = marker.get_attribute("href")
        assert code.locator(f"{gap} .l.dropped").count() == 16  # 13 of code, 3 of docstring
        marker.hover()
        assert "hl" in code.locator(gap).get_attribute("class")
        marker.click()
        assert page.evaluate("location.hash") == gap
        assert page.locator(f"{gap}:target").count() == 1
        # Dropped lines are greyed; kept ones are not.
        grey = code.locator(f"{gap} .l.dropped").first.evaluate("e => getComputedStyle(e).color")
        kept_colour = code.locator(".original .l.kept").first.evaluate(
            "e => getComputedStyle(e).color"
        )
        assert grey == "rgb(140, 149, 159)" and kept_colour != grey
        assert not errors

        ARTIFACTS.mkdir(exist_ok=True)
        page.goto(path.as_uri())
        page.screenshot(path=str(ARTIFACTS / "report_top.png"))
        code.scroll_into_view_if_needed()
        code.screenshot(path=str(ARTIFACTS / "report_code_entry.png"))
        log.screenshot(path=str(ARTIFACTS / "report_log_entry.png"))
        browser.close()
    assert (ARTIFACTS / "report_top.png").stat().st_size > 10_000


def test_cli_inspect_file_writes_the_page(tmp_path, capsys):
    source = tmp_path / "build.log"
    source.write_text(load_samples()["ci_log"], encoding="utf-8")
    out = tmp_path / "inspect.html"
    assert main(["inspect", str(source), "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "build.log" in page and 'class="l marker"' in page
    err = capsys.readouterr().err
    assert "wrote" in err and str(out) in err


def test_cli_inspect_without_html_prints_a_summary(tmp_path, capsys):
    source = tmp_path / "refunds.py"
    text = load_samples()["refunds_code"]
    source.write_text(text, encoding="utf-8")
    assert main(["inspect", str(source)]) == 0
    out = capsys.readouterr().out
    result = compress(text, key="refunds.py")
    assert f"{result.original_tokens:,} → {result.compressed_tokens:,} tokens" in out
    markers = sum(is_marker(line) for line in result.text.splitlines())
    assert "61 kept" in out and "68 dropped" in out and f"{markers} markers" in out


def test_cli_inspect_key_in_redis(redis_server, tmp_path, capsys):
    redis_url = redis_server.url
    ctx = SharedContext.from_url(redis_url, namespace="inspect-test")
    ctx.put("ci_log", load_samples()["ci_log"], agent="analyst")
    out = tmp_path / "key.html"
    argv = ["inspect", "ci_log", "--redis", redis_url, "--namespace", "inspect-test"]
    assert main([*argv, "--html", str(out)]) == 0
    assert "ci_log" in out.read_text(encoding="utf-8")
    assert main([*argv[:1], "nope", *argv[2:]]) == 2
    assert "no entry 'nope' in namespace 'inspect-test'" in capsys.readouterr().err


def test_cli_inspect_of_a_namespace_shows_the_runs_scopes(redis_server, tmp_path, capsys):
    # Every integration stores a run's outputs in a scope (a thread, a crew's run, a team):
    # inspecting the namespace must show them, named by their scope.
    url = redis_server.url
    ctx = SharedContext.from_url(url, namespace="inspect-scopes")
    ctx.put("brief", "the task", agent="user")
    ctx.scope("alice").put("research", load_samples()["ci_log"], agent="researcher")
    ctx.scope("team-eu").scope("run-7").put("summary", "EU is fine.", agent="writer")
    argv = ["inspect", "--redis", url, "--namespace", "inspect-scopes"]

    assert main(argv) == 0
    listed = [line.split(":")[0] for line in capsys.readouterr().out.splitlines()[::2]]
    assert listed == ["brief", "alice / research", "team-eu / run-7 / summary"]
    page = tmp_path / "all.html"
    assert main([*argv, "--html", str(page)]) == 0
    assert "alice / research" in page.read_text(encoding="utf-8")
    # One entry of a scope: --scope, repeated for a scope inside another.
    assert main([*argv, "summary", "--scope", "team-eu", "--scope", "run-7"]) == 0
    assert capsys.readouterr().out.startswith("summary: ")
    assert main([*argv, "--scope", "alice"]) == 0
    assert capsys.readouterr().out.startswith("research: ")
    # An empty namespace says so rather than printing nothing.
    assert main(["inspect", "--redis", url, "--namespace", "never-used"]) == 0
    assert "no live entries in namespace 'never-used'" in capsys.readouterr().err
    ctx.clear()
