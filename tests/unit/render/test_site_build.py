"""One build, one pass: the work of rendering a site is bounded, a plugin build checks and renders once,
and the forked worker's build is the in-process build, byte for byte (fes_docs/render/site.py)."""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from renderhelp import FIXTURES

from fes_docs import model
from fes_docs.check import check
from fes_docs.render import render_pages
from fes_docs.render import site as site_module
from fes_docs.render.site import SiteBuild, build_site, build_site_in_worker

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))
from generate import SPEC_BYTES, generate  # noqa: E402


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    return root


def _contents(built: SiteBuild) -> dict[str, str]:
    """Every file as MkDocs reads it: ``File.content_string`` (UTF-8 bytes decoded with ``utf-8-sig``), or
    for a file the worker wrote, the file read in text mode."""
    out = {path: c.decode("utf-8-sig") if isinstance(c, bytes) else c for path, c in built.files.items()}
    for path, file in built.written.items():
        with open(file, encoding="utf-8-sig") as f:
            out[path] = f.read()
    return dict(sorted(out.items()))


def test_the_worker_builds_what_the_process_builds(project: Path) -> None:
    here = build_site(project, "releases")
    there = build_site_in_worker(project, "releases")
    assert all(isinstance(c, bytes) for c in there.files.values()) and not there.written  # UTF-8, the compact form
    assert _contents(there) == here.files
    assert list(there.files) == list(here.files) == sorted(here.files)
    for name in ("nav", "slugs", "findings", "watched", "error", "releases"):
        assert getattr(there, name) == getattr(here, name), name


def test_large_files_come_through_the_folder(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_module, "LARGE", 0)  # every file counts as large here
    there = build_site_in_worker(project, "releases", into=tmp_path)
    assert not there.files and {Path(f).parent for f in there.written.values()} == {tmp_path}  # flat
    assert _contents(there) == build_site(project, "releases").files and there.paths() == sorted(there.written)


def test_a_failing_worker_falls_back_to_the_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent, real = os.getpid(), build_site

    def only_here(*args: Any, **kwargs: Any) -> SiteBuild:
        if os.getpid() != parent:
            raise RuntimeError("a bug in the worker")
        return real(*args, **kwargs)

    monkeypatch.setattr(site_module, "build_site", only_here)
    assert build_site_in_worker(project, "releases").files == real(project, "releases").files


def test_a_missing_policy_comes_back_from_the_worker_as_pages(project: Path) -> None:
    (project / "releases" / "policy.yaml").unlink()
    built = build_site_in_worker(project, "releases")
    assert built.error is not None and "no policy file" in built.error
    assert "no policy file" in _contents(built)["index.md"]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts reads of the record properties a page asks about other releases (its key, a flag's state)."""
    calls: Counter[str] = Counter()
    for cls, name in ((model.Release, "key"), (model.Flag, "enabled")):
        prop = getattr(cls, name)

        def counting(self: Any, _get: Any = prop.fget, _name: str = name) -> Any:
            calls[_name] += 1
            return _get(self)

        monkeypatch.setattr(cls, name, property(counting))
    yield calls


def test_rendering_work_grows_linearly_with_the_releases(tmp_path: Path, counted: Counter[str]) -> None:
    """Every page used to scan every release (who went out later, who owns a flag): quadratic. A page
    now asks the site's indexes, so twice the releases cost about twice the reads, not four times."""
    reads = []
    for n in (50, 100):  # both draw the timeline's 40 (a smaller site draws all it has)
        result = check(generate(tmp_path / f"p{n}", n, spec_bytes=SPEC_BYTES["small"]))
        counted.clear()
        render_pages(result)
        reads.append(sum(counted.values()))
    assert reads[1] <= 2.2 * reads[0], reads


def test_a_plugin_build_checks_and_renders_once(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import get_files

    from fes_docs import plugin

    calls: list[str] = []
    real = plugin.build_site_in_worker

    def counted(*args: Any, **kwargs: Any) -> SiteBuild:
        calls.append("build")
        return real(*args, **kwargs)

    monkeypatch.setattr(plugin, "build_site_in_worker", counted)
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = MkDocsConfig(config_file_path=str(project / "mkdocs.yml"))
    config.load_dict({"site_name": "t", "docs_dir": str(project / "docs"), "site_dir": str(tmp_path / "site")})
    config.load_dict({"plugins": [{"fes-docs": {"fail_on_error": False}}]})  # the fixture has errors
    assert config.validate() == ([], [])
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    generated = {f.src_uri: f.content_string for f in files if f.generated_by is not None}
    expected = build_site(project, "releases").files
    assert calls == ["build"] and generated == {f"releases/{path}": text for path, text in expected.items()}
    config.plugins.on_post_build(config=config)


def test_a_plugin_build_removes_the_workers_folder(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import get_files

    monkeypatch.setattr(site_module, "LARGE", 1000)  # the bigger pages go through the folder
    (project / "docs").mkdir()
    config = MkDocsConfig(config_file_path=str(project / "mkdocs.yml"))
    config.load_dict({"site_name": "t", "docs_dir": str(project / "docs"), "site_dir": str(tmp_path / "site")})
    config.load_dict({"plugins": [{"fes-docs": {"fail_on_error": False}}]})
    assert config.validate() == ([], [])
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    sources = [Path(f.abs_src_path) for f in files if f.generated_by is not None and f.abs_src_path]
    assert sources and all(p.is_file() for p in sources)
    assert {f.src_uri: f.content_string for f in files if f.generated_by is not None} == {
        f"releases/{path}": text for path, text in build_site(project, "releases").files.items()
    }
    config.plugins.on_post_build(config=config)
    assert not sources[0].parent.exists()
