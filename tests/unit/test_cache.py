"""The content-hash cache: same findings warm and cold, invalidated by content, safe against junk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fes_docs import cache as cache_module
from fes_docs.cache import PACKAGE, Cache, FileStore, code_digest
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


# -- keys include the package's own code --------------------------------------------------------


def copy_package(dest: Path) -> Path:
    """A copy of the installed package's source (``dest/fes_docs``), importable with PYTHONPATH=dest."""
    target = dest / "fes_docs"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_code_digest_changes_with_any_source_or_schema_byte(tmp_path: Path) -> None:
    pkg = copy_package(tmp_path)
    code_digest.cache_clear()
    try:
        before = code_digest(pkg)
        assert code_digest(pkg) == before and len(before) == 64
        rule = pkg / "rules" / "migrations.py"
        rule.write_bytes(rule.read_bytes() + b"\n")  # one byte
        code_digest.cache_clear()
        after_py = code_digest(pkg)
        assert after_py != before
        schema = pkg / "schemas" / "release.schema.json"
        schema.write_bytes(schema.read_bytes().replace(b"{", b"{ ", 1))
        code_digest.cache_clear()
        assert code_digest(pkg) not in (before, after_py)
        (pkg / "rules" / "extra.py").write_text("X = 1\n")  # a new module counts too
        code_digest.cache_clear()
        assert code_digest(pkg) not in (before, after_py)
    finally:
        code_digest.cache_clear()


def test_cache_files_name_the_code_digest_and_other_code_never_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fes_docs.rerun import validate_report

    root = project(tmp_path)
    (root / "releases" / "second.yaml").write_text("id: second\n")  # schema findings, cached per file
    monkeypatch.setattr(cache_module, "code_digest", lambda package=PACKAGE: "a" * 64)
    cold = summary(root)
    assert validate_report(root, use_cache=True).result is not None
    names = sorted(p.name for p in folder(root).glob("*.json"))
    assert names and all(f"-{'a' * 20}-f" in n for n in names), names
    for f in folder(root).glob("*.json"):  # what an older fes-docs would have cached: no findings at all
        data = json.loads(f.read_text())
        for entry in data["entries"].values():
            if "findings" in entry:
                entry["findings"] = []
        f.write_text(json.dumps(data))
    assert validate_report(root, use_cache=True).findings == []  # same code: the (planted) entries are used
    assert not any(file == "releases/second.yaml" and rule == "FES010" for file, _, _, rule, _ in summary(root))
    monkeypatch.setattr(cache_module, "code_digest", lambda package=PACKAGE: "b" * 64)
    assert summary(root) == cold  # other code: nothing of it is read
    assert any(file == "releases/second.yaml" and rule == "FES010" for file, _, _, rule, _ in cold)
    assert [finding_key(f) for f in validate_report(root, use_cache=True).findings] == [
        finding_key(f) for f in check(root, use_cache=False).findings
    ]
    left = [p.name for p in folder(root).iterdir()]
    assert not any("-" + "a" * 20 + "-f" in name for name in left), left  # and its files are gone


RUN = """
import json, sys
import fes_docs
from pathlib import Path
from fes_docs.check import check
from fes_docs.rerun import validate_report
root = Path(sys.argv[2])
if sys.argv[1] == "check":
    findings, fast = check(root).findings, False
else:
    report = validate_report(root)
    findings, fast = report.findings, report.result is None
print(json.dumps({"package": fes_docs.__file__, "fast": fast,
                  "findings": sorted([f.loc.file, f.rule, f.message] for f in findings)}))
"""

CLASSIFIER_CHANGE = """

# test: a classifier change — every file is now "destructive"
_real_analyze = analyze


def analyze(text, dialect="postgres"):  # type: ignore[no-redef]
    import dataclasses

    result = _real_analyze(text, dialect)
    if result.error is not None:
        return result
    statements = tuple(dataclasses.replace(st, klass="destructive") for st in result.statements)
    return dataclasses.replace(result, statements=statements, klass="destructive")
"""


def test_a_warm_run_after_a_change_to_the_sql_classifier_shows_the_new_findings(
    tmp_path: Path, cache_home: Path
) -> None:
    """The real thing, in a copy of the package: change the classifier's code, and both the per-file
    SQL entries and the whole-run report of the old code are ignored (they hid 22 findings once)."""
    root = project(tmp_path)
    pkg = copy_package(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(pkg.parent), "FES_DOCS_CACHE_DIR": str(cache_home)}
    env["FES_DOCS_NO_CACHE"] = "0"

    def run(mode: str) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, "-c", RUN, mode, str(root)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        out: dict[str, Any] = json.loads(proc.stdout)
        assert out["package"] == str(pkg / "__init__.py")
        return out

    before = run("check")["findings"]
    assert run("validate")["findings"] == before
    warm = run("validate")
    assert warm["fast"] and warm["findings"] == before  # the fast path is really taken
    analyze_py = pkg / "sql" / "analyze.py"
    analyze_py.write_text(analyze_py.read_text() + CLASSIFIER_CHANGE)
    after = run("check")["findings"]  # release and SQL entries of the old code are not read
    new = [f for f in after if f not in before]
    assert any(file == "releases/base-release.yaml" for file, _, _ in new), new
    again = run("validate")
    assert not again["fast"] and again["findings"] == after  # nor is the old code's whole-run report
    analyze_py.write_text(analyze_py.read_text().replace(CLASSIFIER_CHANGE, ""))
    assert run("validate")["findings"] == before  # and back


