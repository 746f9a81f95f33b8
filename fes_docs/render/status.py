"""What a release's pages must say before anything else: is this release still the one to act on?

Each runbook and rollback page opens with :func:`status_notice`: current, superseded by a later released
release, already rolled back (when, the incident, the re-attempt), or never deployed. The rollback page's
flag lines come from :func:`flag_plan`: only the flags this release raises, and never one a later released
release owns now. :func:`created_objects` is what "do not drop" may name: the tables and columns this
release created, not a baseline's pre-existing schema and not what the release itself drops.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Release
from ..sql.flyway import at_or_below_baseline, parse_name
from .context import Site
from .escape import link, md_escape

UP = "../"


def _rollback_link(site: Site, rel: Release, label: str | None = None) -> str:
    return link(label or f"{rel.key}'s rollback page", f"{UP}{site.slug(rel)}/rollback.md")


def _page_link(site: Site, rel: Release) -> str:
    return link(rel.key, f"{UP}{site.slug(rel)}/index.md")


def _box(kind: str, title: str, *lines: str) -> str:
    body = "\n\n".join(f"    {line}" for line in lines if line)
    return f'!!! {kind} "{title}"\n\n{body}\n'


def status_notice(site: Site, rel: Release) -> str:
    """One admonition: the release's status and what it means now."""
    status = rel.status or "without a status"
    current = site.current()
    now = site.superseded_by(rel)
    if rel.status == "released" and now is not None:
        return _box(
            "danger",
            f"Superseded: {md_escape(now.key)} is the release in production now",
            f"This release ({md_escape(rel.key)}) went out, but {_page_link(site, now)} was released after it.",
            f"Do not roll back to this release's last known good — use {_rollback_link(site, now)}.",
        )
    if rel.status == "released":
        return _box("success", "Current: this release is in production", "This page is the one to act on.")
    if rel.status == "rolled-back":
        return _box("danger", "Already rolled back", *_rolled_back(site, rel))
    if rel.cancelled:
        return _box("info", "Cancelled: never deployed", "Nothing to roll back.")
    lines = [f"Status **{md_escape(status)}**: " + _not_yet(rel)]
    for target in [t for t in [site.by_key(rel.reattempt_of)] if t is not None]:
        lines.append(f"It re-attempts {_page_link(site, target)}, which was rolled back.")
    if current is not None:
        lines.append(
            f"In production now: {_page_link(site, current)} ({_rollback_link(site, current, 'its rollback page')})."
        )
    kind = "warning" if rel.status == "in-progress" else "info"
    return _box(kind, "Not deployed yet" if rel.status != "in-progress" else "Being deployed now", *lines)


def _not_yet(rel: Release) -> str:
    if rel.status == "in-progress":
        return "the deployment window is open; this page applies now."
    if rel.status == "approved":
        return "approved, not deployed yet; this page applies once the window starts."
    return "never deployed; this page is the plan."


def _rolled_back(site: Site, rel: Release) -> list[str]:
    when = [str(v) for inc in rel.incidents if (v := site.raw(rel, *inc.path, "date")) is not None]
    ids = [md_escape(inc.id) for inc in rel.incidents if inc.id]
    first = "This release was rolled back" + (f" on {md_escape(', '.join(when))}" if when else "")
    first += f" (incident {', '.join(ids)})." if ids else "."
    lines = [first, "Do not roll back to its last known good, and do not switch off its flags from this page."]
    again = site.reattempts(rel)
    if again:
        lines.append("Re-attempted as " + ", ".join(_page_link(site, r) for r in again) + ".")
    current = site.current()
    if current is not None:
        lines.append(f"In production now: {_page_link(site, current)} — use {_rollback_link(site, current)}.")
    return lines


@dataclass(frozen=True)
class FlagPlan:
    off: list[str]  # flags the rollback switches off
    kept: list[tuple[str, Release]]  # flags a later released release owns now: left alone
    shared: list[tuple[str, list[Release], Release | None]]  # switched off, but raised elsewhere too


def flag_plan(site: Site, rel: Release) -> FlagPlan:
    off: list[str] = []
    kept: list[tuple[str, Release]] = []
    shared: list[tuple[str, list[Release], Release | None]] = []
    for flag in rel.flags:
        if not flag.name or not flag.enabled or flag.name in off:
            continue
        owner = site.flag_owner(flag.name)  # a later released raiser owns it now: the last one does
        if owner is not None and site.went_out_after(owner, rel):
            kept.append((flag.name, owner))
            continue
        off.append(flag.name)
        others = [r for r in site.flag_raisers(flag.name) if r is not rel]
        if others:
            shared.append((flag.name, others, site.flag_owner(flag.name)))
    return FlagPlan(off, kept, shared)


def flag_notes(site: Site, rel: Release, plan: FlagPlan) -> list[str]:
    notes = []
    for name, later in plan.kept:
        notes.append(
            f"**Leave {md_escape(name)} as it is**: {_page_link(site, later)}, released later, raises it too and "
            f"owns it now; switching it off would switch off {md_escape(later.key)}. Use {_rollback_link(site, later)}."
        )
    for name, others, owner in plan.shared:
        who = (
            "this release"
            if owner is rel
            else (_page_link(site, owner) if owner is not None else "no released release")
        )
        notes.append(
            f"{md_escape(name)} is raised by {len(others) + 1} releases (also "
            + ", ".join(_page_link(site, r) for r in others)
            + f"); its current owner is {who}."
        )
    return notes


def _pre_existing(site: Site, name: str) -> bool:
    """A migration that describes schema that was there before Flyway: at or below Flyway's baseline
    (``flyway baseline``), or one that says it is a baseline by its whole description (``V1__baseline.sql``,
    ``V1__legacy_baseline.sql``, Flyway's own naming for it). A description that merely holds the word
    (``V10__add_baseline_scores.sql``) once counted too, and emptied the "do not drop" box of a release
    that created tables."""
    index = site.project.migrations  # Flyway's settings as the dry run reads them: the policy over flyway.conf
    if at_or_below_baseline(index.version_of(name), index.flyway.baseline_version):
        return True
    description = parse_name(name.rsplit("/", 1)[-1]).description or ""
    return description.lower().replace(" ", "_").split("_")[-1] == "baseline"


def created_objects(site: Site, rel: Release) -> list[str]:
    """Tables (and columns added to other tables) this release's migrations created and do not drop."""
    index = site.project.migrations
    created: list[tuple[str, str]] = []
    dropped: set[tuple[str, str]] = set()
    for m in rel.migrations:
        a = index.analysis(m.file) if m.file else None
        if a is None or not m.file or _pre_existing(site, m.file):
            continue
        for st in a.statements:
            created += [c for c in st.creates if c[0] in ("table", "column") and c not in created]
            dropped |= {d for d in st.drops if d[0] in ("table", "column")}
    tables = {name for kind, name in created if kind == "table" and ("table", name) not in dropped}
    out = []
    for kind, name in created:
        if (kind, name) in dropped or (kind == "column" and ("table", name.rsplit(".", 1)[0]) in dropped):
            continue
        if kind == "table":
            out.append(f"table {name}")
        elif name.rsplit(".", 1)[0] not in tables:
            out.append(f"column {name}")
    return out
