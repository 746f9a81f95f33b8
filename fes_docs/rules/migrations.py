"""§4 migration safety: what a release declares about its migrations, and what the SQL really does."""

from __future__ import annotations

from collections.abc import Iterator

from ..artefacts import SEVERITY
from ..findings import Loc
from ..legacy import history
from ..model import MigrationRef, Release
from ..project import Project
from ..proving import proven_idempotent
from ..sql.analyze import Statement, same_object
from ..sql.dialects import guard_advice
from . import Hit, project_rule, release_rule

SAFE_RECIPE = (
    "split it: add the new column/table in this release, switch reads behind the flag, "
    "and drop the old one in a later release with no flag raised"
)


def _sql_loc(project: Project, name: str, line: int, column: int = 1) -> Loc:
    return Loc(project.migrations.file_label(name), line, column)


def raises_in_production(project: Project, rel: Release) -> list[str]:
    prod = project.policy.production
    return [f.name or "?" for f in rel.flags if any(s > 0 for s in f.steps(prod))]


@release_rule(
    "FES301",
    "Migrations declared idempotent",
    "§4.1",
    hint="make the script re-runnable (IF NOT EXISTS, ON CONFLICT ...) and set `idempotent: true`",
)
def declared_idempotent(project: Project, rel: Release) -> Iterator[Hit]:
    """`idempotent: false` (or missing) is an error: every migration script must be safe to run twice."""
    for ref in rel.migrations:
        if ref.idempotent is False:
            yield Hit(rel.loc(*ref.path, "idempotent"), f"{ref.file} is declared not idempotent")
        elif ref.idempotent is None and ref.file:
            yield Hit(
                rel.loc(*ref.path),
                f"{ref.file} does not say whether it is idempotent",
                severity="warning",
                hint="add `idempotent: true` once the script is re-runnable",
            )


@release_rule(
    "FES302",
    "Backfills repeatable and bounded",
    "§4.4",
    hint="set `repeatable: true` and a `batch_size`; write the backfill so a re-run changes nothing",
)
def backfill_bounded(project: Project, rel: Release) -> Iterator[Hit]:
    """Every backfill is `repeatable: true` and bounded by a `batch_size`."""
    for b in rel.backfills:
        if b.repeatable is not True:
            yield Hit(rel.loc(*b.path, "repeatable"), f"backfill {b.name!r} is not marked repeatable")
        if b.batch_size is None:
            yield Hit(rel.loc(*b.path), f"backfill {b.name!r} has no batch_size (unbounded)")


@release_rule("FES306", "Backfill scripts exist", "§4.4", hint="fix the path (relative to the project root)")
def backfill_script_exists(project: Project, rel: Release) -> Iterator[Hit]:
    """A backfill's `sql:` file exists, so reviewers and `fes-docs dry-run` see what will run."""
    for b in rel.backfills:
        # asked of project.inputs, so a script that appears later is a changed input; a path leading
        # outside the project is not this rule's finding
        if b.sql and not project.inputs.exists(b.sql) and project.inside(b.sql) is not None:
            yield Hit(rel.loc(*b.path, "sql"), f"backfill script {b.sql} does not exist")


@release_rule(
    "FES303",
    "Large backfills support dry run",
    "§4.5",
    hint="support a dry-run mode and set `dry_run: true` (and `dry_run_sql:` for fes-docs dry-run)",
)
def backfill_dry_run(project: Project, rel: Release) -> Iterator[Hit]:
    """A backfill of `estimated_rows` at or above the policy's `backfill_dry_run_rows` needs `dry_run: true`."""
    limit = project.policy.backfill_dry_run_rows
    for b in rel.backfills:
        if b.estimated_rows is not None and b.estimated_rows >= limit and b.dry_run is not True:
            yield Hit(
                rel.loc(*b.path, "estimated_rows"),
                f"backfill {b.name!r} touches ~{b.estimated_rows:,} rows (>= {limit:,}) without dry_run",
            )


def effective_class(project: Project, ref: MigrationRef) -> str | None:
    """The SQL's class as §4.3 judges a declaration: seed INSERTs in an `additive` migration count as additive."""
    a = project.migrations.analysis(ref.file)
    if a is None or a.error is not None or not a.statements:
        return None
    worst = max(
        0
        if ref.change == "additive" and st.klass == "data" and st.kind.upper().startswith("INSERT")
        else SEVERITY[st.klass]
        for st in a.statements
    )
    return next(k for k, v in SEVERITY.items() if v == worst)


def _destructive_sql(project: Project, ref: MigrationRef) -> tuple[str, int, str] | None:
    a = project.migrations.analysis(ref.file)
    if a is None:
        return None
    for st in a.statements:
        if SEVERITY[st.klass] >= SEVERITY["destructive"]:  # an unsafe statement is at least destructive
            return st.kind, st.line, st.klass
    return None


