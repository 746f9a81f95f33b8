"""Derived, reader-facing facts about a project (used by JSON output and by the pages)."""

from __future__ import annotations

from typing import Any

from .legacy import history
from .project import Project


def migrations_json(project: Project) -> list[dict[str, Any]]:
    """Every migration file with its Flyway version, checksum, claiming release and classes; ``history`` marks a
    file applied before fes-docs (:mod:`fes_docs.legacy`), whose SQL is not analysed: no rule reads it."""
    index = project.migrations
    past = history(project)
    out = []
    for name, mf in sorted(index.files.items()):
        claims = index.claims.get(name, [])
        analysis = None if name in past else index.analysis(name)
        out.append(
            {
                "file": index.file_label(name),
                "type": mf.name.kind,
                "version": mf.name.version_text,
                "description": mf.name.description,
                "checksum": mf.checksum,
                "releases": [c.release.key for c in claims],
                "declared_change": claims[0].ref.change if claims else None,
                "sql_class": analysis.klass if analysis and analysis.error is None else None,
                "history": name in past,
            }
        )
    return out
