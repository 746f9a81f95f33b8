"""The runbook of one release: what to do, in the guide's order, with the record's own values filled in.

Section order follows the deployment: findings first (a reviewer must see what is wrong before
anything else), then who and when, the §3 checklist, the §2 rollout steps, backfills, §7 validation,
the §6 incident playbook and the incident history.
"""

from __future__ import annotations

from typing import Any

from ..dryrun.report import lock_mode_sql, strongest_per_table
from ..model import ROLLBACK_ROLE, Release
from ..proving import proven_idempotent, read_evidence
from ..signed_content import changed_keys, signed_data
from .api_changes import api_changes
from .blocks import bullets, disable_lines, document, history_query, page, table, tasks
from .context import SIGN_TEXT, Site, rollout_text
from .escape import code_block, inline_code, link, link_or_text, md_escape
from .findings import admonitions, counts
from .people import reach
from .status import status_notice

UP = "../"


def runbook(site: Site, rel: Release) -> str:
    return document(
        site.title(rel),
        breadcrumbs(rel, "runbook"),
        status_notice(site, rel),
        findings_block(site, rel),
        header(site, rel),
        notes(site.raw(rel, "notes")),
        owners(site, rel),
        checklist(site, rel),
        api_changes(rel),
        dry_run(site, rel),
        rollout(site, rel),
        backfills(site, rel),
        validation(rel),
        playbook(site, rel),
        incidents(site, rel),
    )


def breadcrumbs(rel: Release, current: str) -> str:
    other = link("Rollback page", "rollback.md") if current == "runbook" else link("Runbook", "index.md")
    return f"{link('Dashboard', UP + 'index.md')} · {other} · {link('Rules', UP + 'rules.md')}"


def findings_block(site: Site, rel: Release) -> str:
    found = site.findings(rel)
    if not found:
        return '!!! success "No findings"\n\n    fes-docs found no problem in this record.\n'
    errors, warnings, waived = counts(found)
    summary = (
        f"**{errors} blocking error{'s' * (errors != 1)}**, {warnings} warning{'s' * (warnings != 1)}, {waived} waived."
    )
    return page(summary, admonitions(found, UP + "rules.md"))


def _value(value: object) -> str:
    return md_escape(value) if value not in (None, "") else "not set"


def header(site: Site, rel: Release) -> str:
    window = "not set"
    if rel.window_start or rel.window_end:
        window = f"{_value(rel.window_start)} → {_value(rel.window_end)}"
    artifact = _value(rel.artifact_version)
    if rel.last_known_good:
        artifact += f" (last known good: {md_escape(rel.last_known_good)})"
    rows = [
        ["Release", md_escape(rel.key)],
        ["Status", f"**{_value(rel.status)}**"],
        ["Phase", _value(rel.phase)],
        ["Window", window],
        ["Artifact", artifact],
        [
            "Owners",
            ", ".join(
                f"{md_escape(role)}: {md_escape(rel.owners[role])}" for role in roles(site, rel) if role in rel.owners
            )
            or "**none named**",
        ],
    ]
    if rel.reattempt_of:
        target = site.by_key(rel.reattempt_of)
        text = (
            link(target.key, f"{UP}{site.slug(target)}/index.md") if target is not None else md_escape(rel.reattempt_of)
        )
        rows.append(["Re-attempt of", text])
    rows.append(["Record", md_escape(rel.file)])
    return table(["Field", "Value"], rows)


def notes(value: object) -> str:
    """Free-text notes: paragraphs kept, everything else shown as typed."""
    if not isinstance(value, str) or not value.strip():
        return ""
    paragraphs = [md_escape(p) for p in value.split("\n\n") if p.strip()]
    return page("**Notes:** " + paragraphs[0], *paragraphs[1:])


def roles(site: Site, rel: Release) -> list[str]:
    policy_roles = [*site.project.policy.owner_roles, ROLLBACK_ROLE]
    return policy_roles + sorted(r for r in rel.owners if r not in policy_roles)


def contact(site: Site, person: str | None) -> str:
    """Addresses as ``mailto:`` links, pager and phone (:func:`.people.reach`)."""
    return reach(site, person)


