"""The order of a ``flyway migrate`` run, once, for every dry-run engine (PostgreSQL and MariaDB).

What Flyway does between migrations is the same whatever the server: it fires ``beforeValidate``,
``afterValidate`` (validate-on-migrate) and ``beforeMigrate``; applies each migration in order; fires
``afterVersioned`` and ``beforeRepeatables`` before the first repeatable one (``afterVersioned`` at the end
when there is none); after a failure fires ``afterEachMigrateError`` and stops, the rest not run; and ends with
``afterMigrate`` or ``afterMigrateError``, then ``afterMigrateOperationFinish``. A Java migration cannot run
here, so a failure after one is "unproven", not failed: the database lacked what Flyway would have done.

The dry run adds the backfills: each release's ``dry_run_sql`` runs right after that release's last
migration (:attr:`BackfillInput.after`) has applied, on the schema that release leaves — a later release
that drops a column the backfill counts must not fail it — and one with no such migration after all of them.

Keeping this here, and the servers behind :class:`Engine`, is what makes the two engines agree on the
evidence: a migration, callback or backfill is run, stopped or skipped by the same rule on both. How a
statement is sent, how the run bound is kept and how locks are read stay each engine's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from fes_docs.dryrun.report import (
    SKIP_JAVA,
    BackfillInput,
    BackfillOutcome,
    MigrationInput,
    MigrationOutcome,
)

__all__ = ["NOT_RUN_BACKFILL", "Engine", "Run", "run"]

#: A backfill's error when its migrations did not all apply (Flyway stopped before them).
NOT_RUN_BACKFILL = "not run: a migration failed to apply"


class Engine(Protocol):
    """What the run order needs of a server: one migration, one event's callbacks, one backfill, the bound."""

    def migrate(self, migration: MigrationInput) -> MigrationOutcome:
        """Apply it as Flyway does (and prove it); a failure is in the outcome, never raised."""
        ...

    def fire(self, event: str, migration: str | None = None) -> object | None:
        """Run the callbacks of ``event``: None, or the failure that stops the run."""
        ...

    def backfill(self, backfill: BackfillInput) -> BackfillOutcome:
        """Its ``dry_run_sql`` in a rolled-back transaction."""
        ...

    @property
    def expired(self) -> bool:
        """The run bound (``dry_run.run_timeout_s``) has run out."""
        ...

    @property
    def bound_message(self) -> str:
        """What the evidence says when it has (``stopped``)."""
        ...


@dataclass
class Run:
    migrations: list[MigrationOutcome]
    backfills: list[BackfillOutcome]
    #: A migration failed (or a callback, or the set-up): Flyway would have stopped.
    failed: bool
    #: The run bound's message when it ran out, else None.
    stopped: str | None


def run(
    engine: Engine,
    migrations: Sequence[MigrationInput],
    backfills: Sequence[BackfillInput] = (),
    *,
    stopped: bool = False,
) -> Run:
    """Every migration in Flyway's order with its callbacks and backfills; ``stopped``: the set-up failed, so
    nothing runs (the closing callbacks still fire, as after any failure)."""
    done: dict[int, BackfillOutcome] = {}

    def after(migration: MigrationInput) -> None:
        for i, b in enumerate(backfills):
            if b.after == migration.script:
                done[i] = engine.backfill(b)

    outcomes, failed = _migrate_all(engine, migrations, after, stopped=stopped)
    scripts = {m.script for m in migrations}
    backfill_outcomes = [
        done[i]
        if i in done
        else engine.backfill(b)
        if not failed and (b.after is None or b.after not in scripts)
        else BackfillOutcome(b.release, b.name, None, NOT_RUN_BACKFILL, b.estimated_rows)
        for i, b in enumerate(backfills)
    ]
    return Run(outcomes, backfill_outcomes, failed, engine.bound_message if engine.expired else None)


def _not_run(migration: MigrationInput) -> MigrationOutcome:
    return MigrationOutcome(migration.script, migration.version, migration.checksum, migration.release)


def _migrate_all(
    engine: Engine,
    migrations: Sequence[MigrationInput],
    after: Callable[[MigrationInput], None],
    *,
    stopped: bool,
) -> tuple[list[MigrationOutcome], bool]:
    outcomes: list[MigrationOutcome] = []
    java: str | None = None
    if not stopped:
        failure = engine.fire("beforeValidate") or engine.fire("afterValidate") or engine.fire("beforeMigrate")
        stopped = failure is not None
    versioned_done = False
    for migration in migrations:
        if stopped:
            outcomes.append(_not_run(migration))
            continue
        if migration.version is None and not versioned_done:
            versioned_done = True
            if engine.fire("afterVersioned") or engine.fire("beforeRepeatables"):
                stopped = True
                outcomes.append(_not_run(migration))
                continue
        outcome = engine.migrate(migration)
        outcomes.append(outcome)
        if outcome.skipped == SKIP_JAVA:
            java = java or migration.script
        if outcome.applied:
            after(migration)  # its release's backfills count on the schema as that release leaves it
        if outcome.skipped is not None or outcome.applied:
            continue
        # an engine's own reason (MariaDB: MySQL 8 syntax) is kept; else the Java migration before it
        outcome.unproven_after = outcome.unproven_after or java
        engine.fire("afterEachMigrateError", migration.script)
        stopped = True
    if not stopped and not versioned_done:
        stopped = engine.fire("afterVersioned") is not None
    engine.fire("afterMigrateError" if stopped else "afterMigrate")
    engine.fire("afterMigrateOperationFinish")
    return outcomes, stopped
