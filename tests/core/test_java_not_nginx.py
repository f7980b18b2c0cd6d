"""Java without comments is no nginx config: a class of fields reads as directives otherwise.

``private int count;`` and ``requires java.base;`` scan as nginx's ``name arguments;``; only a
``//`` comment told them apart. 181 of 8,505 JDK sources with their comments taken out (as
a class of fields or an interface is often written) read as nginx, 25 of them long enough
to compress; none after, and the nginx configs read as before. Skips without a JDK's sources.
"""

import re
import zipfile
from pathlib import Path

import pytest

from agent_baton.compress.code.blocks import parses_as_blocks

SOURCES = sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip"))
PACKAGES = ("java.base/java/nio/file/", "java.xml/org/xml/sax/", "java.base/java/lang/classfile/")


def _uncommented() -> list[str]:
    """JDK sources of a few packages, their comments taken out."""
    archive = next((path for path in SOURCES if path.resolve().exists()), None)
    if archive is None:
        pytest.skip("no JDK sources")
    texts = []
    with zipfile.ZipFile(archive) as jdk:
        for name in jdk.namelist():
            if name.endswith(".java") and name.startswith(PACKAGES):
                text = jdk.read(name).decode("utf-8", errors="replace")
                text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
                texts.append(re.sub(r"//[^\n]*", "", text))
    if len(texts) < 50:
        pytest.skip("too few JDK sources")
    return texts


def test_java_sources_without_comments_are_no_nginx_config() -> None:
    read = [text for text in _uncommented() if parses_as_blocks(text) is not None]
    assert read == []


def test_a_java_module_declaration_is_no_nginx_config() -> None:
    module = "module org.ledger {\n    requires java.sql;\n    exports org.ledger.api;\n}\n"
    assert parses_as_blocks(module) is None
    server = "server {\n    listen 80;\n    server_name ledger.example.org;\n}\n"
    assert parses_as_blocks(server) == "nginx"
