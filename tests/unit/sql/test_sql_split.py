"""The one cut of a script into statements (fes_docs.sql.split), shared by the analysis and the dry run."""

from __future__ import annotations

from pathlib import Path

import pytest

from fes_docs.dryrun.statements import statements_to_send
from fes_docs.sql import analyze
from fes_docs.sql.split import cut_script, parse_statements

SQL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"


def _utf8(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False  # a checksum fixture that Flyway refuses to read; no statements to place
    return True


def test_each_cut_is_the_exact_text_at_its_offsets() -> None:
    sql = "-- head\nCREATE TABLE t (a int) ;  \n/* c */ INSERT INTO t VALUES (1)\n-- tail\n"
    cuts = [cut for _, cut in parse_statements(sql)]
    assert [(c.index, c.text, c.line, c.column) for c in cuts] == [
        (1, "CREATE TABLE t (a int)", 2, 1),
        (2, "INSERT INTO t VALUES (1)\n-- tail", 3, 9),
    ]
    assert all(sql[c.start : c.end] == c.text for c in cuts)


def test_parser_and_fallback_cuts_agree_where_both_apply() -> None:
    sql = "SELECT 1;\n  /* x */ SELECT 2;\nSELECT 3"
    parsed = [cut for _, cut in parse_statements(sql)]
    assert [cut for _, cut in cut_script(sql)] == parsed
    assert all(node is not None for node, _ in cut_script(sql))
    broken = sql + ";\nSELECT FROM WHERE;"
    fallback = cut_script(broken)
    assert [cut for _, cut in fallback][:3] == parsed
    assert all(node is None for node, _ in fallback)  # the file did not parse: no trees


#: Every SQL fixture, and the real Flyway folder kept under tests/fixtures/adopt.
ALL_SQL = [
    *sorted(SQL_FIXTURES.rglob("*.sql")),
    *sorted((SQL_FIXTURES.parent / "adopt" / "ccd-definition-store-api").rglob("*.sql")),
]


@pytest.mark.parametrize("path", [p for p in ALL_SQL if _utf8(p)], ids=lambda p: p.name)
def test_analysis_and_dry_run_place_every_statement_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    analysis = analyze(text)
    if analysis.error is not None:
        return  # the analysis stops at a parse error; the dry run still sends the file (tested elsewhere)
    sent = statements_to_send(text, 150000)
    assert [(s.line, s.column) for s in analysis.statements] == [(s.line, s.column) for s in sent]
