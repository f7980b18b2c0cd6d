import base64
import dataclasses
import datetime
import decimal
import html.entities
import json
import os
import pathlib
import re
import urllib.parse
import uuid

from agent_baton.compress import compress
from agent_baton.compress.guarantees import unmarked_omissions, violations
from agent_baton.compress.json import _Column, _numeric_text, choose_records, parse_embedded
from agent_baton.compress.markers import is_marker
from agent_baton.compress.parsed import NOT_DATA, literal_value
from agent_baton.compress.request import Request


def orders(n=300, failed=(150,)):
    return [
        {
            "order_id": 4000 + i,
            "customer": {"name": f"customer {i % 40}", "tier": "gold" if i % 3 else "silver"},
            "status": "failed" if i in failed else "delivered",
            "amount": 10 + (i * 7) % 90,
            "url": f"https://shop.example.com/api/orders/{4000 + i}",
        }
        for i in range(n)
    ]


# A document on one line (as APIs send it) has no line to keep: it is shown as tables, a view
# of that line under a label. A document over several lines keeps its own lines.


def test_small_array_becomes_lossless_table():
    rows = orders(8)
    result = compress(json.dumps(rows))
    assert result.transforms == ["json:table"]
    text = result.text
    assert "rows: 8 rows" in text
    assert "same in all rows: status=delivered" in text
    assert "order_id|customer.name|customer.tier|amount|url" in text
    for row in rows:  # every value of every row survives the table form
        assert str(row["order_id"]) in text and row["url"] in text
    assert result.compressed_tokens < 0.6 * result.original_tokens


def test_constant_columns_are_stated_once():
    rows = [{"id": i, "region": "eu-west-1", "ok": True} for i in range(30)]
    text = compress(json.dumps(rows)).text
    assert "same in all rows: region=eu-west-1; ok=true" in text
    assert text.count("eu-west-1") == 1


def test_large_array_keeps_anomalies_edges_and_says_what_was_dropped():
    rows = orders(300, failed=(150,))
    rows[200]["amount"] = 99_999  # an outlier
    result = compress(json.dumps(rows), key="orders")
    text = result.text
    assert result.transforms == ["json:table+sample"]
    assert result.savings_percent > 85
    lines = text.splitlines()
    assert any(line.startswith("4150|") and "failed" in line for line in lines)
    assert any(line.startswith("4200|") and "99999" in line for line in lines)
    assert any(line.startswith("4000|") for line in lines)  # first row
    assert any(line.startswith("4299|") for line in lines)  # last row
    assert "status: delivered×299, failed×1" in text
    assert "amount 10–99999" in text
    assert re.search(
        r'\[… \d+ of 300 rows, 1 column \(\w+\) omitted — full: get\("orders", full=True\)\]', text
    )