def _since_signing(site: Site, rel: Release, digest: str) -> str:
    """What changed since a stale sign-off, from the signed version in git (:mod:`fes_docs.signed_content`)."""
    signed = signed_data(site.project.root, rel.file, digest)
    if signed is None:
        return "the signed version is not in the git history"
    keys = changed_keys(signed, rel.doc.data)
    if not keys and rel.baseline:  # the record is as signed: what changed is the baseline entries naming it
        return "baseline entries for this record (.fes-docs/baseline.yaml) count too: re-sign to accept them"
    if not keys:
        return "the covered content is the same; re-sign to refresh the digest"
    return "changed since signing: " + ", ".join(inline_code(k) for k in keys)


def owners(site: Site, rel: Release) -> str:
    rows = []
    for role in roles(site, rel):
        state = site.signoff_state(rel, role)
        cell = SIGN_TEXT[state]
        s = next((s for s in rel.signoffs if s.role == role), None)
        if s is not None:  # bound or not, say whose sign-off it is
            cell += " " + md_escape(f"by {s.by or '?'}" + (f" on {s.date}" if s.date else ""))
            if state == "stale" and s.digest:
                cell += " — " + _since_signing(site, rel, s.digest)
        person = rel.owners.get(role)
        rows.append([md_escape(role), md_escape(person) if person else "**not named**", contact(site, person), cell])
    return page("## Owners and sign-offs (§8)", table(["Role", "Owner", "Contact", "Sign-off"], rows))


def dry_run(site: Site, rel: Release) -> str:
    """What `fes-docs dry-run` proved for this release's migrations, when the checklist cites its evidence."""

    item = rel.checklist_item("flyway-dry-run")
    evidence = read_evidence(site.project, item.evidence if item else None)
    if evidence is None:
        return ""
    mine = {m.file.rsplit("/", 1)[-1] for m in rel.migrations if m.file}
    rows = []
    for m in evidence.get("migrations", []):
        if not isinstance(m, dict) or m.get("script") not in mine:
            continue
        held = [(str(x.get("table")), str(x.get("mode"))) for x in m.get("locks", []) if isinstance(x, dict)]
        locks = {f"{lock_mode_sql(mode)} {name}" for name, mode in strongest_per_table(held).items()}
        idem = {True: "yes", False: "**no**", None: "not checked"}.get(m.get("idempotent"), "?")
        rows.append(
            [
                md_escape(str(m.get("script"))),
                md_escape(str(m.get("status"))),
                idem,
                md_escape(", ".join(sorted(locks)) or "none"),
                md_escape(f"{m.get('seconds', 0)} s"),
            ]
        )
    server = "MariaDB" if "mariadb" in evidence else "PostgreSQL"  # the evidence keys its version by its server
    summary = (
        f"Evidence {md_escape(str(item.evidence if item else ''))}: {server} "
        f"{md_escape(str(evidence.get(server.lower(), '?')))}, "
        f"{'passed' if evidence.get('passed') else '**failed**'}."
    )
    return page(
        f"## Dry run on {server} (§3.2, §4.1)",
        summary,
        table(["Migration", "Applied", "Idempotent (run twice)", "Locks held", "Time"], rows)
        if rows
        else "The evidence does not cover this release's migrations.",
    )


def checklist(site: Site, rel: Release) -> str:
    done, total = site.checklist_progress(rel)
    items: list[tuple[bool, str]] = []
    for spec in site.project.policy.checklist:
        entry = rel.checklist_item(spec.id)
        if entry is None:
            items.append((False, f"{md_escape(spec.title)} — **missing from the record**"))
            continue
        text = md_escape(spec.title)
        if entry.evidence:
            text += f" — evidence: {link_or_text(entry.evidence)}"
        elif entry.done:
            text += " — no evidence recorded"
        note = site.raw(rel, *entry.path, "note")
        if isinstance(note, str) and note.strip():
            text += f" — note: {md_escape(note)}"
        items.append((entry.done is True, text))
    known = set(site.project.policy.checklist_ids)
    for entry in rel.checklist:
        if entry.id not in known:
            items.append(
                (entry.done is True, f"{md_escape(entry.id or '(no id)')} — **not a checklist item of the policy**")
            )
    return page("## Pre-deployment checklist (§3)", f"{done} of {total} done.", tasks(items))


