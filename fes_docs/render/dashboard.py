"""The sign-off dashboard: every release in one table, in window order, linked to its runbook and rollback page.

Phase is a column (the table reads top to bottom as the releases deploy); the release in or next to
its window is marked and highlighted; each status is a badge in mkdocs-material's own tag style
(``md-tag``, coloured by ``fes-docs.css``: no JavaScript). Above the table, the timeline
(:mod:`.timeline`). The dashboard and the phase pages are the way into the per-release pages; the
nav holds them in one collapsed section per phase (see :func:`fes_docs.render.site_nav`).
"""

from __future__ import annotations

import html

from ..findings import Summary
from ..model import STATUSES, Release
from .blocks import document, table
from .context import SIGN_TEXT, Site
from .escape import md_escape
from .findings import counts
from .timeline import timeline


def phase_title(phase: int | None) -> str:
    return f"Phase {phase}" if phase is not None else "Without a phase"


def status_badge(status: str | None) -> str:
    """The status as a coloured badge; the class names only a known status, the text is escaped."""
    known = status if status in STATUSES else "unknown"
    return f'<span class="md-tag fes-status fes-status--{known}">{html.escape(status or "?", quote=True)}</span>'


HEADERS = ["Window", "Release", "Phase", "Status", "Sign-offs", "Checklist", "Findings"]
DASHBOARD_MARKER = '<div class="fes-dashboard" hidden></div>'


def dashboard(site: Site) -> str:
    roles = site.project.policy.owner_roles
    blocks = [_summary(site)]
    unloaded = site.unloaded_files()
    if unloaded:
        n = len(unloaded)
        blocks.append(
            f'!!! danger "{n} release file{"s" * (n != 1)} could not be read"\n\n'
            + "\n".join(f"    - {md_escape(f)}" for f in unloaded)
            + "\n\n    They have no runbook; see [project findings](problems.md).\n"
        )
    legend = ", ".join(SIGN_TEXT.values())
    current = site.next_up
    blocks.append(
        "Every release in window order. ▶ marks the release in or next to its window. "
        f"Sign-offs per owner role (§8): {legend} (sign-offs are due from status approved on; "
        "cancelled releases need none). Checklist: items done of the policy's checklist (§3)."
    )
    rows = [_row(site, rel, roles, rel is current) for rel in site.by_window]
    if rows:
        blocks += [DASHBOARD_MARKER, table(HEADERS, rows)]  # the marker: on a phone, one card per row
    else:
        blocks.append("No release records yet: add one under the releases folder.")
    pictures = timeline(site)
    if pictures:
        blocks += ["## Timeline", pictures]
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


def _window(rel: Release) -> str:
    start = rel.window_start or ""
    if "T" not in start:
        return md_escape(start)
    day, _, time = start.partition("T")
    end = (rel.window_end or "").partition("T")[2]
    span = time[:5] + (f"–{end[:5]}" if end else "")
    return f"{md_escape(day)}<br>{md_escape(span)}"


def _row(site: Site, rel: Release, roles: list[str], current: bool) -> list[str]:
    slug = site.slug(rel)
    done, total = site.checklist_progress(rel)
    summary = Summary.of(site.findings(rel))
    marker = ""
    if current:
        label = "in its window" if rel.status == "in-progress" else "next"
        marker = f'<span class="fes-current">▶ {label}</span><br>'
    release = (
        f"{marker}[{md_escape(site.title(rel))}]({slug}/index.md)<br>"
        f"[Rollback]({slug}/rollback.md){{ .md-button .fes-rollback }}"
    )
    signoffs = "<br>".join(f"{md_escape(role)}: {SIGN_TEXT[site.signoff_state(rel, role)]}" for role in roles)
    blocking = summary.errors
    findings = (
        f"**{blocking} blocking**" if blocking else "0 blocking"
    ) + f"<br>{summary.warnings} warning{'s' * (summary.warnings != 1)}<br>{summary.waived} waived"
    return [
        _window(rel),
        release,
        md_escape("—" if rel.phase is None else str(rel.phase)),
        status_badge(rel.status),
        signoffs,
        f"{done}/{total}",
        findings,
    ]
