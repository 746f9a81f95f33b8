"""The adoption point: where a project's legacy history ends (``adopted_at_version``, :mod:`fes_docs.legacy`)."""

from __future__ import annotations

from collections.abc import Iterator

from ..legacy import adoption_point
from ..project import Project
from ..sql.flyway import version_key
from . import Hit, project_rule


@project_rule(
    "FES328",
    "The adoption point is in the migration history",
    "Flyway",
    hint="set adopted_at_version to the highest version applied before fes-docs (what `fes-docs init` writes), "
    "or remove it to judge every file",
    integrity=True,
)
def adoption_in_history(project: Project) -> Iterator[Hit]:
    """`adopted_at_version` is at or below the highest versioned migration in the folder: above it, a migration
    added later with a version up to it would be history the day it is written, and skip the guide's rules."""
    text = project.policy.adopted_at_version
    point = adoption_point(project.policy)
    if text is None or point is None:  # unset, or not a version: the policy schema says so (FES010)
        return
    index = project.migrations
    versions = [
        (version_key(mf.name.version), name)
        for name, mf in index.files.items()
        if mf.name.kind == "versioned" and mf.name.version is not None
    ]
    highest = max(versions, default=None)
    if highest is not None and point <= highest[0]:
        return
    folder = index.folder or "the migrations folder"
    where = f"the highest is {highest[1]}" if highest else "it holds none" if index.exists else "it does not exist"
    yield Hit(
        project.policy_loc("adopted_at_version"),
        f"adopted_at_version {text!r} is above every versioned migration in {folder} ({where}): a migration "
        "added later at or below it would skip the guide's rules",
    )
