from __future__ import annotations

import pytest

from agent_baton_crewai import slugify, task_key
from agent_baton_crewai.keys import unique_keys


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Research the {topic} market!", "research-the-topic-market"),
        ("  Ünïcode & symbols  ", "unicode-symbols"),
        ("???", "task"),
        ("word " * 30, "-".join(["word"] * 9)),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert len(slugify(text)) <= 48


def test_task_key_prefers_the_name():
    assert task_key("research", "Collect data") == "research"
    assert task_key("  ", "Collect data") == "collect-data"
    assert task_key(None, "Collect data") == "collect-data"


def test_unique_keys():
    assert unique_keys(["a", "b", "a", "a", "a-2"]) == ["a", "b", "a-2", "a-3", "a-2-2"]
