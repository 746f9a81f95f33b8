"""The loader never crashes, never lies about positions, and rejects hostile files fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs import loader
from fes_docs.document import Pos
from fes_docs.loader import load_bytes, load_file, load_text

FIX = Path(__file__).parents[1] / "fixtures" / "loader"


def problem(name: str) -> tuple[str, int, int, str]:
    doc, problems = load_file(FIX / name, name)
    assert doc is None and len(problems) == 1
    p = problems[0]
    return p.rule, p.line, p.column, p.message


def test_positions_of_values_and_keys() -> None:
    doc, problems = load_text("a: 1\nb:\n  - x: 2026-03-10T18:00:00Z\n    y: [1, 2.5]\n", "f.yaml")
    assert not problems and doc is not None
    assert doc.data == {"a": 1, "b": [{"x": "2026-03-10T18:00:00Z", "y": [1, 2.5]}]}
    assert doc.pos(("b", 0, "y", 1)) == Pos(4, 12)
    assert doc.key_pos(("b", 0, "y")) == Pos(4, 5)
    # a missing key points at its nearest existing parent
    assert doc.pos(("b", 0, "missing")) == Pos(3, 5)


def test_timestamps_and_dates_stay_strings() -> None:
    doc, _ = load_text("start: 2026-03-10T18:00:00Z\nday: 2026-03-09\n", "f")
    assert doc is not None and doc.data == {"start": "2026-03-10T18:00:00Z", "day": "2026-03-09"}


def test_tab_indentation() -> None:
    rule, line, col, msg = problem("tab-indentation.yaml")
    assert (rule, line) == ("FES001", 3) and "tab" in msg


def test_duplicate_key_points_at_second() -> None:
    rule, line, col, msg = problem("duplicate-key.yaml")
    assert (rule, line, col) == ("FES002", 2, 1) and "line 1" in msg


def test_invalid_utf8() -> None:
    rule, line, col, msg = problem("invalid-utf8.yaml")
    assert (rule, line, col) == ("FES003", 1, 5) and "UTF-8" in msg


def test_nul_byte() -> None:
    rule, line, col, _ = problem("nul-byte.yaml")
    assert (rule, line, col) == ("FES003", 1, 6)


def test_bom_and_crlf_are_fine() -> None:
    doc, problems = load_file(FIX / "bom-crlf.yaml", "x")
    assert not problems and doc is not None and doc.data["title"] == "CRLF with BOM"
    assert doc.pos(("title",)) == Pos(2, 8)


def test_python_tags_are_refused() -> None:
    rule, line, col, msg = problem("python-tag.yaml")
    assert (rule, line, col) == ("FES001", 1, 5) and "tag" in msg


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the loader's work: values built by the walk, nodes sized by the alias guard."""
    counts = {"walked": 0, "sized": 0}
    walk, guard = loader._Walker.walk, loader.alias_guard

    def counting_walk(self: Any, node: Any, depth: int) -> Any:
        counts["walked"] += 1
        return walk(self, node, depth)

    def counting_guard(root: Any, max_nodes: int, max_alias_nodes: int) -> int:
        counts["sized"] += (n := guard(root, max_nodes, max_alias_nodes))
        return n

    monkeypatch.setattr(loader._Walker, "walk", counting_walk)
    monkeypatch.setattr(loader, "alias_guard", counting_guard)
    return counts


def test_billion_laughs_rejected_before_expanding(work: dict[str, int]) -> None:
    assert (FIX / "billion-laughs.yaml").stat().st_size == 342
    rule, line, _, msg = problem("billion-laughs.yaml")
    assert rule == "FES003" and "alias" in msg
    assert line == 5  # the first line whose references push the expansion past the bound
    assert work["walked"] == 0  # not one value built
    assert work["sized"] <= 60  # the distinct nodes of a 342-byte file, each sized once


def test_alias_expansion_bound_counts_copies(work: dict[str, int]) -> None:
    text = "a: &a [1, 2, 3, 4]\nb: [" + ", ".join(["*a"] * 30) + "]\n"  # 30 references x 5 values
    doc, problems = load_text(text, "f", max_alias_nodes=150)
    assert not problems and doc is not None and len(doc.data["b"]) == 30
    _, problems = load_text(text, "f", max_alias_nodes=149)
    assert problems[0].rule == "FES003" and "alias" in problems[0].message and problems[0].line == 2


def test_alias_inside_its_own_anchor_is_refused(work: dict[str, int]) -> None:
    _, problems = load_text("a: &a [1, *a]\n", "f")
    assert problems[0].rule == "FES003" and "own anchor" in problems[0].message
    assert work["walked"] == 0


def test_few_aliases_are_fine_and_keep_positions() -> None:
    doc, problems = load_text("base: &b {x: 1}\nother: *b\n", "f")
    assert not problems and doc is not None and doc.data == {"base": {"x": 1}, "other": {"x": 1}}
    assert doc.pos(("other",)) == Pos(1, 7)  # an alias's value sits where its anchor wrote it


def test_no_asterisk_no_alias_pass(work: dict[str, int]) -> None:
    doc, _ = load_text("a: [1, 2]\n", "f")
    assert doc is not None and work["sized"] == 0 and work["walked"] == 4


def test_deep_nesting_rejected_without_crash(work: dict[str, int]) -> None:
    rule, line, _, msg = problem("deep-nesting.yaml")
    assert rule == "FES003" and "nesting" in msg and line == 1
    assert work["walked"] == 0  # the bracket pre-scan refuses it before libyaml composes


def test_syntax_error_located() -> None:
    rule, line, _, msg = problem("unclosed-flow.yaml")
    assert rule == "FES001" and line == 3 and "syntax" in msg


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * 2_000_000 + b"\n")
    doc, problems = load_file(big, "big.yaml", max_bytes=1_000_000)
    assert doc is None and problems[0].rule == "FES003" and "limit" in problems[0].message


def test_several_documents_refused() -> None:
    _, problems = load_text("a: 1\n---\nb: 2\n", "f")
    assert problems[0].rule == "FES001" and problems[0].line == 2


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_data_or_findings(data: bytes) -> None:
    doc, problems = load_bytes(data, "f")
    assert (doc is None) == bool(problems)
    for p in problems:
        assert p.line >= 1 and p.column >= 1 and p.message


YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#,? \n\t0123456789.%@`")), max_size=120)


@settings(max_examples=500, deadline=None)
@given(YAMLISH)
def test_malformed_yaml_gives_findings_not_exceptions(text: str) -> None:
    doc, problems = load_text(text, "f")
    assert (doc is None) == bool(problems)


def test_a_number_too_long_to_read_is_located_at_the_value_without_pythons_advice() -> None:
    doc, problems = load_bytes(b"id: x\nphase: " + b"9" * 5000 + b"\n", "r.yaml")
    assert doc is None and [(p.rule, p.line, p.column) for p in problems] == [("FES001", 2, 8)]
    assert "set_int_max_str_digits" not in problems[0].message and "5,000" in problems[0].message
