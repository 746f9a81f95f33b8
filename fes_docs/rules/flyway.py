"""Flyway's reading of a script: placeholders, per-script configuration, names, and its mixed rule.

Each of these is something Flyway itself decides before a statement runs (it fails the migration on an
undefined placeholder, an unknown ``.sql.conf`` key, or mixed statements), so each is checked here as
Flyway checks it, with Flyway's wording where Flyway has one.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Loc
from ..legacy import history
from ..positions import LineIndex
from ..project import Project
from ..sql.flyway import CALLBACK_EVENTS
from . import Hit, project_rule


def looks_like_a_migration(name: str) -> bool:
    """A misnamed migration rather than another SQL file: ``v21__x.sql``, ``V21_x.sql``, ``aftermigrate.sql``."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem[:1].upper() in "VUR" and stem[1:2] and (stem[1].isdigit() or stem[1] == "_"):
        return True
    return any(stem.lower().startswith(event.lower()) for event in CALLBACK_EVENTS)


@project_rule(
    "FES324",
    "Placeholders have values",
    "Flyway",
    hint="give it a value under `flyway: {placeholders: …}` in releases/policy.yaml (or flyway.conf), "
    "or set placeholderReplacement=false in the script's .sql.conf",
)
def placeholders_defined(project: Project) -> Iterator[Hit]:
    """Every ``${placeholder}`` in a script Flyway reads has a value; Flyway fails the migration on one without
    ("No value provided for placeholder"), before a statement runs."""
    index = project.migrations
    for name in sorted(index.files):
        replaced = index.replaced(name)
        mf = index.files[name]
        if replaced is None or not replaced.unresolved or mf.text is None or mf.name.kind in (None, "undo"):
            continue
        lines = LineIndex(mf.text)
        claims = index.claims.get(name, [])
        for u in replaced.unresolved:
            line, column = lines.position(u.offset)
            yield Hit(
                Loc(index.file_label(name), line, column),
                f"{name}:{line}: {u.message}",
                release=claims[0].release.key if claims else None,
            )


@project_rule(
    "FES325",
    "Script configuration is read as meant",
    "Flyway",
    hint="per-script settings go in `<script>.sql.conf` beside the script (executeInTransaction, encoding, "
    "placeholderReplacement)",
)
def script_config(project: Project) -> Iterator[Hit]:
    """A script's ``.sql.conf`` is one Flyway accepts (it fails the run on an unknown key or a bad boolean), sits
    beside a script, and settings written as ``-- flyway:`` comments — which Flyway never reads — are said
    to do nothing."""
    index = project.migrations
    for name in sorted(index.files):
        for p in index.config_problems(name):
            yield Hit(Loc(index.file_label(p.file), p.line, p.column), f"{p.file}:{p.line}: {p.message}", p.severity)
    for conf in index.stray_configs:
        script = conf.removesuffix(".conf")
        yield Hit(
            Loc(index.file_label(conf)),
            f"{conf} configures {script}, which is not in the folder: Flyway never reads it",
            "warning",
            hint="rename it after its script (V2__x.sql → V2__x.sql.conf), or delete it",
        )


@project_rule(
    "FES326",
    "Names Flyway accepts but people get wrong",
    "Flyway",
    "warning",
    hint="rename the file before it is released (the name is in Flyway's history table for good)",
)
def odd_names(project: Project) -> Iterator[Hit]:
    """A script name Flyway takes but that is likely a slip: no description (``V1.sql``), the separator
    twice, spaces or a space before ``.sql``, a file manager's copy (``… - Copy.sql``). Not asked of history
    (at or below `adopted_at_version`): an applied migration keeps its name."""
    index = project.migrations
    past = history(project)  # its name is in Flyway's history table for good: nothing to rename
    for name, mf in sorted(index.files.items()):
        if mf.name.kind is not None and mf.name.oddity and name not in past:
            claims = index.claims.get(name, [])
            loc = claims[0].release.loc(*claims[0].ref.path, "file") if claims else Loc(index.file_label(name))
            yield Hit(
                loc,
                f"{name!r} {mf.name.oddity}",
                release=claims[0].release.key if claims else None,
                related=(Loc(index.file_label(name)),) if claims else (),
            )


@project_rule(
    "FES327",
    "Flyway's mixed-statement rule",
    "Flyway",
    hint="move the non-transactional statement (CREATE INDEX CONCURRENTLY, VACUUM, …) into a migration of its "
    "own, or give this one a .sql.conf with executeInTransaction=false (or set flyway: {mixed: true})",
)
def mixed_statements(project: Project) -> Iterator[Hit]:
    """Flyway (not PostgreSQL) refuses a script that mixes statements it must run outside a transaction with
    others, unless ``mixed`` is on or the script's ``.sql.conf`` sets ``executeInTransaction``."""
    index = project.migrations
    for name, mf in sorted(index.files.items()):
        if mf.name.kind in (None, "undo"):
            continue
        found = index.mixed_refusal(name)
        if found is not None:
            line, column, message = found
            claims = index.claims.get(name, [])
            yield Hit(
                Loc(index.file_label(name), line, column),
                f"{name}:{line}: {message}",
                release=claims[0].release.key if claims else None,
            )
