"""Turn a project into a dry run on a real PostgreSQL, and the run back into findings and evidence.

The engine (``fes_docs.dryrun``) knows only SQL files and databases; this module knows releases: which
migrations belong to which release, Flyway's order, where a failure should point in the release file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .dryrun import BackfillInput, DryRunReport, MigrationInput, evidence_checksums, lock_mode_sql
from .errors import UsageError
from .findings import Finding, Loc
from .inputs import InputError
from .lock_advice import lock_hint
from .model import Release, deploy_order
from .project import Project
from .sql.analyze import Analysis, Statement
from .sql.flyway import version_key


def _statements(analysis: Analysis | None) -> tuple[Statement, ...]:
    """The statements the lock advice reads (none when the file does not parse)."""
    return analysis.statements if analysis is not None and analysis.error is None else ()


@dataclass
class Plan:
    migrations: list[MigrationInput]
    backfills: list[BackfillInput]
    owner: dict[str, tuple[Release, tuple[str | int, ...]]]  # script -> (release, path of its entry)


def plan(project: Project, up_to: str | None = None) -> Plan:
    """Every migration in Flyway order (versioned by version, then repeatables), up to a release if asked."""
    index = project.migrations
    releases = deploy_order(project.releases)
    if up_to is not None:
        keys = [r.key for r in releases]
        if up_to not in project.by_id():
            raise UsageError(f"no release {up_to!r} in {project.releases_dir}/")
        if up_to not in keys:
            raise UsageError(f"release {up_to!r} has no window (or is cancelled), so it has no place in the order")
        releases = releases[: keys.index(up_to) + 1]
    owner: dict[str, tuple[Release, tuple[str | int, ...]]] = {}
    for rel in project.releases:
        for ref in rel.migrations:
            if ref.file:
                owner.setdefault(ref.file, (rel, (*ref.path, "file")))
    allowed = {ref.file for r in releases for ref in r.migrations} if up_to is not None else None
    versioned, repeatable = [], []
    for name, mf in index.files.items():
        if mf.name.kind not in ("versioned", "repeatable") or (allowed is not None and name not in allowed):
            continue
        if mf.checksum is None:
            continue
        claimed = owner.get(name)
        item = MigrationInput(
            mf.name.version_text,
            mf.name.description or "",
            name.rsplit("/", 1)[-1],
            mf.text if mf.text is not None else "",
            mf.checksum,
            claimed[0].key if claimed else None,
        )
        if mf.name.kind == "versioned" and mf.name.version is not None:
            versioned.append((version_key(mf.name.version), name, item))
        else:
            repeatable.append((mf.name.description or "", name, item))
    ordered = [i for _, _, i in sorted(versioned, key=lambda t: (t[0], t[1]))] + [i for _, _, i in sorted(repeatable)]
    position = {m.script: n for n, m in enumerate(ordered)}
    backfills = []
    for rel in releases if up_to is not None else project.releases:
        own = [m.file.rsplit("/", 1)[-1] for m in rel.migrations if m.file]
        last = max((s for s in own if s in position), key=position.__getitem__, default=None)
        backfills += [
            BackfillInput(rel.key, b.name or "?", b.dry_run_sql, b.estimated_rows, last)
            for b in rel.backfills
            if b.dry_run_sql
        ]
    return Plan(ordered, backfills, owner)


def findings(project: Project, the_plan: Plan, report: DryRunReport) -> list[Finding]:
    """Failures, idempotency breaks and strong locks, located at the release's migration entry."""
    index = project.migrations
    by_script = {
        m.script: name for name in index.files for m in the_plan.migrations if name.rsplit("/", 1)[-1] == m.script
    }
    out: list[Finding] = []
    for m in report.migrations:
        name = by_script.get(m.script, m.script)
        rel, path = the_plan.owner.get(name, (None, ()))
        loc = rel.loc(*path) if rel else Loc(index.file_label(name))
        key = rel.key if rel else None
        if m.error is not None:
            line = m.error_position[0] if m.error_position else (m.error_line or 1)
            sql_loc = Loc(index.file_label(name), line, m.error_position[1] if m.error_position else 1)
            out.append(
                Finding(
                    loc,
                    "FES330",
                    "error",
                    f"{m.script}:{line}: PostgreSQL {report.server_version} rejected it: {m.error}",
                    "fix the statement; Flyway would stop here in production",
                    key,
                    None,
                    (sql_loc,),
                )
            )
        if m.idempotent is False:
            sql_loc = Loc(index.file_label(name), m.idempotency_line or 1)
            out.append(
                Finding(
                    loc,
                    "FES331",
                    "error",
                    f"{m.script} is not idempotent when applied twice: {m.idempotency_error}",
                    "guard it: IF NOT EXISTS / IF EXISTS / OR REPLACE / ON CONFLICT",
                    key,
                    None,
                    (sql_loc,),
                )
            )
        for table, mode in m.strongest_locks.items():
            if mode == "AccessExclusiveLock":
                out.append(
                    Finding(
                        loc,
                        "FES332",
                        "warning",
                        f"{m.script} holds {lock_mode_sql(mode)} on existing table {table}",
                        lock_hint(_statements(index.analysis(name))),
                        key,
                    )
                )
    for b in report.backfills:
        if b.error is not None:
            rel = project.by_id().get(b.release)
            idx = next((i for i, x in enumerate(rel.backfills) if x.name == b.name), 0) if rel else 0
            loc = rel.loc("backfills", idx, "dry_run_sql") if rel else Loc(project.policy_file)
            out.append(
                Finding(
                    loc,
                    "FES333",
                    "error",
                    f"backfill {b.name}: dry-run statement failed: {b.error}",
                    "make dry_run_sql a read-only statement that runs on the migrated schema",
                    b.release,
                )
            )
    return out