def test_query_keeps_matching_row_from_the_middle():
    rows = orders(600, failed=())
    text = json.dumps(rows)
    plain = compress(text).text.splitlines()
    missing = [
        r["order_id"]
        for r in rows[200:400]
        if not any(f"{r['order_id']}|" in line for line in plain)
    ]
    assert missing  # the plain form samples rows
    wanted = missing[len(missing) // 2]
    focused = compress(text, query=f"order {wanted}").text
    assert any(line.startswith(f"{wanted}|") for line in focused.splitlines())
    assert "← matches query" in focused


def test_null_where_others_have_values_is_kept():
    rows = [{"id": i, "owner": f"team-{i % 5}", "sha": f"{i:040x}"} for i in range(200)]
    rows[77]["owner"] = None
    text = compress(json.dumps(rows)).text
    assert any(line.startswith("77|") for line in text.splitlines())


def test_nested_object_with_records_and_scalars():
    doc = {"total_count": 12345, "incomplete": False, "items": orders(200)}
    text = compress(json.dumps(doc)).text
    assert "total_count: 12345" in text
    assert "items: 200 rows" in text


def test_map_like_objects_stay_one_column():
    rows = [{"code": f"C{i}", "prices": {f"CUR{i}": {"amount": i}}} for i in range(40)]
    text = compress(json.dumps(rows)).text
    header = next(line for line in text.splitlines() if line.startswith("code|"))
    assert header == "code|prices"


def test_json_after_a_line_of_prose():
    body = json.dumps(orders(100), indent=2)
    text = "Here is what the orders API returned:\n" + body + "\nThat is all."
    result = compress(text)
    assert result.text.startswith("Here is what the orders API returned:")
    assert result.text.rstrip().endswith("That is all.")
    assert result.transforms[0].startswith("json:")


def test_the_lines_around_json_keep_their_blanks():
    # cargo --message-format=json: its "   Compiling" line (on stderr) before the messages.
    body = json.dumps(orders(100))
    text = "   Compiling cr v0.1.0 (/tmp/cr)\n" + body + "\n    Finished `dev` profile\n"
    result = compress(text)
    lines = result.text.splitlines()
    assert result.transforms[0].startswith("json:")
    assert lines[0] == "   Compiling cr v0.1.0 (/tmp/cr)"
    assert lines[-1] == "    Finished `dev` profile"


def test_parse_embedded_rejects_prose_with_braces():
    assert parse_embedded("use {x} and [y] in the template " * 20) is None
    assert parse_embedded("") is None


def test_invalid_json_does_not_crash():
    broken = '[{"a": 1}, {"a": 2,' + ' "b": "x"' * 400
    result = compress(broken)
    assert result.text == broken or result.compressed_tokens < result.original_tokens


def test_deep_nesting_does_not_crash():
    deep = "[" * 1000 + "]" * 1000
    assert compress(deep).text  # parses or falls back, never raises
    deeper = "[" * 100_000 + "]" * 100_000
    result = compress(deeper)
    assert result.text


def test_huge_numbers_and_unicode_values():
    rows = [{"n": 10**40 + i, "name": f"ßüñ 🙂 {i}", "rtl": "שלום"} for i in range(60)]
    text = compress(json.dumps(rows, ensure_ascii=False, indent=2)).text
    assert str(10**40) in text
    assert "שלום" in text


def test_cells_escape_separators():
    rows = [{"id": i, "note": "a|b\nc"} for i in range(2)] + [{"id": 9, "note": "x"}]
    text = compress(json.dumps(rows * 20)).text
    assert "a\\|b\\nc" in text


def test_the_rows_holding_a_columns_smallest_and_largest_values_are_kept():
    rows = [{"id": i, "sku": f"SKU-{i:04d}", "stock": 10 + i % 50} for i in range(400)]
    rows[377]["stock"] = 0  # not an outlier by spread, but the one empty shelf
    assert "377|SKU-0377|0" in compress(json.dumps(rows)).text


def test_an_int_category_counts_its_values_as_a_string_category_does():
    rows = [{"id": i, "code": 500 if i == 123 else 200, "ms": i % 40} for i in range(300)]
    text = compress(json.dumps(rows)).text
    assert any(line.startswith("123|") and "|500|" in line for line in text.splitlines())
    assert "code: 200×299, 500×1" in text


def test_a_marker_stays_one_line_when_a_value_it_quotes_has_line_breaks():
    # pip inspect: one package's license is its whole text; the column's counts quote it.
    rows = [{"name": f"pkg{i}", "license": "MIT" if i % 3 else "Apache-2.0"} for i in range(400)]
    rows[5]["license"] = "MIT License\n\nCopyright (c) 2022 OpenAI\r\nPermission is granted"
    text = json.dumps({"installed": rows}, indent=2)
    out = compress(text, key="inspect").text
    assert "MIT License\\n\\nCopyright" in out  # the counts name it, escaped
    assert not any(line.startswith(("Copyright", "Permission")) for line in out.splitlines())


def test_pretty_json_keeps_its_own_lines_and_marks_each_cut():
    rows = orders(300, failed=(150,))
    rows[200]["amount"] = 99_999  # an outlier
    text = json.dumps({"total_count": 300, "items": rows}, indent=2)
    result = compress(text, key="orders")
    assert result.transforms == ["json:outline+sample"]
    assert result.savings_percent > 80
    source = set(text.splitlines())
    out = result.text.splitlines()
    assert all(line in source or line.lstrip().startswith("[…") for line in out)
    assert '  "total_count": 300,' in out
    assert '      "order_id": 4150,' in out and '      "status": "failed",' in out
    assert '      "order_id": 4200,' in out and '      "amount": 99999,' in out
    assert '      "order_id": 4000,' in out and '      "order_id": 4299,' in out
    assert any(re.fullmatch(r"    \[… \d+ items\]", line) for line in out)  # where, how many
    # The closing marker counts the whole, as other kinds do; each place counts its own.
    summary = re.fullmatch(
        r'\[… (\d+) of (\d+) lines \((\d+) items\) omitted — full: get\("orders", full=True\)\]',
        out[-1],
    )
    assert summary and int(summary[2]) == len(text.splitlines())
    assert int(summary[1]) == len(text.splitlines()) - sum(not is_marker(line) for line in out)
    assert unmarked_omissions(text, result.text) == []


def test_pretty_json_whose_items_share_lines_is_cut_between_them():
    # "[{" opens the list and its first item, "}, {" closes one item and opens the next: the
    # items are read from those lines, and a nested record's lines are read when it is kept.
    rows = orders(300, failed=(150,))
    text = json.dumps({"page": 1, "orders": rows}, indent=2)
    text = text.replace("[\n    {", "[{").replace("},\n    {", "}, {")
    assert '  "orders": [{' in text and "    }, {" in text
    result = compress(text, key="orders")
    assert result.transforms == ["json:outline+sample"]
    source = set(text.splitlines())
    out = result.text.splitlines()
    assert all(line in source or line.lstrip().startswith("[…") for line in out)
    assert '  "orders": [{' in out and '      "order_id": 4150,' in out
    assert '      "status": "failed",' in out
    assert any(re.fullmatch(r"    \[… \d+ items\]", line) for line in out)


def test_pretty_json_keeps_the_record_a_query_names_whole():
    rows = orders(600, failed=())
    text = json.dumps(rows, indent=2)
    record = json.dumps(rows[333], indent=2).replace("\n", "\n  ")
    assert f"  {record}" in text
    assert f"  {record}" not in compress(text).text
    assert f"  {record}" in compress(text, query="order 4333").text


def test_an_object_keyed_by_name_with_a_few_values_not_records_is_compressed():
    # package.json's "exports": "./package.json": "./package.json" among entry points.
    exports = {"./package.json": "./package.json"}
    exports |= {
        f"./entry{i}": {"import": f"./esm/{i}.js", "types": f"./{i}.d.ts"} for i in range(40)
    }
    document = {"name": "tar", "exports": exports, "scripts": {"test": "tap"}}
    for text in (json.dumps(document, indent=2), json.dumps(document)):
        result = compress(text, max_tokens=300)
        assert result.transforms[0].startswith("json:") and "failed" not in result.transforms[0]
        assert violations(text, result.text) == []


def test_a_document_on_one_line_ending_in_a_line_break_is_a_view_of_that_line():
    for end in ("\n", "\r\n", ""):
        text = json.dumps({"items": orders(100)}) + end
        result = compress(text)
        assert result.text.startswith(f"[§ the next {result.text.count(chr(10))} lines re-render")
        assert f"of {len(text.rstrip())} characters" in result.text.splitlines()[0]
        assert violations(text, result.text) == []


def test_pretty_json_keeps_a_failure_line_inside_a_string_value_cut_out():
    # crewai's translations: prompts over several lines in one string each.
    prompts = {f"prompt_{i}": f"Step {i} of the plan.\n{'Explain it. ' * 20}" for i in range(60)}
    prompts["prompt_31"] = f"Stop when:\n- A command returned a non-zero exit code\n{'Then. ' * 40}"
    text = json.dumps({"slices": prompts, "tools": {"a": "b"}}, indent=2)
    result = compress(text)
    assert result.compressed_tokens < result.original_tokens / 2
    assert "- A command returned a non-zero exit code" in result.text
    assert violations(text, result.text) == []


def test_max_tokens_keeps_a_views_lines_under_its_label_counting_those_kept():
    page = "<html><body>" + "".join(
        f"<h2>Section {i}</h2><p>Modules of part {i} go to /usr/lib/part{i}/dist-packages.</p>"
        for i in range(80)
    )
    for text, query in (
        (json.dumps({"items": orders(200)}) + "\n", "order 4150"),
        (page + "</body></html>\n", "part 77"),
    ):
        for ask in (None, query):
            result = compress(text, query=ask, max_tokens=150)
            assert "budget:lines" in result.transforms
            assert violations(text, result.text) == []
            out = result.text.splitlines()
            at = next(k for k, line in enumerate(out) if line.startswith("[§"))
            count = int(re.match(r"\[§ the next (\d+) ", out[at])[1])
            assert count == len(out) - at - 2  # all but the closing marker


def test_query_keeps_the_member_of_a_config_it_names():
    # A build configuration (node's process.config, sysconfig's variables): hundreds of
    # one-line settings and a long list of files. A query naming one setting, or one file of
    # the list, keeps it, though the outline leaves most settings and the list out.
    settings = {f"setting_{i:03d}": f"/opt/build/lib/value_{i}" for i in range(400)}
    settings["LIBPC"] = "/opt/python/lib/pkgconfig"
    files = [f"lib/internal/module_{i}.js" for i in range(300)]
    files[170] = "lib/internal/perf/event_loop_delay.js"
    text = json.dumps({"variables": {**settings, "library_files": files}}, indent=1)
    for query, line in (
        ("pkgconfig", '  "LIBPC": "/opt/python/lib/pkgconfig",'),
        ("event_loop_delay", '   "lib/internal/perf/event_loop_delay.js",'),
        # A dotted path to it: its key is in the text, the path of objects around it not.
        ("What is variables.LIBPC set to?", '  "LIBPC": "/opt/python/lib/pkgconfig",'),
    ):
        focused = compress(text, query=query).text
        assert line in focused.splitlines(), query
        assert not violations(text, focused)
        assert not unmarked_omissions(text, focused)


def test_a_flat_mapping_on_one_line_is_sampled_and_keeps_what_a_query_names():
    # str() of a tool's dict of settings (AutoGen's shape), or the same as minified JSON:
    # html.entities.html5 holds 2,231 names. It was rendered whole (7 % saved); now the
    # first settings, a marker where the rest were, and the one a query names.
    for text in (str(html.entities.html5), json.dumps(html.entities.html5)):
        result = compress(text, key="entities")
        assert result.compressed_tokens < result.original_tokens // 4
        assert any(re.fullmatch(r"\[… \d+ keys\]", line) for line in result.text.splitlines())
        focused = compress(text, key="entities", query="plusb;").text
        assert 'plusb;: "⊞"' in focused.splitlines()
        assert not violations(text, result.text) and not violations(text, focused)


def test_a_repr_holding_object_reprs_is_read_as_data():
    # str() of a boto3 or database result: datetimes, decimals, UUIDs and paths are calls.
    rows = [
        {
            "id": f"job-{1000 + i}",
            "started": datetime.datetime(2026, 12, 6, 19, i % 60, tzinfo=datetime.UTC),
            "cost": decimal.Decimal(f"{i}.50"),
            "run": uuid.UUID(int=i),
            "log": pathlib.PurePosixPath(f"/var/log/jobs/{i}.log"),
            "status": "FAILED" if i == 67 else "SUCCEEDED",
        }
        for i in range(120)
    ]
    text = str({"Items": rows, "Count": 120})
    assert literal_value(text)["Items"][3]["cost"] == "Decimal('3.50')"
    out = compress(text, key="jobs")
    assert out.transforms[0].startswith("repr:") and "job-1067" in out.text
    assert out.compressed_tokens < 0.3 * out.original_tokens
    # Code is not data: a call of anything but a dotted name, or on a name, is not a repr.
    for code in ("[f(x)]", "[(lambda: 1)()]", "{'a': g(**kw)}", "[a.b(c)]", "{**base}"):
        assert literal_value(code) is NOT_DATA


def test_a_record_whose_list_has_a_rare_length_is_kept():
    # A merge commit (two parents) among plain ones, as GitHub's commits API lists them.
    commits = [
        {
            "sha": f"{i:040x}",
            "commit": {"message": f"Change number {i} of the parser", "author": {"name": "ann"}},
            "parents": [{"sha": f"{i + 1:040x}"}, *([{"sha": f"{i:039x}f"}] if i == 71 else [])],
        }
        for i in range(150)
    ]
    out = compress(json.dumps(commits, indent=2), key="commits")
    assert "Change number 71 of the parser" in out.text


def test_numbers_sent_as_strings_have_outliers_too():
    # DynamoDB's "N" values, prices and sizes in many APIs: a string holding a number.
    rows = [
        {"job_id": f"job-{1000 + i}", "queue": "etl", "duration_s": str(30 + (i * 13) % 200)}
        for i in range(300)
    ]
    rows[211]["duration_s"] = "86400"
    text = "\n".join(json.dumps(row) for row in rows)
    out = compress(text, key="jobs").text
    assert "job-1211" in out and "duration_s 30–86400" in out
    # Not a number: a zero-padded code, a version.
    assert not _numeric_text("007") and not _numeric_text("1.2.3") and _numeric_text("-0.5")
    # Nor codes of one width, each row its own (NOAA's "I_D": "3148"): they name rows.
    assert not _Column("I_D", [str(3148 + i) for i in range(100)]).as_text
    assert _Column("duration_s", [str(30 + 13 * i) for i in range(100)]).as_text


@dataclasses.dataclass
class Job:
    id: str
    status: str
    queue: str


def test_a_list_of_records_reprs_is_read_as_a_table_of_their_fields():
    # str() of a tool returning dataclasses, pydantic models or named tuples.
    jobs = [
        Job(f"job-{1000 + i}", "FAILED" if i == 151 else "SUCCEEDED", "etl") for i in range(300)
    ]
    urls = [urllib.parse.urlparse(f"https://pypi.org/project/pkg{i}/") for i in range(300)]
    urls[77] = urllib.parse.urlparse("ftp://mirror.example/pub/pkg77.tar.gz")
    for text, rare in ((str(jobs), "job-1151"), (str(urls), "mirror.example")):
        value = literal_value(text)
        assert value is not NOT_DATA and set(value[0]) > {"class"}
        out = compress(text, key="records")
        assert out.transforms[0].startswith("repr:table") and rare in out.text
        assert out.compressed_tokens < 0.25 * out.original_tokens


def test_a_repr_holding_objects_in_angle_brackets_is_read_as_data():
    # str() of os.scandir's entries, of a signature's parameters, of a dict of functions.
    entries = str(sorted(os.scandir(os.path.dirname(os.__file__)), key=lambda e: e.name))
    assert literal_value(entries)[0].startswith("<DirEntry ")
    out = compress(entries, key="entries")
    assert out.transforms[0].startswith("repr:") and out.compressed_tokens < 0.3 * len(entries) / 4
    assert literal_value(str({"f": [print]})) == {"f": ["<built-in function print>"]}
    # An angle bracket outside an object's repr is code or a comparison, not data.
    for code in ("[a < b, c > d]", "[x<y]", "[<a, b]"):
        assert literal_value(code) is NOT_DATA
    # A repr's own quote in one (a Django model's, a traceback's) stops the tokenizer first.
    books = "[<Book: Bob's Guide>, <Book: Emma>]"
    assert literal_value(books) == ["<Book: Bob's Guide>", "<Book: Emma>"]
    assert literal_value("{'rows': [<Row 3 (open>]}") == {"rows": ["<Row 3 (open>"]}


def test_a_json_value_followed_by_more_is_a_literal_only_when_a_tuple_goes_on():
    # Two tool results joined: JSON, then a log (told by the JSON parser, not Python's).
    results = json.dumps({"items": [{"id": i, "state": f"s{i % 7}"} for i in range(50)]}, indent=2)
    assert literal_value(results)["items"][3] == {"id": 3, "state": "s3"}  # alone, a literal
    for after in ("\n===== 3 failed, 40 passed =====", "\n<module> raised", " [0]", "\n, [2]"):
        assert literal_value(results + after) is NOT_DATA
    # What a literal may go on with: the next item of a tuple (on the line, or after a
    # line continuation) and a comment.
    assert literal_value('[1, "a"], {"b": 2}') == ([1, "a"], {"b": 2})
    assert literal_value("[1, 2] \\\n, [3]") == ([1, 2], [3])
    assert literal_value('{"b": [2]}  # the second page') == {"b": [2]}
    # A repr on one line, then a log: no literal (that line alone is one).
    line = str([{"package": f"pkg{i}", "size": i} for i in range(40)])
    assert literal_value(f"{line}\nE   3 errors") is NOT_DATA
    assert literal_value(f"{line}\n\n  # the first page\n")[39] == {"package": "pkg39", "size": 39}


def test_whole_number_codes_of_one_width_sent_as_strings_are_no_quantities():
    # ISO 3166-3's former countries (/usr/share/iso-codes): "numeric" is a code, some have
    # none and two share "891"; its range and mean state nothing and its largest no outlier.
    codes = ["262", "530", None, "104", "112", "200", "891", "128", "278", "204", None, "249"]
    codes += ["296", "854", "396", "488", "548", "216", "536", "582", "849", None, "716", None]
    codes += ["810", "626", None, "872", "720", "891", "180"]
    rows = [
        {"alpha_3": f"X{i:02d}", "name": f"Former country {i}", "numeric": code}
        for i, code in enumerate(codes)
    ]
    for row in rows:
        if row["numeric"] is None:
            del row["numeric"]
    assert not _Column("numeric", [row.get("numeric") for row in rows]).as_text
    out = compress(json.dumps({"3166-3": rows}, indent=2), key="iso_3166-3.json").text
    assert "numeric 104–891" not in out
    # Prices of one width that repeat are still amounts.
    assert _Column("price", ["9.99", "4.99", "9.99", "1.25", "9.99"] * 20).as_text


def test_records_with_no_unique_column_are_named_by_their_most_varied_one():
    # MSBuild's flag tables: a flag's group repeats, its switch names it (a few share "").
    flags = [
        {
            "name": f"Option{i // 10}",
            "switch": "" if i % 15 == 0 else f"opt{i}:{i % 4}",
            "comment": f"Setting {i % 12}",
            "value": f"Value{i % 9}",
            "flags": ["UserValue", "Continue"] if i == 77 else [],
        }
        for i in range(150)
    ]
    text = json.dumps(flags, indent=2)
    result = compress(text, key="flags")
    assert result.transforms == ["json:outline+sample"]
    assert '"switch": "opt77:1",' in result.text  # the rare record, by what names it
    assert violations(text, result.text) == []


def test_keys_holding_blobs_show_their_start_not_a_marker_alone():
    # npm's @sigstore/tuf seeds.json: one line, three base64 documents under nested keys.
    # Each value alone is past the budget: the view was "[… 1 keys]" and "[… 2 keys]".
    blob = base64.b64encode(bytes(range(256)) * 28).decode()
    seeds = {
        "https://tuf-repo-cdn.example.dev": {
            "root.json": blob,
            "targets": {"trusted_root.json": blob[::-1], "keys.json": blob[:3000]},
        }
    }
    text = json.dumps(seeds)
    result = compress(text)
    assert result.compressed_tokens < result.original_tokens // 4
    for key in ("root.json", "trusted_root.json", "keys.json"):
        assert any(key in line and not is_marker(line) for line in result.text.splitlines())
    assert violations(text, result.text) == []


def test_an_indented_json_block_in_a_doc_keeps_its_first_line_whole():
    # AWS CLI's examples: a command, then ``Output::`` and the JSON indented four spaces.
    # The document was cut at its brace: "    " then "{" at column 0, no input line.
    params = [
        {
            "ParameterName": f"param-{i}",
            "DataType": "integer" if i % 3 else "string",
            "IsModifiable": i % 4 != 0,
            "ChangeType": "immediate",
        }
        for i in range(60)
    ]
    block = json.dumps({"EngineDefaults": {"Parameters": params}}, indent=4)
    text = (
        "**To describe engine default parameters**\n\n"
        "The following example returns the default parameters. ::\n\n"
        "    aws elasticache describe-engine-default-parameters\n\n"
        "Output::\n\n" + "\n".join("    " + line for line in block.splitlines()) + "\n"
    )
    out = compress(text).text
    assert violations(text, out) == []
    assert "Output::\n\n    {\n" in out  # the blank line stays too


def test_records_chosen_alike_with_and_without_a_least_cost() -> None:
    # A lower bound of each record's cost only spares telling records that cannot fit: the
    # same records are kept, and fewer are costed in full.
    records = [{"id": i, "status": "ok" if i % 7 else "failed", "size": i * 13} for i in range(60)]
    asked: list[int] = []

    def cost(i: int, fields: list[str]) -> int:
        asked.append(i)
        return 40 + i % 5

    plain = choose_records(records, Request(), 435, cost)
    costed = len(set(asked))
    asked.clear()
    bounded = choose_records(records, Request(), 435, cost, least=lambda i, fields, room: 40)
    assert bounded == plain
    assert len(set(asked)) < costed


def test_a_sampled_array_of_records_names_the_rows_it_left_out():
    # pip list --format=json (one line of {"name", "version"} records), here the standard
    # library's modules by size: under a fifth of its tokens the table kept 43 rows whole and
    # named no other; the rows left out are now named by the column unique to each row.
    import sysconfig

    from agent_baton.tokens import get_token_counter

    modules = sorted(pathlib.Path(sysconfig.get_paths()["stdlib"]).glob("[a-z]*.py"))
    text = json.dumps([{"name": p.stem, "bytes": p.stat().st_size} for p in modules])
    tokens = get_token_counter("gpt-4")(text)
    out = compress(text, model="gpt-4", max_tokens=tokens // 5).text
    named = [p.stem for p in modules if re.search(rf"(?<![\w.-]){re.escape(p.stem)}\b", out)]
    assert len(modules) > 100 and len(named) >= len(modules) // 4
    assert re.search(r"^\[… name of rows \d+-\d+, every \d+\w\w: ", out, re.M)


def _api_index() -> str:
    """The standard library's public functions by module: a map of 100+ modules, each a list
    of records (name, signature, first doc line), the shape of botocore's examples by
    operation or a schema's definitions by name."""
    import importlib
    import inspect
    import sys

    index = {}
    for name in sorted(sys.stdlib_module_names):
        if name.startswith("_") or name in {"antigravity", "this", "idlelib", "tkinter", "turtle"}:
            continue
        try:
            module = importlib.import_module(name)
        except Exception:  # a module this platform lacks
            continue
        functions = [
            {
                "name": attr,
                "signature": str(inspect.signature(value)),
                "doc": (inspect.getdoc(value) or "").partition("\n")[0],
            }
            for attr, value in sorted(vars(module).items())
            if not attr.startswith("_") and inspect.isfunction(value) and value.__module__ == name
        ]
        if len(functions) >= 2:
            index[name] = functions
    return json.dumps({"python": sys.version.split()[0], "modules": index}, indent=2)


def test_a_map_of_many_nested_members_under_a_budget_shows_those_that_fit():
    """An equal share of a budget too small for any member must not leave out all of them:
    the map's first ones are shown (the budget spent, their names and records), the rest
    counted by a marker."""
    text = _api_index()
    modules = json.loads(text)["modules"]
    original = compress(text).original_tokens
    assert len(modules) >= 60  # the many members this test is about

    result = compress(text, max_tokens=original // 10)

    assert result.compressed_tokens >= original // 20  # half the budget or more is used
    shown = [name for name in modules if f'"{name}": [' in result.text]
    assert len(shown) >= 20
    assert violations(text, result.text) == []
    assert unmarked_omissions(text, result.text) == []


def test_the_markers_of_a_map_keyed_by_name_name_the_members_they_stand_for():
    """MDN's compat data for EventSource: api.EventSource maps each member to its record.

    The key is the member's name and nothing inside repeats it: a marker that only counts
    the members it leaves out (``[… 3 items]``) loses which ones they are.
    """
    path = pathlib.Path(__file__).parent / "data" / "mdn_bcd_api_EventSource.json"
    text = path.read_text()
    members = json.loads(text)["api"]["EventSource"]
    assert len(members) >= 8 and all("__compat" in v for v in list(members.values())[1:])

    result = compress(text)

    assert result.compressed_tokens < result.original_tokens / 2
    assert all(name in result.text for name in members)
    said = [line for line in result.text.splitlines() if " items: " in line]
    assert said and all(is_marker(line) for line in said)
    assert violations(text, result.text) == []
    assert unmarked_omissions(text, result.text) == []


# A search tool's answer (the library search's issues corpus, 12 real threads on CMake's
# find_package errors and pip's wheel builds): each result's url is where it is found.
SEARCH_RESULTS = [
    ("cmake error: Could not find a package config file", "AdaptiveCpp/AdaptiveCpp/issues/1456"),
    ("CMake config from 3.1.9 returns not found", "AcademySoftwareFoundation/Imath/issues/357"),
    ("cmake error @ cbaakman", "PDB-REDO/dssp/issues/52"),
    ('Could not find a package configuration file provided by "Kuku"', "microsoft/APSI/issues/54"),
    ("CMake error while trying to use nana and vcpkg", "microsoft/vcpkg/issues/3670"),
    ("find_package(coordgen) in CMake does not work", "schrodinger/coordgenlibs/issues/134"),
    ("CMake error with the find_package sample script", "biojppm/c4conf/issues/2"),
    ("Pip install ERROR ; subprocess-exited-with-error", "software-mansion/starknet.py/issues/517"),
    ("error: subprocess-exited-with-error", "openinterpreter/openinterpreter/issues/211"),
    ("how to solve this error", "peteryuX/arcface-tf2/issues/55"),
    ("Question of install", "fengcong3/HAPPE/issues/8"),
    ("Failed building wheel for pex", "EntySec/RomBuster/issues/10"),
]


def search_answer(indent: int | None) -> str:
    results = [
        {
            "rank": i + 1,
            "title": title,
            "url": f"https://github.com/{path}",
            "repository": path.rsplit("/", 2)[0],
            "excerpt": f"{path} · open\n# {title}\n\n"
            + "CMake Error at CMakeLists.txt:6 (find_package):\n  Could not find a package.\n" * 12,
        }
        for i, (title, path) in enumerate(SEARCH_RESULTS)
    ]
    answer = {"corpus": "issues", "query": SEARCH_RESULTS[0][0], "count": 12, "results": results}
    return json.dumps(answer, indent=indent, ensure_ascii=False)


def test_a_records_only_link_is_kept_as_where_it_is_found():
    # URL fields are an API record's noise when it has a dozen (GitHub's *_url): a search
    # result's one url is its address, shown with each record shown, one-line or pretty.
    urls = [f"https://github.com/{path}" for _, path in SEARCH_RESULTS]
    for indent in (None, 2):
        text = compress(search_answer(indent)).text
        assert sum(url in text for url in urls) >= 6  # none before


def test_a_manifests_map_of_versions_names_every_dependency_it_leaves_out():
    """Real manifests (monolog's composer.json, an Apollo package.json): their dependencies.

    A map of package names to versions is what a manifest says: a marker counting its lines
    (``[… 15 lines]`` inside ``require-dev``) loses which packages they were, and a map too
    small to be shown at all lost both of a package.json's dependencies.
    """
    data = pathlib.Path(__file__).parent / "data"
    for name, maps in (
        ("monolog_composer.json", ("require", "require-dev")),
        ("apollo_federation_testsuite_package.json", ("dependencies",)),
    ):
        text = (data / name).read_text()
        document = json.loads(text)
        packages = [p for m in maps for p in document[m]]

        result = compress(text)

        assert result.compressed_tokens < result.original_tokens * 0.8
        assert [p for p in packages if p not in result.text] == []
        assert violations(text, result.text) == []
        assert unmarked_omissions(text, result.text) == []


def test_a_key_path_the_query_spells_brings_its_line_back():
    """octokit/webhooks' check_run.created payload: a path (``check_run.app.permissions.pages``,
    ``check_run.pull_requests[0].head.ref``) names one line among many alike.

    Its last key alone is in the text many times (``pages``, ``ref``); the path says which.
    """
    text = pathlib.Path(__file__).parent / "data" / "octokit_webhooks_check_run_created.json"
    text = text.read_text()
    data = json.loads(text)
    paths = [
        ("check_run.app.permissions.pages", '"pages"'),
        ("check_run.pull_requests[0].head.ref", '"ref"'),
        ("payload.check_run.check_suite.head_branch", '"head_branch"'),  # around the document
    ]
    for path, key in paths:
        value = data
        for part in path.removeprefix("payload.").replace("[0]", ".0").split("."):
            value = value[int(part)] if part.isdigit() else value[part]
        line = f"{key}: {json.dumps(value)}"
        assert text.count(line) >= 1

        result = compress(text, query=f"What is the value of {path} in this payload?")

        assert result.compressed_tokens < result.original_tokens / 2
        kept = [k for k in result.text.splitlines() if line in k]
        assert kept and all(k in text.splitlines() for k in kept), path
        assert violations(text, result.text) == []
        assert unmarked_omissions(text, result.text) == []
