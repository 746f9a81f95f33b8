"""MySQL and MariaDB read as themselves: DROP targets, CHANGE COLUMN, each flavour's guards, and escapes."""

from __future__ import annotations

import pytest

from fes_docs.sql import analyze
from fes_docs.sql.dialects import guard_advice


def _one(sql: str, dialect: str = "mysql") -> tuple[str, str, str, tuple[tuple[str, str], ...], str]:
    result = analyze(sql, dialect)
    assert result.error is None and len(result.statements) == 1
    s = result.statements[0]
    return s.kind, s.klass, s.idempotent, s.drops, s.reason


def test_drop_targets_are_named() -> None:
    assert _one("DROP TABLE IF EXISTS a.foo, bar")[3] == (("table", "a.foo"), ("table", "bar"))
    assert _one("DROP TABLE `orders`")[3] == (("table", "orders"),)
    assert _one("DROP INDEX ix ON t")[3] == (("index", "t.ix"),)
    assert _one("ALTER TABLE t DROP COLUMN c")[3] == (("column", "t.c"),)


def test_undo_drop_matches_what_the_migration_created() -> None:
    from fes_docs.sql import same_object

    created = analyze("CREATE TABLE orders (id INT)", "mysql").statements[0].creates
    dropped = analyze("DROP TABLE orders", "mysql").statements[0].drops
    assert any(same_object(d, c) for d in dropped for c in created)


def test_change_column_same_name_is_a_retype_other_name_a_rename() -> None:
    kind, klass, idem, _, reason = _one("ALTER TABLE t CHANGE COLUMN a a BIGINT NOT NULL")
    assert (klass, idem) == ("destructive", "yes") and "redefines column t.a" in reason
    assert "rename" not in reason
    kind, klass, idem, _, reason = _one("ALTER TABLE t CHANGE COLUMN a b INT")
    assert (klass, idem) == ("destructive", "no") and "renames column t.a to b" in reason
    # MySQL's column names ignore case: a A is still the same column
    assert "redefines" in _one("ALTER TABLE t CHANGE `a` `A` INT")[4]


@pytest.mark.parametrize(
    "sql",
    ["ALTER TABLE t ADD COLUMN c INT", "CREATE INDEX ix ON t (a)", "ALTER TABLE t DROP COLUMN c"],
)
def test_mariadb_has_guards_mysql_lacks(sql: str) -> None:
    mysql, mariadb = _one(sql, "mysql"), _one(sql, "mariadb")
    assert mysql[2] == mariadb[2] == "no"  # a re-run fails either way: the truth does not change
    assert "MySQL has no" in mysql[4] and "prove it with `fes-docs dry-run`" in mysql[4]
    assert "without IF" in mariadb[4] and "has no" not in mariadb[4]


def test_mysql_guards_are_honoured() -> None:
    assert _one("CREATE TABLE IF NOT EXISTS t (a INT)")[2] == "yes"
    assert _one("INSERT IGNORE INTO t VALUES (1)")[2] == "yes"
    assert _one("INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 1")[2] == "yes"
    assert _one("ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT", "mariadb")[2] == "yes"
    insert = _one("INSERT INTO t VALUES (1)")
    assert insert[2] == "no" and "INSERT IGNORE / ON DUPLICATE KEY UPDATE" in insert[4]
    assert "ON CONFLICT" not in insert[4]


def test_guard_advice_per_dialect() -> None:
    assert "ON CONFLICT" in guard_advice("postgres")
    mysql = guard_advice("mysql")
    assert "ON CONFLICT" not in mysql and "INSERT IGNORE" in mysql and "fes-docs dry-run" in mysql
    assert "ADD COLUMN IF NOT EXISTS" not in mysql
    assert "ADD COLUMN IF NOT EXISTS" in guard_advice("mariadb")


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("SELECT * INTO OUTFILE '/tmp/x' FROM t", "INTO OUTFILE"),
        ("SELECT a FROM t INTO DUMPFILE '/tmp/x'", "INTO DUMPFILE"),
        ("LOAD DATA INFILE '/etc/passwd' INTO TABLE t", "LOAD DATA"),
        ("LOAD DATA LOCAL INFILE 'x' INTO TABLE t", "LOAD DATA"),
        ("SELECT LOAD_FILE('/etc/passwd')", "LOAD_FILE"),
        ("CREATE USER 'u'@'%' IDENTIFIED BY 'p'", "CREATE USER"),
        ("GRANT ALL ON *.* TO 'u'@'%'", "GRANT"),
        ("SET GLOBAL read_only = 1", "SET GLOBAL"),
        ("DROP DATABASE other", "DROP DATABASE"),
        ("DROP SCHEMA IF EXISTS other", "DROP SCHEMA"),
        ("INSTALL SONAME 'ha_connect'", "INSTALL"),
        ("CREATE TABLE f (a INT) ENGINE=CONNECT", "CONNECT"),
    ],
)
def test_escapes_are_unsafe(sql: str, kind: str) -> None:
    got = _one(sql)
    assert (got[0], got[1]) == (kind, "unsafe")
    assert "escapes the database" in got[4]


def test_escape_words_in_strings_and_names_are_not_escapes() -> None:
    sql = "SELECT 'INTO OUTFILE', `load_file` FROM t;\nINSERT INTO grants (`user`) VALUES ('GRANT');"
    result = analyze(sql, "mysql")
    assert [s.klass for s in result.statements] == ["additive", "data"]


def test_escape_inside_a_procedure_body_counts() -> None:
    sql = "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1 INTO OUTFILE '/tmp/x'; END //\nDELIMITER ;\n"
    result = analyze(sql, "mysql")
    assert result.statements[0].klass == "unsafe" and result.statements[0].line == 2


def test_a_delimiter_the_lexer_reads_as_a_comment_still_separates() -> None:
    # Apache Fineract's V48__adding-S3-Support.sql: DELIMITER # ... END# (MySQL's lexer: '#' starts a comment)
    sql = (
        "DROP PROCEDURE IF EXISTS p;\ndelimiter #\ncreate procedure p()\nbegin\nSELECT 1;\nend#\n"
        "delimiter ;\ncall p();\n"
    )
    result = analyze(sql, "mysql")
    assert [(s.line, s.kind) for s in result.statements] == [
        (1, "DROP PROCEDURE"),
        (3, "CREATE PROCEDURE"),
        (8, "CALL"),
    ]
