"""The rollback page of one release: what the on-call person does first, second and never (§5, §6).

It opens with the property lines to paste (the guide's first response is disabling flags), so the
page is useful at 3 a.m. without reading anything else.
"""

from __future__ import annotations

import shlex

from ..model import Release
from .blocks import disable_lines, document, history_query, page, table
from .context import Site
from .escape import code_block, code_line, md_escape
from .people import contact, reach
from .runbook import UP, breadcrumbs, notes
from .status import created_objects, flag_notes, flag_plan, status_notice

# The two people the on-call reader needs first; other roles follow in the policy's order.
FIRST = (("rollback", "Rollback owner"), ("on_call", "On-call escalation"))


def rollback(site: Site, rel: Release) -> str:
    return document(
        f"Rollback: {site.title(rel)}",
        breadcrumbs(rel, "rollback"),
        status_notice(site, rel),
        _warning(site, rel),
        on_call(site, rel),
        first_response(site, rel),
        artifact(site, rel),
        database(site, rel),
        who(site, rel),
        "## Check the migration status (§6.3)",
        history_query(),
    )


def _warning(site: Site, rel: Release) -> str:
    blocking = site.blocking(rel)
    if not blocking:
        return ""
    return (
        f'!!! danger "This record has {blocking} blocking finding{"s" * (blocking != 1)}"\n\n'
        f"    Check the [runbook](index.md) before relying on this page.\n"
    )


def on_call(site: Site, rel: Release) -> str:
    """Who to call, on the first screen: the on-call escalation and the rollback owner, with pager and phone."""
    lines = []
    for role, label in FIRST[::-1]:
        person = rel.owners.get(role)
        how = reach(site, person)
        lines.append(f"**{label}:** {md_escape(person) if person else '**not named**'}" + (f" — {how}" if how else ""))
    return "  \n".join(lines)


def _commands(template: str, key: str, values: list[str]) -> str:
    """The policy's command template filled in, one line per value: shown to copy, never run.

    Each value is one shell word (:func:`shlex.quote`: ``4.3.0`` stays as it is): the template is the
    policy's, but a value is a record's, and ``last_known_good: "4.3.0; curl … | sh"`` would otherwise be
    a second command in what the on-call engineer pastes at 2 a.m."""
    return code_block("\n".join(code_line(template.replace(key, shlex.quote(v))) for v in values), "shell")


def first_response(site: Site, rel: Release) -> str:
    title = "## 1. First response: disable the feature flags (§5.1)"
    plan = flag_plan(site, rel)
    notes_ = flag_notes(site, rel, plan)
    if not plan.off:
        text = (
            "This release switches no flag off from this page. Go on with the artifact."
            if notes_
            else "This release has no feature flags. Go on with the artifact."
        )
        return page(title, *notes_, text)
    ops = site.project.policy.operations
    if ops.flag_off:
        how = [
            "Run (one command per flag of this release; fes-docs shows it, it never runs it):",
            _commands(ops.flag_off, "{flag}", plan.off),
            "The properties these commands set:",
        ]
    else:
        how = [
            "Set these properties (one line per flag of this release) where the service reads its configuration "
            "in this environment, then reload it:"
        ]
    where = (
        ""
        if ops.flag_off
        else "These are the service's configuration properties (application properties, one per flag of the "
        "policy). The policy has no `operations.flag_off` command template, so this page cannot show the command."
    )
    return page(title, *how, disable_lines(plan.off), where, *notes_)


