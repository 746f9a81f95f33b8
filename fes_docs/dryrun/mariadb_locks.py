"""The MariaDB lock report: what a migration makes the application wait for on tables that existed before it.

PostgreSQL shows a transaction's locks until it commits (:mod:`fes_docs.dryrun.locks`); MariaDB commits every
DDL statement implicitly, so nothing a DDL took can be read after it. What can be told, and is:

* **DML** (``INSERT``/``UPDATE``/``DELETE``/``SELECT … FOR UPDATE``) runs in Flyway's transaction, and its table
  metadata locks stay until that transaction ends — at the migration's commit, at the next DDL, which
  commits first, or at a ``COMMIT``/``ROLLBACK``/``BEGIN`` the script sends itself. Just before each, our own
  connection's locks are read from ``information_schema.METADATA_LOCK_INFO`` (the ``metadata_lock_info``
  plugin the throwaway server loads; ``THREAD_ID = CONNECTION_ID()``, which needs no privilege):
  ``MDL_SHARED_WRITE`` and the like, as PostgreSQL's ``pg_locks`` read gives ``RowExclusiveLock``. A server
  without the plugin (``--dsn``) says so once.
* **An ALTER TABLE** (and a ``CREATE INDEX``, whose clauses are space-separated) is probed: sent with
  ``ALGORITHM=INSTANT``, then ``ALGORITHM=INPLACE, LOCK=NONE``, which the server refuses before changing
  anything when it cannot honour them (:mod:`fes_docs.dryrun.mariadb_catalog`); neither accepted is
  :data:`~fes_docs.dryrun.report.MARIADB_BLOCKING`.
* **Every DDL on an existing table** (ALTER, DROP, TRUNCATE, RENAME, CREATE/DROP INDEX, CREATE TRIGGER) also
  gets :data:`~fes_docs.dryrun.report.MARIADB_DDL_MDL`: it takes an exclusive metadata lock when it starts and
  when it commits, so it waits behind any open transaction on the table, and queues everyone after it. That
  is MariaDB's rule for all DDL, not something read back; it ranks below the probe's verdict, so a table's
  strongest entry still says whether writes wait for the whole statement.
"""

from __future__ import annotations

from typing import Any

import pymysql

from fes_docs.dryrun import mariadb_catalog as catalog
from fes_docs.dryrun import mariadb_statements as st
from fes_docs.dryrun.report import MARIADB_DDL_MDL, lock_strength
from fes_docs.dryrun.statements import SentStatement

__all__ = ["LockLog", "send"]

_OWN_LOCKS = (
    "SELECT TABLE_NAME, LOCK_MODE FROM information_schema.METADATA_LOCK_INFO "
    "WHERE THREAD_ID = CONNECTION_ID() AND LOCK_TYPE = 'Table metadata lock' AND TABLE_SCHEMA = DATABASE()"
)
_NO_PLUGIN = (1109,)  # ER_UNKNOWN_TABLE: information_schema has no METADATA_LOCK_INFO


def send(conn: Any, text: str) -> None:
    """One statement, its rows (if any) read so the connection is free for the next."""
    with conn.cursor() as cur:
        cur.execute(text)
        if cur.description is not None:
            cur.fetchall()


class LockLog:
    """The locks one migration's first run took on the tables that existed when it started."""

    def __init__(self, conn: Any, unreadable: str | None = None) -> None:
        self.before = catalog.tables(conn)
        self.seen: set[tuple[str, str]] = set()
        #: Why the metadata locks cannot be read on this server, once found out; then they are not asked for.
        self.unreadable = unreadable
        self._pending = False  # statements ran since the last read whose locks the transaction still holds

    def send(self, conn: Any, statement: SentStatement, chunk: list[Any]) -> None:
        """Send a migration statement, noting its locks; a DDL's, and the DML's before its implicit commit."""
        if not st.commits(chunk):
            if st.words(chunk, 1)[:1] in (["COMMIT"], ["ROLLBACK"], ["BEGIN"], ["START"]):
                self.read(conn)  # the script ends Flyway's transaction itself: its locks go with it
            send(conn, statement.text)
            self._pending = True
            return
        self.read(conn)  # the DDL commits what ran before it, and its locks with it
        table, separator = st.altered_table(chunk), ", "
        if table is None:
            table, separator = st.indexed_table(chunk), " "
        if table is not None and table in self.before:
            self._add(table, _probed(conn, statement.text, separator))
        else:
            send(conn, statement.text)
        for name in st.ddl_tables(chunk):
            self._add(name, MARIADB_DDL_MDL)
        self._pending = st.words(chunk, 1) == ["LOCK"]  # LOCK TABLES holds its locks until UNLOCK

    def read(self, conn: Any) -> None:
        """Add the table metadata locks ``conn`` holds now (call it while its transaction is open)."""
        if not self._pending or self.unreadable is not None:
            return
        self._pending = False
        with conn.cursor() as cur:
            try:
                cur.execute(_OWN_LOCKS)
            except pymysql.err.MySQLError as exc:
                if not (exc.args and exc.args[0] in _NO_PLUGIN):
                    raise
                self.unreadable = "the server has no metadata_lock_info plugin: DML's metadata locks not read"
                return
            for table, mode in cur.fetchall():
                self._add(str(table).lower(), str(mode))

    def _add(self, table: str, mode: str) -> None:
        if table in self.before:
            self.seen.add((table, mode))

    def locks(self) -> list[tuple[str, str]]:
        return sorted(self.seen, key=lambda lock: (lock[0], -lock_strength(lock[1])))


def _probed(conn: Any, text: str, separator: str = ", ") -> str:
    """Send an ALTER (or a CREATE INDEX) of an existing table with the cheapest clause the server
    accepts; that clause, or :data:`~fes_docs.dryrun.mariadb_catalog.BLOCKING` once the plain statement had
    to run. ALTER's options are comma-separated, an index statement's space-separated."""
    with conn.cursor() as cur:
        for clause in catalog.PROBES:
            try:
                cur.execute(f"{text}{separator}{clause.replace(', ', separator)}")
                return clause
            except pymysql.err.MySQLError as exc:
                if not catalog.is_refused_probe(exc):
                    break  # not about the clause: the plain statement says what is wrong
        cur.execute(text)
    return catalog.BLOCKING
