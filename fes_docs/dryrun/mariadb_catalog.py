"""What the MySQL-dialect dry run reads back from MariaDB: Flyway's history table, the catalog-and-data
snapshot that proves a re-run changed nothing, and what the server says about an ALTER's locking.

* **History**: ``flyway_schema_history`` with the column types of Flyway's MySQL ``createMetaDataTable.sql``.
* **Snapshot**: tables, columns, indexes, constraints, routines, triggers and views from
  ``information_schema`` of the scratch database, and per table its row count and ``CHECKSUM TABLE`` (the
  data digest). ``AUTO_INCREMENT`` positions do not count, as sequence positions do not on PostgreSQL: a
  harmless ``INSERT IGNORE`` advances them.
* **Locks**: MySQL commits DDL on its own, so no lock outlives the statement to be read afterwards. The
  server does tell, up front, whether an ``ALTER TABLE`` can run ``ALGORITHM=INSTANT`` or ``ALGORITHM=INPLACE,
  LOCK=NONE``: it refuses the clause (error 1845/1846) *before* changing anything. So the statement is sent with
  those clauses first, and what the server accepted is the lock report; the plain statement runs only when it
  accepted neither (a table copy, or a lock that blocks writes). The rest of the lock report (DML's metadata
  locks, every DDL's exclusive moments) is :mod:`fes_docs.dryrun.mariadb_locks`, which sends the probes.
"""

from __future__ import annotations

from typing import Any

import pymysql

from fes_docs.dryrun.report import MARIADB_BLOCKING

HISTORY = "flyway_schema_history"
_HISTORY_DDL = (
    f"CREATE TABLE `{HISTORY}` ("
    "`installed_rank` INT NOT NULL, `version` VARCHAR(50), `description` VARCHAR(200) NOT NULL, "
    "`type` VARCHAR(20) NOT NULL, `script` VARCHAR(1000) NOT NULL, `checksum` INT, "
    "`installed_by` VARCHAR(100) NOT NULL, `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
    "`execution_time` INT NOT NULL, `success` BOOL NOT NULL, "
    f"CONSTRAINT `{HISTORY}_pk` PRIMARY KEY (`installed_rank`)) ENGINE=InnoDB",
    f"CREATE INDEX `{HISTORY}_s_idx` ON `{HISTORY}` (`success`)",
)

#: (what, query) of the catalog snapshot; every query is of the current (scratch) database only.
_CATALOG = (
    ("table", "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION FROM information_schema.TABLES"),
    (
        "column",
        "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, "
        "EXTRA, COLLATION_NAME FROM information_schema.COLUMNS",
    ),
    (
        "index",
        "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE "
        "FROM information_schema.STATISTICS",
    ),
    ("constraint", "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS"),
    (
        "foreign key",
        "SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE "
        "FROM information_schema.REFERENTIAL_CONSTRAINTS",
    ),
    ("check", "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"),
    ("routine", "SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES"),
    ("trigger", "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS"),
    ("view", "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS"),
)
_SCHEMA_COLUMN = {
    "routine": "ROUTINE_SCHEMA",
    "trigger": "TRIGGER_SCHEMA",
    "foreign key": "CONSTRAINT_SCHEMA",
    "check": "CONSTRAINT_SCHEMA",
}

Snapshot = dict[str, frozenset[tuple[Any, ...]]]


def create_history(conn: pymysql.connections.Connection[Any]) -> None:
    with conn.cursor() as cur:
        for ddl in _HISTORY_DDL:
            cur.execute(ddl)


