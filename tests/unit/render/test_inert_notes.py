"""Free text on the site (notes, rollback notes, item notes, incident summaries) cannot open a block.

A record's ``notes`` are paragraphs, each of which starts a line of the page's Markdown: there
``??? note``, ``???+``, ``=== "tab"`` or ``!!! danger`` would open a collapsible, a tab or an admonition
of pymdownx and Python-Markdown (see mkdocs.yml). Each attack is a paragraph of its own; the page is
rendered with the site's own extensions and must show every one as a plain paragraph of the same text.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from renderhelp import EXTENSIONS, dom, htmldom, to_html

from fes_docs.check import check
from fes_docs.render import render_pages
from fes_docs.render.escape import md_escape, md_text, one_line

ROOT = Path(__file__).parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "rules" / "project"
BASE = ROOT / "tests" / "fixtures" / "robustness" / "base-release.yaml"

OPENERS = [
    '??? note "Injected details"',
    '???+ danger "Injected open details"',
    "???+ note",
    '=== "Injected tab"',
    '!!! danger "Injected admonition"',
    "!!! note",
    "/// warning | Injected block",
    "::: warning",
    "~~~",
    "```",
    "# Injected heading",
    "> Injected quote",
    "- Injected item",
    "1. Injected item",
    "<div markdown>Injected</div>",
    "{: #injected .x }",
    "***",
    "| a | b |",
    "[TOC]",
]
HOSTILE = "\n\n".join(OPENERS)


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _record(text: str) -> str:
    base = BASE.read_text(encoding="utf-8").replace("id: base-release", "id: notes")
    base = base.replace("{id: db-backup, done: false}", f"{{id: db-backup, done: false, note: {_q(text)}}}")
    base = base.replace(
        "change: additive, idempotent: true}", f"change: additive, idempotent: true, note: {_q(text)}}}"
    )
    base = base.replace("dry_run: true}", f"dry_run: true, note: {_q(text)}}}")
    return base + (
        f"notes: {_q(text)}\n"
        f"rollback: {{database: forward-fix, notes: {_q(text)}}}\n"
        f"incidents: [{{id: INC-1, date: '2026-01-01', summary: {_q(text)}, actions: []}}]\n"
    )


def _pages(tmp: Path, text: str) -> dict[str, Any]:
    root = tmp / "p"
    shutil.copytree(FIXTURE, root)
    (root / "releases" / "notes.yaml").write_text(_record(text), encoding="utf-8")
    pages = render_pages(check(root, today="2026-01-01", use_cache=False))
    return {name: dom(pages[f"notes/{name}"]) for name in ("index.md", "rollback.md")}


def _shape(page: Any) -> Counter[tuple[str, str]]:
    """Every element but paragraphs, by tag and class: what a block opener would add to."""
    return Counter((n.tag, n.attrs.get("class", "")) for n in page.iter() if n.tag != "p")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    hostile = _pages(tmp_path_factory.mktemp("hostile"), HOSTILE)
    plain = _pages(tmp_path_factory.mktemp("plain"), "\n\n".join(f"Plain paragraph {i}" for i in range(len(OPENERS))))
    return hostile, plain


def test_the_check_uses_the_sites_extensions() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    names = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    assert sorted(names) == sorted(EXTENSIONS)


@pytest.mark.parametrize("page", ["index.md", "rollback.md"])
def test_block_openers_in_notes_add_no_element(rendered: tuple[dict[str, Any], dict[str, Any]], page: str) -> None:
    hostile, plain = rendered
    assert not hostile[page].find_all("details") and not hostile[page].find_all("div", cls="tabbed-set")
    assert _shape(hostile[page]) == _shape(plain[page])


@pytest.mark.parametrize("page", ["index.md", "rollback.md"])
def test_each_opener_shows_as_its_own_literal_paragraph(
    rendered: tuple[dict[str, Any], dict[str, Any]], page: str
) -> None:
    paragraphs = [p.text().strip() for p in rendered[0][page].find_all("p")]
    for opener in OPENERS[1:]:  # the first follows "Notes:" in the notes' first paragraph
        assert one_line(opener) in paragraphs, (opener, paragraphs)


def test_item_notes_and_summaries_show_the_text_inline(rendered: tuple[dict[str, Any], dict[str, Any]]) -> None:
    text = rendered[0]["index.md"].text()
    assert text.count(one_line(HOSTILE)) >= 4  # checklist, migration and backfill notes, incident summary


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(OPENERS), st.text(alphabet=st.sampled_from(list('?=!/:~+ "|ax-')), max_size=12))
def test_escaped_text_opening_a_paragraph_stays_a_paragraph(opener: str, tail: str) -> None:
    """The escapers themselves: whatever a value starts with, a paragraph of it is one ``<p>`` of the same text."""
    for escaped in (md_escape(opener + tail), md_text(opener + tail)):
        root = htmldom.parse(to_html(f"Before.\n\n{escaped}\n\nAfter.\n"))
        assert [n.tag for n in root.iter() if n.tag != "code"] == ["p", "p", "p"], escaped
        assert root.find_all("p")[1].text() == one_line(opener + tail)


def test_bidi_overrides_cannot_reorder_what_a_reviewer_reads() -> None:
    assert "\u202e" not in md_escape("evil\u202etxt.exe") and "\u2066" not in md_escape("a\u2066b")
