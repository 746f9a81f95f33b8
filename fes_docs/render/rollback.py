"""The rollback page of one release: what the on-call person does first, second and never (§5, §6).

It opens with the property lines to paste (the guide's first response is disabling flags), so the
page is useful at 3 a.m. without reading anything else.
"""

from __future__ import annotations

from ..model import Release
from .blocks import disable_lines, document, history_query, page, table
from .context import Site
from .escape import md_escape
from .runbook import UP, breadcrumbs, contact, flag_names, notes

# The two people the on-call reader needs first; other roles follow in the policy's order.
FIRST = (("rollback", "Rollback owner"), ("on_call", "On-call escalation"))


def rollback(site: Site, rel: Release) -> str:
    return document(
        f"Rollback: {site.title(rel)}",
        breadcrumbs(rel, "rollback"),
        _warning(site, rel),
        first_response(rel),
        artifact(rel),
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


def first_response(rel: Release) -> str:
    names = flag_names(rel)
    if not names:
        return page(
            "## 1. First response: disable the feature flags (§5.1)",
            "This release has no feature flags. Go on with the artifact.",
        )
    return page(
        "## 1. First response: disable the feature flags (§5.1)",
        "Set these properties (one line per flag of this release) and reload the configuration:",
        disable_lines(names),
    )


def artifact(rel: Release) -> str:
    title = "## 2. Re-deploy the last known good artifact (§5.1.6)"
    if not rel.last_known_good:
        return page(
            title,
            '!!! danger "No last known good artifact recorded"\n\n'
            "    Set `artifact.last_known_good` in the record before the deployment window.\n",
        )
    current = f" (this release deploys {md_escape(rel.artifact_version)})" if rel.artifact_version else ""
    return page(
        title, f"If disabling the flags is not enough, re-deploy **{md_escape(rel.last_known_good)}**{current}."
    )


def _snapshot(rel: Release) -> str | None:
    if rel.snapshot:
        return rel.snapshot
    item = rel.checklist_item("db-backup")
    return item.evidence if item is not None and item.done and item.evidence else None


def database(site: Site, rel: Release) -> str:
    title = "## 3. Database (§5.2)"
    files = [m.file for m in rel.migrations if m.file]
    never = (
        '!!! danger "Do not drop the new tables or columns (§5.2.2)"\n\n'
        "    Not in an emergency, not by hand, not by an undo migration: "
        + (
            "the schema from " + ", ".join(md_escape(f) for f in files) + " stays."
            if files
            else "whatever this release created stays."
        )
        + "\n"
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
    return page(title, text, notes(site.raw(rel, "rollback", "notes")), never)


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
