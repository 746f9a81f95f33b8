"""Surgical YAML edits: the intended data comes out, and every byte outside the edit stays put."""

from __future__ import annotations

import difflib
from typing import Any

import pytest

from fes_docs.loader import load_text
from fes_docs.yamledit import EditError, append_item, scalar, set_item_fields

NEW = {"role": "product", "by": "dave", "date": "2026-04-09", "digest": "sha256:" + "ab" * 32}


def data(text: str) -> dict[str, Any]:
    doc, problems = load_text(text, "t.yaml")
    assert not problems and doc is not None, problems
    assert isinstance(doc.data, dict)
    return doc.data


@pytest.mark.parametrize(
    "value",
    [
        "dave",
        "2026-04-09",
        "sha256:abc",
        "/actuator/health",
        "yes",
        "null",
        "1.5",
        "a b",
        "x: y",
        "#no",
        "O'Brien",
        "",
        "-",
        "ünïcode",
        "a\nb",
        "{x}",
        "4.2.1",
    ],
)
def test_scalar_reads_back_as_the_same_string(value: str) -> None:
    assert data(f"k: {scalar(value)}\nf: [{scalar(value)}]\n") == {"k": value, "f": [value]}


def test_plain_where_safe() -> None:
    assert scalar("dave") == "dave" and scalar("2026-04-09") == "2026-04-09"
    assert scalar("yes") == '"yes"' and scalar("1.5") == '"1.5"'


SHAPES = {
    "flow items": "a: 1   # one\nsignoffs:\n  - {role: engineering, by: alice}   # first\n# trailing\nb: 2\n",
    "block items": "signoffs:\n- role: engineering\n  by: alice\n  date: 2026-01-01\nb: [1, 2]\n",
    "indented block items": "signoffs:\n    -   role: engineering\n        by: alice\nb: 2\n",
    "flow list": "signoffs: [{role: engineering, by: alice}]  # c\nb: 2\n",
    "empty flow list": "signoffs: []\nb: 2\n",
    "empty value": "signoffs:   # nobody yet\nb: 2\n",
    "absent": "a: 1\n# end comment\n",
    "absent, no final newline": "a: 1",
    "crlf": "a: 1\r\nsignoffs:\r\n  - {role: engineering, by: alice}\r\n",
    "flow top level": '{"a": 1}\n',
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_append_keeps_every_other_line(name: str) -> None:
    text = SHAPES[name]
    out = append_item(text, "signoffs", NEW)
    before, after = data(text), data(out)
    expected = list(before.get("signoffs") or []) + [NEW]
    assert after == {**before, "signoffs": expected}
    # only insertions: every original line survives, in order
    remaining = iter(out.splitlines())
    for line in text.splitlines():
        if line.rstrip().endswith(("[]", ":   # nobody yet", "]  # c")) or line.startswith("{"):
            continue  # the list itself is the edited line
        assert any(line == other for other in remaining), (line, out)
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n")


def test_append_matches_the_neighbours_style() -> None:
    out = append_item(SHAPES["block items"], "signoffs", {"role": "product", "by": "dave"})
    assert "- role: product\n  by: dave\n" in out
    out = append_item(SHAPES["indented block items"], "signoffs", {"role": "product", "by": "dave"})
    assert "    -   role: product\n        by: dave\n" in out
    out = append_item(SHAPES["flow items"], "signoffs", {"role": "product", "by": "dave"})
    assert "  - {role: engineering, by: alice}   # first\n  - {role: product, by: dave}\n# trailing\n" in out


@pytest.mark.parametrize("name", ["flow items", "block items", "flow list", "crlf"])
def test_set_fields_replaces_and_adds(name: str) -> None:
    text = SHAPES[name]
    out = set_item_fields(text, "signoffs", 0, {"by": "bob", "digest": "sha256:" + "cd" * 32})
    item = data(out)["signoffs"][0]
    assert item["by"] == "bob" and item["digest"] == "sha256:" + "cd" * 32 and item["role"] == "engineering"
    removed = [line for line in difflib.ndiff(text.splitlines(), out.splitlines()) if line.startswith("- ")]
    assert removed and all("alice" in line for line in removed), removed


def test_comment_after_a_flow_item_stays_on_its_line() -> None:
    out = set_item_fields(SHAPES["flow items"], "signoffs", 0, {"date": "2026-02-02"})
    assert "  - {role: engineering, by: alice, date: 2026-02-02}   # first\n" in out


def test_edit_errors_are_reported() -> None:
    with pytest.raises(EditError):
        append_item("signoffs: {a: 1}\n", "signoffs", NEW)
    with pytest.raises(EditError):
        set_item_fields("signoffs: [x]\n", "signoffs", 0, {"by": "x"})
    with pytest.raises(EditError):
        append_item("- just a list\n", "signoffs", NEW)
    with pytest.raises(EditError):
        append_item("a: [\n", "signoffs", NEW)
