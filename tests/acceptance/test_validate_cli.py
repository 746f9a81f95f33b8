"""`fes-docs validate`: the contract CI depends on (formats, exit codes, located findings)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fes_docs.cli import main


def run(root: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "fes_docs", "validate", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_example_project_is_clean(example: Path) -> None:
    code, out, err = run(example)
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("OK: 0 error(s)")
    assert "Traceback" not in err


def test_json_contract(example: Path) -> None:
    code, out, _ = run(example, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["errors"] == 0
    assert set(doc) >= {"findings", "summary", "migrations"}
    for m in doc["migrations"]:
        assert isinstance(m["checksum"], int) and m["file"].startswith("service/db/migration/")


# (file, text on the line to change, replacement, rule expected on that line)
MUTATIONS = [
    ("2026-12-phase-3-question-bank.yaml", "status: approved", "status: aproved", "FES010"),
    (
        "2026-12-phase-3-question-bank.yaml",
        "{id: rollback-owner, done: true}",
        "{id: rollback-owner, done: false}",
        "FES104",
    ),
    ("2026-12-phase-3-question-bank.yaml", "production: [10, 50, 100]", "production: [50, 10, 100]", "FES203"),
    ("2026-12-phase-3-question-bank.yaml", "features.enable-question-bank", "features.enable-question-bnk", "FES201"),
    ("2026-12-phase-3-question-bank.yaml", "{role: product, by: dave", "{role: product, by: mallory", "FES701"),
    (
        "2026-12-phase-3-question-bank.yaml",
        "rollout: {local: 100, test: 100, staging: 100",
        "rollout: {local: 100, test: 50, staging: 100",
        "FES202",
    ),
    ("2026-12-phase-3-question-bank.yaml", "slo: {error_rate_max: 0.01", "slo: {error_rate_max: 5", "FES602"),
    (
        "2026-12-phase-3-question-bank.yaml",
        "window: {start: 2026-12-08T18:00:00Z, end: 2026-12-08T22:00:00Z}",
        "window: {start: 2026-12-08T23:00:00Z, end: 2026-12-08T22:00:00Z}",
        "FES020",
    ),
    ("2026-12-phase-3-question-bank.yaml", "id: 2026-12-phase-3-question-bank", "id: 2026-04-phase-3-qb", "FES012"),
    (
        "2026-12-phase-3-question-bank.yaml",
        "{file: V6__create_question_bank.sql, change: additive, idempotent: true}",
        "{file: V6__create_question_bank.sql, change: additive, idempotent: false}",
        "FES301",
    ),
    ("2026-12-phase-3-question-bank.yaml", "{file: V7__add_question_pools.sql", "{file: V77__missing.sql", "FES310"),
    (
        "2026-12-phase-3-question-bank.yaml",
        "  - GET /api/v1/question-bank/questions\n",
        "  - GET /api/v1/question-bank/questionz\n",
        "FES802",
    ),
    ("2026-12-phase-3-question-bank.yaml", "    batch_size: 2000", "    batch_sizee: 2000", "FES011"),
    (
        "2027-02-phase-4-notification-rule-engine.yaml",
        "    estimated_rows: 40 ",
        "    estimated_rows: 4000000 ",
        "FES303",
    ),
]


@pytest.mark.parametrize("file,old,new,rule", MUTATIONS, ids=[m[1][:30] for m in MUTATIONS])
def test_breaking_one_requirement_is_located(example: Path, file: str, old: str, new: str, rule: str) -> None:
    path = example / "releases" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the example changed: {old!r} not in {file}"
    line = text[: text.index(old)].count("\n") + 1 + (old[: len(old) - len(old.lstrip("\n"))].count("\n"))
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run(example, "--format", "json")
    doc = json.loads(out)
    errors = [f for f in doc["findings"] if f["severity"] == "error" and not f["waived"]]
    assert code == 1, out + err
    assert any(f["file"] == f"releases/{file}" and f["line"] == line and f["rule"] == rule for f in errors), json.dumps(
        errors, indent=1
    )


def test_missing_policy_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run(tmp_path)
    assert code == 2 and "policy" in err and len(err.strip().splitlines()) == 1


def test_usage_error_is_exit_2(example: Path) -> None:
    code, _, err = run(example, "--format", "yaml")
    assert code == 2 and "usage error" in err


def test_formats(example: Path) -> None:
    path = example / "releases" / "2026-12-phase-3-question-bank.yaml"
    path.write_text(path.read_text().replace("status: approved", "status: aproved"))
    code, out, _ = run(example, "--format", "github")
    assert code == 1
    assert any(
        line.startswith("::error file=releases/2026-12-phase-3-question-bank.yaml,line=") for line in out.splitlines()
    )
    code, out, _ = run(example, "--format", "junit")
    tree = ET.fromstring(out)
    assert tree.tag == "testsuites" and int(tree.get("failures", "0")) >= 1
    names = {c.get("name"): c.find("failure") is not None for c in tree.iter("testcase")}
    records = {f"releases/{p.name}" for p in (example / "releases").glob("*.yaml")}
    assert set(names) >= records  # every checked file is a test case, the clean ones pass
    assert {n for n, failed in names.items() if failed} == {"releases/2026-12-phase-3-question-bank.yaml"}
    code, out, _ = run(example, "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"][0]["ruleId"].startswith("FES")
    code, out, _ = run(example)
    assert "releases/2026-12-phase-3-question-bank.yaml:" in out and " error FES010 " in out


def test_strict_warnings(example: Path) -> None:
    path = example / "releases" / "2027-02-phase-4-notification-rule-engine.yaml"
    assert main(["validate", "--root", str(example), "--strict-warnings"]) == 0
    # declaring a purely additive migration destructive is a warning (FES317): fails only when strict
    old = "{file: V8__create_notification_rule_engine.sql, change: additive"
    path.write_text(path.read_text().replace(old, old.replace("additive", "destructive")))
    assert main(["validate", "--root", str(example)]) == 0
    assert main(["validate", "--root", str(example), "--strict-warnings"]) == 1


def test_paths_filter_reports_only_those_files(example: Path) -> None:
    bad = example / "releases" / "2026-12-phase-3-question-bank.yaml"
    bad.write_text(bad.read_text().replace("status: approved", "status: aproved"))
    other = example / "releases" / "2026-07-phase-1-step-windows.yaml"
    assert run(example, str(other))[0] == 0
    assert run(example, str(bad))[0] == 1


def test_broken_yaml_never_tracebacks(example: Path) -> None:
    (example / "releases" / "broken.yaml").write_bytes(b"id: [\x00\n\tx")
    code, out, err = run(example)
    assert code == 1 and "Traceback" not in err + out
    assert "releases/broken.yaml:1:" in out


def test_a_path_shows_the_findings_about_it_wherever_they_sit(example: Path) -> None:
    """`validate <sql file>` shows the record's findings about that file (they sit in the record)."""
    sql = example / "service" / "db" / "migration" / "V7__add_question_pools.sql"
    sql.write_text(sql.read_text() + "\nDROP TABLE IF EXISTS question_pool_legacy;\n")
    code, out, _ = run(example, str(sql), "--format", "json")
    found = json.loads(out)["findings"]
    assert code == 1 and found, out
    assert {f["file"] for f in found} == {"releases/2026-12-phase-3-question-bank.yaml"}
    assert run(example, str(example / "releases" / "2026-07-phase-1-step-windows.yaml"))[0] == 0