def _migration_rows(site: Site, rel: Release) -> list[list[str]]:
    index = site.project.migrations
    proven = proven_idempotent(site.project, rel)
    rows = []
    for m in rel.migrations:
        mf = index.get(m.file)
        analysis = index.analysis(m.file)
        if mf is None:
            sql = "**file not found**"
        elif analysis is not None and analysis.error is not None:
            sql = f"**does not parse** (line {analysis.error.line})"
        else:
            sql = md_escape(index.sql_class(m.file) or "")
        checksum = index.checksum(m.file)
        idem = {True: "yes", False: "**no**", None: ""}[m.idempotent]
        if m.file in proven:
            idem = f"{idem}, proven by dry run" if idem else "proven by dry run"
        note = site.raw(rel, *m.path, "note")
        name = md_escape(m.file or "") + (f" — {md_escape(note)}" if isinstance(note, str) and note.strip() else "")
        rows.append(
            [
                md_escape(site.migration_version(m.file) or ""),
                name,
                md_escape(m.change or ""),
                sql,
                idem,
                "" if checksum is None else str(checksum),
            ]
        )
    return rows


def flag_names(rel: Release) -> list[str]:
    """The flags this release raises; one listed at 0 % everywhere is not part of it (FES204)."""
    return list(dict.fromkeys(f.name for f in rel.flags if f.name and f.enabled))


def rollout(site: Site, rel: Release) -> str:
    envs = site.project.policy.environments
    folder = site.project.policy.migrations_dir
    blocks = ["## Rollout (§2)", "Do the steps in this order; do not start a step before the previous one is done."]

    blocks.append("### 1. Apply the schema migrations (§2.1)")
    if rel.migrations:
        where = f" from {md_escape(folder)}" if folder else ""
        blocks.append(f"Flyway applies these{where} before the new code is deployed; behaviour does not change yet.")
        blocks.append(
            table(["Version", "File", "Declared change", "SQL", "Idempotent", "Checksum"], _migration_rows(site, rel))
        )
    else:
        blocks.append("This release has no migrations.")

    blocks.append(f"### 2. Deploy {_value(rel.artifact_version)} with the flags off (§2.2)")
    names = flag_names(rel)
    if names:
        blocks.append("Every flag of this release stays off while the new artifact goes out:")
        blocks.append(disable_lines(names))
    else:
        blocks.append("This release has no feature flags: its code paths are live once deployed.")

    for n, env in enumerate(envs, start=3):
        production = env == envs[-1]
        title = f"### {n}. Enable in {md_escape(env)}" + (" (incremental)" if production else "")
        raised = [f for f in rel.flags if f.name and rollout_text(f, env, production) != "off"]
        if not raised:
            blocks += [title, f"No flag is raised in {md_escape(env)} by this release."]
        elif production:
            rows = [
                [md_escape(f.name), str(i), f"{pct}\u00a0%"]
                for f in raised
                for i, pct in enumerate(f.steps(env), start=1)
            ]
            blocks += [
                title,
                "Raise one step at a time; before the next step, the post-deploy validation "
                "below must be green at the current one.",
                table(["Flag", "Step", "Target"], rows),
            ]
        else:
            rows = [[md_escape(f.name), rollout_text(f, env, False)] for f in raised]
            blocks += [title, table(["Flag", "Enabled for"], rows)]
    return page(*blocks)


def backfills(site: Site, rel: Release) -> str:
    if not rel.backfills:
        return ""
    blocks = ["## Backfills (§4.4, §4.5)"]
    for b in rel.backfills:
        blocks.append(f"### {md_escape(b.name or '(unnamed backfill)')}")
        yes_no = {True: "yes", False: "**no**", None: "not set"}
        blocks.append(
            table(
                ["Repeatable", "Batch size", "Estimated rows", "Dry run"],
                [[yes_no[b.repeatable], _value(b.batch_size), _value(b.estimated_rows), yes_no[b.dry_run]]],
            )
        )
        if b.sql:
            blocks.append(f"Script: {md_escape(b.sql)}")
        if b.dry_run_sql and b.dry_run is not True:
            blocks.append(
                "This backfill has no dry-run mode (`dry_run` is not true): the count below only says how many "
                "rows it would touch; run it on a production-sized copy first."
            )
            blocks.append(code_block(b.dry_run_sql, "sql"))
        elif b.dry_run_sql:
            blocks += [
                "Dry run first (counts the rows still to do; run again until it reaches 0):",
                code_block(b.dry_run_sql, "sql"),
            ]
        command = site.raw(rel, *b.path, "command")
        if isinstance(command, str) and command.strip():
            blocks += ["Run it with:", code_block(command.strip(), "shell")]
        note = site.raw(rel, *b.path, "note")
        if isinstance(note, str) and note.strip():
            blocks.append(f"Note: {md_escape(note)}")
    return page(*blocks)


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [] if value is None else [str(value)]


