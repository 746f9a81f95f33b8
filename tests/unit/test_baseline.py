"""The baseline (`fes-docs baseline`, `.fes-docs/baseline.yaml`): today's findings accepted, new ones fail.

Real runs of the command line and the checker on a small real project (``tests/baselineproject.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from baselineproject import MIGRATIONS, PROJECT, RECORD, TODAY, baseline, cli, of, project, run, validate_json, write

from fes_docs.baseline import BASELINE_FILE
from fes_docs.cli import main as cli_main
from fes_docs.loader import load_bytes
from fes_docs.rerun import validate_report
from fes_docs.signoffs import digest_of

NEW_STATEMENT = "CREATE TABLE gadget (id bigint);\nCREATE TABLE widget (id bigint);\nCREATE TABLE sprocket (id int);\n"
GADGETS_ONE = "CREATE TABLE gadget (id bigint);\n"


def entries(root: Path) -> list[dict[str, object]]:
    doc, problems = load_bytes((root / BASELINE_FILE).read_bytes(), BASELINE_FILE)
    assert doc is not None, problems
    out: list[dict[str, object]] = doc.data["entries"]
    return out


def test_a_baseline_hides_todays_findings_and_shows_a_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    code, before = validate_json(root, capsys)
    assert code == 1 and before["summary"]["errors"] == 2 and before["summary"]["warnings"] == 2

    assert "4 entries (4 added, 0 kept, 0 removed)" in baseline(root, capsys)
    code, after = validate_json(root, capsys)
    assert code == 0
    assert after["summary"] == {"errors": 0, "warnings": 0, "waived": 0, "baselined": 4, "files": 2}
    # shown, never dropped: the same findings, each marked with who accepted it and why
    assert [f["fingerprint"] for f in after["findings"]] == [f["fingerprint"] for f in before["findings"]]
    assert all(f["baselined"] == {"reason": "legacy", "by": "alice"} for f in after["findings"])
    code, text = cli(root, "validate", capsys=capsys)
    assert code == 0 and "baselined warning FES104" in text and "baselined error FES318" in text
    assert text.rstrip().endswith("OK: 0 error(s), 0 warning(s), 0 waived, 4 baselined in 2 files")

    # a new statement and a new open item: only they fail the run
    write(root, f"{MIGRATIONS}/V30__gadgets.sql", NEW_STATEMENT)
    write(
        root,
        "releases/r1.yaml",
        RECORD.replace("{id: rollback-owner, done: true}", "{id: rollback-owner, done: false}"),
    )
    code, later = validate_json(root, capsys)
    assert code == 1
    open_ = [(f["rule"], f["message"]) for f in later["findings"] if f["baselined"] is None]
    assert [rule for rule, _ in open_] == ["FES104", "FES318"]
    assert "rollback-owner" in open_[0][1] and "V30__gadgets.sql:3" in open_[1][1]
    assert later["summary"]["baselined"] == 4


def test_baselined_findings_in_the_other_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    baseline(root, capsys, reason="adopted in 2026")
    code, github = cli(root, "validate", "--format", "github", capsys=capsys)
    assert code == 0
    assert github.count("::notice ") == 4 and "[baselined: adopted in 2026]" in github
    code, out = cli(root, "validate", "--format", "sarif", capsys=capsys)
    assert '"kind": "external"' in out and '"justification": "adopted in 2026"' in out


def test_a_stale_entry_is_reported_and_the_baseline_only_shrinks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    baseline(root, capsys)
    fixed = next(e for e in entries(root) if "db-backup" in str(e["message"]))
    write(
        root,
        "releases/r1.yaml",
        RECORD.replace("{id: db-backup, done: false}", "{id: db-backup, done: true, evidence: snap-1}"),
    )
    result = run(root)
    stale = of(result, "FES902")
    assert len(stale) == 1 and stale[0].severity == "warning"
    assert stale[0].loc.file == BASELINE_FILE and f"baseline entry {fixed['fingerprint']}" in stale[0].message
    assert "remove it" in stale[0].message
    lines = (root / BASELINE_FILE).read_text(encoding="utf-8").splitlines()
    assert str(fixed["fingerprint"]) in lines[stale[0].loc.line - 1]
    assert stale[0].about_files() >= {"releases/r1.yaml"}  # `validate releases/r1.yaml` shows it too
    assert result.exit_code() == 0  # a warning: the run still passes

    assert "3 entries (0 added, 3 kept, 1 removed)" in baseline(root, capsys)
    assert of(run(root), "FES902") == []


def test_integrity_findings_cannot_be_baselined(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, record=RECORD.replace("id: r1", "id: r-other"))
    out = baseline(root, capsys)
    assert "1 finding of integrity rules cannot be baselined" in out
    assert [e["rule"] for e in entries(root) if e["rule"] == "FES012"] == []
    wrong_id = of(run(root), "FES012")
    assert [f.blocking for f in wrong_id] == [True]

    # written by hand, the entry credits nothing and is an error itself
    f = wrong_id[0]
    text = (root / BASELINE_FILE).read_text(encoding="utf-8")
    text += (
        f'  - fingerprint: "{f.fingerprint}"\n    rule: "FES012"\n    file: "{f.loc.file}"\n'
        f'    release: "{f.release}"\n    message: "x"\n    reason: "trust me"\n    by: "alice"\n'
    )
    write(root, BASELINE_FILE, text)
    result = run(root)
    assert [g.blocking for g in of(result, "FES012")] == [True]
    refused = of(result, "FES902")
    assert [(g.severity, "cannot be baselined" in g.message) for g in refused] == [("error", True)]
    assert result.exit_code() == 1


def test_an_entry_speaks_only_for_the_file_it_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: an entry keeps a finding's fingerprint but names another record's file, so that the record the
    finding belongs to would keep its sign-offs while its finding is hidden."""
    root = project(tmp_path)
    write(root, "releases/r2.yaml", RECORD.replace("id: r1", "id: r2").split("migrations:")[0])
    baseline(root, capsys)
    text = (root / BASELINE_FILE).read_text(encoding="utf-8")
    write(root, BASELINE_FILE, text.replace('file: "releases/r1.yaml"', 'file: "releases/r2.yaml"'))
    result = run(root)
    assert all(f.baselined is None for f in result.findings if f.loc.file == "releases/r1.yaml")
    assert result.exit_code() == 1


