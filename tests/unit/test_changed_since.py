"""`validate --changed-since`: every finding a change may have caused is reported (issue 11 invariant 5).

A finding is about more files than the one it is located in — the record and its SQL file, the record
and the spec, two records whose versions clash — and a pull request touching any of them must see it.
Each test commits the example project as the base, makes one change an attacker (or a hurried author)
would make, and runs the real command on a real git repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gitrepo import commit, edit, example_repo, git

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.gitutil import changed_files

APPROVED = "releases/2026-12-phase-3-question-bank.yaml"  # approved; ships V6 and V7; lists endpoints
DRAFT = "releases/2027-02-phase-4-notification-rule-engine.yaml"  # draft; ships V8, V9 (destructive)
MIGRATIONS = "service/db/migration"


def gate(repo: Path, base: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    """The findings `validate --changed-since BASE --format json` reports."""
    capsys.readouterr()
    main(["validate", "--changed-since", base, "--format", "json", "--root", str(repo), *extra])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def rules_in(findings: list[dict[str, Any]], file: str) -> set[str]:
    return {f["rule"] for f in findings if f["file"] == file}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = example_repo(tmp_path / "r")
    assert not [f for f in check(root).findings if f.blocking], "the example project is not clean; update the test"
    return root


def pin_checksums(repo: Path, record: str) -> str:
    """Pin each migration's current Flyway checksum in ``record`` (as a released record does); commit."""
    project = check(repo).project
    rel = next(r for r in project.releases if r.file == record)
    for ref in rel.migrations:
        assert ref.file
        entry = f"{{file: {ref.file}, change: {ref.change}, idempotent: true}}"
        pinned = entry[:-1] + f", checksum: {project.migrations.checksum(ref.file)}}}"
        edit(repo / record, entry, pinned)
    return commit(repo, "pin the checksums")


