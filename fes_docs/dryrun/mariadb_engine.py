"""Apply a MySQL-dialect project's Flyway migrations to a real MariaDB, prove each idempotent, report locks.

The MariaDB implementation of the dry-run engine: it takes the same :class:`~.report.MigrationInput`\\ s the
PostgreSQL engine (:mod:`fes_docs.dryrun.engine`) takes and returns the same :class:`~.report.DryRunReport`,
so the evidence, the findings (:mod:`fes_docs.proving`), the text report and the runbook are one for both.
What differs is how MySQL behaves, as Flyway meets it:

* **DDL commits implicitly.** Flyway runs a MySQL migration in a transaction, but each ``CREATE``/``ALTER``/
  ``DROP`` commits what came before it and itself. A failed migration therefore leaves changes behind;
  :attr:`MigrationOutcome.ran` lists exactly which statements had run and which of them stay (committed) —
  what production would be left with — and, as Flyway does on MySQL, a failed row is written to the history.
* **Idempotency** is proven by running the migration again in a fresh session and comparing a catalog and
  data snapshot (:mod:`fes_docs.dryrun.mariadb_catalog`).
* **MySQL 8 syntax MariaDB rejects**: with ``sql_dialect: mysql``, a statement the server calls a syntax error
  that MySQL's grammar (sqlglot's) accepts is "not provable on MariaDB": unproven, a warning, not a failure.
* **Locks**: the metadata locks a migration's DML holds until its transaction commits, what the server says
  of an ``ALTER TABLE`` on an existing table (INSTANT, INPLACE with LOCK=NONE, or neither), and the exclusive
  metadata lock every DDL takes at its start and end: :mod:`fes_docs.dryrun.mariadb_locks`.
* **Callbacks** (``beforeMigrate.sql`` …) run at their events as the sandbox user, through the same statement
  sending as the migrations, recorded as on PostgreSQL (:class:`~fes_docs.dryrun.callbacks.Callbacks`).
  ``beforeEachMigrate``/``afterEachMigrate`` run right before and after the migration's statements, in its
  transaction as Flyway runs them: a failure rolls back what of theirs no DDL has committed yet.

The order of the run — the events, the first failure stopping it, each release's backfills right after its
last migration — is the PostgreSQL engine's too: :mod:`fes_docs.dryrun.flyway_run`.

Statements are cut by the one cut of other dialects (:func:`fes_docs.sql.split.cut_tokens`, ``DELIMITER``
honoured), so a failure's line is the line the static analysis gives that statement.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pymysql

from fes_docs.dryrun import flyway_run
from fes_docs.dryrun import mariadb_catalog as catalog
from fes_docs.dryrun import mariadb_statements as st
from fes_docs.dryrun.bound import Bounded, RunBound
from fes_docs.dryrun.callbacks import Callbacks
from fes_docs.dryrun.environment import Environment
from fes_docs.dryrun.errors import DryRunUnavailable
from fes_docs.dryrun.failures import Failure, record_failure
from fes_docs.dryrun.mariadb_locks import LockLog, send
from fes_docs.dryrun.mariadb_server import MariaDBSandbox
from fes_docs.dryrun.report import (
    NOT_ON_MARIADB,
    BackfillInput,
    BackfillOutcome,
    CallbackInput,
    DryRunReport,
    MigrationInput,
    MigrationOutcome,
)
from fes_docs.dryrun.session import Settings
from fes_docs.dryrun.statements import SentStatement, flyway_script
from fes_docs.flyway_config import FlywayConfig
from fes_docs.positions import LineIndex
from fes_docs.sql.script_config import reading_for

__all__ = ["run"]

Cuts = list[tuple[SentStatement, list[Any]]]
#: What a failed statement left: the statement and the server's error (or the run bound's words).
Failed = tuple[SentStatement, "pymysql.err.MySQLError | str"]


class _Runner(Bounded):
    """One MariaDB dry run: the :class:`~fes_docs.dryrun.flyway_run.Engine` the shared run order drives."""

    def __init__(
        self,
        box: MariaDBSandbox,
        settings: Settings,
        dialect: str,
        env: Environment,
        callbacks: Sequence[CallbackInput],
    ) -> None:
        self.box, self.settings, self.dialect, self.env = box, settings, dialect, env
        self.target = box.dsn  # the migration user on the database in use (another after a rebuild)
        #: What has run on the database, in order (callbacks: no migration), to replay on a fresh one.
        self.applied: list[tuple[MigrationInput | None, Cuts]] = []
        #: The migration whose second run left the database unlike production's (DDL re-run, not rolled back).
        self.tainted_by: str | None = None
        self.rebuilt: list[str] = []
        self.callbacks = Callbacks(callbacks, st.cut)
        #: Why DML's metadata locks cannot be read here (no metadata_lock_info), once a migration found out.
        self.locks_unreadable: str | None = None
        # the run bound's deadline and words; no watcher: every statement checks it before it is sent
        self.bound = RunBound(settings.run_timeout_ms / 1000, settings.run_began)
        self.main = self._connect()
        with self.main.cursor() as cur:
            cur.execute("SELECT VERSION(), CURRENT_USER(), DATABASE()")
            row = cur.fetchone()
        assert row is not None
        self.server_version = str(row[0]).split("-", 1)[0]
        self.installed_by = str(row[1]).split("@", 1)[0]
        self.runtime = {
            "user": self.installed_by,
            "database": str(row[2]),
            "defaultSchema": str(row[2]),
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def _connect(self) -> pymysql.connections.Connection[Any]:
        try:
            conn = self.target.connect()
        except pymysql.err.MySQLError as exc:
            raise DryRunUnavailable(f"cannot connect to the scratch database as its sandbox user: {exc}") from exc
        with conn.cursor() as cur:  # the policy's bounds, in MariaDB's units (seconds)
            cur.execute(f"SET SESSION max_statement_time = {self.settings.statement_timeout_ms / 1000:.3f}")
            lock_s = max(1, self.settings.lock_timeout_ms // 1000)
            cur.execute(f"SET SESSION lock_wait_timeout = {lock_s}, innodb_lock_wait_timeout = {lock_s}")
        return conn

    def _pending(self, conn: Any) -> bool:
        """Has ``conn`` an open transaction with changed rows, which the failure's rollback undoes? Asked of
        the server, not guessed: MySQL commits before a DDL statement runs, so a failing ``ALTER`` has
        committed the rows before it too. INNODB_TRX needs PROCESS, so the setup user asks."""
        admin = self.box.admin.connect()
        try:
            with admin.cursor() as cur:
                cur.execute(
                    "SELECT COALESCE(SUM(trx_rows_modified), 0) FROM information_schema.INNODB_TRX "
                    "WHERE trx_mysql_thread_id = %s",
                    [conn.thread_id()],
                )
                row = cur.fetchone()
        finally:
            admin.close()
        return bool(row and int(row[0]) > 0)

    def _apply(self, conn: Any, cuts: Cuts, outcome: MigrationOutcome | None, keep_open: bool = False) -> Failed | None:
        """Send ``cuts`` in Flyway's transaction; the failing statement and error, or None. With ``outcome``
        (a migration's first run) its locks are noted. ``keep_open``: on success leave the transaction open
        (the caller reads it, then rolls it back)."""
        open_after = False
        log = LockLog(conn, self.locks_unreadable) if outcome is not None else None
        # Flyway's transaction: autocommit off, so after a DDL's implicit commit the next DML opens a new
        # transaction that a failure rolls back (with autocommit on, it would stay)
        conn.autocommit(False)
        ran: Cuts = []
        try:
            for statement, chunk in cuts:
                if self.expired:
                    conn.rollback()
                    return statement, self.bound.message
                try:
                    if log is not None:
                        log.send(conn, statement, chunk)
                    else:
                        send(conn, statement.text)
                except pymysql.err.MySQLError as exc:
                    if outcome is not None:
                        outcome.ran = st.what_stays(ran, self._pending(conn))
                    conn.rollback()
                    return statement, exc
                ran.append((statement, chunk))
            if log is not None:
                log.read(conn)  # before the commit, which releases them
            if keep_open:
                open_after = True
            else:
                conn.commit()
            return None
        finally:
            if log is not None and outcome is not None:
                outcome.locks = log.locks()
                self.locks_unreadable = log.unreadable
            if not open_after:
                conn.autocommit(True)

    # -- the Engine: migrate, fire, backfill ---------------------------------------------------------------

    def migrate(self, migration: MigrationInput) -> MigrationOutcome:
        """One migration; a failure after a second run that left changes behind is judged again on a fresh
        database with everything that applied once (:meth:`rebuild`), as production has it."""
        recorded = len(self.callbacks.outcomes)
        outcome = self._migrate(migration)
        tainted = self.tainted_by
        if outcome.error is not None and tainted is not None and self.rebuild():
            del self.callbacks.outcomes[recorded:]  # its callbacks ran on the database thrown away: once, below
            outcome = self._migrate(migration)
            self.rebuilt.append(f"{migration.script} (after {tainted}'s second run)")
        return outcome

    def fire(
        self, event: str, migration: str | None = None, conn: Any = None, keep_open: bool = False
    ) -> Failure | None:
        """Run the callbacks of ``event`` as the sandbox user, on ``conn`` (default: the migration connection,
        and then recorded in the evidence and replayed by :meth:`rebuild`)."""
        if not self.callbacks.has(event):
            return None
        target = self.main if conn is None else conn

        def execute(cuts: Cuts, sql_text: str) -> Failure | None:
            failed = self._apply(target, cuts, None, keep_open=keep_open)
            if failed is None and target is self.main:
                self.applied.append((None, cuts))
            return None if failed is None else st.failure_of(*failed)

        return self.callbacks.fire(event, execute, migration, record=conn is None)

    def backfill(self, b: BackfillInput) -> BackfillOutcome:
        """``dry_run_sql`` in a transaction that is rolled back; the rows it reports or touches."""
        began = time.perf_counter()
        out = BackfillOutcome(b.release, b.name, None, None, b.estimated_rows)
        if self.expired:
            out.error = self.bound.message
            return out
        try:
            self.main.begin()
            with self.main.cursor() as cur:
                cur.execute(b.dry_run_sql)
                rows = cur.fetchall() if cur.description is not None else None
                out.rows = int(rows[0][0]) if rows and len(rows) == 1 and isinstance(rows[0][0], int) else cur.rowcount
        except pymysql.err.MySQLError as exc:
            out.error = str(exc.args[-1]) if exc.args else str(exc)
        finally:
            self.main.rollback()
        out.seconds = time.perf_counter() - began
        return out

    # -- one migration ------------------------------------------------------------------------------------

    def _migrate(self, migration: MigrationInput) -> MigrationOutcome:
        outcome = MigrationOutcome(migration.script, migration.version, migration.checksum, migration.release)
        if migration.skip is not None:
            outcome.skipped = migration.skip
            return outcome
        reading = migration.reading or reading_for(migration.script, FlywayConfig(mixed=self.settings.mixed))
        script = flyway_script(migration.sql, reading, self.runtime)
        if script.refused is not None:
            outcome.error, outcome.error_position = script.refused
            outcome.error_line = script.refused[1][0]
            return outcome
        located = script.located([s for s, _ in st.cut(script.text)])
        cuts = list(zip(located, [c for _, c in st.cut(script.text)], strict=True))
        outcome.statements = len(cuts)
        began = time.perf_counter()
        # Flyway runs the per-migration callbacks in the migration's transaction: a failure rolls back what of
        # theirs MySQL had not committed yet (a DDL commits everything before it, as it does the migration's)
        callback = self.fire("beforeEachMigrate", migration.script, keep_open=True)
        failed = self._apply(self.main, cuts, outcome, keep_open=True) if callback is None else None
        if callback is None and failed is None:
            callback = self.fire("afterEachMigrate", migration.script)  # commits, or rolls back on failure
        if callback is None and failed is None:
            self.main.commit()  # without an afterEachMigrate the transaction is still open
            self.main.autocommit(True)
        outcome.seconds = time.perf_counter() - began
        if callback is not None:
            record_failure(outcome, callback)
            outcome.failed_callback = callback.message
        elif failed is not None:
            statement, exc = failed
            self._failed(outcome, statement, dict((s.index, c) for s, c in cuts)[statement.index], exc)
        if callback is not None or failed is not None:
            outcome.installed_rank = self._record(migration, outcome, success=False)  # Flyway does, on MySQL
            return outcome
        outcome.applied = True
        outcome.installed_rank = self._record(migration, outcome, success=True)
        self.applied.append((migration, cuts))
        self._prove(cuts, outcome)
        return outcome

    def _failed(
        self, outcome: MigrationOutcome, statement: SentStatement, chunk: list[Any], exc: pymysql.err.MySQLError | str
    ) -> None:
        record_failure(outcome, st.failure_of(statement, exc))
        code = exc.args[0] if isinstance(exc, pymysql.err.MySQLError) and exc.args else None
        if code in st.MYSQL8_REFUSALS and self.dialect == "mysql" and st.mysql8_only(chunk):
            outcome.unproven_after = NOT_ON_MARIADB

    def _prove(self, cuts: Cuts, outcome: MigrationOutcome) -> None:
        """The second run, in a fresh session as a new Flyway process would be, and the snapshots' comparison."""
        began = time.perf_counter()
        check = self._connect()
        # a re-run of DML alone is read, then rolled back: duplicated rows must not reach the migrations after
        # it, which production never runs twice (DDL cannot be rolled back in MySQL; a re-run of it stays)
        dml_only = not any(st.commits(chunk) for _, chunk in cuts)
        failed = None
        try:
            self.fire("beforeEachMigrate", conn=check, keep_open=dml_only)  # the re-run's set-up, as the first's
            before = catalog.snapshot(check, self.settings.compare_data)
            failed = self._apply(check, cuts, None, keep_open=dml_only)
            if failed is not None:
                statement, exc = failed
                outcome.idempotent = False
                outcome.idempotency_error = f"the second run failed: {st.message_of(exc)}"
                outcome.idempotency_line, outcome.idempotency_statement = statement.line, statement.text
                return
            changed = catalog.difference(before, catalog.snapshot(check, self.settings.compare_data))
            outcome.idempotent = changed is None
            if changed is not None:
                outcome.idempotency_error = f"the second run changed {changed}"
        finally:
            if dml_only and failed is None:
                check.rollback()
            elif not dml_only and outcome.idempotent is False:
                self.tainted_by = outcome.script
            check.close()
            outcome.check_seconds = time.perf_counter() - began

    def rebuild(self) -> bool:
        """Start again on a fresh scratch database: setup_sql, then every callback and migration that ran, once
        each, as production has them. Called when a migration fails after a second run left changes behind,
        so that its failure is judged on the database production would have; False when the sandbox cannot
        give one."""
        if self.box.another is None:
            return False
        name = self.box.another()
        self.main.close()
        self.target = replace(self.target, database=name)
        self.main = self._connect()
        self.runtime.update(database=name, defaultSchema=name)
        catalog.create_history(self.main)
        if _setup(self, self.env):
            return False
        for migration, cuts in self.applied:
            if self._apply(self.main, cuts, None) is not None:
                return False  # it does not apply again the same way (time, randomness): keep the first verdict
            if migration is not None:
                self._record(migration, MigrationOutcome(migration.script, None, 0, None), success=True)
        self.tainted_by = None
        return True

    def _record(self, migration: MigrationInput, outcome: MigrationOutcome, *, success: bool) -> int:
        row = {
            "version": migration.version,
            "description": migration.description,
            "script": migration.script,
            "checksum": migration.checksum,
            "installed_by": self.installed_by,
            "execution_ms": int(outcome.seconds * 1000),
            "success": success,
        }
        return catalog.add_history(self.main, row)


def run(
    box: MariaDBSandbox,
    migrations: Sequence[MigrationInput],
    backfills: Sequence[BackfillInput] = (),
    settings: Settings | None = None,
    *,
    dialect: str = "mysql",
    environment: Environment | None = None,
    callbacks: Sequence[CallbackInput] = (),
) -> DryRunReport:
    """Dry-run ``migrations`` (in Flyway order) with their ``callbacks`` and ``backfills`` on the sandbox's
    scratch database, in the order :func:`fes_docs.dryrun.flyway_run.run` keeps for both engines."""
    began = time.perf_counter()
    env = environment or Environment()
    runner = _Runner(box, settings or Settings(), dialect, env, callbacks)
    try:
        catalog.create_history(runner.main)
        problems = _setup(runner, env)
        done = flyway_run.run(runner, migrations, backfills, stopped=bool(problems))
        report = DryRunReport(
            runner.server_version, done.migrations, done.backfills, time.perf_counter() - began, server="MariaDB"
        )
        report.callbacks = runner.callbacks.outcomes
        report.environment = dict(env.declared())
        if problems:
            report.environment["problems"] = problems
        if runner.rebuilt:
            report.environment["rebuilt_before"] = runner.rebuilt
        if runner.locks_unreadable:
            report.environment["locks_unread"] = runner.locks_unreadable
        report.limits = runner.settings.limits()
        report.stopped = done.stopped
        return report
    except pymysql.err.MySQLError as exc:
        raise DryRunUnavailable(f"dry run aborted: {exc}") from exc
    finally:
        runner.main.close()


def _setup(runner: _Runner, env: Environment) -> list[str]:
    """The policy's setup_sql, as the sandbox user; roles and extensions are PostgreSQL's and are said so."""
    problems = [f"dry_run: {what} are PostgreSQL's; MariaDB has none to create" for what in _pg_only(env)]
    if env.setup_sql:
        failed = runner._apply(runner.main, st.cut(env.setup_sql), None)
        if failed is not None:
            statement, exc = failed
            line = LineIndex(env.setup_sql).position(statement.start)[0]
            problems.append(f"{env.setup_script or 'setup_sql'}:{line}: MariaDB rejected it: {st.message_of(exc)}")
    return problems


def _pg_only(env: Environment) -> list[str]:
    return [what for what, declared in (("roles", env.roles), ("extensions", env.extensions)) if declared]