@release_rule("FES304", "No destructive change with a production cutover", "§4.2", hint=SAFE_RECIPE)
def destructive_with_cutover(project: Project, rel: Release) -> Iterator[Hit]:
    """A release with a destructive migration (declared, or found in its SQL) raises no flag in production."""
    flags = raises_in_production(project, rel)
    if not flags:
        return
    for ref in rel.migrations:
        found = _destructive_sql(project, ref)
        if ref.change == "destructive" or found:
            why = (
                f"{found[0]} at {project.migrations.file_label(ref.file or '')}:{found[1]}"
                if found and ref.file
                else "declared destructive"
            )
            related = (_sql_loc(project, ref.file, found[1]),) if found and ref.file else ()
            yield Hit(
                rel.loc(*ref.path, "file"),
                f"{ref.file} is {found[2] if found else 'destructive'} ({why}) while this release raises "
                f"{', '.join(flags)} in {project.policy.production}",
                related=related,
            )


@release_rule(
    "FES317",
    "Declared change matches the SQL",
    "§4.3",
    hint="declare what the SQL does; a stricter declaration only blocks the production cutover",
)
def change_matches_sql(project: Project, rel: Release) -> Iterator[Hit]:
    """SQL more severe than the declared `change` is an error; a declaration more severe than the SQL a warning.

    `additive` allows additive statements and INSERTs of seed rows; `data` allows data and additive;
    `destructive` allows anything.
    """
    for ref in rel.migrations:
        a = project.migrations.analysis(ref.file)
        if a is None or a.error is not None or ref.change not in SEVERITY or not ref.file:
            continue
        declared = SEVERITY[ref.change]
        worst = -1
        for st in a.statements:
            if st.klass == "unsafe":
                continue  # no declaration covers it: FES323's finding
            level = SEVERITY[st.klass]
            if ref.change == "additive" and st.klass == "data" and st.kind.upper().startswith("INSERT"):
                level = 0  # seed rows are part of an additive change
            worst = max(worst, level)
            if level > declared:
                yield Hit(
                    rel.loc(*ref.path, "change"),
                    f"{ref.file} is declared {ref.change} but line {st.line} is {st.klass}: {st.kind} ({st.reason})",
                    hint=SAFE_RECIPE if st.klass == "destructive" else None,
                    related=(_sql_loc(project, ref.file, st.line, st.column),),
                    subject=st.normalised,
                )
        if a.statements and 0 <= worst < declared:
            yield Hit(
                rel.loc(*ref.path, "change"),
                f"{ref.file} is declared {ref.change} but its SQL is only "
                f"{[k for k, v in SEVERITY.items() if v == worst][0]}",
                severity="warning",
            )


@release_rule(
    "FES318",
    "Idempotency borne out by the SQL",
    "§4.1",
    hint="use IF NOT EXISTS / IF EXISTS / OR REPLACE, and ON CONFLICT for INSERT",
)
def idempotent_sql(project: Project, rel: Release) -> Iterator[Hit]:
    """A migration declared `idempotent: true` contains no statement that fails or differs when re-run."""
    for ref in rel.migrations:
        a = project.migrations.analysis(ref.file)
        if a is None or a.error is not None or ref.idempotent is not True or not ref.file:
            continue
        for st in a.statements:
            if st.idempotent == "no":
                yield Hit(
                    rel.loc(*ref.path, "idempotent"),
                    f"{ref.file}:{st.line} is not re-runnable: {st.kind} ({st.reason})",
                    subject=st.normalised,
                    hint=guard_advice(project.policy.sql_dialect),
                    related=(_sql_loc(project, ref.file, st.line, st.column),),
                )


@release_rule(
    "FES319",
    "Unproven re-run safety",
    "§4.1",
    "warning",
    hint="prove it with `fes-docs dry-run`, or move data changes into a backfill",
)
def unproven_sql(project: Project, rel: Release) -> Iterator[Hit]:
    """UPDATE/DELETE and DO blocks the parser cannot see into are not judged statically: the dry run proves
    them, and cited dry-run evidence that proved the file idempotent at its current checksum resolves this."""
    proven = proven_idempotent(project, rel)
    for ref in rel.migrations:
        a = project.migrations.analysis(ref.file)
        if a is None or a.error is not None or not ref.file or ref.file in proven:
            continue
        for st in a.statements:
            if st.idempotent == "unproven" or st.opaque:
                what = "opaque DO block" if st.opaque else st.kind
                yield Hit(
                    rel.loc(*ref.path, "file"),
                    f"{ref.file}:{st.line}: re-run safety of {what} is unproven ({st.reason})",
                    related=(_sql_loc(project, ref.file, st.line, st.column),),
                    subject=st.normalised,
                )