def add_history(conn: pymysql.connections.Connection[Any], row: dict[str, Any]) -> int:
    """Flyway's row for one migration (``success`` False for a failed one, which MySQL leaves behind)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(installed_rank), 0) + 1 FROM `{HISTORY}`")
        fetched = cur.fetchone()
        rank = int(fetched[0]) if fetched else 1
        cur.execute(
            f"INSERT INTO `{HISTORY}` (installed_rank, version, description, type, script, checksum, installed_by,"
            " execution_time, success) VALUES (%s, %s, %s, 'SQL', %s, %s, %s, %s, %s)",
            [
                rank,
                row["version"],
                row["description"],
                row["script"],
                row["checksum"],
                row["installed_by"],
                row["execution_ms"],
                row["success"],
            ],
        )
    return rank


def tables(conn: pymysql.connections.Connection[Any]) -> set[str]:
    """Base tables of the scratch database, lower-cased (MySQL on Linux compares names as written, but a
    migration rarely relies on that; the lock report only asks whether a table existed before)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> %s",
            [HISTORY],
        )
        return {str(r[0]).lower() for r in cur.fetchall()}


def snapshot(conn: pymysql.connections.Connection[Any], compare_data: bool = True) -> Snapshot:
    """The catalog (and data digests) of the scratch database, Flyway's history table left out."""
    out: Snapshot = {}
    with conn.cursor() as cur:
        for what, query in _CATALOG:
            schema = _SCHEMA_COLUMN.get(what, "TABLE_SCHEMA")
            cur.execute(f"{query} WHERE {schema} = DATABASE()")
            rows = [tuple(r) for r in cur.fetchall()]
            out[what] = frozenset(r for r in rows if not (r and str(r[0]) == HISTORY))
        if compare_data:
            out["rows"] = _digests(cur, sorted(tables(conn)))
    return out


def _digests(cur: Any, names: list[str]) -> frozenset[tuple[Any, ...]]:
    """(table, rows, CHECKSUM TABLE) of every table, in two statements whatever the number of tables: a
    migration folder of hundreds of tables is snapshotted twice per migration."""
    if not names:
        return frozenset()
    quoted = ["`" + n.replace("`", "``") + "`" for n in names]
    cur.execute(" UNION ALL ".join(f"SELECT %s, COUNT(*) FROM {q}" for q in quoted), names)  # names as values
    counts = {str(r[0]): r[1] for r in cur.fetchall()}
    cur.execute("CHECKSUM TABLE " + ", ".join(quoted))
    sums = {str(r[0]).rsplit(".", 1)[-1].lower(): r[1] for r in cur.fetchall()}
    return frozenset((n, counts.get(n), sums.get(n.lower())) for n in names)


def difference(before: Snapshot, after: Snapshot) -> str | None:
    """What a re-run changed, in a line: the first kinds of object that differ, a few of each."""
    parts = []
    for what in after.keys() | before.keys():
        added = sorted(after.get(what, frozenset()) - before.get(what, frozenset()), key=repr)
        removed = sorted(before.get(what, frozenset()) - after.get(what, frozenset()), key=repr)
        if what == "rows" and (added or removed):
            was = {r[0]: r[1:] for r in removed}
            parts += [
                f"table {r[0]}: {was[r[0]][0]} -> {r[1]} rows" if r[0] in was else f"rows of table {r[0]} changed"
                for r in added[:3]
            ]
        elif added or removed:
            shown = [f"+{_show(r)}" for r in added[:2]] + [f"-{_show(r)}" for r in removed[:2]]
            parts.append(f"{what}: {', '.join(shown)}")
    return "; ".join(sorted(parts)) or None


def _show(row: tuple[Any, ...]) -> str:
    return ".".join(str(x) for x in row[:2])


#: What an ALTER is tried with, cheapest first; the server refuses a clause it cannot honour, changing nothing.
PROBES = ("ALGORITHM=INSTANT", "ALGORITHM=INPLACE, LOCK=NONE")
#: The lock report's word when the server accepted neither probe.
BLOCKING = MARIADB_BLOCKING
_NOT_SUPPORTED = (1845, 1846)  # ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)


def is_refused_probe(exc: pymysql.err.MySQLError) -> bool:
    return bool(exc.args) and exc.args[0] in _NOT_SUPPORTED
