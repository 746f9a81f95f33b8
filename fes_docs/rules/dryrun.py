"""Evidence from `fes-docs dry-run` (§3.2, §4.1): what a real PostgreSQL proved, and whether it still holds."""

from __future__ import annotations

from collections.abc import Iterator

from ..dryrun import evidence_checksums
from ..findings import Severity
from ..model import Release
from ..project import Project
from ..proving import load_evidence
from . import Hit, emitted_rule, release_rule

emitted_rule(
    "FES330",
    "Migrations apply on PostgreSQL",
    "§3.2",
    "`fes-docs dry-run`: every migration applies on a real, throwaway PostgreSQL.",
    hint="fix the statement the server rejected",
)
emitted_rule(
    "FES331",
    "Migrations survive a second application",
    "§4.1",
    "`fes-docs dry-run` applies each migration twice; an error or a schema difference is not idempotent.",
    hint="guard every statement so that a re-run changes nothing",
)
emitted_rule(
    "FES332",
    "No ACCESS EXCLUSIVE lock on existing tables",
    "§4.2",
    severity="warning",
    doc="`fes-docs dry-run` reads pg_locks before commit; ACCESS EXCLUSIVE blocks every reader.",
    hint="CREATE INDEX CONCURRENTLY; ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT",
)
emitted_rule(
    "FES335",
    "Every migration Flyway runs is proven",
    "§3.2",
    severity="warning",
    doc="`fes-docs dry-run` cannot run Java migrations; they, and failures after them, are unproven, not failed. "
    "Nor does it run statement-level callbacks (Flyway Teams): the migrations are proven without them.",
    hint="prove Java migrations where the application's Flyway runs them, or port them to SQL",
)
emitted_rule(
    "FES333",
    "Backfill dry-run statements run",
    "§4.5",
    "`fes-docs dry-run` runs each `dry_run_sql` in a rolled-back transaction.",
    hint="make dry_run_sql a read-only statement",
)


@release_rule(
    "FES334",
    "Dry-run evidence is current",
    "§3.2",
    hint="re-run `fes-docs dry-run --evidence FILE` and commit the new evidence",
)
def evidence_current(project: Project, rel: Release) -> Iterator[Hit]:
    """A cited dry-run evidence file still matches the current checksums of the release's migrations."""

    item = rel.checklist_item("flyway-dry-run")
    if item is None or not item.evidence:
        return
    found = load_evidence(project, item.evidence)  # read through project.inputs: in the run's manifest
    if found is None or found.failure == "outside":
        return
    severity: Severity | None = None if rel.from_approved else "warning"
    loc = rel.loc(*item.path, "evidence")
    if found.failure == "missing":
        yield Hit(loc, f"evidence file {item.evidence} does not exist", severity=severity)
        return
    if found.failure is not None:
        yield Hit(loc, f"evidence file {item.evidence} is unreadable: {found.message}", severity=severity)
        return
    data = found.data
    recorded = evidence_checksums(data) if isinstance(data, dict) else None
    if recorded is None:
        yield Hit(loc, f"{item.evidence} is not fes-docs dry-run evidence", severity=severity)
        return
    if isinstance(data, dict) and data.get("passed") is False:
        yield Hit(loc, f"{item.evidence} records a failed dry run", severity=severity)
    for ref in rel.migrations:
        if not ref.file:
            continue
        script = ref.file.rsplit("/", 1)[-1]
        current = project.migrations.checksum(ref.file)
        if script not in recorded:
            yield Hit(loc, f"{item.evidence} does not cover {script}", severity=severity, subject=script)
        elif current is not None and recorded[script] != current:
            yield Hit(
                loc,
                f"{item.evidence} is stale: {script} changed since the dry run "
                f"(checksum {current}, evidence {recorded[script]})",
                severity=severity,
                subject=script,
            )
