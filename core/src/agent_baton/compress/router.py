"""Cheap content-type detection: which compressors to try, most likely first."""

from __future__ import annotations

from agent_baton.compress.chat import looks_like_chat
from agent_baton.compress.code import looks_like_code
from agent_baton.compress.logs import looks_like_log
from agent_baton.compress.mixed import looks_like_mixed, unfenced
from agent_baton.compress.prose import looks_like_prose
from agent_baton.compress.tables import looks_like_table
from agent_baton.compress.yaml import looks_like_yaml


def candidates(text: str) -> list[str]:
    """Content kinds to try in order; each compressor may still decline (return None)."""
    head = text.lstrip()[:1]
    kinds: list[str] = []
    markdown = head not in ("{", "[") and looks_like_mixed(text)
    if looks_like_chat(text) and not (markdown and not looks_like_chat(unfenced(text))):
        # Before JSON and logs: a transcript may hold both. Markdown whose speaker lines all
        # sit in fenced run output is a document that quotes a chat, not a chat.
        kinds.append("chat")
    if head in ("{", "["):
        kinds.append("json")
    if looks_like_table(text):
        kinds.append("table")  # CSV, kubectl output: before logs, whose lines it may match
    if head not in ("{", "[") and looks_like_yaml(text):
        kinds.append("yaml")  # before code, which "key:" lines look like too
    if looks_like_log(text):
        kinds.append("logs")
    mixed = markdown
    code = head not in ("{", "[") and looks_like_code(text)
    if mixed and code:
        # Source whose docstrings hold fenced examples starts as code; markdown does not.
        mixed = not looks_like_code((text.lstrip().split("\n", 1)[0] + "\n") * 5)
    if mixed:
        kinds.append("mixed")  # before JSON: a fenced JSON block is one segment of many
    if "json" not in kinds and ("\n{" in text[:2000] or "\n[" in text[:2000]):
        kinds.append("json")  # JSON after a line of prose
    if mixed:
        kinds.append("prose")
    elif code:
        kinds.append("code")
    elif looks_like_prose(text):
        kinds.append("prose")
    return kinds
