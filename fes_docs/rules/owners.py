"""§8 ownership and §3 pre-deployment checklist."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import did_you_mean
from ..model import ROLLBACK_ROLE, Release
from ..project import Project
from . import Hit, release_rule
from .lists import known_and_once

EVIDENCE_REQUIRED = ("db-backup", "flyway-dry-run")


@release_rule("FES101", "Every owner role is named", "§8, §3.5", hint="name a person for each role under `owners:`")
def owners_named(project: Project, rel: Release) -> Iterator[Hit]:
    """Every owner role of the policy, plus the rollback owner (§3.5), names a person."""
    raw = rel.doc.data.get("owners") if isinstance(rel.doc.data, dict) else None
    for role in [*project.policy.owner_roles, ROLLBACK_ROLE]:
        if role in rel.owners:
            continue
        if isinstance(raw, dict) and role in raw:  # named, but blank or not a name
            yield Hit(rel.loc("owners", role), f"the {role} owner is blank", hint=f"write a name after `{role}:`")
        else:
            yield Hit(
                rel.missing_loc("owners"),
                f"no {role} owner named",
                hint=f"add `{role}: <name>` under owners",
                subject=role,
            )


@release_rule(
    "FES102", "Checklist complete", "§3", hint="list every checklist id of the policy, with `done: true|false`"
)
def checklist_present(project: Project, rel: Release) -> Iterator[Hit]:
    """Every checklist id of the policy is present in the release, at any status."""
    ids = {c.id for c in rel.checklist}
    for spec in project.policy.checklist:
        if spec.id not in ids:
            yield Hit(
                rel.missing_loc("checklist"),
                f"checklist item {spec.id!r} ({spec.title}) is missing",
                hint=f"add `- {{id: {spec.id}, done: false}}`",
                subject=f"id={spec.id}",
            )


@release_rule("FES103", "Known checklist ids", "§3", hint="use an id from the policy's checklist")
def checklist_known(project: Project, rel: Release) -> Iterator[Hit]:
    """A checklist entry names a policy item, once; an unknown id is usually a typo that hides a missing item."""
    yield from known_and_once(
        ((item.id, (*item.path, "id")) for item in rel.checklist),
        rel.loc,
        project.policy.checklist_ids,
        "checklist id",
        "checklist item {name} is listed twice",
    )


@release_rule(
    "FES104", "Checklist done before approval", "§3", hint="finish the item and set `done: true`, with evidence"
)
def checklist_done(project: Project, rel: Release) -> Iterator[Hit]:
    """From `approved` on every checklist item is done (an error); before that an open item is a warning."""
    titles = {c.id: c.title for c in project.policy.checklist}
    for item in rel.checklist:
        if item.id in titles and item.done is False:
            msg = f"checklist item {item.id!r} ({titles[item.id]}) is not done"
            if rel.from_approved:
                yield Hit(rel.loc(*item.path, "done"), f"{msg} but the release is {rel.status}")
            else:
                yield Hit(rel.loc(*item.path, "done"), msg, severity="warning")


@release_rule(
    "FES105",
    "Evidence for backup and dry run",
    "§3.1, §3.2",
    hint="add `evidence:` (snapshot name, CI run URL or a dry-run evidence file)",
)
def checklist_evidence(project: Project, rel: Release) -> Iterator[Hit]:
    """`db-backup` and `flyway-dry-run` need `evidence` once they are done: a tick alone proves nothing."""
    for item in rel.checklist:
        if item.id in EVIDENCE_REQUIRED and item.done and not (item.evidence or "").strip():
            yield Hit(rel.loc(*item.path, "done"), f"checklist item {item.id!r} is done but has no evidence")


@release_rule(
    "FES106",
    "Owners and signers are people of the policy",
    "§8",
    hint="use a name listed under `people:` in the policy, or add the person there",
    integrity=True,
)
def known_people(project: Project, rel: Release) -> Iterator[Hit]:
    """With `people:` in the policy, every owner, every signer and everyone a `progress:` entry says deployed
    is listed there: a typo is nobody to call, and a deploy by nobody known is no deploy."""
    people = project.policy.people
    if not people:
        return
    for role, name in rel.owners.items():
        if name not in people:
            yield Hit(
                rel.loc("owners", role),
                f"the {role} owner {name!r} is not listed under people: in the policy{did_you_mean(name, people)}",
            )
    for s in rel.signoffs:
        if s.by is not None and s.by not in people:
            yield Hit(
                rel.loc(*s.path, "by"),
                f"{s.role or '?'} sign-off by {s.by!r}, who is not listed under people: in the policy"
                + did_you_mean(s.by, people),
            )
    for p in rel.progress:
        if p.by is not None and p.by not in people:
            yield Hit(
                rel.loc(*p.path, "by"),
                f"progress of {p.environment or '?'} by {p.by!r}, who is not listed under people: in the policy"
                + did_you_mean(p.by, people),
            )
