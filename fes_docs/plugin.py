"""The MkDocs plugin ``fes-docs``: a thin shell that checks the records once per build and serves the
rendered pages from memory (``mkdocs build`` checks and renders in a forked worker, which writes the
few large files, such as ``releases.json``, to a temporary folder removed after the build: see
:mod:`fes_docs.render.site`). Nothing is written to ``docs_dir``.

It uses only public names of ``mkdocs.plugins``, ``mkdocs.config``, ``mkdocs.structure.files``,
``mkdocs.utils.nest_paths`` (how MkDocs builds a nav from the files) and ``mkdocs.exceptions`` so that
it also runs unmodified under ProperDocs (which aliases ``mkdocs.*``).
The checking is :func:`fes_docs.check.check_project`, the pages are :func:`fes_docs.render.render_pages`,
both run by :func:`fes_docs.render.site.build_site` (in a forked process for a one-shot build, see
:mod:`fes_docs.render.site`): the site and ``fes-docs validate`` can never disagree.

How findings reach the build:

* error findings are logged at ERROR through the plugin logger, ``file:line:col: RULE message``, so
  ``mkdocs build --strict`` aborts; a plain ``mkdocs build`` writes the site (findings shown on the
  pages) and then fails too, unless ``fail_on_error: false``. ``mkdocs serve`` never fails: the
  preview shows what is wrong, even a policy file that cannot be read.
* warning findings are logged at INFO (they are on the pages) unless ``strict_warnings: true``,
  which treats them like errors.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel, file_sort_key
from mkdocs.utils import nest_paths

from .findings import Finding, Summary
from .render import OVERVIEW_PAGES, STYLESHEET, nav_paths
from .render.site import SiteBuild, build_site, build_site_in_worker

log = get_plugin_logger(__name__)

Command = Literal["build", "gh-deploy", "serve"]

# The Markdown extensions the generated pages are written for, with the options the plugin sets when
# the user's mkdocs.yml does not configure the extension itself (on_config enables what is missing).
NEEDED_EXTENSIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("admonition", {}),
    ("attr_list", {}),
    ("tables", {}),
    ("toc", {"permalink": True}),
    ("pymdownx.superfences", {}),
    ("pymdownx.tasklist", {"custom_checkbox": True}),
)
# Extensions that rewrite text the pages must print exactly as the records write it.
CONFLICTING_EXTENSIONS = {
    "pymdownx.magiclink": "it turns URLs, @names and #numbers in release records into links",
    "smarty": "it rewrites quotes and dashes in property names and SQL shown in the text",
}


class _Server(Protocol):
    """The part of MkDocs' live-reload server the plugin uses (its class is not public API)."""

    def watch(self, path: str) -> None: ...


class FesDocsConfig(Config):  # type: ignore[no-untyped-call]  # mkdocs' __init_subclass__ is untyped
    """Options of the ``fes-docs`` plugin in ``mkdocs.yml``."""

    root = c.Optional(c.Dir(exists=True))
    """Project root: the folder holding the releases folder and the paths the policy names.
    Relative to mkdocs.yml; default: the folder of mkdocs.yml."""

    releases_dir = c.Type(str, default="releases")
    """Folder of the release records and ``policy.yaml``, relative to the project root."""

    pages_dir = c.Type(str, default="releases")
    """Where the generated pages appear in the site, relative to ``docs_dir`` (nothing is written there)."""

    nav_section = c.Type(str, default="Releases")
    """Title of the nav section holding the dashboard and overviews. With an explicit ``nav``, an entry
    with this title is replaced by the section, or the section is appended if the nav names none of the
    generated pages; without a nav, the nav MkDocs would build from the files gets the section. The
    section holds the overview pages and one collapsed section per phase with its runbooks and rollback
    pages (see :func:`fes_docs.render.site_nav`). Set to an empty string to leave the nav alone."""

    strict_warnings = c.Type(bool, default=False)
    """Treat warning findings like errors: logged as errors (``--strict`` fails) and fail the build."""

    fail_on_error = c.Type(bool, default=True)
    """Fail ``mkdocs build``/``gh-deploy`` (after writing the site) when there are error findings, even
    without ``--strict``. ``mkdocs serve`` never fails on findings."""


