"""The way into the per-release pages: one page per phase, the site's nav, and a page for a record that
could not be read.

**The nav.** :func:`nav` is the section the plugin puts into ``mkdocs.yml``'s nav (paths relative to
the pages folder): the overview pages, then one section per phase. A phase section opens on its phase
page (``phases/<n>/index.md``: with mkdocs-material's ``navigation.indexes`` the section title links
there) and lists each release's runbook and rollback page. mkdocs-material renders the whole nav into
every page, so a site with hundreds of releases would spend most of its build on the sidebar: past
:data:`NAV_RELEASES` releases the phase sections hold only their phase page, which links every
runbook and rollback page of the phase (reachable in two clicks, the build stays linear).

**A record that stops parsing** keeps its URL: its runbook and rollback paths show why it cannot be
read (the findings), instead of a 404 in the middle of ``mkdocs serve`` or an incident.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from itertools import groupby
from typing import Any

from ..model import Release
from .blocks import document, table
from .context import OVERVIEW_PAGES, Site, slugify
from .dashboard import phase_title, status_badge
from .escape import md_escape, one_line
from .findings import admonitions

NAV_RELEASES = 60


def phase_path(phase: int | None) -> str:
    return f"phases/{'none' if phase is None else phase}/index.md"


def _by_phase(site: Site) -> list[tuple[int | None, list[Release]]]:
    return [(phase, list(group)) for phase, group in groupby(site.releases, key=lambda r: r.phase)]


def phase_page(site: Site, phase: int | None, releases: list[Release]) -> str:
    rows = []
    for rel in releases:
        slug = site.slug(rel)
        rows.append(
            [
                md_escape((rel.window_start or "").split("T")[0]),
                f"[{md_escape(site.title(rel))}](../../{slug}/index.md)",
                status_badge(rel.status),
                f"[Rollback](../../{slug}/rollback.md){{ .md-button .fes-rollback }}",
            ]
        )
    n = len(releases)
    return document(
        phase_title(phase),
        f"[Dashboard](../../index.md) · {n} release{'s' * (n != 1)} in this phase, in window order.",
        table(["Window", "Runbook", "Status", "Rollback page"], rows),
    )


def phase_pages(site: Site) -> dict[str, str]:
    return {phase_path(phase): phase_page(site, phase, rels) for phase, rels in _by_phase(site)}


def nav(site: Site) -> list[Any]:
    """The nav section's entries, paths relative to the pages folder (MkDocs' ``nav`` format)."""
    entries: list[Any] = [{title: path} for title, path in OVERVIEW_PAGES]
    full = len(site.releases) <= NAV_RELEASES
    for phase, rels in _by_phase(site):
        children: list[Any] = [phase_path(phase)]
        if full:
            for rel in rels:
                slug = site.slug(rel)
                # the theme prints nav titles as HTML: a record's title goes in escaped, on one line
                title = html.escape(one_line(site.title(rel)), quote=True)
                children.append({title: [{"Runbook": f"{slug}/index.md"}, {"Rollback": f"{slug}/rollback.md"}]})
        entries.append({phase_title(phase): children})
    return entries


def nav_paths(entries: Any) -> set[str]:
    """Every page path a nav names."""
    if isinstance(entries, str):
        return {entries}
    if isinstance(entries, dict):
        return set().union(*(nav_paths(v) for v in entries.values()))
    if isinstance(entries, list):
        return set().union(*(nav_paths(v) for v in entries))
    return set()


def unloaded_slugs(site: Site, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """A folder for each release file that could not be read: the one it had (``previous``, what the
    live preview rendered last) or its file name's, unless a readable release holds it."""
    taken = set(site.slugs.values()) | {"phases"} | {p.rsplit(".", 1)[0] for _, p in OVERVIEW_PAGES}
    out = {}
    for file in site.unloaded_files():
        stem = file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        slug = (previous or {}).get(file) or slugify(stem)
        if slug not in taken:
            taken.add(slug)
            out[file] = slug
    return out


def unloaded_pages(site: Site, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    pages = {}
    for file, slug in unloaded_slugs(site, previous).items():
        found = [f for f in site.unplaced if f.loc.file == file]
        body = (
            f'!!! danger "This release record could not be read"\n\n'
            f"    {md_escape(file)} stopped parsing, so this page cannot show its runbook or rollback steps. "
            "Fix the file (the findings below say where); until then use the last published version of this "
            "page or the release's owners.\n"
        )
        for path in (f"{slug}/index.md", f"{slug}/rollback.md"):
            pages[path] = document(file, "[Dashboard](../index.md)", body, admonitions(found, "../rules.md"))
    return pages
