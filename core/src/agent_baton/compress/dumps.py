"""A multi-file dump: files printed one after another, each under a line that names it.

``head`` and ``tail`` of several files put ``==> path <==`` above each; ``systemctl cat``
puts ``# /usr/lib/systemd/system/x.service`` above each unit and drop-in. Those lines say
which block is which file: every one stays, whatever the compressor leaves out around it
(a fold of ``[Service]`` lines across 100 units reads as one config with no names).
"""

from __future__ import annotations

import re

# head/tail's header, and systemctl cat's: a comment holding an absolute file path alone.
_HEAD = re.compile(r"==> .+ <==$|# /[^\s#]+\.[\w@-]+$")
_MIN_FILES = 2


def file_heads(lines: list[str]) -> set[int]:
    """Indices of the lines that name the file under them, when ``lines`` are such a dump.

    Empty unless the first non-blank line is one and there are at least two: a config file
    whose comments mention a path is no dump.
    """
    first = next((line for line in lines if line.strip()), "")
    if not _HEAD.match(first):
        return set()
    heads = {i for i, line in enumerate(lines) if line[:2] in ("==", "# ") and _HEAD.match(line)}
    return heads if len(heads) >= _MIN_FILES else set()