class FesDocsPlugin(BasePlugin[FesDocsConfig]):  # type: ignore[no-untyped-call]
    """Release runbooks, rollback pages and the sign-off dashboard, generated in memory."""

    def __init__(self) -> None:
        super().__init__()
        self._command: Command | None = None
        self._watched: list[Path] = []  # the spec and the migrations folder, which `mkdocs serve` watches
        self._folder: tempfile.TemporaryDirectory[str] | None = None  # the worker's large files, until post_build
        self._failing = 0
        self._slugs: dict[str, str] = {}  # release file -> folder, kept across `mkdocs serve` rebuilds

    # ``on_startup`` also keeps this instance alive across ``mkdocs serve`` rebuilds; per-build state
    # is therefore reset in ``on_config``.
    def on_startup(self, *, command: Command, dirty: bool) -> None:
        self._command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self._watched = []
        self._failing = 0
        pages_dir = self._pages_dir()
        enable_extensions(config)
        css = f"{pages_dir}/{STYLESHEET}"
        if css not in [str(x) for x in config.extra_css]:
            config.extra_css.append(css)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        pages_dir = self._pages_dir()
        root = self._root(config)
        site = self._build(root)
        if site.error is not None:
            log.error(site.error)
            self._failing += 1
        else:
            self._report(site.findings)
            self._slugs = site.slugs
            log.debug(
                f"checked {site.releases} records in {site.seconds[0]:.2f} s, "
                f"rendered {len(site.paths())} files in {site.seconds[1]:.2f} s"
            )
        self._watched = [root / p for p in site.watched]
        entries = site.nav
        generated = {f"{pages_dir}/{path}" for path in site.paths()}
        if self.config.nav_section:
            if config.nav is None:  # MkDocs would build it from the files; build it so, plus the section
                own = sorted(files.documentation_pages(), key=file_sort_key)
                listed = [f.src_uri for f in own if f.inclusion.is_in_nav() and f.src_uri not in generated]  # type: ignore[no-untyped-call]
                config.nav = nest_paths(listed)  # type: ignore[no-untyped-call]
            insert_nav(config.nav, self.config.nav_section, pages_dir, entries)
        in_nav = nav_paths(entries) if self.config.nav_section else {p for _, p in OVERVIEW_PAGES}
        for path in site.paths():
            uri = f"{pages_dir}/{path}"
            existing = files.get_file_from_path(uri)
            if existing is not None:
                log.info(f"{uri} in docs_dir is replaced by the generated page")
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED if path in in_nav else InclusionLevel.NOT_IN_NAV
            if path in site.written:  # a large file: MkDocs reads it from the worker's folder when it needs it
                file = File.generated(config, uri, abs_src_path=site.written[path], inclusion=inclusion)
            else:
                file = File.generated(config, uri, content=site.files[path], inclusion=inclusion)
            files.append(file)
        return files

    def on_build_error(self, *, error: Exception) -> None:
        self._discard()

    def on_shutdown(self) -> None:
        self._discard()

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._discard()  # every page is built and every file copied: the worker's files are not read again
        # --strict already aborts on the logged errors (with MkDocs' own message); serve must survive.
        if self._failing and self.config.fail_on_error and not config.strict and self._command != "serve":
            n = self._failing
            raise PluginError(
                f"fes-docs: {n} finding{'s' * (n != 1)} fail the build (listed above); "
                "the site was written so you can look at them"
            )

    def on_serve(self, server: _Server, /, *, config: MkDocsConfig, builder: Callable[..., Any]) -> None:
        for path in [self._root(config) / self.config.releases_dir, *self._watched]:
            if path.exists():
                server.watch(str(path))

    # -- helpers --------------------------------------------------------------------------------
    def _build(self, root: Path) -> SiteBuild:
        """A one-shot build checks and renders in a forked worker (the records' data never joins MkDocs'
        process, see :mod:`fes_docs.render.site`); a live server runs threads, so it may not fork."""
        self._discard()
        if self._command not in ("build", "gh-deploy"):
            return build_site(root, self.config.releases_dir, self._slugs)
        try:
            self._folder = tempfile.TemporaryDirectory(prefix="fes-docs-")
        except OSError:  # nowhere to write: the large files come through the pipe too
            return build_site_in_worker(root, self.config.releases_dir, self._slugs)
        return build_site_in_worker(root, self.config.releases_dir, self._slugs, Path(self._folder.name))

    def _discard(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _root(self, config: MkDocsConfig) -> Path:
        if self.config.root:
            return Path(self.config.root)
        return Path(config.config_file_path or ".").resolve().parent

    def _pages_dir(self) -> str:
        raw = self.config.pages_dir.strip("/")
        parts = PurePosixPath(raw).parts
        if not raw or ".." in parts or "\\" in raw:
            raise PluginError(f"fes-docs: pages_dir {self.config.pages_dir!r} must be a folder inside docs_dir")
        return "/".join(parts)

    def _report(self, findings: list[Finding]) -> None:
        for f in findings:
            line = f"{f.loc.file}:{f.loc.line}:{f.loc.column}: {f.rule} {f.message}"
            if Summary.of([f]).fails(self.config.strict_warnings):
                self._failing += 1
                log.error(line)
            elif f.waived is not None:
                log.info(f"{line} (waived: {f.waived.reason})")
            elif f.baselined is not None:
                log.info(f"{line} (baselined: {f.baselined.reason})")
            else:
                log.info(f"{line} (warning)")


def _mentions(node: Any, targets: set[str]) -> bool:
    if isinstance(node, str):
        return node in targets
    if isinstance(node, dict):
        return any(_mentions(v, targets) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(v, targets) for v in node)
    return False


def _prefixed(node: Any, pages_dir: str) -> Any:
    if isinstance(node, str):
        return f"{pages_dir}/{node}"
    if isinstance(node, dict):
        return {k: _prefixed(v, pages_dir) for k, v in node.items()}
    return [_prefixed(v, pages_dir) for v in node]


def insert_nav(nav: list[Any], title: str, pages_dir: str, entries: list[Any] | None = None) -> None:
    """Put the section (``entries``, paths relative to the pages folder: the overview pages and the
    phase sections, see :func:`fes_docs.render.site_nav`; default the overview pages) into a nav."""
    section = _prefixed(entries if entries is not None else [{n: p} for n, p in OVERVIEW_PAGES], pages_dir)
    for i, entry in enumerate(nav):
        if isinstance(entry, dict) and list(entry) == [title]:
            nav[i] = {title: section}
            return
    if not _mentions(nav, {f"{pages_dir}/{path}" for _, path in OVERVIEW_PAGES}):
        nav.append({title: section})


def _short(name: str) -> str:
    return name.removeprefix("markdown.extensions.")


def enable_extensions(config: MkDocsConfig) -> None:
    """Enable the Markdown extensions the pages need, keeping the user's options for those they set;
    stop with the names when the user's configuration has one that rewrites the records' text."""
    present = {_short(name) for name in config.markdown_extensions}
    clashes = sorted(name for name in CONFLICTING_EXTENSIONS if name in present)
    if clashes:
        reasons = "; ".join(f"{name}: {CONFLICTING_EXTENSIONS[name]}" for name in clashes)
        raise PluginError(
            f"fes-docs: markdown_extensions in mkdocs.yml has {', '.join(clashes)}, which the generated pages "
            f"cannot be rendered with ({reasons}). Remove {' and '.join(clashes)}, or render the pages with "
            "`fes-docs render` for a site of their own."
        )
    for name, options in NEEDED_EXTENSIONS:
        if name in present:
            continue
        config.markdown_extensions.append(name)
        if options:
            config.mdx_configs[name] = dict(options)