def test_the_baseline_file_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "a")
    baseline(root, capsys)
    first = (root / BASELINE_FILE).read_bytes()
    baseline(root, capsys, reason="another day", by="bob")  # same findings: the entries are kept as written
    assert (root / BASELINE_FILE).read_bytes() == first
    other = project(tmp_path / "b")  # another checkout, another run: the same bytes
    baseline(other, capsys)
    assert (other / BASELINE_FILE).read_bytes() == first
    keys = [(e["file"], e["rule"], e["fingerprint"]) for e in entries(root)]
    assert keys == sorted(keys)
    assert b"2026" not in first.replace(b"2026-03", b"")  # nothing from the clock


def test_the_baseline_lives_outside_the_records_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    baseline(root, capsys)
    assert (root / ".fes-docs" / "baseline.yaml").is_file()
    assert sorted(p.name for p in (root / "releases").iterdir()) == ["policy.yaml", "r1.yaml"]


def test_baseline_asks_for_a_reason_and_a_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    for reason, by, said in ((" ", "alice", "--reason"), ("legacy", "mallory", "not listed under people")):
        code = cli_main(["baseline", "--root", str(root), "--reason", reason, "--by", by])
        assert code == 2 and said in capsys.readouterr().err
    assert not (root / BASELINE_FILE).exists()


def _approved(root: Path) -> str:
    """ok-approved with one waivable error (FES318), its sign-offs bound to the record as it is."""
    text = (PROJECT.parent / "cases" / "ok-approved.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - {file: V8__seed_gizmo.sql",
        "  - {file: V30__gadgets.sql, change: additive, idempotent: true}\n  - {file: V8__seed_gizmo.sql",
    )
    text = text.replace("id: ok-approved", "id: r1")
    doc, _ = load_bytes(text.encode(), "releases/r1.yaml")
    assert doc is not None
    return re.sub(r"sha256:[0-9a-f]{64}", digest_of(doc.data), text)


def test_a_baseline_entry_makes_the_records_signoffs_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = {
        name: (PROJECT / MIGRATIONS / name).read_text(encoding="utf-8")
        for name in ("V7__create_gizmo.sql", "V8__seed_gizmo.sql")
    }
    root = project(tmp_path, record="", sql={**sql, "V30__gadgets.sql": GADGETS_ONE})
    write(root, "releases/r1.yaml", _approved(root))
    before = run(root)
    assert [f.rule for f in before.findings] == ["FES318"]  # bound sign-offs: no baseline, no change
    baseline(root, capsys)
    after = run(root)
    assert [f.baselined is not None for f in of(after, "FES318")] == [True]
    stale = of(after, "FES705")
    assert len(stale) == 4 and all(f.blocking for f in stale)  # the owners accept it by signing again
    for role, person in (("engineering", "alice"), ("database", "bob"), ("on_call", "carol"), ("product", "dave")):
        assert cli_main(["sign", "r1", "--role", role, "--by", person, "--root", str(root)]) == 0
    signed = run(root)
    assert of(signed, "FES705") == [] and signed.exit_code() == 0
    # and the entry, removed again, is a change they did not sign either
    write(
        root, BASELINE_FILE, (root / BASELINE_FILE).read_text(encoding="utf-8").split("entries:")[0] + "entries: []\n"
    )
    assert len(of(run(root), "FES705")) == 4


def test_a_changed_baseline_is_a_changed_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unchanged-project fast path reuses a whole report only when nothing it read changed: the baseline
    is read through the project's inputs, so editing it is never answered from the cache."""
    monkeypatch.setenv("FES_DOCS_CACHE_DIR", str(tmp_path / "cache"))
    root = project(tmp_path)
    baseline(root, capsys)
    cold = validate_report(root, today=TODAY, use_cache=True)
    warm = validate_report(root, today=TODAY, use_cache=True)
    assert warm.result is None  # served by the fast path ...
    assert [(f.fingerprint, f.baselined) for f in warm.findings] == [
        (f.fingerprint, f.baselined) for f in cold.findings
    ]
    write(
        root, BASELINE_FILE, (root / BASELINE_FILE).read_text(encoding="utf-8").split("entries:")[0] + "entries: []\n"
    )
    edited = validate_report(root, today=TODAY, use_cache=True)
    assert edited.result is not None and all(f.baselined is None for f in edited.findings)
