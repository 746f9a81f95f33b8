"""Fingerprints: a finding's stable name — rule, file and what it is about, never its line.

Each test runs the real checker on a small real project (``tests/baselineproject.py``), edits the files the
way people do (lines above, items reordered, statements re-indented) and compares the names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from baselineproject import GADGETS, MIGRATIONS, RECORD, cli, of, project, run, write

from fes_docs.findings import FINGERPRINT_PATTERN, Finding, Loc, fingerprint_of, fingerprinted, key_path
from fes_docs.report import sarif


def by_rule(root: Path, rule: str) -> list[Finding]:
    return of(run(root), rule)


def test_every_finding_has_a_fingerprint(tmp_path: Path) -> None:
    result = run(project(tmp_path))
    assert result.findings
    assert all(re.fullmatch(FINGERPRINT_PATTERN, f.fingerprint) for f in result.findings)
    assert len({f.fingerprint for f in result.findings}) == len(result.findings)


def test_an_edit_elsewhere_in_the_record_keeps_the_fingerprint(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = {f.message: (f.fingerprint, f.loc.line) for f in by_rule(root, "FES104")}
    # lines above, and the checklist reordered: a new item before the one the finding is about
    edited = RECORD.replace('title: "R1"\n', 'title: "R1"\n# a comment\nnotes: "a note"\n')
    edited = edited.replace(
        "  - {id: db-backup, done: false}\n  - {id: flyway-dry-run, done: false}\n",
        "  - {id: flyway-dry-run, done: false}\n  - {id: alerting-dashboards, done: true}\n"
        "  - {id: db-backup, done: false}\n",
    ).replace("  - {id: alerting-dashboards, done: true}\n  - {id: rollback-owner", "  - {id: rollback-owner")
    write(root, "releases/r1.yaml", edited)
    after = {f.message: (f.fingerprint, f.loc.line) for f in by_rule(root, "FES104")}
    assert after.keys() == before.keys() and len(after) == 2
    for message, (fingerprint, line) in before.items():
        assert after[message][0] == fingerprint
        assert after[message][1] != line  # it did move: the name did not


def test_the_key_path_names_list_items_by_id(tmp_path: Path) -> None:
    f = next(f for f in by_rule(project(tmp_path), "FES104") if "db-backup" in f.message)
    assert f.loc.subject == "checklist[id=db-backup].done"


def test_two_findings_of_one_rule_in_one_file_have_different_fingerprints(tmp_path: Path) -> None:
    found = by_rule(project(tmp_path), "FES104")
    assert len(found) == 2 and found[0].loc.file == found[1].loc.file
    assert found[0].fingerprint != found[1].fingerprint


def test_a_statement_is_named_by_its_text_not_its_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = {f.loc.subject: f for f in by_rule(root, "FES318")}
    assert len(before) == 2  # both statements, at one place in the record
    reformatted = "-- a comment above\n\nCREATE   TABLE gadget\n    (id bigint);\n" + GADGETS.split("\n", 1)[1]
    write(root, f"{MIGRATIONS}/V30__gadgets.sql", reformatted)
    after = {f.loc.subject: f for f in by_rule(root, "FES318")}
    assert {s: f.fingerprint for s, f in after.items()} == {s: f.fingerprint for s, f in before.items()}
    lines = sorted(f.related[0].line for f in after.values())
    assert lines != sorted(f.related[0].line for f in before.values())
    assert any("CREATE TABLE gadget (id bigint)" in s for s in after)


def test_equal_statements_in_one_script_are_told_apart(tmp_path: Path) -> None:
    root = project(tmp_path, sql={"V30__gadgets.sql": "CREATE TABLE gadget (id bigint);\n" * 2})
    found = by_rule(root, "FES318")
    assert len(found) == 2 and found[0].loc.subject == found[1].loc.subject
    assert found[0].fingerprint != found[1].fingerprint


def test_a_finding_without_a_subject_is_named_by_its_message_without_numbers() -> None:
    a = Finding(Loc("service/db/migration/V1__x.sql", 3), "FES324", "error", "V1__x.sql:3: no value for ${a}")
    b = Finding(Loc("service/db/migration/V1__x.sql", 9), "FES324", "error", "V1__x.sql:9: no value for ${a}")
    c = Finding(Loc("service/db/migration/V1__x.sql", 9), "FES324", "error", "V1__x.sql:9: no value for ${b}")
    assert fingerprinted([a])[0].fingerprint == fingerprinted([b])[0].fingerprint
    assert fingerprinted([a])[0].fingerprint != fingerprinted([c])[0].fingerprint
    # the rule and the file are part of the name
    assert fingerprint_of("FES324", "x.sql", "", "m") != fingerprint_of("FES325", "x.sql", "", "m")
    assert fingerprint_of("FES324", "x.sql", "", "m") != fingerprint_of("FES324", "y.sql", "", "m")


def test_key_path() -> None:
    data = {"flags": [{"name": "f.a", "rollout": {"production": [5, 50]}}], "endpoints": ["GET /x"], "l": [[1]]}
    assert key_path(data, ("flags", 0, "rollout", "production", 1)) == "flags[name=f.a].rollout.production[1]"
    assert key_path(data, ("endpoints", 0)) == 'endpoints["GET /x"]'
    assert key_path(data, ("l", 0, 0)) == "l[0][0]"
    assert key_path(data, ("missing", "deeper")) == "missing.deeper"
    assert key_path(data, ()) == ""


def test_the_spec_is_named_by_json_pointer(tmp_path: Path) -> None:
    root = project(tmp_path)
    spec = root / "service" / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    broken = re.sub(r"(\n      responses:)", r"\n      responses: 42\n      x-old:", text, count=1)
    assert broken != text
    spec.write_text(broken, encoding="utf-8")
    found = [f for f in by_rule(root, "FES801") if "42" in f.message]
    assert [f.loc.subject for f in found] == ["/paths/~1api~1v1~1documents~1{documentId}~1pdf/get/responses"]
    spec.write_text("# a comment\n\n" + broken, encoding="utf-8")
    again = [f for f in by_rule(root, "FES801") if "42" in f.message]
    assert [f.fingerprint for f in again] == [f.fingerprint for f in found]
    assert [f.loc.line for f in again] == [found[0].loc.line + 2]


def test_json_and_sarif_carry_the_fingerprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    result = run(root)
    _, out = cli(root, "validate", "--format", "json", capsys=capsys)
    doc = json.loads(out)
    assert [f["fingerprint"] for f in doc["findings"]] == [f.fingerprint for f in result.findings]
    assert doc["summary"]["baselined"] == 0
    _, out = cli(root, "validate", "--format", "sarif", capsys=capsys)
    results = json.loads(out)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in results] == [{"fesDocs/v1": f.fingerprint} for f in result.findings]


def test_reports_name_findings_added_after_the_check() -> None:
    late = Finding(Loc("releases/x.yaml", 4, 2, "signoffs[role=product]"), "FES706", "error", "not committed by dave")
    results = json.loads(sarif([late]))["runs"][0]["results"]
    assert results[0]["partialFingerprints"]["fesDocs/v1"] == fingerprinted([late])[0].fingerprint


def test_a_finding_evolved_is_the_finding_replace_gives() -> None:
    from dataclasses import replace

    import pytest

    from fes_docs.findings import Finding, Loc

    f = Finding(Loc("r.yaml", 3, 4, "/a"), "FES704", "warning", "m", "h", "r", related=(Loc("b.sql", 1, 1),))
    assert f.evolved(fingerprint="abc") == replace(f, fingerprint="abc")
    assert f.evolved(about=("x", "y")) == replace(f, about=("x", "y"))
    assert f.fingerprint == "" and f.about == ()  # the original is untouched
    with pytest.raises(TypeError):
        f.evolved(severity="error")  # a field that wants checking goes through replace
