"""Everything a site build needs from fes-docs, made in one pass: :func:`build_site`; and the same in a
second process, :func:`build_site_in_worker`, which a one-shot site build uses.

Why one pass: the pages, ``releases.json``, the nav and the slugs all come from one :class:`.context.Site`
(one sort, one index of the releases), and the checked project is dropped as soon as they are made.

Why a second process: a site build holds MkDocs' own state (every page's HTML, the search index) for
its whole run. Checking and rendering in a forked child keeps the records, their positions, the SQL
analysis and the render's garbage out of that process, so its garbage collector has no more to walk
than in a plain build. The child writes the files into a folder the caller gives (removed by the
caller after the build), so the site generator reads each page from a file exactly as it reads a
plain docs folder, and holds no second copy of the pages; its peak memory is the plain build's. Only
the nav, the slugs and the findings come back through a pipe. The result is what :func:`build_site`
returns, byte for byte: the child runs it (a file a text-mode read would alter, with a carriage return
or a byte-order mark, comes back in memory). Where fork is unavailable, or the child dies, the build
runs in-process; a bug raised in the child is raised again in-process, so it reads as it always did.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..check import check_project
from ..errors import ConfigError
from ..findings import Finding
from ..project import load_project
from . import files_of, render_config_error, slugs_of
from .context import OVERVIEW_PAGES, Site
from .phases import nav
from .style import STYLESHEET, stylesheet


@dataclass(frozen=True)
class SiteBuild:
    """One build's output: what to serve, where it goes in the nav, and what to report."""

    files: dict[str, str]  # path in the pages folder -> content: the pages, releases.json, the stylesheet
    nav: list[Any]  # the nav section's entries (:func:`fes_docs.render.site_nav`)
    slugs: dict[str, str]  # release file -> folder: the ``previous`` of the next live rebuild
    findings: list[Finding] = field(default_factory=list)
    watched: tuple[str, ...] = ()  # project paths besides the releases folder a live preview watches
    error: str | None = None  # the policy could not be read: every overview page says why
    releases: int = 0
    seconds: tuple[float, float] = (0.0, 0.0)  # checking, rendering (the debug log)
    written: dict[str, str] = field(default_factory=dict)  # path -> the file holding it (worker builds)

    def paths(self) -> list[str]:
        """Every file of the pages folder, sorted: those in :attr:`files` and those :attr:`written`."""
        return sorted({*self.files, *self.written})


def build_site(
    root: Path, releases_dir: str, previous: Mapping[str, str] | None = None, parallel_spec: bool = False
) -> SiteBuild:
    """Check the project and render everything the site serves (``previous``: see :func:`render_pages`)."""
    start = time.perf_counter()
    try:
        result = check_project(load_project(root, releases_dir=releases_dir, parallel_spec=parallel_spec))
    except ConfigError as exc:
        pages = render_config_error(str(exc))
        pages[STYLESHEET] = stylesheet()
        return SiteBuild(pages, [{title: path} for title, path in OVERVIEW_PAGES], dict(previous or {}), error=str(exc))
    checked = time.perf_counter()
    site = Site(result)
    files = files_of(site, previous)
    policy = result.project.policy
    return SiteBuild(
        files,
        nav(site),
        slugs_of(site, previous),
        result.findings,
        tuple(p for p in (policy.openapi, policy.migrations_dir) if p),
        releases=len(site.releases),
        seconds=(checked - start, time.perf_counter() - checked),
    )


def build_site_in_worker(
    root: Path, releases_dir: str, into: Path, previous: Mapping[str, str] | None = None
) -> SiteBuild:
    """:func:`build_site` in a forked child that writes the files under ``into`` (an empty folder the
    caller removes after the build); the OpenAPI spec is validated in a third process, in parallel.

    Only for a one-shot build: a process that runs threads (a live server) must not fork."""
    import multiprocessing as mp  # lazy: only a one-shot build forks

    if "fork" not in mp.get_all_start_methods():
        return build_site(root, releases_dir, previous, parallel_spec=True)
    ctx = mp.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(writer, root, releases_dir, into, previous), name="fes-docs site")
    child.start()
    writer.close()
    try:
        built = reader.recv()
        if isinstance(built, SiteBuild):
            return built
    except (EOFError, OSError):  # the child died (killed, out of memory)
        pass
    finally:
        reader.close()
        child.join()
    # a bug in the child (it sent no SiteBuild) or a lost child: the same build in-process raises or succeeds
    return build_site(root, releases_dir, previous, parallel_spec=True)


def _child(writer: Any, root: Path, releases_dir: str, into: Path, previous: Mapping[str, str] | None) -> None:
    """Build, write the files under ``into``, send the build (without what was written), or None on a bug."""
    try:
        built = build_site(root, releases_dir, previous, parallel_spec=True)
        kept: dict[str, str] = {}
        written: dict[str, str] = {}
        for n, (path, text) in enumerate(built.files.items()):
            data = _as_file(text)
            if data is None:
                kept[path] = text
                continue
            target = into / f"{n:06d}-{PurePosixPath(path).name}"  # flat: no folder to make, nor to remove
            target.write_bytes(data)
            written[path] = str(target)
        built = replace(built, files=kept, written=written)
    except BaseException:  # the parent runs the build again in-process, where the error is raised
        built = None
    writer.send(built)
    writer.close()


def _as_file(text: str) -> bytes | None:
    """The bytes that read back (UTF-8, universal newlines, a BOM dropped) as ``text``, or None if none do."""
    if "\r" in text or text.startswith("\ufeff"):
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a record: kept in memory, as MkDocs would get it
        return None
