"""Legacy history: the migrations a project applied before it adopted fes-docs.

A project that adopts the tool after years of Flyway migrations has hundreds of files nobody will rewrite:
they ran in production long ago, and the only change still possible is a new migration. Judging them by the
guide gives a first run of hundreds of findings about the past, and no way to say "from now on". The policy's
``adopted_at_version`` says where that past ends, in Flyway's version order (:func:`~fes_docs.sql.flyway.
version_key`: ``2.4.0`` is ``2.4``, ``2.10`` is above ``2.9``).

A versioned or undo migration at or below it that no live release lists is **history**. Flyway's own checks
still apply to it, because Flyway makes them on every run and fails on them today: names Flyway ignores,
duplicate versions, placeholders without a value, ``.sql.conf`` problems, the mixed-statement rule, and the
checksums records pin. The guide's rules do not: re-run safety, destructive or unsafe SQL in files no release
claims, dry-run idempotency and locks, an unlisted file, a name Flyway accepts but that reads like a slip.

A file that a live release lists is judged like every listed file, whatever its version: the record makes
claims about it (its ``change``, ``idempotent: true``) that a reviewer reads, so they must hold; and moving the
adoption point can never exempt a migration that a release ships. Repeatable migrations and callbacks have no
version and run again after every edit, so they are never history.

One definition: the rules, the dry run's findings and the migrations page ask :func:`history`.
"""

from __future__ import annotations

from .model import Policy
from .project import Project
from .sql.flyway import FlywayName, parse_version, version_key

#: The migration kinds that can be history: those with a version (Flyway applies a versioned one once).
_VERSIONED = ("versioned", "undo")


def adoption_point(policy: Policy) -> tuple[int, ...] | None:
    """The policy's ``adopted_at_version`` as a comparable version; None when it is unset or not a version
    (the policy schema reports that, and nothing is history meanwhile: a broken value exempts nothing)."""
    text = policy.adopted_at_version
    parsed = parse_version(text) if text is not None else None
    return version_key(parsed) if parsed is not None else None


def before_adoption(point: tuple[int, ...] | None, name: FlywayName) -> bool:
    """Whether a migration of this name is at or below the adoption point (claimed or not)."""
    return (
        point is not None
        and name.kind in _VERSIONED
        and name.version is not None
        and version_key(name.version) <= point
    )


def history(project: Project) -> frozenset[str]:
    """The files of the migrations folder (relative to it) that are history: at or below the adoption point and
    listed by no live (non-cancelled) release."""
    point = adoption_point(project.policy)
    if point is None:
        return frozenset()
    index = project.migrations
    return frozenset(
        name
        for name, mf in index.files.items()
        if before_adoption(point, mf.name) and not any(not c.release.cancelled for c in index.claims.get(name, ()))
    )
