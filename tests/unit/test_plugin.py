"""The MkDocs plugin, driven through its events on a real MkDocsConfig (as mkdocstrings tests its plugin)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files, InclusionLevel, get_files

from fes_docs.check import check
from fes_docs.export import releases_json
from fes_docs.plugin import FesDocsPlugin, insert_nav
from fes_docs.render import EXPORT_FILE, OVERVIEW_PAGES, render_pages

FIXTURE = Path(__file__).parents[1] / "fixtures" / "render" / "project"
LOGGER = "mkdocs.plugins.fes_docs.plugin"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    return root


def configure(project_root: Path, config_dir: Path | None = None, **options: Any) -> MkDocsConfig:
    root = project_root
    folder = config_dir or root
    config = MkDocsConfig(config_file_path=str(folder / "mkdocs.yml"))
    nav = options.pop("nav", None)
    data: dict[str, Any] = {
        "site_name": "test",
        "docs_dir": str(root / "docs"),
        "site_dir": str(root / "site"),
        "plugins": [{"fes-docs": options}],
    }
    if nav is not None:
        data["nav"] = nav
    config.load_dict(data)
    errors, _ = config.validate()
    assert not errors, errors
    return config


def plugin_of(config: MkDocsConfig) -> FesDocsPlugin:
    plugin = config.plugins["fes-docs"]
    assert isinstance(plugin, FesDocsPlugin)
    return plugin


def build_files(config: MkDocsConfig, command: str = "build") -> Files:
    """The events a build runs up to the files stage, dispatched by MkDocs' own plugin collection."""
    config.plugins.on_startup(command=command, dirty=False)  # type: ignore[arg-type]
    config = config.plugins.on_config(config)
    return config.plugins.on_files(get_files(config), config=config)


def test_pages_are_generated_in_memory(project: Path) -> None:
    files = build_files(configure(project))
    expected = render_pages(check(project))
    for path, text in expected.items():
        f = files.get_file_from_path(f"releases/{path}")
        assert f is not None, path
        assert f.generated_by is not None
        assert f.content_string == text
        assert f.inclusion == InclusionLevel.UNDEFINED  # a small site: every page is in the nav
    export = files.get_file_from_path(f"releases/{EXPORT_FILE}")
    assert export is not None and not export.is_documentation_page()
    assert json.loads(export.content_string) == releases_json(check(project))
    assert not (project / "docs" / "releases").exists()


