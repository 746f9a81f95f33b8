"""Everything a site build needs from fes-docs, made in one pass: :func:`build_site`; and the same in a
second process, :func:`build_site_in_worker`, which a one-shot site build uses.

Why one pass: the pages, ``releases.json``, the nav and the slugs all come from one :class:`.context.Site`
(one sort, one index of the releases), and the checked project is dropped as soon as they are made.

Why a second process: a site build holds MkDocs' own state (every page's HTML, the search index) for
its whole run. Checking and rendering in a forked child keeps the records, their positions, the SQL
analysis and the render's garbage out of that process: its peak memory is the plain build's plus the
files themselves, and its garbage collector has no more to walk than in a plain build.

How the files come back: through a pipe, in batches, as UTF-8 bytes (a page with one non-ASCII
character — →, ✓, § — is a str of two bytes per character, its UTF-8 about half that, and bytes are not
tracked by the garbage collector); the few large ones (:data:`LARGE`: ``releases.json``, the dashboard
and the overview tables of a big project) are written to a folder the caller gives and read by MkDocs
from there, so the build process never holds them. Not every page goes through the folder: a file per
page costs a write and, after the build, a delete — on a disk that discards freed blocks about a
millisecond each, 20 s for 10,000 releases.

The result is what :func:`build_site` returns, byte for byte: the child runs it, and a text that would
not come back the same (a lone surrogate, a leading byte-order mark; for a file, a carriage return,
which a text-mode read turns into a newline) comes back as the str it is. Where fork is unavailable, or
the child dies, the build runs in-process; a bug raised in the child is raised again in-process, so it
reads as it always did.
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
from ..rerun import collector_paused
from . import files_of, render_config_error, slugs_of
from .context import OVERVIEW_PAGES, Site
from .phases import nav
from .style import STYLESHEET, stylesheet


@dataclass(frozen=True)
class SiteBuild:
    """One build's output: what to serve, where it goes in the nav, and what to report."""

    # path in the pages folder -> content (the pages, releases.json, the stylesheet), in path order;
    # UTF-8 bytes when it came from the worker (see the module's docstring)
    files: dict[str, str | bytes]
    nav: list[Any]  # the nav section's entries (:func:`fes_docs.render.site_nav`)
    slugs: dict[str, str]  # release file -> folder: the ``previous`` of the next live rebuild
    findings: list[Finding] = field(default_factory=list)
    watched: tuple[str, ...] = ()  # project paths besides the releases folder a live preview watches
    error: str | None = None  # the policy could not be read: every overview page says why
    releases: int = 0
    seconds: tuple[float, float] = (0.0, 0.0)  # checking, rendering (the debug log)
    written: dict[str, str] = field(default_factory=dict)  # path -> the file the worker wrote it to

    def paths(self) -> list[str]:
        """Every file of the pages folder, sorted: those in :attr:`files` and those :attr:`written`."""
        return sorted({*self.files, *self.written})


def build_site(
    root: Path,
    releases_dir: str,
    previous: Mapping[str, str] | None = None,
    parallel_spec: bool = False,
    parallel: bool = False,
) -> SiteBuild:
    """Check the project and render everything the site serves (``previous``: see :func:`render_pages`).
    ``parallel``: the check may fork workers too, as a one-shot ``validate`` does (:mod:`fes_docs.workers`)."""
    start = time.perf_counter()
    try:
        project = load_project(root, releases_dir=releases_dir, parallel_spec=parallel_spec, parallel=parallel)
        result = check_project(project)
    except ConfigError as exc:
        pages: dict[str, str | bytes] = {**render_config_error(str(exc)), STYLESHEET: stylesheet()}
        return SiteBuild(
            pages,
            [{title: path} for title, path in OVERVIEW_PAGES],
            dict(previous or {}),
            error=str(exc),
        )
    checked = time.perf_counter()
    site = Site(result)
    files: dict[str, str | bytes] = dict(files_of(site, previous))
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
    root: Path, releases_dir: str, previous: Mapping[str, str] | None = None, into: Path | None = None
) -> SiteBuild:
    """:func:`build_site` in a forked child; the OpenAPI spec is validated in a third process, in parallel.

    ``into``: an empty folder for the large files (the caller removes it after the build); without it
    every file comes back through the pipe. Only for a one-shot build: a process that runs threads (a
    live server) must not fork."""
    import multiprocessing as mp  # lazy: only a one-shot build forks

    if "fork" not in mp.get_all_start_methods():
        return build_site(root, releases_dir, previous, parallel_spec=True)
    ctx = mp.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(writer, root, releases_dir, previous, into), name="fes-docs site")
    child.start()
    writer.close()
    try:
        built = reader.recv()
        if isinstance(built, SiteBuild):
            files: dict[str, str | bytes] = {}
            written: dict[str, str] = {}
            while (batch := reader.recv()) is not None:
                files.update(batch[0])
                written.update(batch[1])
            return replace(built, files=files, written=written)
    except (EOFError, OSError):  # the child died (killed, out of memory): nothing half-received is used
        pass
    finally:
        reader.close()
        child.join()
    # a bug in the child (it sent no SiteBuild) or a lost child: the same build in-process raises or succeeds
    return build_site(root, releases_dir, previous, parallel_spec=True)


BATCH = 500  # files per message from the worker: neither side holds a second copy of them all at once
LARGE = 1_000_000  # bytes of UTF-8 above which a file goes through the folder rather than the pipe


def _child(writer: Any, root: Path, releases_dir: str, previous: Mapping[str, str] | None, into: Path | None) -> None:
    """Build; send the build without its files, then the files in batches ((in memory, written)), then
    None; on a bug, None alone."""
    try:
        # a one-shot child: it may fork workers of its own, and it pauses the collector as validate does
        with collector_paused():
            built = build_site(root, releases_dir, previous, parallel_spec=True, parallel=True)
    except BaseException:  # the parent runs the build again in-process, where the error is raised
        writer.send(None)
        return
    writer.send(replace(built, files={}))
    items = list(built.files.items())
    for i in range(0, len(items), BATCH):
        kept: dict[str, str | bytes] = {}
        written: dict[str, str] = {}
        for n, (path, text) in enumerate(items[i : i + BATCH], start=i):
            data = _encoded(text)
            if into is not None and isinstance(data, bytes) and len(data) > LARGE and b"\r" not in data:
                target = into / f"{n:06d}-{PurePosixPath(path).name}"  # flat: no folder to make or remove
                target.write_bytes(data)
                written[path] = str(target)
            else:
                kept[path] = data
        writer.send((kept, written))
    writer.send(None)
    writer.close()


def _encoded(text: str | bytes) -> str | bytes:
    """``text`` as the UTF-8 MkDocs decodes back to it exactly (``utf-8-sig``), or as it is if none does."""
    if isinstance(text, bytes) or text.startswith("\ufeff"):
        return text
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a record: kept as the str MkDocs would get
        return text
