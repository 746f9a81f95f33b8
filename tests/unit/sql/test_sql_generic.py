"""Other dialects through sqlglot, on kestra's real MySQL and H2 migrations."""

from __future__ import annotations

from pathlib import Path

from fes_docs.sql import analyze


def _read(sql_fixtures: Path, rel: str) -> str:
    return (sql_fixtures / "flyway" / "kestra" / rel).read_text(encoding="utf-8")


def test_mysql_delimiter_blocks_stay_one_statement(sql_fixtures: Path) -> None:
    result = analyze(_read(sql_fixtures, "mysql/V1_1__initial.sql"), "mysql")
    assert result.error is None
    first, second = result.statements[:2]
    # "DELIMITER //" is line 1; each CREATE FUNCTION … BEGIN …; END // is a single statement.
    assert (first.line, first.column, first.kind) == (2, 1, "CREATE FUNCTION")
    assert (second.line, second.kind) == (24, "CREATE FUNCTION")
    assert first.opaque and first.idempotent == "unproven"
    assert not any(s.kind.startswith("DELIMITER") for s in result.statements)
    assert any(s.kind == "CREATE TABLE" and s.idempotent == "yes" for s in result.statements)


def test_mysql_modify_column_and_update(sql_fixtures: Path) -> None:
    result = analyze(_read(sql_fixtures, "mysql/V1_22__flow_with_source.sql"), "mysql")
    assert [(s.line, s.kind, s.klass) for s in result.statements] == [
        (1, "ALTER TABLE MODIFY COLUMN", "destructive"),
        (19, "UPDATE", "data"),
        (21, "ALTER TABLE MODIFY COLUMN", "destructive"),
    ]
    assert result.klass == "destructive" and result.idempotent == "unproven"


def test_mysql_rename_table(sql_fixtures: Path) -> None:
    result = analyze(_read(sql_fixtures, "mysql/V1_14__subflow_executions.sql"), "mysql")
    assert result.statements[0].kind == "ALTER TABLE RENAME TO"
    assert (result.statements[0].klass, result.statements[0].idempotent) == ("destructive", "no")


def test_h2_commands_sqlglot_cannot_model_are_opaque(sql_fixtures: Path) -> None:
    result = analyze(_read(sql_fixtures, "h2/V1_13__log_fulltext.sql"), "h2")
    assert result.error is None and result.opaque
    opaque = [s for s in result.statements if s.opaque]
    assert opaque and all(s.idempotent == "unproven" and "cannot vouch" in s.reason for s in opaque)
    assert result.statements[0].kind == "ALTER TABLE DROP NOT NULL"


def test_mysql_idempotent_inserts() -> None:
    result = analyze(
        "INSERT IGNORE INTO t VALUES (1);\n"
        "INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 1;\n"
        "INSERT INTO t VALUES (2);\n"
        "RENAME TABLE a TO b;",
        "mysql",
    )
    assert [(s.line, s.kind, s.klass, s.idempotent) for s in result.statements] == [
        (1, "INSERT", "data", "yes"),
        (2, "INSERT", "data", "yes"),
        (3, "INSERT", "data", "no"),
        (4, "RENAME", "destructive", "unproven"),
    ]


def test_generic_ddl() -> None:
    result = analyze(
        "CREATE TABLE IF NOT EXISTS a (id INT NOT NULL);\n"
        "ALTER TABLE a ADD COLUMN IF NOT EXISTS b INT NOT NULL;\n"
        "ALTER TABLE a ALTER COLUMN b SET NOT NULL;\n"
        "DROP INDEX IF EXISTS ix;\n"
        "DELETE FROM a;",
        "h2",
    )
    assert [(s.kind, s.klass, s.idempotent) for s in result.statements] == [
        ("CREATE TABLE", "additive", "yes"),
        ("ALTER TABLE ADD COLUMN", "destructive", "yes"),
        ("ALTER TABLE SET NOT NULL", "destructive", "yes"),
        ("DROP INDEX", "destructive", "yes"),
        ("DELETE", "destructive", "unproven"),
    ]
    assert result.statements[0].creates == (("table", "a"), ("column", "a.id"))


def test_unterminated_string_is_a_located_error() -> None:
    result = analyze("SELECT 1;\nSELECT 'abc", "mysql")
    assert result.error is not None
    assert (result.error.line, result.error.column) == (2, 8)
    assert "unterminated" in result.error.message


def test_mysql_dollar_delimiter() -> None:
    sql = (
        "DELIMITER $$\n"
        "CREATE PROCEDURE p() BEGIN SELECT 1; END $$\n"
        "DELIMITER ;\n"
        "CREATE TABLE IF NOT EXISTS a (id int);\n"
    )
    result = analyze(sql, "mysql")
    assert [(s.line, s.kind, s.opaque) for s in result.statements] == [
        (2, "CREATE PROCEDURE", True),
        (4, "CREATE TABLE", False),
    ]
