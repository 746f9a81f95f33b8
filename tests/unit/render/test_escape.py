"""Untrusted text must come out of the real Markdown renderer as the same characters, and as nothing else."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from renderhelp import htmldom, to_html

from fes_docs.render.blocks import front_matter, table
from fes_docs.render.escape import (
    code_block,
    code_line,
    inline_code,
    link_or_text,
    md_escape,
    md_text,
    one_line,
    safe_url,
)

# Characters that mean something to Markdown, HTML or one of the site's extensions, mixed with plain text.
HOSTILE = st.text(
    alphabet=st.sampled_from(list("\\`*_{}[]()#+-.!|<>&\"':;=~^$@%/ \n\tax1\u2028\x00\x02\x03é")) | st.characters(),
    max_size=60,
)

INJECTIONS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![img](http://evil/x.png)",
    "{: onclick=alert(1) }",
    "# heading",
    '!!! danger "fake"',
    "- [x] task",
    "1. list",
    "| a | b |",
    "~~~",
    "```",
    "&lt;already escaped&gt;",
    "**bold** _em_ `code`",
    "<http://autolink.example>",
    "<!-- comment -->",
    "line one\nline two",
    "\x02wzxhzdk:0\x03",  # Python-Markdown's own placeholder syntax
]


def _only(root: htmldom.Node, allowed: set[str]) -> None:
    tags = {n.tag for n in root.iter()}
    assert tags <= allowed, f"unexpected elements {tags - allowed}"


@pytest.mark.parametrize("text", INJECTIONS)
def test_injections_show_as_typed_in_a_paragraph(text: str) -> None:
    root = htmldom.parse(to_html(md_escape(text)))
    _only(root, {"p"})
    assert root.text().strip() == one_line(text)


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
@example("~~~\n")
def test_any_text_is_a_plain_paragraph(text: str) -> None:
    root = htmldom.parse(to_html(md_escape(text)))
    _only(root, {"p"})
    assert root.text().strip() == one_line(text)


@settings(max_examples=200, deadline=None)
@given(HOSTILE, HOSTILE)
def test_any_text_stays_in_its_table_cell(a: str, b: str) -> None:
    root = htmldom.parse(to_html(table(["A", "B"], [[md_escape(a), md_escape(b)]])))
    cells = root.find_all("td")
    assert [c.text() for c in cells] == [one_line(a) or "—", one_line(b) or "—"]
    _only(root, {"table", "thead", "tbody", "tr", "th", "td"})


@settings(max_examples=200, deadline=None)
@given(HOSTILE)
def test_any_text_is_a_heading_and_an_admonition_title(text: str) -> None:
    assume(one_line(text))  # an empty quoted title means "no title" to the admonition extension
    root = htmldom.parse(to_html(f'## {md_escape(text)}\n\n!!! note "{md_escape(text)}"\n\n    body\n'))
    title = root.find("p", cls="admonition-title")
    assert title.text() == one_line(text)
    assert root.find("h2").text() == one_line(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(HOSTILE.filter(lambda v: v.strip()), min_size=1, max_size=4))
def test_code_block_keeps_one_line_per_value_verbatim(values: list[str]) -> None:
    content = "\n".join(code_line(v) for v in values)
    root = htmldom.parse(to_html("before\n\n" + code_block(content, "text") + "\nafter\n"))
    # (Pygments drops blank lines at either end; a flag name or a query is never blank)
    assert root.find("code").text().strip("\n") == content.strip("\n")
    assert root.find_all("p")[-1].text() == "after"


def test_code_line_keeps_one_line_per_value() -> None:
    assert code_line("a\nb\u2028c") == "a\\u000ab\\u2028c"


def test_fence_outruns_backticks_inside() -> None:
    block = code_block("x ```` y", "sql")
    assert block.startswith("`````sql\n")
    root = htmldom.parse(to_html(block))
    assert root.find("code").text().strip() == "x ```` y"


@pytest.mark.parametrize("text", ["a`b", "``x``", "`start", "end`"])
def test_inline_code_survives_backticks(text: str) -> None:
    root = htmldom.parse(to_html(inline_code(text)))
    assert root.find("code").text().strip() == text


def test_md_text_keeps_code_spans_and_escapes_the_rest() -> None:
    root = htmldom.parse(to_html(md_text("set `done: true` in <b>file</b> [x](y)")))
    assert root.find("code").text() == "done: true"
    assert root.text() == "set done: true in <b>file</b> [x](y)"
    _only(root, {"p", "code"})


@pytest.mark.parametrize("url", ["https://ci.example.org/runs/1", "http://x.example/a_(b)?c=<d>&e=`f`[g]"])
def test_http_urls_become_links_with_the_same_target(url: str) -> None:
    root = htmldom.parse(to_html(link_or_text(url)))
    a = root.find("a")
    assert unquote(a.attrs["href"]) == url
    assert a.text() == url


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "ftp://x.example/",
        "https:///no-host",
        "//evil.example/x",
        "snapshot fes-prod-1",
    ],
)
def test_other_evidence_is_text(text: str) -> None:
    assert safe_url(text.split(" ")[0]) is None
    root = htmldom.parse(to_html(link_or_text(text)))
    assert not root.find_all("a")
    assert root.text().strip() == text


def test_url_followed_by_a_remark_links_only_the_url() -> None:
    root = htmldom.parse(to_html(link_or_text("https://ci.example.org/r/9 (staging <restore>)")))
    assert root.find("a").attrs["href"] == "https://ci.example.org/r/9"
    assert root.text().strip() == "https://ci.example.org/r/9 (staging <restore>)"


@given(HOSTILE)
def test_front_matter_title_is_html_escaped_yaml(text: str) -> None:
    import html

    import yaml

    # (a YAML stream cannot hold these, so no loaded title has them; front_matter replaces them)
    assume(not any(0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" for c in text))
    head = front_matter(text)
    data = yaml.safe_load(head.strip("-\n"))
    assert html.unescape(data["title"]).replace("\ufffd", "") == one_line(text).replace("\ufffd", "")
    assert "<" not in data["title"] and ">" not in data["title"]
