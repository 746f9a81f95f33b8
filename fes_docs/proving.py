"""Turn a project into a dry run on a real PostgreSQL, and the run back into findings and evidence.

The engine (``fes_docs.dryrun``) knows only SQL files and databases; this module knows releases: which
migrations belong to which release, Flyway's order, where a failure should point in the release file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .dryrun import (
    BackfillInput,
    DryRunReport,
    MigrationInput,
    evidence_checksums,
    failure_hint,
    is_run_bound,
    lock_mode_sql,
)
from .dryrun.environment import Environment, environment_hint
from .dryrun.report import (
    NOT_ON_MARIADB,
    SKIP_BELOW_BASELINE,
    SKIP_JAVA,
    CallbackInput,
    MigrationOutcome,
    blocks_writes,
)
from .errors import UsageError
from .findings import Finding, Loc
from .flyway_config import FlywayConfig
from .flyway_files import java_migrations
from .inputs import InputError
from .legacy import adoption_point, before_adoption, history
from .lock_advice import lock_hint
from .model import Release, deploy_order
from .project import Project
from .sql.analyze import Analysis, Statement
from .sql.callbacks import callback_event
from .sql.dialects import guard_advice
from .sql.flyway import FlywayName, at_or_below_baseline, parse_name, version_key


def _statements(analysis: Analysis | None) -> tuple[Statement, ...]:
    """The statements the lock advice reads (none when the file does not parse)."""
    return analysis.statements if analysis is not None and analysis.error is None else ()


@dataclass
class Plan:
    migrations: list[MigrationInput]
    backfills: list[BackfillInput]
    owner: dict[str, tuple[Release, tuple[str | int, ...]]]  # script -> (release, path of its entry)
    callbacks: list[CallbackInput] = field(default_factory=list)  # Flyway's SQL callbacks, by name
    environment: Environment = field(default_factory=Environment)  # what the sandbox creates first
    java: dict[str, str] = field(default_factory=dict)  # Java migration script -> its project-relative path


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
    config = flyway_settings(project)
    included = {ref.file for r in releases for ref in r.migrations if ref.file}
    # --release X: every versioned migration up to X's highest version, claimed or not, as Flyway applies them
    highest = max((v for f in included if (v := index.version_of(f)) is not None), default=None)
    versioned, repeatable = [], []
    callbacks: list[CallbackInput] = []
    for name, mf in index.files.items():
        event = callback_event(name)
        if event is not None and mf.checksum is not None:
            callbacks.append(CallbackInput(event, name, mf.text or "", mf.checksum))
            continue
        if mf.name.kind not in ("versioned", "repeatable") or mf.checksum is None:
            continue
        key = version_key(mf.name.version) if mf.name.version is not None else None
        if up_to is not None and not _in_scope(name, key, included, owner, highest):
            continue
        claimed = owner.get(name)
        below = at_or_below_baseline(key, config.baseline_version)
        item = MigrationInput(
            mf.name.version_text,
            mf.name.description or "",
            name.rsplit("/", 1)[-1],
            mf.text if mf.text is not None else "",
            mf.checksum,
            claimed[0].key if claimed else None,
            SKIP_BELOW_BASELINE if below else None,
            reading=index.reading(name),  # placeholders, .sql.conf, mixed: as Flyway reads the script
        )
        if key is not None:
            versioned.append((key, name, item))
        else:
            repeatable.append((mf.name.description or "", name, item))
    java: dict[str, str] = {}
    for rel_path in java_migrations(project.inputs, index.folder):
        parsed = parse_name(rel_path.rsplit("/", 1)[-1].rsplit(".", 1)[0] + ".sql")
        key = version_key(parsed.version) if parsed.version is not None else None
        if parsed.kind not in ("versioned", "repeatable") or (
            up_to is not None and key is not None and (highest is None or key > highest)
        ):
            continue
        script = rel_path.rsplit("/", 1)[-1]
        java[script] = rel_path
        below = at_or_below_baseline(key, config.baseline_version)
        item = MigrationInput(
            parsed.version_text,
            parsed.description or "",
            script,
            "",
            0,
            None,
            SKIP_BELOW_BASELINE if below else SKIP_JAVA,
        )
        if key is not None:
            versioned.append((key, script, item))
        else:
            repeatable.append((parsed.description or "", script, item))
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
    return Plan(
        ordered, backfills, owner, sorted(callbacks, key=lambda c: c.script), environment(project, config), java
    )


def _in_scope(
    name: str,
    key: tuple[int, ...] | None,
    included: set[str],
    owner: dict[str, tuple[Release, tuple[str | int, ...]]],
    highest: tuple[int, ...] | None,
) -> bool:
    """In a ``--release`` run: a versioned file at or below the release's highest version, claimed or not; a
    repeatable its releases claim, or that no release claims (Flyway runs every repeatable)."""
    if key is not None:
        return highest is not None and key <= highest
    return name in included or name not in owner


def flyway_settings(project: Project) -> FlywayConfig:
    """The policy's ``flyway:`` block over Flyway's own configuration files (the policy wins)."""
    return project.migrations.flyway  # the index reads it once, for the static analysis and the dry run


def environment(project: Project, config: FlywayConfig) -> Environment:
    """What the sandbox creates before the first migration: the policy's ``dry_run:`` declarations, Flyway's
    schemas, and its database name (the policy's, else flyway.url's)."""
    declared = project.policy.dry_run
    setup_text = None
    if declared.setup_sql:
        try:
            setup_text = project.inputs.read_bytes(declared.setup_sql).decode("utf-8")
        except (InputError, UnicodeDecodeError) as exc:
            raise UsageError(f"dry_run.setup_sql {declared.setup_sql!r} cannot be read: {exc}") from None
    return Environment(
        database=declared.database or config.database,
        roles=declared.roles,
        extensions=declared.extensions,
        schemas=config.schemas,
        default_schema=config.default_schema,
        setup_sql=setup_text,
        setup_script=declared.setup_sql,
        policy_file=project.policy_file,
    )


def _unproven(m: MigrationOutcome, loc: Loc, key: str | None, server: str) -> Finding:
    """A Java migration Flyway runs and the dry run cannot, or a failure after one: unproven, not failed."""
    if m.unproven_after == NOT_ON_MARIADB:
        message = (
            f"{m.script}:{m.error_line}: not provable on MariaDB {server}: MySQL syntax MariaDB rejects ({m.error})"
        )
        hint = "prove it on MySQL 8 (--dsn mysql://…), or write it in syntax both accept"
    elif m.skipped == SKIP_JAVA:
        message = f"{m.script} is a Java migration: Flyway runs it, the dry run cannot, so what follows is unproven"
        hint = "prove it in an environment that runs the application's Flyway, or port it to SQL"
    else:
        message = f"{m.script} failed on PostgreSQL {server} after {m.unproven_after} was skipped: {m.error}"
        hint = "unproven, not failed: the database lacked what the Java migration does; check it where Flyway runs"
    return Finding(loc, "FES335", "warning", message, hint, key)


def _setup_findings(project: Project, the_plan: Plan, report: DryRunReport) -> list[Finding]:
    """Callbacks and setup_sql that failed (at their file and line), declared things the server refused, and
    callbacks the dry run does not run (statement-level: FES335, at the script)."""
    index = project.migrations
    out = [
        Finding(
            Loc(
                project.policy_file if c.event == "setup_sql" else index.file_label(c.script),
                c.error_position[0] if c.error_position else (c.error_line or 1),
                c.error_position[1] if c.error_position else 1,
            ),
            "FES330",
            "error",
            f"{c.script} ({c.event}{f', around {c.migration}' if c.migration else ''}): "
            f"{report.server} {report.server_version} rejected it: {c.error}",
            environment_hint(c.error, the_plan.environment) or "fix the callback; Flyway would stop here too",
        )
        for c in report.callbacks
        if c.error is not None
    ]
    out += [
        Finding(project.policy_loc("dry_run"), "FES330", "error", problem, "fix the declaration under dry_run:")
        for problem in report.environment.get("problems", [])
    ]
    out += [
        Finding(
            Loc(index.file_label(c.script)),
            "FES335",
            "warning",
            f"{c.script} ({c.event}) is a statement-level callback: Flyway Teams runs it around every statement, "
            "the dry run does not, so the migrations are proven without it",
            "prove the migrations where Flyway Teams runs them, or do its work in beforeEachMigrate.sql",
        )
        for c in report.callbacks
        if c.skipped is not None
    ]
    return out


def _java(script: str) -> FlywayName:
    """A Java migration's name as Flyway reads it (``V3__Backfill.java`` has the version of ``V3__Backfill.sql``)."""
    return parse_name(script.rsplit(".", 1)[0] + ".sql")