def slo_text(validation: dict[str, Any]) -> str | None:
    slo = validation.get("slo")
    if not isinstance(slo, dict):
        return None
    parts = []
    if slo.get("error_rate_max") is not None:
        parts.append(f"error rate at most {md_escape(slo['error_rate_max'])}")
    if slo.get("p95_latency_ms_max") is not None:
        parts.append(f"p95 latency at most {md_escape(slo['p95_latency_ms_max'])} ms")
    return " and ".join(parts) or None


def validation(rel: Release) -> str:
    v = rel.validation
    items: list[tuple[bool, str]] = []
    health = _strings(v.get("health"))
    items.append(
        (
            False,
            "Health endpoints green (§7.1): "
            + (", ".join(md_escape(h) for h in health) if health else "**none listed**"),
        )
    )
    smoke = _strings(v.get("smoke"))
    items += [(False, f"Smoke test passes (§7.2): {md_escape(s)}") for s in smoke]
    if not smoke:
        items.append((False, "Core legacy flows pass smoke tests (§7.2): **none listed**"))
    items += [(False, f"Responds as expected in enabled environments (§7.3): {md_escape(e)}") for e, _ in rel.endpoints]
    slo = slo_text(v)
    items.append((False, f"Error budget and latency within range (§7.4): {slo or '**no SLO set**'}"))
    return page("## Post-deploy validation (§7)", "After each environment and each production step:", tasks(items))


def playbook(site: Site, rel: Release) -> str:
    names = flag_names(rel)
    flags = ", ".join(md_escape(n) for n in names) if names else "this release has none"
    endpoints = ", ".join(md_escape(e) for e, _ in rel.endpoints) or "none listed"
    versions = [v for m in rel.migrations if (v := site.migration_version(m.file))]
    if versions:
        expect = (
            f"this release's migrations are version{'s' * (len(versions) != 1)} "
            + ", ".join(md_escape(v) for v in versions)
            + "; each must be listed with success = true."
        )
    else:
        expect = "this release has no migrations, so the latest rows must be older than the deploy."
    slo = slo_text(rel.validation) or "the usual error budget"
    lkg = md_escape(rel.last_known_good) if rel.last_known_good else "**the last known good artifact (not set!)**"
    steps = [
        f"**Disable the newly enabled feature flags** ({flags}): see the {link('rollback page', 'rollback.md')}.",
        f"**Capture failing endpoints and representative payloads.** Endpoints of this release: {endpoints}.",
        f"**Check the migration status** in `flyway_schema_history` with the query below: {expect}",
        f"**Review application logs and error rates** against the target: {slo}.",
        f"**Execute the rollback artifact** (re-deploy {lkg}) if service stability is affected.",
        "**Open post-incident action items before a re-attempt**, and record them under incidents in the "
        "re-attempt's record (§6.6).",
    ]
    listing = "\n".join(f"{i}. {text}" for i, text in enumerate(steps, start=1)) + "\n"
    return page(
        "## Incident playbook (§6)", "If the deployment causes a functional regression:", listing, history_query()
    )


def incidents(site: Site, rel: Release) -> str:
    if not rel.incidents:
        return ""
    blocks = ["## Incidents (§6.6)"]
    for inc in rel.incidents:
        blocks.append(f"### {md_escape(inc.id or '(incident without id)')}")
        facts = []
        for key in ("date", "summary"):
            value = site.raw(rel, *inc.path, key)
            if value is not None:
                facts.append(f"{key.capitalize()}: {md_escape(value)}")
        if facts:
            blocks.append(bullets(facts))
        if inc.actions:
            items = []
            for a in inc.actions:
                owner = site.raw(rel, *a.path, "owner")
                text = md_escape(a.title or "(untitled action)") + (f" — {md_escape(owner)}" if owner else "")
                items.append((a.status == "done", f"{text} ({md_escape(a.status or 'no status')})"))
            blocks.append(tasks(items))
        else:
            blocks.append("No action items recorded.")
    return page(*blocks)
