"""What went wrong in a dry run, put into words for the outcome: the failing statement, or the one to fix.

Kept apart from :mod:`fes_docs.dryrun.engine`, which runs statements, so that the engine reads as the order
of Flyway's steps; everything here is a pure function of an error, a statement or two snapshots. The
sentences matter: they become the release's evidence and the message a developer acts on, so every
failure names its statement the same way (:func:`which_statement`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from fes_docs.dryrun.report import MigrationOutcome
from fes_docs.dryrun.snapshot import Change, Snapshot, diff
from fes_docs.dryrun.statements import SentStatement
from fes_docs.positions import line_column


@dataclass(frozen=True)
class Failure:
    """A statement the server refused (or COMMIT, with no statement), with what PostgreSQL said about it."""

    statement: SentStatement | None
    message: str
    sqlstate: str | None = None
    position: tuple[int, int] | None = None
    detail: str | None = None
    fatal: bool = False  # the connection is gone: nothing more can run


def failure_of(
    exc: psycopg.Error, statement: SentStatement | None, sql_text: str, conn: psycopg.Connection[Any]
) -> Failure:
    """The failure as Flyway would report it: primary message, SQLSTATE, file position, DETAIL/HINT/CONTEXT."""
    diag = exc.diag
    message = diag.message_primary or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    position = None
    if statement is not None and diag.statement_position and diag.statement_position.isdigit():
        position = line_column(sql_text, statement.offset + int(diag.statement_position) - 1)
    details = [
        f"{label}: {value}"
        for label, value in (
            ("DETAIL", diag.message_detail),
            ("HINT", diag.message_hint),
            ("CONTEXT", diag.context),
        )
        if value
    ]
    return Failure(
        statement,
        message,
        exc.sqlstate,
        position,
        "\n".join(details) or None,
        fatal=conn.closed or conn.broken,
    )


def first_line(text: str) -> str:
    """A driver error's first non-blank line: what fits in a one-line "dry run unavailable" message."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"


def record_failure(outcome: MigrationOutcome, failure: Failure) -> None:
    """The first run failed: the outcome carries the server's error and the statement it points at."""
    outcome.error = failure.message
    outcome.error_sqlstate = failure.sqlstate
    outcome.error_position = failure.position
    outcome.error_detail = failure.detail
    if failure.statement is not None:
        outcome.error_line = failure.statement.line
        outcome.failing_statement = failure.statement.text


def second_run_failed(outcome: MigrationOutcome, failure: Failure) -> None:
    """The second run raised an error: not idempotent, and that statement is the one to fix."""
    outcome.idempotent = False
    where = which_statement(failure.statement)
    inner = inner_statement(failure.detail)
    outcome.idempotency_error = f"second run fails at {where}: {failure.message}" + (f" ({inner})" if inner else "")
    if failure.statement is not None:
        outcome.idempotency_line = failure.statement.line
        outcome.idempotency_statement = failure.statement.text


def second_run_changed(
    outcome: MigrationOutcome,
    base: Snapshot,
    steps: list[tuple[SentStatement, Snapshot]] | Failure,
    changes: list[Change],
) -> None:
    """The second run succeeded but changed the database: not idempotent; blame the statements that changed it."""
    outcome.idempotent = False
    culprits = changers(base, steps, changes) if not isinstance(steps, Failure) else []
    if culprits:
        where = which_statement(culprits[0])
        if len(culprits) > 1:
            others = ", ".join(f"{s.index} (line {s.line})" for s in culprits[1:4])
            where += f" (also statement {others}" + (" ..." if len(culprits) > 4 else "") + ")"
        outcome.idempotency_line = culprits[0].line
        outcome.idempotency_statement = culprits[0].text
    else:
        where = "the migration"
    listed = "; ".join(str(change) for change in changes[:5])
    more = f"; and {len(changes) - 5} more" if len(changes) > 5 else ""
    outcome.idempotency_error = f"second run of {where} changes the database: {listed}{more}"


def which_statement(statement: SentStatement | None) -> str:
    """How every message names a statement: number, line and first line of text (``COMMIT`` for none)."""
    if statement is None:
        return "COMMIT"
    return f"statement {statement.index} (line {statement.line}: {statement.summary})"


def inner_statement(detail: str | None) -> str | None:
    """For an error raised inside a DO block or function, PostgreSQL's CONTEXT names the inner SQL."""
    for line in (detail or "").splitlines():
        text = line.removeprefix("CONTEXT: ").strip()
        if text.startswith("SQL statement "):
            return text
    return None


def changers(base: Snapshot, steps: list[tuple[SentStatement, Snapshot]], changes: list[Change]) -> list[SentStatement]:
    """Every statement whose second run touched an object that ends up different, in file order.

    Objects that a statement changes and a later one restores (DROP ... IF EXISTS then CREATE) are not among
    `changes`, so idempotent drop-and-recreate pairs are never blamed."""
    keys = {change.key for change in changes}
    if steps:  # the replay may differ in detail (names built from txid_current(), now(), ...): count it too
        keys |= {change.key for change in diff(base, steps[-1][1])}
    culprits: list[SentStatement] = []
    previous = base
    for statement, snapshot in steps:
        if any(previous.get(key) != snapshot.get(key) for key in keys):
            culprits.append(statement)
        previous = snapshot
    return culprits
