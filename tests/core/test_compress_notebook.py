"""Jupyter notebooks: every cell's source shows, errors whole, images named by a marker."""

import ast
import base64
import inspect
import json
import re
import statistics
import struct
import textwrap
import traceback
import types
import zlib

from agent_baton.compress import compress
from agent_baton.compress.guarantees import violations
from agent_baton.compress.json_outline import notebook_cells


def _png(width: int, height: int) -> bytes:
    """A real PNG image (rows of a gradient), as a plotting library's output would be."""
    rows = b"".join(b"\0" + bytes((x + y) % 256 for x in range(width * 3)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))


def _lines(text: str) -> list[str]:
    """A cell's source or output text as nbformat stores it: lines keeping their breaks."""
    return text.splitlines(keepends=True)


def notebook(module: types.ModuleType = textwrap) -> dict:
    """A module's own source as a notebook: a heading and a code cell per definition, then a
    cell that fails (its real traceback) and one that shows an image."""
    source = inspect.getsource(module)
    lines = source.splitlines(keepends=True)
    title = _lines(f"# {module.__name__}\n\nA tour.")
    cells = [{"cell_type": "markdown", "metadata": {}, "source": title}]
    for n, node in enumerate(ast.parse(source).body, 1):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            heading = f"## {node.name}\n\n{(ast.get_docstring(node) or '').split(chr(10))[0]}"
            cells.append({"cell_type": "markdown", "metadata": {}, "source": _lines(heading)})
            code = "".join(lines[node.lineno - 1 : node.end_lineno])
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": n,
                    "metadata": {},
                    "outputs": [],
                    "source": _lines(code),
                }
            )
    try:
        textwrap.dedent(42)  # type: ignore[arg-type]
    except TypeError as error:
        failure = error
    frames = [line.rstrip("\n") for line in traceback.format_exception(failure)]
    cells.append(
        {
            "cell_type": "code",
            "execution_count": 99,
            "metadata": {},
            "outputs": [
                {
                    "ename": type(failure).__name__,
                    "evalue": str(failure),
                    "output_type": "error",
                    "traceback": frames,
                }
            ],
            "source": ["textwrap.dedent(42)"],
        }
    )
    image = base64.b64encode(_png(120, 90)).decode()
    cells.append(
        {
            "cell_type": "code",
            "execution_count": 100,
            "metadata": {},
            "outputs": [
                {
                    "data": {"image/png": image, "text/plain": ["<Figure size 640x480>"]},
                    "metadata": {},
                    "output_type": "display_data",
                }
            ],
            "source": ["plot(widths)"],
        }
    )
    metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "py"}}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def kept(out: set[str], value: str) -> bool:
    """Whether the JSON line of string ``value`` (an item of a list) is kept whole."""
    return any(line.strip().rstrip(",") == json.dumps(value) for line in out)


def test_a_notebook_is_told_by_its_keys():
    data = notebook()
    assert notebook_cells(data) is data["cells"]
    assert notebook_cells({"cells": [], "metadata": {}}) is None
    assert notebook_cells({"cells": "x", "metadata": {}, "nbformat": 4}) is None


def test_every_cells_source_shows_its_first_line_and_definitions():
    data = notebook()
    text = json.dumps(data, indent=1)
    result = compress(text)
    out = set(result.text.splitlines())
    assert result.savings_percent > 50
    sources = [c["source"] for c in data["cells"]]
    assert all(kept(out, source[0]) for source in sources)
    headings = [line for s in sources for line in s if line.startswith("#")]
    assert headings and all(kept(out, line) for line in headings)
    definitions = [line for s in sources for line in s if line.lstrip().startswith("def ")]
    assert sum(kept(out, line) for line in definitions) >= 0.8 * len(definitions)
    assert violations(text, result.text) == []


def test_an_error_output_is_kept_whole_and_an_image_is_named_not_shown():
    data = notebook()
    text = json.dumps(data, indent=1)
    result = compress(text)
    out = set(result.text.splitlines())
    error = data["cells"][-2]["outputs"][0]
    assert all(kept(out, frame) for frame in error["traceback"])
    assert f'"evalue": {json.dumps(error["evalue"])},' in {line.strip() for line in out}
    image = data["cells"][-1]["outputs"][0]["data"]["image/png"]
    assert image[:40] not in result.text
    assert f"[… 1 line, image/png 120x90: {len(image):,} characters of base64]" in result.text


