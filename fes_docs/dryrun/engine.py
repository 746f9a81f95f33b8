"""Apply a release's Flyway migrations to a real PostgreSQL, prove each one idempotent, and report its locks.

Static checks can only suspect (a `DO $$ ... $$` block is opaque to them); a server can prove. Per migration:

1. Apply it as Flyway does on PostgreSQL: statement by statement in one transaction (or none, when it holds
   statements PostgreSQL refuses in a transaction block), then a `flyway_schema_history` row. Before COMMIT,
   read `pg_locks` for our own backend: the modes held on tables that existed before the migration are what
   production would wait on.
2. Apply it again in a fresh session and compare a catalog-and-data snapshot before and after (guide §4.1):
   :mod:`fes_docs.dryrun.proof`. The sessions, bounds and statement sending are :mod:`fes_docs.dryrun.session`.

The order of the run — callbacks at their events, the first failure stopping it, each release's backfills
after its migrations — is :mod:`fes_docs.dryrun.flyway_run`, shared with the MariaDB engine; this module is
how one migration, callback and backfill run on PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql as pgsql

from fes_docs.dryrun import flyway_run, provision
from fes_docs.dryrun.callbacks import Callbacks
from fes_docs.dryrun.copy import statements_with_data
from fes_docs.dryrun.environment import Environment
from fes_docs.dryrun.errors import DryRunUnavailable
from fes_docs.dryrun.failures import (
    Failure,
    failure_of,
    first_line,
    record_failure,
)
from fes_docs.dryrun.locks import LockLog, begins, ends
from fes_docs.dryrun.proof import Proof
from fes_docs.dryrun.report import (
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
from fes_docs.sql.script_config import reading_for

__all__ = [
    "BackfillInput",
    "BackfillOutcome",
    "DryRunReport",
    "MigrationInput",
    "MigrationOutcome",
    "Settings",
    "run",
]


class _Runner(Proof):
    """Applies migrations as Flyway does (:class:`~fes_docs.dryrun.session.Session`), proving each
    (:class:`~fes_docs.dryrun.proof.Proof`)."""

    # -- one migration -------------------------------------------------------------------------------------

    def migrate(self, migration: MigrationInput) -> MigrationOutcome:
        outcome = MigrationOutcome(migration.script, migration.version, migration.checksum, migration.release)
        if migration.skip is not None:  # below the baseline, or Java: reported, never sent
            outcome.skipped = migration.skip
            return outcome
        # What Flyway sends: placeholders replaced, run as its .sql.conf and Flyway's mixed rule say
        reading = migration.reading or reading_for(migration.script, FlywayConfig(mixed=self.settings.mixed))
        script = flyway_script(migration.sql, reading, self.runtime)
        if script.refused is not None:  # Flyway fails before it sends a statement
            record_failure(outcome, Failure(None, script.refused[0], position=script.refused[1]))
            return outcome
        statements = script.located(statements_with_data(script.text, self.server_version_num))
        outcome.statements = len(statements)
        outcome.transactional = script.transactional(statements)
        refusal = None if self.settings.mixed else script.mixed(statements)
        if refusal is not None:
            record_failure(outcome, Failure(*refusal))
            return outcome
        began = time.perf_counter()
        failure = (
            self._apply_in_transaction(statements, script.text, outcome)
            if outcome.transactional
            else self.fire("beforeEachMigrate", outcome.script)
            or self._execute_outside(statements, script.text, outcome)
            or self.fire("afterEachMigrate", outcome.script)
        )
        outcome.seconds = time.perf_counter() - began
        if failure is not None and failure.statement is None and failure.message.startswith("callback "):
            outcome.failed_callback = failure.message
        if failure is None or not failure.fatal:
            self._restore_main()  # before the history row: a migration's SET ROLE must not write it
        if failure is not None:
            record_failure(outcome, failure)
            outcome.error_position = script.position(outcome.error_position)  # in the file as written
            if not outcome.transactional and not failure.fatal:
                # Flyway records a failed non-transactional migration (its changes stay), not a rolled-back
                # one.
                outcome.installed_rank = self._record(migration, outcome, success=False)
            return outcome
        outcome.applied = True
        outcome.installed_rank = self._record(migration, outcome, success=True)
        self._prove_idempotent(statements, script.text, outcome)
        return outcome

    def _apply_in_transaction(
        self, statements: Sequence[SentStatement], sql_text: str, outcome: MigrationOutcome
    ) -> Failure | None:
        log = LockLog(self.main, self.excluded)
        self.main.execute("BEGIN")
        # Flyway runs the per-migration callbacks inside the migration's transaction
        failure = (
            self.fire("beforeEachMigrate", outcome.script)
            or self._execute_all(self.main, statements, sql_text, log)
            or self.fire("afterEachMigrate", outcome.script)
        )
        if failure is not None:
            self._rollback(self.main)
            return failure
        log.read(self.main)
        outcome.locks = log.locks()
        try:
            self.main.execute("COMMIT")
        except psycopg.Error as exc:  # deferred constraints are checked here
            return failure_of(exc, None, sql_text, self.main)
        return None

    def _execute_outside(
        self, statements: Sequence[SentStatement], sql_text: str, outcome: MigrationOutcome
    ) -> Failure | None:
        """A script Flyway runs outside a transaction, statement by statement, its locks still read.

        Outside a transaction the script opens itself, a statement that may run in a transaction block is
        sent in a one-statement ``BEGIN … COMMIT`` (what autocommit does) so its locks can be read before it
        commits; one that may not gets the lock PostgreSQL documents for it (see :mod:`.locks`).
        """
        log = LockLog(self.main, self.excluded)
        own = False  # inside a transaction the script opened itself
        try:
            for statement in statements:
                if begins(statement.text):
                    own = True
                elif ends(statement.text):
                    own = False
                    log.read(self.main)
                elif not own and statement.transactional:
                    self.main.execute("BEGIN")
                    failure = self._execute_all(self.main, [statement], sql_text)
                    if failure is not None:
                        self._rollback(self.main)
                        return failure
                    log.read(self.main)
                    self.main.execute("COMMIT")
                    continue
                elif not own:
                    log.documented(self.main, statement.text)
                failure = self._execute_all(self.main, [statement], sql_text)
                if failure is not None:
                    return failure
            return None
        finally:
            outcome.locks = log.locks()

    def _record(self, migration: MigrationInput, outcome: MigrationOutcome, *, success: bool) -> int:
        return self.history.add(
            self.main,
            version=migration.version,
            description=migration.description,
            script=migration.script,
            checksum=migration.checksum,
            installed_by=self.installed_by,
            execution_ms=int(outcome.seconds * 1000),
            success=success,
        )


def run(
    dsn: str,
    migrations: Sequence[MigrationInput],
    backfills: Sequence[BackfillInput] = (),
    settings: Settings | None = None,
    *,
    callbacks: Sequence[CallbackInput] = (),
    environment: Environment | None = None,
    admin_dsn: str | None = None,
) -> DryRunReport:
    """Dry-run `migrations` (already in Flyway order) and then `backfills` against the database at `dsn`,
    which should be empty: a throwaway cluster or a scratch database.

    `environment` is created first (roles and extensions over `admin_dsn`, the setup connection to the same
    database, default `dsn`; then schemas and `setup_sql` as the migration role), and `callbacks` fire at
    their Flyway events."""
    began = time.perf_counter()
    env = environment or Environment()
    provided = provision.provide(admin_dsn or dsn, env)
    try:
        runner = _Runner(dsn, settings or Settings())
    except BaseException:
        provision.withdraw(admin_dsn or dsn, provided)
        raise
    try:
        version = runner.server_version_num
        runner.callbacks = Callbacks(callbacks, lambda sql: statements_with_data(sql, version))
        setup_failed = _set_up(runner, env)
        runner.prepare()
        done = flyway_run.run(runner, migrations, backfills, stopped=setup_failed)
        report = DryRunReport(runner.server_version, done.migrations, done.backfills, time.perf_counter() - began)
        report.callbacks = runner.callbacks.outcomes
        report.environment = _environment_record(env, provided)
        report.limits = runner.settings.limits()
        report.stopped = done.stopped
        return report
    except psycopg.Error as exc:
        # Not a migration's fault (those become outcomes): the server went away or refused our own queries.
        raise DryRunUnavailable(f"dry run aborted: {first_line(str(exc))}") from exc
    finally:
        runner.close()
        provision.withdraw(admin_dsn or dsn, provided)


def _environment_record(env: Environment, provided: provision.Provided) -> dict[str, Any]:
    record: dict[str, Any] = dict(env.declared())
    if provided.roles_existing:
        record["roles_existing"] = provided.roles_existing
    if provided.problems:
        record["problems"] = provided.problems
    return record


def _set_up(runner: _Runner, env: Environment) -> bool:
    """Flyway's schemas (created when missing, the default one first on the search path, as Flyway sets it)
    and the policy's setup_sql, before the history table; True when setup_sql failed (nothing runs then)."""
    main = runner.main
    for schema in env.schemas:
        main.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema)))
    if env.schema:
        path = main.execute("SELECT current_setting('search_path')").fetchone()
        original = str(path[0]) if path else ""
        value = pgsql.Identifier(env.schema).as_string(main) + (f", {original}" if original else "")
        main.execute("SELECT set_config('search_path', %s, false)", [value])
    if not env.setup_sql:
        return False
    assert runner.callbacks is not None
    script = CallbackInput("setup_sql", env.setup_script or "setup_sql", env.setup_sql, 0)
    return runner.callbacks.run_script(script, runner._executor(main)) is not None
