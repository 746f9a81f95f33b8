"""§5 rollback strategy and §6 incident playbook."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Release, deploy_order
from ..project import Project
from . import Hit, project_rule, release_rule
from .migrations import effective_class


@release_rule(
    "FES401",
    "Last known good artifact",
    "§5.1.6, §6.5",
    hint="set `artifact.last_known_good` to the version to re-deploy",
)
def last_known_good(project: Project, rel: Release) -> Iterator[Hit]:
    """From `approved` on, `artifact.last_known_good` names what to re-deploy if the flags are not enough."""
    if rel.from_approved and not rel.last_known_good:
        yield Hit(rel.missing_loc("artifact"), f"no artifact.last_known_good for a release that is {rel.status}")


@release_rule(
    "FES402",
    "Database rollback plan",
    "§5.2.1-5.2.3",
    hint="set `rollback.database: forward-fix` (or restore-snapshot with a db-backup)",
)
def database_plan(project: Project, rel: Release) -> Iterator[Hit]:
    """From `approved` on, `rollback.database` says forward-fix or restore-snapshot."""
    if rel.from_approved and not rel.rollback_database:
        yield Hit(rel.missing_loc("rollback"), f"no rollback.database plan for a release that is {rel.status}")


@release_rule(
    "FES403",
    "Snapshot restore needs the backup",
    "§5.2.3, §3.1",
    hint="record the snapshot as evidence of the db-backup checklist item",
)
def restore_needs_backup(project: Project, rel: Release) -> Iterator[Hit]:
    """`restore-snapshot` is only a plan if the `db-backup` item is done with evidence naming the snapshot."""
    if rel.rollback_database != "restore-snapshot":
        return
    item = rel.checklist_item("db-backup")
    if item is None or not item.done or not (item.evidence or "").strip():
        yield Hit(
            rel.loc("rollback", "database"), "restore-snapshot is planned but db-backup is not done with evidence"
        )


@release_rule(
    "FES404",
    "Prefer forward-fix for additive migrations",
    "§5.2.1",
    "warning",
    hint="use `rollback.database: forward-fix`: additive changes are left in place",
)
def prefer_forward_fix(project: Project, rel: Release) -> Iterator[Hit]:
    """Restoring a snapshot to undo purely additive migrations throws away data for nothing."""
    if rel.rollback_database != "restore-snapshot" or not rel.migrations:
        return

    if all(m.change == "additive" and effective_class(project, m) in (None, "additive") for m in rel.migrations):
        yield Hit(
            rel.loc("rollback", "database"),
            "restore-snapshot planned although every migration of this release is additive",
        )


@release_rule(
    "FES501",
    "Re-attempt after closed incident actions",
    "§6.6",
    hint="record the incident and close its action items before re-attempting",
)
def reattempt_actions(project: Project, rel: Release) -> Iterator[Hit]:
    """A release with `reattempt_of` carries an incident, and every action item of its incidents is done."""
    if rel.reattempt_of is None:
        return
    if not rel.incidents:
        yield Hit(rel.loc("reattempt_of"), f"re-attempt of {rel.reattempt_of} without an incident record")
        return
    for inc in rel.incidents:
        if not inc.actions:
            yield Hit(rel.loc(*inc.path), f"incident {inc.id} lists no action items")
        for action in inc.actions:
            if action.status != "done":
                yield Hit(
                    rel.loc(*action.path, "status"),
                    f"incident {inc.id}: action {action.title!r} is {action.status or 'not done'}",
                )


@project_rule("FES502", "Re-attempt refers to a release", "§6.6", hint="use the id of an existing release")
def reattempt_target(project: Project) -> Iterator[Hit]:
    """`reattempt_of` names a release in this project, and one that went out and was rolled back."""
    ids = project.by_id()
    for rel in project.releases:
        if rel.reattempt_of is None or rel.cancelled:
            continue
        target = ids.get(rel.reattempt_of)
        if target is None:
            yield Hit(rel.loc("reattempt_of"), f"reattempt_of {rel.reattempt_of!r}: no such release", release=rel.key)
        elif target is rel:
            yield Hit(rel.loc("reattempt_of"), "a release cannot re-attempt itself", release=rel.key)
        elif target.status not in ("rolled-back", "cancelled"):
            yield Hit(
                rel.loc("reattempt_of"),
                f"re-attempts {target.key}, which is {target.status}, not rolled-back",
                severity="warning",
                release=rel.key,
            )


@release_rule(
    "FES503",
    "Rolled-back releases record the incident",
    "§6.6",
    "warning",
    hint="add `incidents:` with the action items opened after the rollback",
)
def rolled_back_incident(project: Project, rel: Release) -> Iterator[Hit]:
    """A rolled-back release carries its incident and post-incident action items."""
    if rel.status == "rolled-back" and not rel.incidents:
        yield Hit(rel.loc("status"), "rolled-back release without an incident record")


_PENDING = ("approved", "in-progress")
_RANK_IN_PROGRESS = 3  # model._RANK["in-progress"]


@project_rule(
    "FES405",
    "The last known good was deployed",
    "§5.1.6",
    "warning",
    hint="use the `artifact.version` of the release that went out before this one",
)
def last_known_good_released(project: Project) -> Iterator[Hit]:
    """`artifact.last_known_good` is the version of an earlier released release, when there is one.

    A release not yet deploying may also name the version of an earlier one that is approved or in progress:
    it goes out first. Anything else is a version no record says was ever good in production.
    """
    # One walk along the deploy order, keeping what went out before each release: asking per record would
    # sort every record once per record (quadratic: minutes at 10,000 records).
    released: dict[str, None] = {}  # in deploy order, each version once (the message lists them so)
    pending: set[str] = set()
    for rel in deploy_order(project.releases):
        lkg = rel.last_known_good
        if lkg and released and lkg not in released and (rel.rank >= _RANK_IN_PROGRESS or lkg not in pending):
            yield Hit(
                rel.loc("artifact", "last_known_good"),
                f"last known good {lkg} is not the version of an earlier released release "
                f"(released before this one: {', '.join(released)})",
                release=rel.key,
            )
        if rel.artifact_version:
            if rel.status == "released":
                released.setdefault(rel.artifact_version)
            elif rel.status in _PENDING:
                pending.add(rel.artifact_version)