@release_rule("FES320", "SQL parses", "§4", hint="fix the SQL so PostgreSQL's own parser accepts it")
def sql_parses(project: Project, rel: Release) -> Iterator[Hit]:
    """Each listed migration file parses with a real SQL parser (PostgreSQL's grammar by default)."""
    for ref in rel.migrations:
        a = project.migrations.analysis(ref.file)
        if a is not None and a.error is not None and ref.file and not project.migrations.placeholder_failed(ref.file):
            yield Hit(
                rel.loc(*ref.path, "file"),
                f"{ref.file}:{a.error.line}:{a.error.column}: {a.error.message}",
                related=(Loc.of(project.migrations.file_label(ref.file), a.error),),
            )


@release_rule(
    "FES321",
    "Undo migrations keep new tables and columns",
    "§5.2.2",
    hint="do not drop what this release created; roll back with flags and forward-fix instead",
)
def undo_keeps_new_objects(project: Project, rel: Release) -> Iterator[Hit]:
    """An undo migration (`U<version>__…`) must not drop a table or column the release's migrations created."""
    index = project.migrations
    for ref in rel.migrations:
        version = index.version_of(ref.file) if ref.file else None
        a = index.analysis(ref.file)
        if version is None or a is None or not ref.file:
            continue
        created = {obj for st in a.statements for obj in st.creates}
        for undo in index.undo_by_version.get(version, []):
            ua = index.analysis(undo)
            for st in ua.statements if ua else ():
                dropped = sorted(d for d in st.drops if any(same_object(d, c) for c in created))
                if dropped:
                    names = ", ".join(f"{kind} {name}" for kind, name in dropped)
                    yield Hit(
                        rel.loc(*ref.path, "file"),
                        f"{undo}:{st.line} drops {names}, created by {ref.file}",
                        related=(_sql_loc(project, undo, st.line, st.column),),
                        subject=f"{undo}: {st.normalised}",
                    )


@project_rule(
    "FES305", "Each migration belongs to one release", "§4", hint="list a migration file in exactly one release"
)
def claimed_once(project: Project) -> Iterator[Hit]:
    """No migration file is listed by two releases (or twice by one): Flyway applies it once."""
    for name, claims in sorted(project.migrations.claims.items()):
        for claim in claims[1:]:
            first = claims[0]
            by = "this release" if first.release is claim.release else first.release.key
            yield Hit(
                claim.release.loc(*claim.ref.path, "file"),
                f"{name} is already listed by {by}",
                release=claim.release.key,
                related=(first.release.loc(*first.ref.path, "file"),),
            )


def _worst_statement(statements: tuple[Statement, ...]) -> Statement | None:
    """The statement that makes a file unsafe to apply unreviewed: the first that escapes its database, else
    the first destructive or not re-runnable one."""
    unsafe = next((s for s in statements if s.klass == "unsafe"), None)
    return unsafe or next((s for s in statements if s.klass == "destructive" or s.idempotent == "no"), None)


@project_rule(
    "FES322",
    "Unclaimed migrations are safe to apply",
    "§4.1-4.3, Flyway",
    hint="list the file under `migrations:` of the live release that ships it (and review it there), "
    "or remove it from the folder",
)
def unclaimed_safe(project: Project) -> Iterator[Hit]:
    """Flyway applies every file in the folder, claimed or not: a file no live release claims (unlisted, or
    listed only by a cancelled release) must parse, and be neither destructive, nor unsafe (reaching outside
    its database), nor unsafe to re-run. History (at or below the policy's `adopted_at_version`) is exempt."""
    index = project.migrations
    live = {name for name, claims in index.claims.items() if any(not c.release.cancelled for c in claims)}
    past = history(project)  # applied before fes-docs: Flyway's checks only
    for name, mf in sorted(index.files.items()):
        if name in live or name in past or mf.name.kind in (None, "undo"):  # a bad name is FES314's; no undo runs
            continue
        a = index.analysis(name)
        if a is None or index.placeholder_failed(name):  # FES324 says which placeholder Flyway fails on
            continue
        label = index.file_label(name)
        who = "listed only by a cancelled release" if name in index.claims else "claimed by no release"
        if mf.name.kind == "callback":
            who = "a callback script (Flyway runs it at every event of its kind)"
        if a.error is not None:
            yield Hit(
                Loc.of(label, a.error),
                f"{name} is {who}, yet Flyway runs it, and it cannot be analysed: {a.error.message}",
            )
            continue
        worst = _worst_statement(a.statements)
        if worst is not None:
            what = {"unsafe": "unsafe", "destructive": "destructive"}.get(worst.klass, "not safe to run twice")
            yield Hit(
                Loc(label, worst.line, worst.column),
                f"{name} is {who}, yet Flyway applies it: {worst.kind} is {what} ({worst.reason})",
                subject=worst.normalised,
            )
