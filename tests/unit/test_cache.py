"""The content-hash cache: same findings warm and cold, invalidated by content, safe against junk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fes_docs.cache import Cache
from fes_docs.check import check

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rules" / "project"
CASE = Path(__file__).parents[1] / "fixtures" / "robustness" / "base-release.yaml"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("FES_DOCS_CACHE_DIR", str(home))
    return home


def folder(root: Path) -> Path:
    return Cache(root).folder


def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    shutil.copy(CASE, root / "releases" / "base-release.yaml")
    return root


def summary(root: Path) -> list[tuple[str, int, int, str, str]]:
    return [(f.loc.file, f.loc.line, f.loc.column, f.rule, f.message) for f in check(root, use_cache=True).findings]


def test_warm_run_gives_identical_findings_and_lives_outside_the_project(tmp_path: Path, cache_home: Path) -> None:
    root = project(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    cold = summary(root)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written into the project
    assert folder(root).parent == cache_home
    assert any(p.name.startswith("releases-") for p in folder(root).iterdir())
    assert summary(root) == cold
    assert cold == [
        (f.loc.file, f.loc.line, f.loc.column, f.rule, f.message) for f in check(root, use_cache=False).findings
    ]


def test_changed_content_is_never_served_from_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path)
    summary(root)
    path = root / "releases" / "base-release.yaml"
    path.write_text(path.read_text().replace("phase: 2", "phase: two"))
    assert any(r == "FES010" and f == "releases/base-release.yaml" for f, _, _, r, _ in summary(root))
    sql = root / "service/db/migration/V1__create_widget.sql"
    sql.write_text("CREATE TABLE widget (id int);\n")  # no longer idempotent
    assert any(r == "FES318" for _, _, _, r, _ in summary(root))


def test_corrupt_or_foreign_cache_files_are_ignored(tmp_path: Path) -> None:
    root = project(tmp_path)
    cold = summary(root)
    for f in folder(root).glob("*.json"):
        data = json.loads(f.read_text())
        for key in data.get("entries", {}):
            data["entries"][key] = {"doc": {"data": "garbage"}, "findings": [{"nope": 1}]}
        f.write_text(json.dumps(data))
    assert summary(root) == cold
    for f in folder(root).glob("*.json"):
        f.write_text("{not json")
    assert summary(root) == cold


def test_disabled_cache_writes_nothing(tmp_path: Path, cache_home: Path) -> None:
    root = project(tmp_path)
    check(root, use_cache=False)
    assert not cache_home.exists()


def test_a_cache_committed_into_the_project_is_never_read(tmp_path: Path) -> None:
    root = project(tmp_path)
    cold = summary(root)
    planted = root / ".fes-docs-cache"
    shutil.copytree(folder(root), planted)
    shutil.rmtree(folder(root))
    for f in planted.glob("releases-*.json"):
        data = json.loads(f.read_text())
        for entry in data["entries"].values():
            entry["findings"] = []  # a pull request trying to hide its findings
        f.write_text(json.dumps(data))
    assert summary(root) == cold


def rules_of(root: Path) -> list[tuple[str, str]]:
    from fes_docs.rerun import validate_report

    return sorted((f.loc.file, f.rule) for f in validate_report(root, use_cache=True).findings)


def test_unchanged_project_reuses_the_report_and_any_change_reruns(tmp_path: Path) -> None:
    from fes_docs.rerun import validate_report

    root = project(tmp_path)
    first = validate_report(root, use_cache=True)
    assert first.result is not None
    again = validate_report(root, use_cache=True)
    assert again.result is None  # served from the previous run
    assert [finding_key(f) for f in again.findings] == [finding_key(f) for f in first.findings]
    # a changed migration, a changed spec, an added record: each reruns the rules
    (root / "service/db/migration/V1__create_widget.sql").write_text("CREATE TABLE widget (id int);\n")
    assert ("releases/base-release.yaml", "FES318") in rules_of(root)
    spec = root / "service/openapi.yaml"
    spec.write_text(spec.read_text().replace("openapi: 3.1.0", "openapi: 9.9.9"))
    assert ("service/openapi.yaml", "FES801") in rules_of(root)
    (root / "releases" / "second.yaml").write_text("id: second\n")
    assert ("releases/second.yaml", "FES010") in rules_of(root)
    (root / "releases" / "second.yaml").unlink()
    assert ("releases/second.yaml", "FES010") not in rules_of(root)


def finding_key(f: object) -> str:
    return repr(f)
