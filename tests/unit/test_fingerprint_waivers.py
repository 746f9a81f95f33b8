"""A waiver may name one finding's fingerprint instead of a whole rule: ``{fingerprint, reason}``."""

from __future__ import annotations

from pathlib import Path

from baselineproject import RECORD, of, project, run, write

from fes_docs.check import Result


def waived(root: Path, *waivers: str) -> Result:
    write(root, "releases/r1.yaml", RECORD + "waivers:\n" + "".join(f"  - {w}\n" for w in waivers))
    return run(root)


def fingerprint(root: Path, rule: str, needle: str) -> str:
    return next(f.fingerprint for f in of(run(root), rule) if needle in f.message)


def test_a_waiver_by_fingerprint_waives_that_finding_only(tmp_path: Path) -> None:
    root = project(tmp_path)
    fp = fingerprint(root, "FES104", "db-backup")
    result = waived(root, f'{{fingerprint: "{fp}", reason: "the snapshot is taken on the day", approved_by: dave}}')
    found = {f.fingerprint: f for f in of(result, "FES104")}
    assert found[fp].waived is not None and found[fp].waived.reason == "the snapshot is taken on the day"
    assert [f.waived for k, f in found.items() if k != fp] == [None]  # the other FES104 is still open
    assert of(result, "FES901") == []
    assert result.summary.waived == 1


def test_a_fingerprint_waiver_may_name_its_rule_too(tmp_path: Path) -> None:
    root = project(tmp_path)
    fp = fingerprint(root, "FES318", "V30__gadgets.sql:1")
    result = waived(root, f'{{rule: FES318, fingerprint: "{fp}", reason: "created by hand on the replica"}}')
    assert [f.waived is not None for f in of(result, "FES318")] == [True, False]
    assert of(result, "FES901") == []


def test_a_fingerprint_that_matches_nothing_is_reported_like_an_unknown_rule(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = waived(root, '{fingerprint: "0123456789abcdef", reason: "no such finding"}')
    problems = of(result, "FES901")
    assert [(f.severity, "unknown fingerprint '0123456789abcdef'" in f.message) for f in problems] == [("error", True)]
    assert problems[0].loc.line == RECORD.count("\n") + 2  # at the waiver, in the record
    assert all(f.waived is None for f in result.findings)


def test_a_fingerprint_of_another_record_waives_nothing_here(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "releases/r2.yaml", RECORD.replace("id: r1", "id: r2").split("migrations:")[0])
    theirs = next(f.fingerprint for f in of(run(root), "FES104") if f.loc.file == "releases/r2.yaml")
    result = waived(root, f'{{fingerprint: "{theirs}", reason: "not mine to waive"}}')
    assert [f.waived for f in of(result, "FES104") if f.loc.file == "releases/r2.yaml"] == [None, None]
    assert ["unknown fingerprint" in f.message for f in of(result, "FES901")] == [True]


def test_a_fingerprint_of_an_integrity_finding_cannot_be_waived(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "releases/r1.yaml", RECORD.replace("id: r1", "id: r-other"))
    fp = fingerprint(root, "FES012", "does not match")
    write(
        root,
        "releases/r1.yaml",
        RECORD.replace("id: r1", "id: r-other") + f'waivers:\n  - {{fingerprint: "{fp}", reason: "trust me"}}\n',
    )
    result = run(root)
    assert [f.blocking for f in of(result, "FES012")] == [True]
    assert ["cannot be waived" in f.message for f in of(result, "FES901")] == [True]


def test_a_fingerprint_waiver_naming_another_rule_waives_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    fp = fingerprint(root, "FES104", "db-backup")
    result = waived(root, f'{{rule: FES318, fingerprint: "{fp}", reason: "mixed up"}}')
    assert all(f.waived is None for f in result.findings if f.rule in ("FES104", "FES318"))
    assert ["is a finding of FES104" in f.message for f in of(result, "FES901")] == [True]


def test_a_waiver_names_a_rule_or_a_fingerprint(tmp_path: Path) -> None:
    result = waived(project(tmp_path), '{reason: "names nothing"}', '{fingerprint: "XYZ", reason: "not a fingerprint"}')
    messages = [f.message for f in of(result, "FES010")]
    assert any("missing required key 'rule'" in m for m in messages)
    assert any("has the wrong format" in m for m in messages)