def artifact(site: Site, rel: Release) -> str:
    title = "## 2. Re-deploy the last known good artifact (§5.1.6)"
    if rel.status == "rolled-back" or (rel.status == "released" and site.superseded_by(rel) is not None):
        current = site.current()
        where = (
            f"; use [{md_escape(current.key)}'s rollback page]({UP}{site.slug(current)}/rollback.md)"
            if current is not None and current is not rel
            else ""
        )
        what = md_escape(rel.last_known_good) if rel.last_known_good else "this release's last known good"
        return page(
            title,
            f'!!! danger "Do not re-deploy {what}"\n\n    This release is not the one in production{where}.\n',
        )
    if not rel.last_known_good:
        return page(
            title,
            '!!! danger "No last known good artifact recorded"\n\n'
            "    Set `artifact.last_known_good` in the record before the deployment window.\n",
        )
    deploys = f" (this release deploys {md_escape(rel.artifact_version)})" if rel.artifact_version else ""
    deploy = site.project.policy.operations.deploy
    return page(
        title,
        f"If disabling the flags is not enough, re-deploy **{md_escape(rel.last_known_good)}**{deploys}"
        + (":" if deploy else "."),
        _commands(deploy, "{version}", [rel.last_known_good]) if deploy else "",
    )


def _snapshot(rel: Release) -> str | None:
    if rel.snapshot:
        return rel.snapshot
    item = rel.checklist_item("db-backup")
    return item.evidence if item is not None and item.done and item.evidence else None


def database(site: Site, rel: Release) -> str:
    title = "## 3. Database (§5.2)"
    created = created_objects(site, rel)
    never = (
        (
            '!!! danger "Do not drop the new tables or columns (§5.2.2)"\n\n'
            "    Not in an emergency, not by hand, not by an undo migration. What this release created stays: "
            + ", ".join(md_escape(c) for c in created)
            + ".\n"
        )
        if created
        else ""
    )
    plan = rel.rollback_database
    if plan == "forward-fix":
        text = (
            "**Plan: forward-fix** (§5.2.1). Leave this release's migrations applied: with the flags off "
            "the new schema is not used. Repair it with a new migration in a follow-up release."
        )
    elif plan == "restore-snapshot":
        snap = _snapshot(rel)
        name = f"**{md_escape(snap)}**" if snap else "**no snapshot recorded** (see the db-backup checklist item)"
        text = (
            "**Plan: restore the pre-release snapshot** (§5.2.3), only if a hard rollback is required "
            f"and the database owner agrees: {name}."
        )
    elif plan:
        text = f"**Unknown plan {md_escape(plan)}.** Prefer forward-fix (§5.2.1) until the record is fixed."
    else:
        text = "**No database plan recorded.** Prefer forward-fix (§5.2.1); a snapshot restore loses data."
    return page(title, irreversible(site, rel), text, notes(site.raw(rel, "rollback", "notes")), never)


def irreversible(site: Site, rel: Release) -> str:
    """A destructive migration cannot be undone: say so, and name the only way back."""
    index = site.project.migrations
    gone = [
        m.file
        for m in rel.migrations
        if m.file and (m.change == "destructive" or index.sql_class(m.file) == "destructive")
    ]
    if not gone:
        return ""
    snap = _snapshot(rel)
    way = (
        f"The pre-release snapshot **{md_escape(snap)}** (the db-backup evidence) is the only way back: restoring it "
        "loses everything written since, so only with the database owner."
        if snap
        else "**No pre-release snapshot is recorded** (db-backup evidence): there is no way back."
    )
    return (
        f'!!! danger "{md_escape(", ".join(gone))} cannot be undone"\n\n'
        f"    {'These migrations destroy' if len(gone) > 1 else 'This migration destroys'} data or schema: "
        "no flag, re-deploy or forward-fix brings it back. " + way + "\n"
    )


def who(site: Site, rel: Release) -> str:
    labels = dict(FIRST)
    order = [r for r, _ in FIRST] + [r for r in site.project.policy.owner_roles if r not in labels]
    rows = []
    for role in order:
        label = labels.get(role) or md_escape(f"{role.replace('_', ' ').capitalize()} owner")
        person = rel.owners.get(role)
        rows.append([label, md_escape(person) if person else "**not named**", contact(site, person)])
    return page(
        "## 4. Who",
        table(["Role", "Person", "Contact"], rows),
        f"Full details in the [runbook](index.md); all releases on the [dashboard]({UP}index.md).",
    )
