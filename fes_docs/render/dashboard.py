"""The sign-off dashboard: every release on one page, grouped by phase, linked to its runbook.

The dashboard is the way into the per-release pages, which stay out of the sidebar: a site with a
thousand releases keeps a five-entry nav (see docs/zensical-and-other-generators.md).
"""

from __future__ import annotations

from itertools import groupby

from ..model import Release
from .blocks import document, table
from .context import SIGN_TEXT, Site
from .escape import md_escape
from .findings import counts


def phase_title(phase: int | None) -> str:
    return f"Phase {phase}" if phase is not None else "Without a phase"


def dashboard(site: Site) -> str:
    roles = site.project.policy.owner_roles
    blocks = [_summary(site)]
    unloaded = site.unloaded_files()
    if unloaded:
        n = len(unloaded)
        blocks.append(
            f'!!! danger "{n} release file{"s" * (n != 1)} could not be read"\n\n'
            + "\n".join(f"    - {md_escape(f)}" for f in unloaded)
            + "\n\n    They have no pages; see [project findings](problems.md).\n"
        )
    legend = ", ".join(SIGN_TEXT.values())
    blocks.append(
        f"Sign-offs per owner role (§8): {legend} (sign-offs are due from status approved on; "
        "cancelled releases need none). Checklist: items done of the policy's checklist (§3)."
    )
    headers = ["Release", "Status", "Date", *(md_escape(r) for r in roles), "Checklist", "Blocking / warnings"]
    for phase, group in groupby(site.releases, key=lambda r: r.phase):
        rows = [_row(site, rel, roles) for rel in group]
        blocks += [f"## {phase_title(phase)}", table(headers, rows)]
    if not site.releases:
        blocks.append("No release records yet: add one under the releases folder.")
    # `hide: toc` (mkdocs-material, Zensical): the wide table needs the room more than the page needs a toc.
    return document("Releases", *blocks, hide=("toc",))


def _summary(site: Site) -> str:
    errors, warnings, waived = counts(site.result.findings)
    n = len(site.releases)
    text = (
        f"{n} release{'s' * (n != 1)} · {errors} blocking finding{'s' * (errors != 1)} · "
        f"{warnings} warning{'s' * (warnings != 1)} · {waived} waived."
    )
    if site.unplaced:
        text += f" {len(site.unplaced)} of them concern no single release: see [project findings](problems.md)."
    return text


def _row(site: Site, rel: Release, roles: list[str]) -> list[str]:
    slug = site.slug(rel)
    done, total = site.checklist_progress(rel)
    blocking = site.blocking(rel)
    cells = [
        f"[{md_escape(site.title(rel))}]({slug}/index.md) ([rollback]({slug}/rollback.md))",
        md_escape(rel.status or "?"),
        md_escape((rel.window_start or "").split("T")[0]),
    ]
    for role in roles:
        cells.append(SIGN_TEXT[site.signoff_state(rel, role)])
    cells += [
        f"{done}/{total}",
        (f"**{blocking}**" if blocking else "0") + f" / {site.warnings(rel)}",
    ]
    return cells