def test_a_notebook_of_more_cells_than_its_budget_shows_keeps_its_failure_and_marks_the_rest():
    data = notebook(statistics)
    text = json.dumps(data, indent=1)
    result = compress(text)
    out = set(result.text.splitlines())
    shown = sum(kept(out, cell["source"][0]) for cell in data["cells"])
    assert len(data["cells"]) // 2 < shown < len(data["cells"])
    assert any(re.fullmatch(r"\[… \d+ cells?\]", line.strip()) for line in out)
    error = data["cells"][-2]["outputs"][0]
    assert all(kept(out, frame) for frame in error["traceback"])
    assert violations(text, result.text) == []


def test_a_source_held_as_one_string_is_cut_to_its_start_not_kept_whole():
    data = notebook()
    for cell in data["cells"]:
        cell["source"] = "".join(cell["source"])  # nbformat allows either
    text = json.dumps(data, indent=1)
    result = compress(text)
    assert result.savings_percent > 50
    for cell in data["cells"]:
        first = cell["source"].split("\n")[0]
        assert f'"source": {json.dumps(first)[:-1]}' in result.text
    assert violations(text, result.text) == []


def _v3(data: dict) -> dict:
    """The notebook as nbformat 3 saved it: one worksheet of cells, code in ``input``, an
    error as ``pyerr``, an image by its format beside the output's other members."""
    cells = []
    for cell in data["cells"]:
        if cell["cell_type"] != "code":
            cells.append({"cell_type": cell["cell_type"], "metadata": {}, "source": cell["source"]})
            continue
        outputs = []
        for out in cell["outputs"]:
            if out["output_type"] == "error":
                outputs.append({**out, "output_type": "pyerr"})
            else:
                data_ = out["data"]
                outputs.append(
                    {"metadata": {}, "output_type": out["output_type"], "png": data_["image/png"]}
                    | {"text": data_["text/plain"]}
                )
        cells.append(
            {
                "cell_type": "code",
                "collapsed": False,
                "input": cell["source"],
                "language": "python",
                "metadata": {},
                "outputs": outputs,
                "prompt_number": cell["execution_count"],
            }
        )
    worksheet = {"cells": cells, "metadata": {}}
    return {
        "metadata": {"name": "tour"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [worksheet],
    }


def _sources(data: dict) -> list[list[str]]:
    cells = data["cells"] if "cells" in data else data["worksheets"][0]["cells"]
    return [cell.get("source", cell.get("input")) for cell in cells]


def test_a_notebook_of_nbformat_3_keeps_its_cells_error_and_names_its_image():
    data = _v3(notebook())
    assert notebook_cells(data) is data["worksheets"][0]["cells"]
    text = json.dumps(data, indent=1)
    result = compress(text)
    out = set(result.text.splitlines())
    assert result.savings_percent > 50
    assert all(kept(out, source[0]) for source in _sources(data))
    error = data["worksheets"][0]["cells"][-2]["outputs"][0]
    assert all(kept(out, frame) for frame in error["traceback"])
    image = data["worksheets"][0]["cells"][-1]["outputs"][0]["png"]
    assert f"[… 1 line, image/png 120x90: {len(image):,} characters of base64]" in result.text
    assert violations(text, result.text) == []


def test_a_notebook_saved_on_one_line_is_outlined_by_its_cells():
    for data in (notebook(), _v3(notebook())):
        text = json.dumps(data)  # one line, as some tools and APIs save it
        result = compress(text)
        out = set(result.text.splitlines())
        assert result.transforms == ["json:notebook"]
        assert re.match(r"\[§ the next \d+ lines re-render one input line of", result.text)
        assert result.savings_percent > 50
        assert all(kept(out, source[0]) for source in _sources(data))
        cells = notebook_cells(data)
        assert cells is not None
        assert all(kept(out, frame) for frame in cells[-2]["outputs"][0]["traceback"])
        assert violations(text, result.text) == []
