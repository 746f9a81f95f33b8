"""Records and findings -> Markdown pages, for MkDocs or any other generator.

This package knows nothing of MkDocs: :func:`render_pages` returns ``{path: markdown}`` with paths
relative to the folder the pages live in (``index.md``, ``<release>/index.md``,
``<release>/rollback.md``, ``flags.md`` …) and links between them relative too, so the same dict can
be served by the plugin or written to disk by ``fes-docs render``. Output is a pure function of
the checked project: sorted, no clock, no absolute paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..check import Result
from ..export import dump_releases_json
from .blocks import document
from .context import OVERVIEW_PAGES, Site
from .dashboard import dashboard
from .escape import md_escape
from .overviews import flags, migrations, problems, rules
from .phases import nav, nav_paths, phase_pages, unloaded_pages
from .rollback import rollback
from .runbook import runbook
from .style import STYLESHEET, stylesheet

__all__ = [
    "EXPORT_FILE",
    "OVERVIEW_PAGES",
    "STYLESHEET",
    "is_overview",
    "md_escape",
    "nav_paths",
    "release_slugs",
    "render_config_error",
    "render_pages",
    "site_files",
    "site_nav",
    "stylesheet",
]

EXPORT_FILE = "releases.json"


def render_pages(result: Result, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every page of the site for a checked project, sorted by path.

    ``previous`` (release file -> folder, see :func:`release_slugs`) is what a live preview rendered
    last: a record that stopped parsing keeps its folder, and its pages say why it cannot be read."""
    return pages_of(Site(result), previous)


def pages_of(site: Site, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """:func:`render_pages` for a :class:`~.context.Site` already made (one per build serves every page)."""
    pages = {
        "index.md": dashboard(site),
        "flags.md": flags(site),
        "migrations.md": migrations(site),
        "rules.md": rules(),
        "problems.md": problems(site),
    }
    for rel in site.releases:
        slug = site.slug(rel)
        pages[f"{slug}/index.md"] = runbook(site, rel)
        pages[f"{slug}/rollback.md"] = rollback(site, rel)
    pages.update(phase_pages(site))
    pages.update(unloaded_pages(site, previous))
    return dict(sorted(pages.items()))


def site_files(result: Result, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """Everything that goes into the pages folder: the pages, ``releases.json`` (the same data for
    machines, see docs/releases-json.md) and the pages' stylesheet (:mod:`.style`)."""
    return files_of(Site(result), previous)


def files_of(site: Site, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """:func:`site_files` for a :class:`~.context.Site` already made."""
    files = pages_of(site, previous)
    files[EXPORT_FILE] = dump_releases_json(site.result)
    files[STYLESHEET] = stylesheet()
    return dict(sorted(files.items()))


def site_nav(result: Result) -> list[Any]:
    """The nav section's entries (MkDocs' ``nav`` format, paths relative to the pages folder): the
    overview pages, then one section per phase with its releases' runbooks and rollback pages."""
    return nav(Site(result))


def release_slugs(result: Result, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """Release file -> the folder its pages are in (what a live preview passes back as ``previous``)."""
    return slugs_of(Site(result), previous)


def slugs_of(site: Site, previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """:func:`release_slugs` for a :class:`~.context.Site` already made."""
    return {**(previous or {}), **site.slugs}


def render_config_error(message: str) -> dict[str, str]:
    """The pages when there is no project to render (no readable policy): each says why, so a live
    preview shows the problem instead of dying."""
    notice = f'!!! danger "The release records could not be loaded"\n\n    {md_escape(message)}\n'
    pages = {path: document(title, notice) for title, path in OVERVIEW_PAGES}
    pages["rules.md"] = rules()
    return dict(sorted(pages.items()))


def is_overview(path: str) -> bool:
    """True for the fixed pages that belong in a nav; per-release pages are reached from the dashboard."""
    return any(path == p for _, p in OVERVIEW_PAGES)