def test_a_large_spec_is_validated_in_a_forked_worker_that_hands_over_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from fes_docs import project as project_module
    from fes_docs.openapi import clear_cache, load_spec

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    root = project(tmp_path)
    monkeypatch.setattr(project_module, "SPEC_PARALLEL_BYTES", 1)  # every spec counts as large
    clear_cache()
    loaded = project_module.load_project(root, use_cache=True, parallel_spec=True)
    worker = loaded._spec_worker
    assert worker is not None
    worker.join(60)
    assert worker.exitcode == 0
    stored = list(folder(root).glob(f"openapi-{Cache.tag()}/*.json"))
    assert len(stored) == 1  # the worker's result, written through the one cache
    hits: list[bool] = []
    real_get = FileStore.get

    def get(self: FileStore, key: str) -> dict[str, Any] | None:
        value = real_get(self, key)
        hits.append(value is not None)
        return value

    monkeypatch.setattr(FileStore, "get", get)
    assert loaded.spec == load_spec(root, loaded.policy.openapi or "")
    assert hits == [True]  # the parent took the worker's result from the cache, it did not validate again
    assert "service/openapi.yaml" in loaded.inputs.manifest()["files"]


def test_the_io_layer_records_every_outcome_and_the_manifest_notices_any_change(tmp_path: Path) -> None:
    from fes_docs.inputs import InputError, ProjectInputs, manifest_holds

    root = tmp_path / "p"
    (root / "d").mkdir(parents=True)
    (root / "d" / "a.txt").write_bytes(b"one")
    (tmp_path / "secret").write_text("x")
    (root / "d" / "link").symlink_to(tmp_path / "secret")
    io = ProjectInputs(root, max_bytes=10)
    assert io.read_bytes("d/a.txt") == b"one"
    reasons = []
    for rel in ("d/missing", "d/link", "../secret"):
        with pytest.raises(InputError) as err:
            io.read_bytes(rel)
        reasons.append(err.value.reason)
    assert reasons == ["missing", "outside", "outside"]
    assert io.list_dir("d") == ["a.txt", "link"]
    manifest = json.loads(json.dumps(io.manifest()))
    assert manifest_holds(root, manifest)
    (root / "d" / "missing").write_text("now here")
    assert not manifest_holds(root, manifest)  # absent must stay absent (and the listing changed too)
    (root / "d" / "missing").unlink()
    (root / "d" / "a.txt").write_bytes(b"two")
    assert not manifest_holds(root, manifest)
    (root / "d" / "a.txt").write_bytes(b"one")
    assert manifest_holds(root, manifest)
    assert not manifest_holds(root, {"files": "junk"})


def run_of(root: Path) -> tuple[bool, set[tuple[str, str, str]]]:
    """(served by the fast path, the findings as (file, rule, message))."""
    from fes_docs.rerun import validate_report

    report = validate_report(root, use_cache=True)
    return report.result is None, {(f.loc.file, f.rule, f.message) for f in report.findings}


def test_the_fast_path_notices_evidence_backfill_scripts_and_ref_targets_that_change_or_appear(
    tmp_path: Path,
) -> None:
    """What rules read through project.inputs (dry-run evidence, backfill scripts, $ref targets — also
    absent ones) is in the manifest: creating or editing any of them reruns the rules."""
    root = project(tmp_path)
    record = root / "releases" / "base-release.yaml"
    text = record.read_text()
    text = text.replace("{id: flyway-dry-run, done: false}", "{id: flyway-dry-run, done: false, evidence: ev/run.json}")
    text = text.replace("dry_run: true}", "dry_run: true, sql: service/db/backfill/new.sql}")
    record.write_text(text)
    spec = root / "service" / "openapi.yaml"
    spec.write_text(spec.read_text() + "components:\n  schemas:\n    Doc: {$ref: 'schemas/doc.yaml'}\n")

    fast, first = run_of(root)
    assert not fast
    assert any(rule == "FES334" and "does not exist" in msg for _, rule, msg in first), first
    assert (
        "releases/base-release.yaml",
        "FES306",
        "backfill script service/db/backfill/new.sql does not exist",
    ) in first
    assert any(file == "service/openapi.yaml" and "schemas/doc.yaml" in msg for file, _, msg in first), first
    assert run_of(root) == (True, first)

    (root / "ev").mkdir()  # the evidence appears ...
    (root / "ev" / "run.json").write_bytes((FIXTURE / "evidence" / "dry-run-current.json").read_bytes())
    fast, found = run_of(root)
    assert not fast and any(rule == "FES334" and "does not cover" in msg for _, rule, msg in found), found
    assert run_of(root) == (True, found)
    (root / "ev" / "run.json").write_text("{")  # ... and changes
    fast, found = run_of(root)
    assert not fast and any(rule == "FES334" and "unreadable" in msg for _, rule, msg in found), found

    (root / "service" / "db" / "backfill" / "new.sql").write_text("UPDATE widget SET id = id;\n")
    fast, found = run_of(root)
    assert not fast and not any(rule == "FES306" for _, rule, _ in found)

    (root / "service" / "schemas").mkdir()  # the $ref target appears ...
    (root / "service" / "schemas" / "doc.yaml").write_text("type: object\n")
    fast, found = run_of(root)
    assert not fast and not any("schemas/doc.yaml" in msg for _, _, msg in found), found
    assert run_of(root) == (True, found)
    (root / "service" / "schemas" / "doc.yaml").write_text("type: 12\n")  # ... and changes
    fast, found = run_of(root)
    assert not fast and any(file == "service/schemas/doc.yaml" for file, _, _ in found), found
