"""What a dry run found, as plain data, and the small JSON evidence a release can cite (guide §3.2).

The evidence is deliberately small: the PostgreSQL version, each migration's script and Flyway checksum,
whether it applied and re-applied cleanly, its timing and the locks it held on pre-existing tables. The
checksums let `validate` tell later whether the evidence still describes the migrations in the repository.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fes_docs.dryrun.statements import summarise
from fes_docs.sql.script_config import ScriptReading

__all__ = [
    "EVIDENCE_FORMAT",
    "EVIDENCE_FORMAT_VERSION",
    "LOCK_MODES",
    "SKIP_BELOW_BASELINE",
    "SKIP_JAVA",
    "BackfillInput",
    "BackfillOutcome",
    "CallbackInput",
    "CallbackOutcome",
    "DryRunReport",
    "MigrationInput",
    "MigrationOutcome",
    "evidence_checksums",
    "evidence_json",
    "lock_mode_sql",
    "lock_strength",
    "strongest_per_table",
]

EVIDENCE_FORMAT = "fes-docs-dry-run"
EVIDENCE_FORMAT_VERSION = 1

#: Why a migration Flyway would consider is not run here (:attr:`MigrationInput.skip`), as its status says it.
SKIP_BELOW_BASELINE = "below-baseline"  # at or below flyway.baseline_version: Flyway's baseline skips it too
SKIP_JAVA = "not-runnable-here"  # a Java migration: Flyway runs it, the dry run cannot
#: :attr:`MigrationOutcome.unproven_after` of a statement MySQL's grammar accepts and MariaDB's rejects.
NOT_ON_MARIADB = "MySQL syntax MariaDB rejects"

#: What the text report and the evidence say next to a status (the words of issue 12).
NOTES = {
    SKIP_BELOW_BASELINE: "below baseline",
    SKIP_JAVA: "not runnable here (Java)",
    "unclaimed": "earlier, not claimed",
}

# pg_locks mode names, weakest first (PostgreSQL's table-level lock modes).
LOCK_MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)


def lock_mode_sql(mode: str) -> str:
    """'AccessExclusiveLock' -> 'ACCESS EXCLUSIVE', the spelling of LOCK TABLE and the PostgreSQL docs;
    MariaDB's report (``ALGORITHM=INSTANT``, ``MDL_SHARED_WRITE`` …) is already written as the server's."""
    if "=" in mode or mode.startswith("MDL_"):
        return mode
    words: list[str] = []
    for char in mode.removesuffix("Lock"):
        if char.isupper() and words:
            words.append(" ")
        words.append(char.upper())
    return "".join(words)


def blocks_writes(mode: str) -> bool:
    """A lock that stops the application's writes for the statement's whole run: PostgreSQL's ACCESS
    EXCLUSIVE, an ALTER MariaDB could run neither INSTANT nor INPLACE with LOCK=NONE, or a MariaDB metadata
    lock a migration's transaction held that lets no writer in (FES332)."""
    return mode in ("AccessExclusiveLock", MARIADB_BLOCKING, *MARIADB_LOCK_MODES[-3:])


#: The lock report's mode for an ALTER MariaDB accepted neither with ALGORITHM=INSTANT nor INPLACE, LOCK=NONE.
MARIADB_BLOCKING = "ALGORITHM=COPY or LOCK=SHARED (writes blocked)"
#: What every DDL statement on an existing MariaDB table takes besides: an exclusive metadata lock when it
#: starts and when it commits, so it waits behind any open transaction that has used the table, and every
#: statement on the table queued after it waits too. Read from no server: MariaDB says so of all DDL.
MARIADB_DDL_MDL = "MDL_EXCLUSIVE at start and end"

#: MariaDB's lock report, weakest first: the table metadata locks of ``information_schema.METADATA_LOCK_INFO``
#: a migration's DML held until its commit, and what its DDL takes (the ALTER probes' verdict above the
#: exclusive moments every DDL has, so a table's strongest entry says whether writes wait for the whole run).
MARIADB_LOCK_MODES = (
    "MDL_SHARED",
    "MDL_SHARED_HIGH_PRIO",
    "MDL_SHARED_READ",
    "MDL_SHARED_WRITE",
    "MDL_SHARED_UPGRADABLE",
    "MDL_SHARED_READ_ONLY",
    MARIADB_DDL_MDL,
    "ALGORITHM=INSTANT",
    "ALGORITHM=INPLACE, LOCK=NONE",
    MARIADB_BLOCKING,
    "MDL_SHARED_NO_WRITE",
    "MDL_SHARED_NO_READ_WRITE",
    "MDL_EXCLUSIVE",
)


def lock_strength(mode: str) -> int:
    """Rank of a mode in :data:`LOCK_MODES` or :data:`MARIADB_LOCK_MODES` (weakest 0; one report has one
    server's); an unknown name ranks below every mode."""
    if mode in LOCK_MODES:
        return LOCK_MODES.index(mode)
    return MARIADB_LOCK_MODES.index(mode) if mode in MARIADB_LOCK_MODES else -1


