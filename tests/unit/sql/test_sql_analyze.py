"""Positions, errors and object lists of :func:`fes_docs.sql.analyze` on PostgreSQL text."""

from __future__ import annotations

from pathlib import Path

import pytest

from fes_docs.sql import analyze, is_supported_dialect, same_object


def _positions(sql: str) -> list[tuple[int, int, str]]:
    result = analyze(sql)
    assert result.error is None, result.error
    return [(s.line, s.column, s.kind) for s in result.statements]


def test_statement_starts_skip_comments_and_whitespace() -> None:
    sql = (
        "-- header: DROP TABLE x;\n"
        "/* block /* nested */ still */\n"
        "\n"
        "  CREATE TABLE IF NOT EXISTS a (id int);  /* trailing */ -- more\n"
        "\t-- before the second\n"
        "\tINSERT INTO a VALUES (1) ON CONFLICT DO NOTHING;"
    )
    assert _positions(sql) == [(4, 3, "CREATE TABLE"), (6, 2, "INSERT")]


def test_columns_count_characters_not_bytes() -> None:
    sql = (
        "COMMENT ON TABLE café IS 'ünïcödé'; DROP TABLE IF EXISTS naïve;\nSELECT '日本語'; ALTER TABLE t DROP COLUMN c;"
    )
    assert _positions(sql) == [
        (1, 1, "COMMENT ON"),
        (1, 37, "DROP TABLE"),
        (2, 1, "SELECT"),
        (2, 15, "ALTER TABLE DROP COLUMN"),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_counts_as_a_line(newline: str) -> None:
    sql = newline.join(["-- one", "SELECT 1;", "", "DROP TABLE IF EXISTS t;"])
    assert [(line, col) for line, col, _ in _positions(sql)] == [(2, 1), (4, 1)]


def test_syntax_error_is_located_not_raised() -> None:
    result = analyze("CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN naïve tèxt NOT NULL DEFAULT ,;\n")
    assert result.statements == () and result.klass is None
    assert result.error is not None
    assert (result.error.line, result.error.column) == (2, 54)  # bytes would say 56
    assert "syntax error" in result.error.message


@pytest.mark.parametrize(
    ("sql", "line", "column"),
    [
        ("SELECT 'unterminated;\n", 1, 8),
        ("SELECT 1;\nSELECT $$ never closed", 2, 8),
        ("SELECT 1; /* open comment", 1, 11),
    ],
)
def test_lexer_errors_point_at_the_literal(sql: str, line: int, column: int) -> None:
    result = analyze(sql)
    assert result.error is not None
    assert (result.error.line, result.error.column) == (line, column)


def test_empty_and_comment_only_files() -> None:
    for sql in ("", "   \n", "-- nothing here\n/* nor here */"):
        result = analyze(sql)
        assert (result.statements, result.error, result.klass, result.idempotent) == ((), None, None, None)


def test_statement_text_is_trimmed_and_one_line() -> None:
    (stmt,) = analyze("\n\n  CREATE   TABLE IF NOT EXISTS a (\n  id int\n);  \n").statements
    assert stmt.text == "CREATE TABLE IF NOT EXISTS a ( id int )"
    long = analyze("INSERT INTO t VALUES (" + ", ".join(str(i) for i in range(200)) + ");").statements[0]
    assert len(long.text) <= 200 and long.text.endswith("…")


def test_do_block_inner_statements_are_located_in_the_file() -> None:
    sql = (
        "SELECT 1;\n"
        "DO $body$\n"
        "DECLARE n int;\n"
        "BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n"
        "      CREATE TYPE mood AS ENUM ('ok');\n"
        "  END IF;\n"
        "  ALTER TABLE t DROP COLUMN c;\n"
        "  EXECUTE 'DROP INDEX IF EXISTS ix';\n"
        "END\n"
        "$body$;\n"
    )
    result = analyze(sql)
    do = result.statements[1]
    assert (do.line, do.column, do.kind, do.klass, do.idempotent, do.opaque) == (
        2, 1, "DO block", "destructive", "no", False,
    )  # fmt: skip
    assert [(s.line, s.column, s.kind, s.idempotent) for s in do.inner] == [
        (6, 7, "CREATE TYPE", "no"),
        (8, 3, "ALTER TABLE DROP COLUMN", "no"),
        (9, 3, "DROP INDEX", "yes"),
    ]
    assert "line 8" in do.reason
    assert do.creates == (("type", "mood"),)
    assert do.drops == (("column", "t.c"), ("index", "ix"))


def test_do_block_quoted_with_single_quotes() -> None:
    sql = "DO 'BEGIN\n  ALTER TABLE t ADD COLUMN IF NOT EXISTS note text DEFAULT ''x'';\nEND';"
    (do,) = analyze(sql).statements
    assert (do.klass, do.idempotent, do.opaque) == ("additive", "yes", False)
    assert [(s.line, s.kind) for s in do.inner] == [(2, "ALTER TABLE ADD COLUMN")]


def test_creates_and_drops_name_the_objects() -> None:
    sql = (
        "CREATE TABLE IF NOT EXISTS app.doc (id int, title text);\n"
        "ALTER TABLE app.doc ADD COLUMN IF NOT EXISTS pdf text;\n"
        'CREATE INDEX IF NOT EXISTS ix_doc ON app.doc ("Title");\n'
        "DROP TABLE IF EXISTS app.old, legacy;\n"
        "ALTER TABLE doc DROP COLUMN IF EXISTS pdf, DROP CONSTRAINT IF EXISTS fk;\n"
        "DROP TYPE IF EXISTS app.mood;\n"
    )
    stmts = analyze(sql).statements
    assert stmts[0].creates == (("table", "app.doc"), ("column", "app.doc.id"), ("column", "app.doc.title"))
    assert stmts[1].creates == (("column", "app.doc.pdf"),)
    assert stmts[2].creates == (("index", "app.ix_doc"),)
    assert stmts[3].drops == (("table", "app.old"), ("table", "legacy"))
    assert stmts[4].drops == (("column", "doc.pdf"), ("constraint", "doc.fk"))
    assert stmts[5].drops == (("type", "app.mood"),)


def test_same_object_ignores_a_missing_schema_only() -> None:
    assert same_object(("table", "app.doc"), ("table", "doc"))
    assert same_object(("column", "app.doc.pdf"), ("column", "doc.pdf"))
    assert not same_object(("table", "app.doc"), ("table", "other.doc"))
    assert not same_object(("table", "doc"), ("index", "doc"))
    assert not same_object(("column", "doc.pdf"), ("column", "doc.png"))


def test_quoted_identifiers_keep_their_case() -> None:
    (stmt,) = analyze('DROP TABLE IF EXISTS "Account", account;').statements
    assert stmt.drops == (("table", "Account"), ("table", "account"))


def test_reasons_name_the_deciding_clause() -> None:
    (stmt,) = analyze("ALTER TABLE t DROP COLUMN c;").statements
    assert "DROP COLUMN without IF EXISTS" in stmt.reason
    (stmt,) = analyze("ALTER TABLE t ADD COLUMN c int NOT NULL;").statements
    assert "NOT NULL column t.c without DEFAULT" in stmt.reason


def test_dialects() -> None:
    assert is_supported_dialect("postgres") and is_supported_dialect("PostgreSQL")
    assert is_supported_dialect("mysql") and is_supported_dialect("h2")
    assert not is_supported_dialect("cobol") and not is_supported_dialect("")
    with pytest.raises(ValueError, match="cobol"):
        analyze("SELECT 1", "cobol")


def test_a_large_pg_dump_is_read_in_one_parse(sql_fixtures: Path) -> None:
    text = (sql_fixtures / "flyway" / "kestra" / "postgres" / "V1_1__initial.sql").read_text(encoding="utf-8")
    result = analyze(text * 3)
    assert result.error is None
    assert len(result.statements) == 3 * len(analyze(text).statements)


@pytest.mark.parametrize(
    "column",
    [
        "z int NOT NULL DEFAULT NULL",
        "z int DEFAULT NULL::int NOT NULL",
        "z int GENERATED ALWAYS AS (NULL) STORED NOT NULL",
        "z int CHECK (z IS NOT NULL)",
        "z int DEFAULT NULL CHECK (z IS NOT NULL AND z > 0)",
    ],
)
def test_a_new_column_the_existing_rows_cannot_fill_is_destructive(column: str) -> None:
    """PostgreSQL refuses each of these on a table with rows ("column z contains null values", or the check);
    a DEFAULT of NULL fills nothing, and a CHECK that tests IS NOT NULL asks for a value like NOT NULL does.
    Each was called additive, so a release passed the gate with it (§4.2, §4.3)."""
    (stmt,) = analyze(f"ALTER TABLE exam ADD COLUMN IF NOT EXISTS {column};").statements
    assert stmt.klass == "destructive", (column, stmt.reason)


@pytest.mark.parametrize(
    "column",
    [
        "z int NOT NULL DEFAULT 0",
        "z int NOT NULL DEFAULT 0::int",
        "z int CHECK (z > 0)",  # a NULL passes a CHECK: the rows keep NULL
        "z bigserial NOT NULL",
        "z int GENERATED ALWAYS AS IDENTITY",
        "z int GENERATED ALWAYS AS (1) STORED NOT NULL",
        "z int DEFAULT NULL",
    ],
)
def test_a_new_column_the_rows_can_take_stays_additive(column: str) -> None:
    (stmt,) = analyze(f"ALTER TABLE exam ADD COLUMN IF NOT EXISTS {column};").statements
    assert stmt.klass == "additive", (column, stmt.reason)
