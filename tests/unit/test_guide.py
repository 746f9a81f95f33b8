"""Every numbered rule of the guide maps to a check, or says how else it is handled (or why not)."""

from __future__ import annotations

import re
from pathlib import Path

from fes_docs.catalogue import catalogue_markdown, coverage_markdown
from fes_docs.guide import ITEMS, coverage
from fes_docs.rules import CATALOGUE

GUIDE = Path(__file__).parents[2] / "docs" / "guide" / "fes-migration-rollback-guide.md"


def numbered_items(text: str) -> list[tuple[str, str]]:
    """(id, text) of every numbered item, ids like 2.3 or 5.1.2 from the section headings."""
    out: list[tuple[str, str]] = []
    section = ""
    for line in text.splitlines():
        heading = re.match(r"#{2,3} (\d+(?:\.\d+)?)\.? ", line)
        if heading:
            section = heading.group(1)
            continue
        item = re.match(r"(\d+)\. (.+)", line)
        if item and section:
            out.append((f"{section}.{item.group(1)}", item.group(2).strip()))
    return out


def test_item_list_matches_the_guide_text() -> None:
    assert numbered_items(GUIDE.read_text(encoding="utf-8")) == list(ITEMS)


def test_every_item_has_a_rule_or_a_note() -> None:
    missing = [c.item for c in coverage() if not c.rules and not c.note]
    assert not missing, f"guide items with neither a rule nor a note: {missing}"


def test_rule_sections_name_real_guide_items() -> None:
    ids = {i for i, _ in ITEMS}
    for rule in CATALOGUE.values():
        for token in re.findall(r"§([\d.]+)", rule.section):
            assert token in ids or any(i.startswith(token + ".") for i in ids), (rule.id, token)


def test_catalogue_markdown_lists_every_rule_once() -> None:
    md = catalogue_markdown()
    for rule_id in CATALOGUE:
        assert md.count(f"`{rule_id}`") == 1
    assert "§4.1" in coverage_markdown()
