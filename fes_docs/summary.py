"""Derived, reader-facing facts about a project (used by JSON output and by the pages)."""

from __future__ import annotations

from typing import Any

from .project import Project


def migrations_json(project: Project) -> list[dict[str, Any]]:
    """Every migration file with its Flyway version, checksum, claiming release and classes."""
    index = project.migrations
    out = []
    for name, mf in sorted(index.files.items()):
        claims = index.claims.get(name, [])
        analysis = index.analysis(name)
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
            }
        )
    return out
