"""``fes-docs render --out DIR``: the plugin's files, written for other generators."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.render import site_files

FIXTURE = Path(__file__).parents[2] / "fixtures" / "render" / "project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def written(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}


def test_writes_the_same_files_as_the_plugin(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pages"
    code = main(["render", "--root", str(project), "--out", str(out)])
    result = check(project)
    assert code == (1 if result.errors else 0)
    assert written(out) == site_files(result)
    err = capsys.readouterr().err
    for f in result.errors:
        assert f"{f.loc.file}:{f.loc.line}:{f.loc.column}: error {f.rule}" in err


def test_second_run_changes_nothing(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pages"
    main(["render", "--root", str(project), "--out", str(out)])
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    main(["render", "--root", str(project), "--out", str(out)])
    assert "(0 changed)" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_clean_project_exits_0_and_strict_warnings_1(project: Path, tmp_path: Path) -> None:
    (project / "releases" / "2026-03-gamma.yaml").unlink()  # the fixture's only release with errors
    result = check(project)
    assert not result.errors and result.warnings
    assert main(["render", "--root", str(project), "--out", str(tmp_path / "a")]) == 0
    assert main(["render", "--root", str(project), "--out", str(tmp_path / "b"), "--strict-warnings"]) == 1


def test_out_must_be_a_folder(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    assert main(["render", "--root", str(project), "--out", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_missing_policy_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    (project / "releases" / "policy.yaml").unlink()
    assert main(["render", "--root", str(project), "--out", str(tmp_path / "out")]) == 2
