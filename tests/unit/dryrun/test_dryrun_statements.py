"""The statements the dry run sends: positions must point into the file, and PostgreSQL's parser decides.

The cut itself is :func:`fes_docs.sql.split.cut_script` (shared with the analysis); these tests go through
the dry run's entry point to pin what the server is sent.
"""

from __future__ import annotations

import pytest

from fes_docs.dryrun.statements import statements_to_send
from fes_docs.positions import line_column

PG15 = 150000


def test_offsets_lines_and_columns_point_at_each_statement_in_the_file() -> None:
    sql = (
        "-- héader comment with a non-ASCII letter\n"
        "CREATE TABLE t (a int);\n"
        "\n"
        "/* block */  DO $$ BEGIN EXECUTE 'SELECT 1; SELECT 2'; END $$;\n"
        "SELECT\n  1"
    )
    statements = statements_to_send(sql, PG15)
    assert [s.index for s in statements] == [1, 2, 3]
    for statement in statements:
        assert sql[statement.offset : statement.offset + len(statement.text)] == statement.text
    assert [(s.line, s.column) for s in statements] == [(2, 1), (4, 14), (5, 1)]
    # The semicolons inside the dollar-quoted body do not cut the DO statement.
    assert statements[1].text.startswith("DO $$") and statements[1].text.endswith("END $$")


def test_byte_order_mark_does_not_shift_positions() -> None:
    statements = statements_to_send("\ufeffSELECT 1;\nSELECT 2;", PG15)
    assert [(s.text, s.line, s.column) for s in statements] == [("SELECT 1", 1, 2), ("SELECT 2", 2, 1)]


def test_unparseable_file_is_still_cut_so_the_server_can_name_the_bad_statement() -> None:
    sql = "CREATE TABLE t (a int);\n-- wrong:\n/* twice */ ALTER TABLE t ADD COLUMNS b int;\nSELECT 3;"
    statements = statements_to_send(sql, PG15)
    assert [(s.line, s.column) for s in statements] == [(1, 1), (3, 13), (4, 1)]
    assert statements[1].text == "ALTER TABLE t ADD COLUMNS b int"


@pytest.mark.parametrize(
    ("sql", "texts"),
    [
        ("SELECT 1; SELEC 2", ["SELECT 1", "SELEC 2"]),  # text after the last `;` is a statement too
        ("SELECT 1;\nSELEC 2;\n", ["SELECT 1", "SELEC 2"]),  # pglast's scanner split drops a non-keyword start
        ("SELECT 1;\nFOO /* why */ -- trailing\n", ["SELECT 1", "FOO"]),
        ("SELECT 'a;b'; ; BAR $$;$$", ["SELECT 'a;b'", "BAR $$;$$"]),
    ],
)
def test_unparseable_file_sends_every_fragment_as_flyway_does(sql: str, texts: list[str]) -> None:
    """Flyway sends what follows the last `;`, and a statement it cannot classify: the server must see them,
    or a broken migration would be reported as applied."""
    assert [s.text for s in statements_to_send(sql, PG15)] == texts


def test_unscannable_file_is_sent_whole() -> None:
    sql = "\n  SELECT 'unterminated;\nSELECT 2;  \n"
    (statement,) = statements_to_send(sql, PG15)
    assert statement.text == "SELECT 'unterminated;\nSELECT 2;"
    assert (statement.line, statement.column) == (2, 3)


def test_empty_and_comment_only_files_have_no_statements() -> None:
    assert statements_to_send("", PG15) == ()
    assert statements_to_send("-- nothing to do\n/* really */\n", PG15) == ()


@pytest.mark.parametrize(
    ("sql", "transactional"),
    [
        ("CREATE INDEX CONCURRENTLY i ON t (a)", False),
        ("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", False),
        ("DROP INDEX CONCURRENTLY IF EXISTS i", False),
        ("CREATE INDEX i ON t (a)", True),
        ("VACUUM t", False),
        ("ANALYZE t", True),
        ("REINDEX SCHEMA public", False),
        ("REINDEX (CONCURRENTLY) TABLE t", False),
        ("REINDEX TABLE t", True),
        ("DISCARD ALL", False),
        ("DISCARD TEMP", True),
        ("ALTER SYSTEM SET work_mem = '8MB'", False),
        ("CREATE DATABASE d", False),
        ("ALTER TYPE mood ADD VALUE 'meh'", True),  # transactional since PostgreSQL 12
        ("DO $$ BEGIN PERFORM 1; END $$", True),
    ],
)
def test_statements_postgresql_refuses_in_a_transaction_block(sql: str, transactional: bool) -> None:
    (statement,) = statements_to_send(sql, PG15)
    assert statement.transactional is transactional


def test_alter_type_add_value_is_non_transactional_before_postgresql_12() -> None:
    (add,) = statements_to_send("ALTER TYPE mood ADD VALUE 'meh'", 110000)
    (rename,) = statements_to_send("ALTER TYPE mood RENAME VALUE 'meh' TO 'ok'", 110000)
    assert not add.transactional
    assert rename.transactional


def test_summary_is_one_short_line() -> None:
    (statement,) = statements_to_send("INSERT INTO t\nSELECT * FROM u", PG15)
    assert statement.summary == "INSERT INTO t ..."
    (long,) = statements_to_send("SELECT " + ", ".join(f"c{i}" for i in range(60)) + " FROM t", PG15)
    assert len(long.summary) <= 81 and long.summary.endswith("...")


def test_line_column_is_one_based() -> None:
    assert line_column("ab\ncd", 0) == (1, 1)
    assert line_column("ab\ncd", 4) == (2, 2)


def test_lines_of_sent_statements_follow_flyways_line_breaks() -> None:
    """The cut's positions come from fes_docs.positions: ``\r\n``, ``\r`` and ``\n`` each end a line."""
    statements = statements_to_send("SELECT 1;\r\nSELECT 2;\rSELECT 3;\nSELECT 4;", PG15)
    assert [(s.line, s.column) for s in statements] == [(1, 1), (2, 1), (3, 1), (4, 1)]
