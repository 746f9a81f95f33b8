"""The locks a migration holds on tables that existed before it, wherever its transactions end.

PostgreSQL shows a backend's locks in ``pg_locks`` only while its transaction is open, so they are read
just before each transaction ends: before the engine's own COMMIT of a transactional migration, before a
``COMMIT``/``END``/``ROLLBACK`` the script sends itself (a script with its own ``BEGIN``/``COMMIT``), and,
for a script run outside a transaction (``executeInTransaction=false``), around each statement — a
statement that may run in a transaction block is sent inside a one-statement ``BEGIN … COMMIT`` (what
autocommit does anyway), and one that may not (``CREATE INDEX CONCURRENTLY``, ``VACUUM``) is given the lock
PostgreSQL's documentation says it takes on its table, since no transaction stays open long enough to read.
"""

from __future__ import annotations

from typing import Any

import psycopg
from pglast.parser import ParseError, scan

from fes_docs.dryrun.report import lock_strength
from fes_docs.dryrun.snapshot import user_table_oids
from fes_docs.sql._pgjson import J, parse
from fes_docs.sql._pgnames import rangevar

_OWN_LOCKS = """
    SELECT l.relation::oid, l.mode FROM pg_catalog.pg_locks l
    WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
"""

#: First tokens of the statements that open or end a transaction the script manages itself.
_BEGINS = frozenset({"BEGIN_P", "START"})
_ENDS = frozenset({"COMMIT", "END_P", "ROLLBACK", "ABORT_P"})


def first_keyword(sql: str) -> str | None:
    """The statement's first token name (``"COMMIT"``, ``"BEGIN_P"`` …), comments skipped; None if unreadable."""
    try:
        for tok in scan(sql):
            if tok.name not in ("SQL_COMMENT", "C_COMMENT"):
                return str(tok.name)
    except ParseError:
        return None
    return None


def begins(sql: str) -> bool:
    return first_keyword(sql) in _BEGINS


def ends(sql: str) -> bool:
    return first_keyword(sql) in _ENDS


class LockLog:
    """The relation locks seen on tables that existed when the migration started (history table excluded)."""

    def __init__(self, conn: psycopg.Connection[Any], excluded: frozenset[str]) -> None:
        self.before = user_table_oids(conn)
        self.excluded = excluded
        self.seen: set[tuple[str, str]] = set()

    def read(self, conn: psycopg.Connection[Any]) -> None:
        """Add the locks ``conn`` holds now (call it while its transaction is still open)."""
        for oid, mode in conn.execute(_OWN_LOCKS).fetchall():
            self._add(self.before.get(oid), mode)

    def documented(self, conn: psycopg.Connection[Any], sql: str) -> None:
        """Add the lock a statement that cannot run in a transaction block takes, by PostgreSQL's documentation."""
        for table, mode in _documented(conn, sql):
            self._add(table, mode)

    def _add(self, table: str | None, mode: str) -> None:
        if table is not None and table not in self.excluded and table in self.before.values():
            self.seen.add((table, mode))

    def locks(self) -> list[tuple[str, str]]:
        return sorted(self.seen, key=lambda lock: (lock[0], -lock_strength(lock[1])))


def _documented(conn: psycopg.Connection[Any], sql: str) -> list[tuple[str | None, str]]:
    try:
        trees = parse(sql)
    except (ParseError, RecursionError):
        return []
    out: list[tuple[str | None, str]] = []
    for node, _, _ in trees:
        out += _documented_one(conn, node)
    return out


def _documented_one(conn: psycopg.Connection[Any], n: J) -> list[tuple[str | None, str]]:
    tag = n.tag
    if tag == "IndexStmt" and n.concurrent:  # CREATE INDEX CONCURRENTLY
        return [(_table(conn, rangevar(n.relation)), "ShareUpdateExclusiveLock")]
    if tag == "ReindexStmt":
        return [(_table(conn, rangevar(n.relation)), "ShareUpdateExclusiveLock")]
    if tag == "DropStmt" and n.concurrent:  # DROP INDEX CONCURRENTLY: the index's table
        names = [".".join(str(p.sval) for p in obj) for obj in n.objects or () if isinstance(obj, tuple)]
        return [(_index_table(conn, name), "ShareUpdateExclusiveLock") for name in names]
    if tag == "VacuumStmt":
        full = any(getattr(o, "defname", None) == "full" for o in n.options or ())
        mode = "AccessExclusiveLock" if full else "ShareUpdateExclusiveLock"
        return [(_table(conn, rangevar(r.relation)), mode) for r in n.rels or ()]
    return []


def _table(conn: psycopg.Connection[Any], name: str) -> str | None:
    """``schema.table`` of a relation name as the session's search path resolves it."""
    row = conn.execute(
        "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass(%s)",
        [name],
    ).fetchone()
    return str(row[0]) if row else None


def _index_table(conn: psycopg.Connection[Any], index: str) -> str | None:
    row = conn.execute(
        "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_index i "
        "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE i.indexrelid = pg_catalog.to_regclass(%s)",
        [index],
    ).fetchone()
    return str(row[0]) if row else None
