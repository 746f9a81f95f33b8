"""`fes-docs dry-run`: prove migrations on a real PostgreSQL (guide §3.2, §4.1), and keep the run as evidence.

`cluster` provides the database (a throwaway cluster, or a scratch database on a server the user names),
`engine.run` applies the migrations twice and reports, `report` holds the results and the JSON evidence.
MySQL-dialect projects go to MariaDB (`mariadb_server`, `mariadb_engine.run`); both engines keep Flyway's
run order through `flyway_run`, so they agree on what runs, stops or is skipped.
"""

import importlib
from typing import Any

from fes_docs.dryrun.causes import failure_hint, is_run_bound
from fes_docs.dryrun.errors import DryRunUnavailable
from fes_docs.dryrun.report import (
    BackfillInput,
    BackfillOutcome,
    DryRunReport,
    MigrationInput,
    MigrationOutcome,
    evidence_checksums,
    evidence_json,
    lock_mode_sql,
)

__all__ = [
    "BackfillInput",
    "BackfillOutcome",
    "DryRunReport",
    "DryRunUnavailable",
    "MigrationInput",
    "MigrationOutcome",
    "Settings",
    "evidence_checksums",
    "evidence_json",
    "failure_hint",
    "is_run_bound",
    "lock_mode_sql",
    "run",
    "sandbox",
    "sandboxed_cluster",
    "scratch_database",
    "throwaway_cluster",
]


_LAZY = {
    "sandbox": "cluster",
    "sandboxed_cluster": "cluster",
    "scratch_database": "cluster",
    "throwaway_cluster": "cluster",
    "Settings": "engine",
    "run": "engine",
}


def __getattr__(name: str) -> Any:
    """The database side (psycopg, subprocesses) loads on first use: `validate` reads evidence through this
    package and should not pay for a PostgreSQL driver it never uses."""
    if name in _LAZY:
        try:
            module = importlib.import_module(f"fes_docs.dryrun.{_LAZY[name]}")
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] != "psycopg":
                raise
            # psycopg is the `dryrun` extra: a clear one-line reason (exit 2), not a traceback.
            raise DryRunUnavailable("the PostgreSQL driver is not installed: pip install 'fes-docs[dryrun]'") from None
        return getattr(module, name)
    raise AttributeError(name)