def test_a_pr_changing_only_the_sql_of_an_approved_release_reports_the_finding_in_its_record(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = pin_checksums(repo, APPROVED)
    assert gate(repo, base, capsys) == []
    sql = repo / MIGRATIONS / "V6__create_question_bank.sql"
    sql.write_text(sql.read_text() + "\n-- edited after release\n")
    assert changed_files(repo, base) == {f"{MIGRATIONS}/V6__create_question_bank.sql"}
    found = gate(repo, base, capsys)
    assert "FES315" in rules_in(found, APPROVED)  # located in the record, about the SQL file


def test_a_pr_changing_only_the_spec_reports_the_missing_endpoint_in_the_record(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    spec = repo / "service/openapi.yaml"
    text = spec.read_text()
    start = text.index("  /api/v1/question-bank/pools/{poolId}:")
    end = text.index("\n  /", start + 1)
    spec.write_text(text[:start] + text[end + 1 :])
    assert changed_files(repo, base) == {"service/openapi.yaml"}
    found = [f for f in gate(repo, base, capsys) if f["file"] == APPROVED]
    assert any(f["rule"] == "FES802" and "pools/{poolId}" in f["message"] for f in found)


def _new_record(repo: Path, rid: str, day: str, migration: str) -> Path:
    assert main(["new", rid, "--phase", "3", "--root", str(repo)]) == 0
    path = repo / "releases" / f"{rid}.yaml"
    edit(
        path,
        "# window: {start: 2026-01-01T18:00:00Z, end: 2026-01-01T21:00:00Z}",
        f"window: {{start: {day}T18:00:00Z, end: {day}T21:00:00Z}}",
    )
    edit(path, "migrations: []", f"migrations:\n  - {{file: {migration}, change: additive, idempotent: true}}")
    (repo / MIGRATIONS / migration).write_text("CREATE TABLE IF NOT EXISTS hotfix (id bigint);\n")
    return path


def test_a_new_record_jumping_the_queue_is_blamed_for_the_order_not_the_approved_release(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new release deploying before the approved one with a higher version: the new one is wrong."""
    base = git(repo, "rev-parse", "HEAD").strip()
    new = _new_record(repo, "2026-11-hotfix", "2026-11-20", "V10__hotfix.sql")
    order = [f for f in check(repo).findings if f.rule == "FES313"]
    assert order and {f.loc.file for f in order} == {"releases/2026-11-hotfix.yaml"}
    assert "2026-12-phase-3-question-bank" in order[0].message and order[0].related  # names the one it clashes with
    found = gate(repo, base, capsys)
    assert "FES313" in rules_in(found, "releases/2026-11-hotfix.yaml")
    assert not [f for f in found if f["rule"] == "FES313" and f["file"] != "releases/2026-11-hotfix.yaml"]
    assert new.exists()


def test_a_new_record_after_the_others_with_a_lower_version_is_blamed_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    _new_record(repo, "2027-06-late", "2027-06-01", "V7_1__late.sql")  # below V8, V9 of February
    order = [f for f in check(repo).findings if f.rule == "FES313"]
    assert order and {f.loc.file for f in order} == {"releases/2027-06-late.yaml"}
    assert "FES313" in rules_in(gate(repo, base, capsys), "releases/2027-06-late.yaml")


def test_an_untouched_record_left_clashing_by_a_moved_window_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft moved before another draft with lower versions: the finding sits in the untouched one
    (the later release), and names the moved one, so the PR that moved it sees it."""
    _new_record(repo, "2027-03-next", "2027-03-10", "V10__next.sql")
    base = commit(repo, "a second draft, after February")
    moved = repo / "releases/2027-03-next.yaml"
    edit(moved, "2027-03-10T18:00:00Z, end: 2027-03-10T21:00:00Z", "2027-01-10T18:00:00Z, end: 2027-01-10T21:00:00Z")
    assert changed_files(repo, base) == {"releases/2027-03-next.yaml"}
    order = [f for f in check(repo).findings if f.rule == "FES313"]
    assert order and {f.loc.file for f in order} == {DRAFT}
    assert {r.file for f in order for r in f.related} == {"releases/2027-03-next.yaml"}
    assert "FES313" in rules_in(gate(repo, base, capsys), DRAFT)


def test_a_record_that_stops_claiming_a_destructive_migration_reports_the_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The destructive V9 left unclaimed: Flyway still runs it; the finding sits in the SQL file."""
    base = git(repo, "rev-parse", "HEAD").strip()
    text = (repo / DRAFT).read_text()
    line = next(x for x in text.splitlines(keepends=True) if "V9__drop_legacy_certificate_print_cache.sql" in x)
    (repo / DRAFT).write_text(text.replace(line, ""))
    assert changed_files(repo, base) == {DRAFT}
    found = rules_in(gate(repo, base, capsys), f"{MIGRATIONS}/V9__drop_legacy_certificate_print_cache.sql")
    assert {"FES314", "FES322"} <= found


HOSTILE_NAMES = [
    'V20__café "quoted" and spaces.sql',
    "V21__new\nline.sql",
    "V22__back\\slash\ttab.sql",
    "V23__ünïcödé—dash.sql",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["quotes-spaces", "newline", "backslash-tab", "unicode"])
def test_a_destructive_file_with_a_hostile_name_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """git C-quotes such names without -z; a gate parsing that output would miss exactly these files."""
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / MIGRATIONS / name).write_text("DROP TABLE exam;\n")
    assert changed_files(repo, base) == {f"{MIGRATIONS}/{name}"}  # untracked
    assert f"{MIGRATIONS}/{name}" in {f["file"] for f in gate(repo, base, capsys) if f["severity"] == "error"}
    commit(repo, "add it")
    assert changed_files(repo, base) == {f"{MIGRATIONS}/{name}"}  # committed
    assert f"{MIGRATIONS}/{name}" in {f["file"] for f in gate(repo, base, capsys) if f["severity"] == "error"}


def test_changed_names_are_relative_to_a_project_in_a_subfolder(tmp_path: Path) -> None:
    """Untracked and committed names alike: git gives them from the top level, findings from the project."""
    top = tmp_path / "mono"
    project = example_repo(top / "ops" / "db docs")
    (project / ".git").rename(top / ".git")
    base = commit(top, "moved into a subfolder")
    (project / MIGRATIONS / "V30__ä b.sql").write_text("SELECT 1;\n")
    edit(project / DRAFT, "status: draft", "status: planned")
    (top / "elsewhere.txt").write_text("outside the project\n")
    assert changed_files(project, base) == {f"{MIGRATIONS}/V30__ä b.sql", DRAFT}


def test_a_renamed_record_is_a_new_record(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo / DRAFT, "\nphase:", "\nbogus_key: 1\nphase:")  # an old error, already on main
    base = commit(repo, "main, with an old error")
    assert gate(repo, base, capsys) == []
    renamed = "releases/2027-03-phase-4-notification-rule-engine.yaml"
    git(repo, "mv", DRAFT, renamed)
    edit(repo / renamed, "id: 2027-02-phase-4", "id: 2027-03-phase-4")
    commit(repo, "move the release to March")
    assert changed_files(repo, base) == {DRAFT, renamed}
    assert "FES011" in rules_in(gate(repo, base, capsys), renamed)


def test_an_untouched_record_keeps_its_old_findings_out_of_the_report(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other half of the bargain: a change elsewhere does not drag in an old record's findings."""
    edit(repo / DRAFT, "\nphase:", "\nbogus_key: 1\nphase:")
    base = commit(repo, "main, with an old error")
    sql = repo / MIGRATIONS / "V6__create_question_bank.sql"
    sql.write_text(sql.read_text() + "\n-- a comment\n")
    assert not [f for f in gate(repo, base, capsys) if f["file"] == DRAFT]


def test_what_a_finding_is_about_survives_the_unchanged_project_fast_path(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FES_DOCS_NO_CACHE", raising=False)
    monkeypatch.setenv("FES_DOCS_CACHE_DIR", str(tmp_path / "cache"))
    base = pin_checksums(repo, APPROVED)
    sql = repo / MIGRATIONS / "V7__add_question_pools.sql"
    sql.write_text(sql.read_text() + "\n-- edited after release\n")
    first = gate(repo, base, capsys)
    assert any((tmp_path / "cache").rglob("*")), "the run was not cached; the test proves nothing"
    second = gate(repo, base, capsys)  # nothing changed: the previous report is reused
    assert first == second and "FES315" in rules_in(second, APPROVED)


def test_a_rule_that_crashes_fails_the_gate_whatever_the_pull_request_changed(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash is placed at the file the rule was checking (the spec's rule: the policy), which a pull request
    need not touch. What the rule would have found is unknown, so the gate keeps the crash: fail closed. (A
    spec with a lone-surrogate $ref crashed FES801 so, and --changed-since dropped it: the gate passed.)"""
    import dataclasses

    from fes_docs.rules import CATALOGUE

    base = git(repo, "rev-parse", "HEAD").strip()
    edit(repo / DRAFT, "title: ", "title: Renamed ")
    commit(repo, "retitle the draft")

    def crash(*_args: object) -> list[object]:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setitem(CATALOGUE, "FES801", dataclasses.replace(CATALOGUE["FES801"], check=crash))
    findings = gate(repo, base, capsys)
    crashed = [f for f in findings if f["rule"] == "FES801" and f["message"].startswith("internal error")]
    assert crashed and crashed[0]["file"] != DRAFT and crashed[0]["severity"] == "error", findings
    assert "\\ud800" in crashed[0]["message"]  # written out: no output can hold a lone surrogate