def evidence_file(evidence: str | None) -> str | None:
    """The project-relative file a checklist item's evidence names, if it cites a ``.json`` file
    (URLs and free text are left as they are)."""
    if not evidence or "://" in evidence or not evidence.strip().endswith(".json"):
        return None
    return evidence.strip()


@dataclass(frozen=True)
class Evidence:
    """A cited evidence file as read through ``project.inputs``: its data, or why there is none."""

    file: str
    data: Any = None
    failure: str | None = None  # "missing", "outside", "unreadable", "too-large" or "not-json"
    message: str = ""


def load_evidence(project: Project, evidence: str | None) -> Evidence | None:
    """Read the evidence file a checklist item cites, through the project's I/O layer (so the run's
    manifest holds it); ``None`` when the item cites no file."""
    rel = evidence_file(evidence)
    if rel is None:
        return None
    try:
        raw = project.inputs.read_bytes(rel)
    except InputError as exc:
        return Evidence(rel, failure=exc.reason, message=exc.problem.message)
    try:
        return Evidence(rel, json.loads(raw.decode("utf-8")))
    except ValueError as exc:  # UnicodeDecodeError included; also an integer past Python's 4300 digits
        message = str(exc).split("; use sys.set_int_max_str_digits()")[0]
        return Evidence(rel, failure="not-json", message=message)
    except RecursionError:  # [[[[... nested deeper than the decoder goes: no evidence file looks like that
        return Evidence(rel, failure="not-json", message="its JSON is nested too deeply to read")


def read_evidence(project: Project, evidence: str | None) -> dict[str, Any] | None:
    """The dry-run evidence a checklist item cites, if it is a readable fes-docs evidence file in the project."""
    found = load_evidence(project, evidence)
    if found is None or found.failure is not None:
        return None
    data = found.data
    return data if isinstance(data, dict) and evidence_checksums(data) is not None else None


def proven_idempotent(project: Project, rel: Release) -> frozenset[str]:
    """The migration files (as the record names them) that the release's cited dry-run evidence proves
    idempotent at their current checksum: applied, applied again with nothing changed, and not edited since.

    One definition for the static rule that leaves re-run safety to the dry run (FES319: resolved by this
    proof) and for the runbook ("proven by dry run"), so the two never disagree.
    """
    item = rel.checklist_item("flyway-dry-run")
    data = read_evidence(project, item.evidence) if item is not None else None
    if data is None:  # a failed run still proves the migrations before the failure
        return frozenset()
    proven = {
        (entry.get("script"), entry.get("checksum"))
        for entry in data.get("migrations", [])
        if isinstance(entry, dict) and entry.get("idempotent") is True and entry.get("status") == "applied"
    }
    out = set()
    for ref in rel.migrations:
        if ref.file and (ref.file.rsplit("/", 1)[-1], project.migrations.checksum(ref.file)) in proven:
            out.add(ref.file)
    return frozenset(out)
