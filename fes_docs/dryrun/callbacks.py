"""Flyway's SQL callbacks in the dry run: each script runs at its event, where Flyway runs it.

``beforeMigrate.sql`` often sets the search path or creates a schema, ``beforeEachMigrate.sql`` a role or a
setting the migrations rely on, ``afterMigrate.sql`` re-grants privileges. A dry run that skipped them would
fail on a migration that works in production, or pass one that does not. The events of a ``flyway migrate``
run (:data:`fes_docs.sql.callbacks.MIGRATE_EVENTS`) are fired by the engine in Flyway's order:
``beforeValidate``/``afterValidate`` (validate-on-migrate), ``beforeMigrate``, per migration
``beforeEachMigrate`` and ``afterEachMigrate`` inside its transaction (``afterEachMigrateError`` after a
failure), ``afterVersioned`` and ``beforeRepeatables`` between versioned and repeatable migrations, and
``afterMigrate`` or ``afterMigrateError`` at the end. Several scripts for one event run in name order.

The statement-level events (``beforeEachMigrateStatement`` …) are Flyway Teams features, which the dry run
does not run. A script for one is not passed over in silence: it is recorded as "not run" before the run
starts (:data:`NOT_RUN_STATEMENT`), and ``fes_docs.proving`` reports it (FES335): what Flyway Teams runs
around every statement, the migrations here were proven without.

One implementation for both engines: the engine says how a script is cut into what it sends (``prepare``:
PostgreSQL's statements with their COPY rows, MariaDB's statements with their tokens) and how those are
sent (``execute``, bound to the connection they run on), so a callback is recorded, and stops the run, the
same way on either server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from fes_docs.dryrun.failures import Failure
from fes_docs.dryrun.report import CallbackInput, CallbackOutcome
from fes_docs.sql.callbacks import MIGRATE_EVENTS

__all__ = ["NOT_RUN_STATEMENT", "STATEMENT_EVENTS", "Callbacks", "Executor"]

#: The events of a ``flyway migrate`` run that the dry run does not fire: Flyway Teams runs them around
#: every statement.
STATEMENT_EVENTS = frozenset(e for e in MIGRATE_EVENTS if "Statement" in e)
#: Why a script of one of them is not run (its outcome's ``skipped``).
NOT_RUN_STATEMENT = "a statement-level callback (Flyway Teams) is not run by the dry run"

#: What an engine sends of one script (its statements, cut its way).
S = TypeVar("S")
#: How the engine runs them, on the connection it chose: statements, the script's text -> the first failure.
Executor = Callable[[S, str], Failure | None]


class Callbacks(Generic[S]):
    """The project's callback scripts by event, and the outcome of every run of one (first, each script of a
    statement-level event, as not run)."""

    def __init__(self, scripts: Sequence[CallbackInput], prepare: Callable[[str], S]) -> None:
        self.prepare = prepare
        self.by_event: dict[str, list[tuple[CallbackInput, S]]] = {}
        self.outcomes: list[CallbackOutcome] = []
        for script in sorted(scripts, key=lambda s: s.script):
            if script.event in STATEMENT_EVENTS:
                self.outcomes.append(
                    CallbackOutcome(script.event, script.script, script.checksum, skipped=NOT_RUN_STATEMENT)
                )
            else:
                self.by_event.setdefault(script.event, []).append((script, prepare(script.sql)))

    def has(self, event: str) -> bool:
        return event in self.by_event

    def fire(
        self,
        event: str,
        execute: Executor[S],
        migration: str | None = None,
        *,
        record: bool = True,
    ) -> Failure | None:
        """Run every script of ``event``; the first failure stops them (as it stops Flyway) and is returned
        as the failure of what the callback ran around, naming the callback."""
        for script, statements in self.by_event.get(event, ()):
            failure = self._run(script, statements, execute, migration, record)
            if failure is not None:
                return failure
        return None

    def run_script(self, script: CallbackInput, execute: Executor[S]) -> Failure | None:
        """Run one script outside the events (the policy's ``setup_sql``), its outcome recorded like a callback's."""
        return self._run(script, self.prepare(script.sql), execute, None, True)

    def _run(
        self,
        script: CallbackInput,
        statements: S,
        execute: Executor[S],
        migration: str | None,
        record: bool,
    ) -> Failure | None:
        failure = execute(statements, script.sql)
        if record:
            outcome = CallbackOutcome(script.event, script.script, script.checksum, migration)
            if failure is not None:
                outcome.error = failure.message
                outcome.error_position = failure.position
                outcome.error_detail = failure.detail
                outcome.error_line = failure.statement.line if failure.statement else None
            self.outcomes.append(outcome)
        if failure is None:
            return None
        return Failure(
            None,
            f"callback {script.script} ({script.event}) failed: {failure.message}",
            failure.sqlstate,
            None,
            failure.detail,
            fatal=failure.fatal,
        )
