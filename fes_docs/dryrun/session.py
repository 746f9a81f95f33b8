"""A dry run's two sessions on the scratch database: the bounds, the session state Flyway restores between
migrations, and sending statements (with callbacks, COPY data and the run bound) — what every later step of
:mod:`fes_docs.dryrun.engine` builds on.

``main`` applies migrations as Flyway does; ``check`` re-runs each one in a fresh session to prove it
idempotent (:mod:`fes_docs.dryrun.proof`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from fes_docs.dryrun.bound import RUN_BOUND_SQLSTATE, Bounded, RunBound
from fes_docs.dryrun.callbacks import Callbacks, Executor
from fes_docs.dryrun.copy import execute as send
from fes_docs.dryrun.errors import DryRunUnavailable
from fes_docs.dryrun.failures import (
    Failure,
    failure_of,
    first_line,
)
from fes_docs.dryrun.history import HistoryTable
from fes_docs.dryrun.locks import LockLog, ends
from fes_docs.dryrun.statements import SentStatement, runtime_builtins


@dataclass(frozen=True)
class Settings:
    """Limits that keep a dry run from hanging: a migration waiting on a lock for long would wait in
    production too, and is better reported than endured."""

    statement_timeout_ms: int = 300_000
    lock_timeout_ms: int = 30_000
    mixed: bool = False  # Flyway's `mixed`: allow transactional and non-transactional statements in one file
    compare_data: bool = True  # include row counts and digests in the idempotency snapshot
    run_timeout_ms: int = 1_800_000  # the whole run (:mod:`fes_docs.dryrun.bound`)
    run_began: float | None = None  # time.monotonic() when the run bound started (the CLI: before the server)

    def limits(self) -> dict[str, float]:
        """The three bounds in the policy's words and units, for the evidence."""
        ms = {"statement_timeout_s": self.statement_timeout_ms, "lock_timeout_s": self.lock_timeout_ms}
        ms["run_timeout_s"] = self.run_timeout_ms
        return {key: value // 1000 if value % 1000 == 0 else value / 1000 for key, value in ms.items()}


def _connect(dsn: str) -> psycopg.Connection[Any]:
    try:
        # prepare_threshold=None: never auto-prepare; DDL sent again and again must stay plain text.
        return psycopg.connect(dsn, autocommit=True, prepare_threshold=None, connect_timeout=10)
    except psycopg.Error as exc:
        raise DryRunUnavailable(
            f"cannot connect to the dry-run database as its sandbox role: {first_line(str(exc))}"
        ) from exc


class Session(Bounded):
    """The connections, bounds and statement sending of one dry run."""

    #: Set by run(): the Flyway callbacks fired around each migration.
    callbacks: Callbacks[tuple[SentStatement, ...]] | None = None

    def __init__(self, dsn: str, settings: Settings) -> None:
        self.settings = settings
        self.main = _connect(dsn)
        try:
            self.check = _connect(dsn)
        except DryRunUnavailable:
            self.main.close()
            raise
        self.server_version_num = self.main.info.server_version
        self.server_version = self.main.info.parameter_status("server_version") or str(self.server_version_num)
        self.installed_by, self.search_path = "", ""
        self.runtime: dict[str, str] = {}
        self.history = HistoryTable("public")
        self.excluded = frozenset({self.history.qualified})
        self.bound = RunBound(settings.run_timeout_ms / 1000, settings.run_began, lambda pid: _terminate(dsn, pid))
        self.bound.start()

    def prepare(self) -> None:
        """Flyway's history table goes into the session's current schema, as Flyway's default schema does."""
        row = self.main.execute("SELECT current_user, current_schema(), current_setting('search_path')").fetchone()
        assert row is not None
        self.installed_by, schema, self.search_path = row
        self.runtime = runtime_builtins(self.main)  # ${flyway:user} etc. as this connection says them
        if schema is None:
            raise DryRunUnavailable(f"no schema to create {self.history.name} in (search_path is {row[2]!r})")
        self.history = HistoryTable(schema)
        self.excluded = frozenset({self.history.qualified})
        self._limit(self.main)
        self.history.create(self.main)

    def close(self) -> None:
        self.bound.stop()
        self.main.close()
        self.check.close()

    def _limit(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(f"SET statement_timeout = {int(self.settings.statement_timeout_ms)}")
        conn.execute(f"SET lock_timeout = {int(self.settings.lock_timeout_ms)}")

    def _restore_main(self) -> None:
        """What Flyway's PostgreSQLConnection.doRestoreOriginalState does between migrations."""
        self.main.execute("RESET ROLE")
        self.main.execute("SELECT set_config('search_path', %s, false)", [self.search_path])

    def _fresh_check_session(self) -> None:
        """A re-run happens in a new Flyway process: no temp tables or settings left from the first run."""
        self.check.execute("DISCARD ALL")
        self._limit(self.check)
        # ... which sets the search path as the first did (Flyway's default schema first, see _set_up)
        self.check.execute("SELECT set_config('search_path', %s, false)", [self.search_path])

    # -- executing ---------------------------------------------------------------------------------------

    def _execute_all(
        self,
        conn: psycopg.Connection[Any],
        statements: Sequence[SentStatement],
        sql_text: str,
        log: LockLog | None = None,
    ) -> Failure | None:
        for statement in statements:
            if log is not None and ends(statement.text):
                log.read(conn)  # the script ends its own transaction: its locks are visible only until then
            if self.bound.expired:
                return Failure(statement, self.bound.message, RUN_BOUND_SQLSTATE)
            try:
                with self.bound.in_flight(conn):
                    send(conn, statement)  # a COPY ... FROM stdin streams its rows
            except psycopg.Error as exc:
                failure = failure_of(exc, statement, sql_text, conn)
                if self.bound.expired and exc.sqlstate == RUN_BOUND_SQLSTATE:
                    return Failure(statement, self.bound.message, RUN_BOUND_SQLSTATE, fatal=failure.fatal)
                return failure
        return None

    def fire(
        self, event: str, migration: str | None = None, conn: psycopg.Connection[Any] | None = None
    ) -> Failure | None:
        """Run the callbacks of ``event`` on ``conn`` (default: the migration connection)."""
        if self.callbacks is None or not self.callbacks.has(event):
            return None
        return self.callbacks.fire(event, self._executor(self.main if conn is None else conn), migration)

    def _executor(self, conn: psycopg.Connection[Any]) -> Executor[tuple[SentStatement, ...]]:
        """:meth:`_execute_all` on ``conn``, as the callbacks run their scripts."""
        return lambda statements, sql_text: self._execute_all(conn, statements, sql_text)

    def _rollback(self, conn: psycopg.Connection[Any]) -> None:
        if not (conn.closed or conn.broken):
            conn.execute("ROLLBACK")


def _terminate(dsn: str, pid: int) -> None:
    """End the server process ``pid`` (a statement that ignored the run bound's cancels) from a connection
    of its own, as the same role: PostgreSQL lets a role end its own sessions."""
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])
