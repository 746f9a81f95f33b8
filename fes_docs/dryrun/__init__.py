"""`fes-docs dry-run`: prove migrations on a real PostgreSQL (guide §3.2, §4.1), and keep the run as evidence.

`cluster` provides the database (a throwaway cluster, or a scratch database on a server the user names),
`engine.run` applies the migrations twice and reports, `report` holds the results and the JSON evidence.
"""

from fes_docs.dryrun.cluster import DryRunUnavailable, scratch_database, throwaway_cluster
from fes_docs.dryrun.engine import Settings, run
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
    "lock_mode_sql",
    "run",
    "scratch_database",
    "throwaway_cluster",
]
