"""`fes-docs diff` is appended to the GitHub step summary: a hostile record must not write Markdown or HTML there.

Every user value the diff can show (id, title, status, flag, migration, checklist id, owner, role, date,
another key and its value, the finding messages quoting them) carries the same payload. The output is
parsed with a CommonMark parser (markdown-it-py, installed with import-linter's ``rich``) with GitHub's
tables and strikethrough on, and may only hold the structure the diff itself writes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from gitrepo import commit, example_repo
from markdown_it import MarkdownIt

from fes_docs.cli import main
from fes_docs.render.escape import one_line

PAYLOAD = (
    "x<img src=x onerror=alert(1)>[a](https://evil.example/)![i](https://evil.example/i.png)"
    '**b**_e_~~s~~$m$`c`|\\#@org/t&amp;<!--c-->{: .x}\n# h\n??? note "x"\n=== "t"\n!!! danger\n'
    "- i\n1. o\n> [!NOTE]\n~~~\n<details>\u202eevil\r\nend"
)
SHORT = "<b>`y`</b>[z](u)~$"  # short enough that the diff shows it as old -> new
FILE = "releases/hostile.yaml"

# What the diff writes: its headings, paragraphs and bullet lists with code, strong and emphasis inside.
BLOCK_TOKENS = {
    "heading_open",
    "heading_close",
    "paragraph_open",
    "paragraph_close",
    "bullet_list_open",
    "bullet_list_close",
    "list_item_open",
    "list_item_close",
    "inline",
}
INLINE_TOKENS = {"text", "code_inline", "strong_open", "strong_close", "em_open", "em_close", "softbreak", "hardbreak"}


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def record(changed: bool) -> str:
    p = _q(PAYLOAD)
    lines = [
        f"id: {p}",
        f"title: {p}",
        "phase: 9",
        f"status: {p if changed else 'draft'}",
        f"owners: {{product: {p}, {p}: {p}}}",
        f"checklist: [{{id: {p}, done: {'true' if changed else 'false'}}}]",
        f"migrations: [{{file: {p}, change: {p}}}]" if changed else "migrations: []",
        f"flags: [{{name: {p}, rollout: {{local: {100 if changed else 0}}}}}]",
        f"signoffs: [{{role: {p}, by: {p}, date: {p}, digest: {p}}}]" if changed else "signoffs: []",
        f"{p}: {_q(SHORT) if changed else 1}",
    ]
    return "\n".join(lines) + "\n"


def _tokens(markdown: str) -> list[Any]:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return md.parse(markdown)


def _outside_code_spans(line: str) -> str:
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = example_repo(tmp_path_factory.mktemp("diff") / "r")
    (root / FILE).write_text(record(changed=False), encoding="utf-8")
    base = commit(root, "a hostile record")
    (root / FILE).write_text(record(changed=True), encoding="utf-8")
    assert main(["diff", base, "--root", str(root), "--output", str(root.parent / "diff.md")]) == 0
    return (root.parent / "diff.md").read_text(encoding="utf-8")


def test_hostile_values_open_no_html_link_image_or_block(out: str) -> None:
    tokens = _tokens(out)
    blocks = {t.type for t in tokens}
    assert blocks <= BLOCK_TOKENS, blocks - BLOCK_TOKENS
    assert {t.tag for t in tokens if t.type == "heading_open"} <= {"h2", "h3"}
    inline = {c.type for t in tokens if t.type == "inline" for c in t.children or []}
    assert inline <= INLINE_TOKENS, inline - INLINE_TOKENS


def test_every_line_is_one_the_diff_wrote(out: str) -> None:
    """A newline in a value would start a line of its own: every line begins as the diff begins them."""
    starts = ("## fes-docs: ", "### ", "- ", "  _hint:_ ", "**", "No release changed")
    assert all(line == "" or line.startswith(starts) for line in out.splitlines()), out


def test_github_only_syntax_is_escaped_outside_code_spans(out: str) -> None:
    """Strikethrough, math, raw HTML and autolinks are GitHub syntax the site's parser would not show."""
    for line in out.splitlines():
        rest = _outside_code_spans(line)
        for ch in "<>~$\u202e\r":
            assert ch not in rest, (ch, line)


def test_the_values_show_as_typed(out: str) -> None:
    """Inert does not mean lost: the reviewer reads the payload itself (on one line, controls replaced)."""
    tokens = _tokens(out)
    shown = "".join(_text(t) for t in tokens)
    expected = one_line(PAYLOAD)
    assert shown.count(expected) >= 8, shown
    assert one_line(SHORT) in shown.replace('"', "")
    headings = [_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h3"]
    assert any(h.count(expected) == 2 for h in headings), headings


def _text(token: Any) -> str:
    return "".join(c.content for c in token.children or []) if token.type == "inline" else ""
