"""Records and findings -> Markdown pages, for MkDocs or any other generator.

This package knows nothing of MkDocs: :func:`render_pages` returns ``{path: markdown}`` with paths
relative to the folder the pages live in (``index.md``, ``<release>/index.md``,
``<release>/rollback.md``, ``flags.md`` …) and links between them relative too, so the same dict can
be served by the plugin or written to disk by ``fes-docs render``. Output is a pure function of
the checked project: sorted, no clock, no absolute paths.
"""

from __future__ import annotations

from ..check import Result
from ..export import dump_releases_json
from .blocks import document
from .context import OVERVIEW_PAGES, Site
from .dashboard import dashboard
from .escape import md_escape
from .overviews import flags, migrations, problems, rules
from .rollback import rollback
from .runbook import runbook

__all__ = [
    "EXPORT_FILE",
    "OVERVIEW_PAGES",
    "is_overview",
    "md_escape",
    "render_config_error",
    "render_pages",
    "site_files",
]

EXPORT_FILE = "releases.json"


def render_pages(result: Result) -> dict[str, str]:
    """Every page of the site for a checked project, sorted by path."""
    site = Site(result)
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
    return dict(sorted(pages.items()))


def site_files(result: Result) -> dict[str, str]:
    """Everything that goes into the pages folder: the pages plus ``releases.json``, the same data
    for machines (see docs/releases-json.md)."""

    files = render_pages(result)
    files[EXPORT_FILE] = dump_releases_json(result)
    return dict(sorted(files.items()))


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