def strongest_per_table(locks: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The strongest mode held per table, tables sorted: what decides who a migration blocks.

    The one definition for the outcome of a run (:attr:`MigrationOutcome.strongest_locks`) and for evidence
    read back from JSON (the runbook), so both always name the same mode for a table.
    """
    strongest: dict[str, str] = {}
    for table, mode in locks:
        if table not in strongest or lock_strength(mode) > lock_strength(strongest[table]):
            strongest[table] = mode
    return dict(sorted(strongest.items()))


@dataclass(frozen=True)
class MigrationInput:
    version: str | None  # Flyway version text; None for a repeatable migration
    description: str
    script: str  # file name as flyway_schema_history.script records it
    sql: str
    checksum: int  # Flyway's checksum, computed by the caller
    release: str | None  # the release that claims it, for reporting
    skip: str | None = None  # SKIP_BELOW_BASELINE or SKIP_JAVA: reported, never sent
    #: How Flyway reads the script (placeholders, .sql.conf, mixed); None: Flyway's defaults.
    reading: ScriptReading | None = None


@dataclass(frozen=True)
class CallbackInput:
    """A Flyway SQL callback script (``beforeMigrate.sql`` …): run at its event, never recorded as a migration."""

    event: str  # flyway-core's Event id, e.g. "beforeEachMigrate"
    script: str  # file name relative to the migrations folder
    sql: str
    checksum: int


@dataclass
class CallbackOutcome:
    """One run of a callback (``migration``: the migration it ran around, for the per-migration events)."""

    event: str
    script: str
    checksum: int
    migration: str | None = None
    error: str | None = None
    error_line: int | None = None
    error_position: tuple[int, int] | None = None
    error_detail: str | None = None
    #: Why the dry run did not run it at all (a statement-level callback), or None.
    skipped: str | None = None

    @property
    def status(self) -> str:
        if self.skipped is not None:
            return "not run"
        return "failed" if self.error is not None else "applied"

    def to_evidence(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "checksum": self.checksum,
            "event": self.event,
            "migration": self.migration,
            "script": self.script,
            "status": self.status,
        }
        if self.error is not None:
            entry["error"] = {"line": self.error_line, "message": self.error}
        if self.skipped is not None:
            entry["skipped"] = self.skipped
        return dict(sorted(entry.items()))


@dataclass(frozen=True)
class BackfillInput:
    release: str
    name: str
    dry_run_sql: str
    estimated_rows: int | None
    # Run right after this migration script (its release's last), so a later release's schema change
    # cannot break an earlier release's count; None: after every migration.
    after: str | None = None


@dataclass
class MigrationOutcome:
    script: str
    version: str | None
    checksum: int
    release: str | None
    applied: bool = False
    error: str | None = None  # the server's message
    error_line: int | None = None  # first line of the failing statement in the file
    failing_statement: str | None = None
    idempotent: bool | None = None  # None: not checked (not applied)
    idempotency_error: str | None = None
    locks: list[tuple[str, str]] = field(default_factory=list)  # (schema.table, pg_locks mode)
    seconds: float = 0.0  # first application, as Flyway's execution_time
    # Beyond the agreed API:
    error_sqlstate: str | None = None
    error_position: tuple[int, int] | None = None  # (line, column) of the server's error cursor in the file
    error_detail: str | None = None  # DETAIL / HINT / CONTEXT lines of the server's error
    idempotency_line: int | None = None  # first line of the statement the idempotency error names
    idempotency_statement: str | None = None
    transactional: bool = True  # False: run without a transaction (CONCURRENTLY etc.); locks not observable
    statements: int = 0
    installed_rank: int | None = None
    check_seconds: float = 0.0  # the second run and the snapshots
    skipped: str | None = None  # SKIP_BELOW_BASELINE or SKIP_JAVA: not sent, and why
    #: The Java migration run before this one that the dry run could not run: a failure here is unproven.
    unproven_after: str | None = None
    #: A callback script that failed around this migration (its error is this outcome's error).
    failed_callback: str | None = None
    #: MySQL: the statements a failed migration had run, each "committed" (DDL commits implicitly, so
    #: production keeps it) or "rolled back".
    ran: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """'applied', 'failed', 'not-run' (an earlier migration failed, so Flyway would have stopped), a skip
        (:data:`SKIP_BELOW_BASELINE`, :data:`SKIP_JAVA`) or 'unproven' (failed after a Java migration the dry
        run could not run: the database it ran on is not the one Flyway would have)."""
        if self.skipped is not None:
            return self.skipped
        if self.applied:
            return "applied"
        if self.error is not None:
            return "unproven" if self.unproven_after is not None else "failed"
        return "not-run"

    @property
    def note(self) -> str | None:
        """What a reader needs beside the status: below baseline, Java, or applied though no release claims it."""
        if self.skipped is not None:
            return NOTES[self.skipped]
        if self.unproven_after == NOT_ON_MARIADB:
            return "not provable on MariaDB: MySQL syntax MariaDB rejects"
        if self.unproven_after is not None:
            return f"unproven: runs after {self.unproven_after}, which the dry run cannot run"
        return NOTES["unclaimed"] if self.release is None and self.version is not None else None

    @property
    def passed(self) -> bool:
        if self.skipped is not None or self.status == "unproven":
            return True  # not proven, but not failed either: reported as such, never as a failure
        return self.applied and self.idempotent is not False

    @property
    def strongest_locks(self) -> dict[str, str]:
        """The strongest mode held per table: what a reviewer needs to judge blocking."""
        return strongest_per_table(self.locks)

    def to_evidence(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "checksum": self.checksum,
            "idempotent": self.idempotent,
            "locks": [{"mode": mode, "table": table} for table, mode in self.locks],
            "release": self.release,
            "script": self.script,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "transactional": self.transactional,
            "version": self.version,
        }
        if self.error is not None:
            entry["error"] = {
                "line": self.error_line,
                "message": self.error,
                "statement": summarise(self.failing_statement or ""),
            }
        if self.ran:
            entry["ran_before_failure"] = self.ran
        if self.idempotency_error is not None:
            entry["idempotency_error"] = {"line": self.idempotency_line, "message": self.idempotency_error}
        if self.note is not None:
            entry["note"] = self.note
        return dict(sorted(entry.items()))


@dataclass
class BackfillOutcome:
    release: str
    name: str
    rows: int | None
    error: str | None
    estimated_rows: int | None = None
    seconds: float = 0.0

    def to_evidence(self) -> dict[str, Any]:
        entry = {
            "error": self.error,
            "estimated_rows": self.estimated_rows,
            "name": self.name,
            "release": self.release,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
        }
        return dict(sorted(entry.items()))


@dataclass
class DryRunReport:
    server_version: str
    migrations: list[MigrationOutcome]
    backfills: list[BackfillOutcome]
    seconds: float
    callbacks: list[CallbackOutcome] = field(default_factory=list)
    #: What the sandbox created before the first migration (roles, extensions, database, setup_sql), and
    #: what it could not: "problems" lists each declared thing the server refused.
    environment: dict[str, Any] = field(default_factory=dict)
    #: The bounds the run had: statement_timeout_s, lock_timeout_s, run_timeout_s (the policy's dry_run:).
    limits: dict[str, float] = field(default_factory=dict)
    #: Why the run stopped before its end (the run bound ran out), or None.
    stopped: str | None = None
    #: The engine's server: "PostgreSQL" or "MariaDB"; the evidence keys its version by it.
    server: str = "PostgreSQL"

    @property
    def passed(self) -> bool:
        return (
            all(m.passed for m in self.migrations)
            and all(b.error is None for b in self.backfills)
            and all(c.error is None for c in self.callbacks)
            and not self.environment.get("problems")
            and self.stopped is None
        )

    def to_evidence(self) -> dict[str, Any]:
        """JSON-ready evidence; keys sorted at every level so equal runs serialise alike (timings aside)."""
        evidence = {
            "backfills": [b.to_evidence() for b in self.backfills],
            "format": EVIDENCE_FORMAT,
            "format_version": EVIDENCE_FORMAT_VERSION,
            "migrations": [m.to_evidence() for m in self.migrations],
            "passed": self.passed,
            self.server.lower(): self.server_version,
            "seconds": round(self.seconds, 3),
        }
        if self.callbacks:
            evidence["callbacks"] = [c.to_evidence() for c in self.callbacks]
        if self.environment:
            evidence["environment"] = self.environment
        if self.limits:
            evidence["limits"] = dict(sorted(self.limits.items()))
        if self.stopped is not None:
            evidence["stopped"] = self.stopped
        return dict(sorted(evidence.items()))


def evidence_json(report: DryRunReport) -> str:
    return json.dumps(report.to_evidence(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def evidence_checksums(evidence: Mapping[str, Any]) -> dict[str, int] | None:
    """script -> checksum recorded in an evidence document, or None when it is not fes-docs dry-run evidence
    of a format this version understands (so `validate` can say so instead of comparing garbage)."""
    if evidence.get("format") != EVIDENCE_FORMAT or evidence.get("format_version") != EVIDENCE_FORMAT_VERSION:
        return None
    migrations = evidence.get("migrations")
    if not isinstance(migrations, list):
        return None
    result: dict[str, int] = {}
    for entry in migrations:
        if not isinstance(entry, Mapping):
            return None
        script, checksum = entry.get("script"), entry.get("checksum")
        if not isinstance(script, str) or not isinstance(checksum, int) or isinstance(checksum, bool):
            return None
        result[script] = checksum
    return result