def _left_behind(m: MigrationOutcome) -> str:
    """MySQL commits DDL implicitly: what a failed migration had run, which is what production keeps."""
    if not m.ran:
        return ""
    return "; before it ran (production keeps what is committed): " + "; ".join(m.ran)


def findings(project: Project, the_plan: Plan, report: DryRunReport) -> list[Finding]:
    """Failures, idempotency breaks and strong locks, located at the release's migration entry (of a migration
    applied before fes-docs, :mod:`fes_docs.legacy`, only a failure: the guide's rules are not asked of it)."""
    index = project.migrations
    by_script = {
        m.script: name for name in index.files for m in the_plan.migrations if name.rsplit("/", 1)[-1] == m.script
    }
    out: list[Finding] = _setup_findings(project, the_plan, report)
    past, point = history(project), adoption_point(project.policy)
    for m in report.migrations:
        name = by_script.get(m.script, m.script)
        rel, path = the_plan.owner.get(name, (None, ()))
        loc = rel.loc(*path) if rel else Loc(the_plan.java.get(m.script) or index.file_label(name))
        key = rel.key if rel else None
        # applied before fes-docs: a failure Flyway would meet too still counts (FES330), the guide's rules do not
        old = name in past or (m.script in the_plan.java and rel is None and before_adoption(point, _java(m.script)))
        if (m.skipped == SKIP_JAVA and not old) or m.status == "unproven":
            out.append(_unproven(m, loc, key, report.server_version))
        elif m.error is not None and m.failed_callback is None:  # a callback's failure is reported at the callback
            line = m.error_position[0] if m.error_position else (m.error_line or 1)
            sql_loc = Loc(index.file_label(name), line, m.error_position[1] if m.error_position else 1)
            out.append(
                Finding(
                    loc if rel else sql_loc,  # unclaimed: the SQL file's line is the only place to point at
                    "FES330",
                    "error",
                    f"{m.script}:{line}: "
                    + (
                        m.error
                        if is_run_bound(m.error)
                        else f"{report.server} {report.server_version} rejected it: {m.error}{_left_behind(m)}"
                    ),
                    failure_hint(m.error_sqlstate, m.error, report.limits)
                    or environment_hint(m.error, the_plan.environment)
                    or "fix the statement; Flyway would stop here in production",
                    key,
                    None,
                    (sql_loc,),
                )
            )
        if m.idempotent is False and not old:
            sql_loc = Loc(index.file_label(name), m.idempotency_line or 1)
            out.append(
                Finding(
                    loc,
                    "FES331",
                    "error",
                    f"{m.script} is not idempotent when applied twice: {m.idempotency_error}",
                    f"guard it: {guard_advice(project.policy.sql_dialect)}",
                    key,
                    None,
                    (sql_loc,),
                )
            )
        for table, mode in m.strongest_locks.items():
            if blocks_writes(mode) and not old:
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
    carried = any(is_run_bound(m.error) for m in report.migrations) or any(
        is_run_bound(b.error) for b in report.backfills
    )
    if report.stopped is not None and not carried:
        # The bound ran out where no statement was left to carry it (the last migration's second run).
        out.append(
            Finding(
                project.policy_loc("dry_run", "run_timeout_s"),
                "FES330",
                "error",
                report.stopped,
                failure_hint(None, report.stopped, report.limits) or "",
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
