"""Proving a migration idempotent: apply it again in a fresh session and compare snapshots (guide §4.1).

The second run is rolled back, so later migrations see the database a single Flyway run leaves. When the
snapshots differ, one more rolled-back pass snapshots after every statement to name the statement to fix.
Backfills' dry-run statements run here too, in a rolled-back transaction on the check session.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import psycopg

from fes_docs.dryrun.failures import (
    Failure,
    failure_of,
    first_line,
    second_run_changed,
    second_run_failed,
    which_statement,
)
from fes_docs.dryrun.report import (
    BackfillInput,
    BackfillOutcome,
    MigrationOutcome,
)
from fes_docs.dryrun.session import Session
from fes_docs.dryrun.snapshot import Snapshot, diff, take_snapshot
from fes_docs.dryrun.statements import SentStatement, statements_to_send


class Proof(Session):
    """The second run of each migration, and the backfills' dry runs."""

    # -- idempotency -----------------------------------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        return take_snapshot(self.check, self.excluded, data=self.settings.compare_data)

    def _prove_idempotent(self, statements: Sequence[SentStatement], sql_text: str, outcome: MigrationOutcome) -> None:
        began = time.perf_counter()
        try:
            self._fresh_check_session()
            if outcome.transactional:
                self._second_run_in_transaction(statements, sql_text, outcome)
            else:
                self._second_run_outside_transaction(statements, sql_text, outcome)
        except psycopg.Error as exc:
            if self.check.closed or self.check.broken:
                raise
            # Our own snapshot query failed (say, the migration switched to a role that cannot read a table):
            # idempotency is then unproven, which must not pass as proven.
            outcome.idempotent = False
            outcome.idempotency_error = (
                f"could not compare the database before and after the second run: {first_line(str(exc))}"
            )
        finally:
            outcome.check_seconds = time.perf_counter() - began
        if self.bound.expired and outcome.idempotent is False:
            # Cut short by the run bound, not proven wrong: the next migration reports the bound.
            outcome.idempotent, outcome.idempotency_error = None, None
            outcome.idempotency_line, outcome.idempotency_statement = None, None

    def _second_run_in_transaction(
        self, statements: Sequence[SentStatement], sql_text: str, outcome: MigrationOutcome
    ) -> None:
        self.check.execute("BEGIN")
        try:
            if self.callbacks is not None and self.callbacks.has("beforeEachMigrate"):  # the re-run's set-up too
                self.callbacks.fire("beforeEachMigrate", self._executor(self.check), record=False)
            base = self._snapshot()
            failure = self._execute_all(self.check, statements, sql_text)
            if failure is not None:
                second_run_failed(outcome, failure)
                return
            changes = diff(base, self._snapshot())
        finally:
            self._rollback(self.check)
        if not changes:
            outcome.idempotent = True
            return
        # Name the statement: replay once more, snapshotting after each statement, and roll back again.
        self._fresh_check_session()
        self.check.execute("BEGIN")
        try:
            base = self._snapshot()
            steps = self._run_with_snapshots(statements, sql_text)
        finally:
            self._rollback(self.check)
        second_run_changed(outcome, base, steps, changes)

    def _second_run_outside_transaction(
        self, statements: Sequence[SentStatement], sql_text: str, outcome: MigrationOutcome
    ) -> None:
        base = self._snapshot()
        steps = self._run_with_snapshots(statements, sql_text)
        if isinstance(steps, Failure):
            second_run_failed(outcome, steps)
            return
        changes = diff(base, steps[-1][1]) if steps else []
        if not changes:
            outcome.idempotent = True
            return
        second_run_changed(outcome, base, steps, changes)

    def _run_with_snapshots(
        self, statements: Sequence[SentStatement], sql_text: str
    ) -> list[tuple[SentStatement, Snapshot]] | Failure:
        steps: list[tuple[SentStatement, Snapshot]] = []
        for statement in statements:
            failure = self._execute_all(self.check, [statement], sql_text)
            if failure is not None:
                return failure
            steps.append((statement, self._snapshot()))
        return steps

    # -- backfills ---------------------------------------------------------------------------------------

    def backfill(self, backfill: BackfillInput) -> BackfillOutcome:
        outcome = BackfillOutcome(backfill.release, backfill.name, None, None, backfill.estimated_rows)
        statements = statements_to_send(backfill.dry_run_sql, self.server_version_num)
        began = time.perf_counter()
        self._fresh_check_session()
        self.check.execute("BEGIN")
        try:
            for statement in statements:
                try:
                    if self.bound.expired:
                        outcome.error = f"{which_statement(statement)}: {self.bound.message}"
                        return outcome
                    with self.bound.in_flight(self.check):
                        cursor = self.check.execute(statement.text)
                except psycopg.Error as exc:
                    failure = failure_of(exc, statement, backfill.dry_run_sql, self.check)
                    message = self.bound.message if self.bound.expired else failure.message
                    outcome.error = f"{which_statement(statement)}: {message}"
                    outcome.rows = None
                    return outcome
                outcome.rows = _affected_rows(cursor)
        finally:
            self._rollback(self.check)
            outcome.seconds = time.perf_counter() - began
        return outcome


def _affected_rows(cursor: psycopg.Cursor[Any]) -> int | None:
    """DML reports its row count; a query counts its rows, except that a lone `count` column (what
    `SELECT count(*) ...` returns) is taken as the count itself."""
    if cursor.description is None:
        return cursor.rowcount if cursor.rowcount >= 0 else None
    rows = cursor.fetchall()
    if len(rows) == 1 and len(cursor.description) == 1 and cursor.description[0].name == "count":
        value = rows[0][0]
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return len(rows)