def test_error_findings_are_logged_as_errors_with_location(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    build_files(configure(project))
    result = check(project)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and len(errors) == len(result.errors)
    for f in result.errors:  # the plugin logger prefixes "fes_docs: "
        assert f"fes_docs: {f.loc.file}:{f.loc.line}:{f.loc.column}: {f.rule} {f.message}" in errors
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    for f in result.warnings:
        assert any(f"{f.loc.file}:{f.loc.line}:{f.loc.column}: {f.rule}" in m for m in infos)


def test_strict_warnings_logs_warnings_as_errors(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    build_files(configure(project, strict_warnings=True))
    result = check(project)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == len(result.errors) + len(result.warnings)


def test_errors_fail_a_plain_build_after_the_site_is_written(project: Path) -> None:
    config = configure(project)
    build_files(config)
    with pytest.raises(PluginError, match="fail the build"):
        config.plugins.on_post_build(config=config)


@pytest.mark.parametrize("setting", ["serve", "strict", "fail_on_error_off"])
def test_serve_strict_and_opt_out_do_not_raise(project: Path, setting: str) -> None:
    config = configure(project, **({"fail_on_error": False} if setting == "fail_on_error_off" else {}))
    if setting == "strict":
        config.strict = True  # MkDocs aborts on the logged errors itself, with its own message
    build_files(config, command="serve" if setting == "serve" else "build")
    config.plugins.on_post_build(config=config)


def test_clean_project_does_not_fail(project: Path) -> None:
    (project / "releases" / "2026-03-gamma.yaml").unlink()  # the fixture's only release with errors
    assert not check(project).errors
    config = configure(project)
    build_files(config)
    config.plugins.on_post_build(config=config)


def test_a_docs_page_at_a_generated_path_is_replaced(project: Path) -> None:
    (project / "docs" / "releases").mkdir()
    (project / "docs" / "releases" / "index.md").write_text("# stale copy\n", encoding="utf-8")
    files = build_files(configure(project))
    matches = [f for f in files if f.src_uri == "releases/index.md"]
    assert len(matches) == 1 and "# Releases" in (matches[0].content_string or "")


def test_missing_policy_shows_the_problem_instead_of_crashing(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    (project / "releases" / "policy.yaml").unlink()
    config = configure(project)
    files = build_files(config, command="serve")
    assert any("no policy file" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    index = files.get_file_from_path("releases/index.md")
    assert index is not None and "no policy file" in index.content_string
    config.plugins.on_post_build(config=config)  # serve survives


def test_nav_gets_the_overview_section(project: Path) -> None:
    config = configure(project, nav=[{"Home": "index.md"}, {"Releases": "releases/index.md"}])
    build_files(config)
    home, (title, section), *rest = config.nav[0], *config.nav[1].items(), *config.nav[2:]
    assert home == {"Home": "index.md"} and title == "Releases" and rest == []
    assert section[: len(OVERVIEW_PAGES)] == [{t: f"releases/{p}"} for t, p in OVERVIEW_PAGES]
    phases = section[len(OVERVIEW_PAGES) :]
    assert [list(p) for p in phases] == [["Phase 1"], ["Phase 2"]]
    runbooks = {
        e["Runbook"] for p in phases for r in p[next(iter(p))][1:] for e in next(iter(r.values())) if "Runbook" in e
    }
    assert runbooks == {f"releases/{rel.key}/index.md" for rel in check(project).project.releases}


def test_plugin_enables_the_extensions_its_pages_need(project: Path) -> None:
    config = configure(project)
    build_files(config)
    for name in ("admonition", "attr_list", "tables", "toc", "pymdownx.superfences", "pymdownx.tasklist"):
        assert name in config.markdown_extensions
    assert config.mdx_configs["pymdownx.tasklist"] == {"custom_checkbox": True}
    assert "releases/fes-docs.css" in config.extra_css


def test_plugin_refuses_an_extension_that_rewrites_record_text(project: Path) -> None:
    config = MkDocsConfig(config_file_path=str(project / "mkdocs.yml"))
    config.load_dict(
        {
            "site_name": "t",
            "docs_dir": str(project / "docs"),
            "plugins": ["fes-docs"],
            "markdown_extensions": ["pymdownx.magiclink"],
        }
    )
    assert not config.validate()[0]
    with pytest.raises(PluginError, match="pymdownx.magiclink"):
        build_files(config)


@pytest.mark.parametrize(
    ("nav", "changed"),
    [
        ([{"Home": "index.md"}], True),  # appended
        ([{"Home": "index.md"}, {"Ops": [{"Flags": "releases/flags.md"}]}], False),  # the user placed them
    ],
)
def test_insert_nav(nav: list[Any], changed: bool) -> None:
    before = [dict(e) for e in nav]
    insert_nav(nav, "Releases", "releases")
    assert (nav != before) == changed
    if changed:
        assert nav[-1] == {"Releases": [{t: f"releases/{p}"} for t, p in OVERVIEW_PAGES]}


def test_empty_nav_section_leaves_the_nav_alone(project: Path) -> None:
    nav = [{"Home": "index.md"}]
    config = configure(project, nav=nav, nav_section="")
    build_files(config)
    assert config.nav == [{"Home": "index.md"}]


def test_pages_dir_and_root_options(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site-config"
    site.mkdir()
    config = configure(project, config_dir=site, root=str(project), pages_dir="ops/releases")
    files = build_files(config)
    assert files.get_file_from_path("ops/releases/index.md") is not None
    assert files.get_file_from_path("ops/releases/2026-01-alpha/rollback.md") is not None


@pytest.mark.parametrize("bad", ["../outside", "", "/"])
def test_pages_dir_must_stay_inside_docs(project: Path, bad: str) -> None:
    config = configure(project, pages_dir=bad)
    with pytest.raises(PluginError, match="pages_dir"):
        build_files(config)


class _Server:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_watches_records_spec_and_migrations(project: Path) -> None:
    config = configure(project)
    build_files(config, command="serve")
    server = _Server()
    config.plugins.on_serve(server, config=config, builder=lambda: None)  # type: ignore[arg-type]
    assert set(server.watched) == {
        str(project / "releases"),
        str(project / "service" / "openapi.yaml"),
        str(project / "service" / "db" / "migration"),
    }
