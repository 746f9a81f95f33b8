"""releases.json: a versioned, documented, deterministic export of records, findings and sign-off state."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from gitrepo import REPO, edit
from jsonschema import Draft202012Validator

from fes_docs.check import check
from fes_docs.export import FORMAT, SCHEMA, VERSION, dump_releases_json, releases_json
from fes_docs.report import finding_json


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, root / name)
    return root


def test_document_follows_its_schema(project: Path) -> None:
    result = check(project)
    doc = releases_json(result)
    Draft202012Validator.check_schema(SCHEMA)
    assert list(Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    assert doc["format"] == FORMAT == "fes-docs/releases" and doc["version"] == VERSION == 1
    assert [r["id"] for r in doc["releases"]] == sorted(r.key for r in result.project.releases)
    for entry in doc["releases"]:
        rel = next(r for r in result.project.releases if r.key == entry["id"])
        assert entry["record"] == rel.doc.data
        assert entry["findings"] == [finding_json(f) for f in result.for_release(rel.key)]
        assert entry["blocking"] == any(f.blocking for f in result.for_release(rel.key))
    assert doc["summary"]["releases"] == len(result.project.releases)


def test_signoff_state_and_missing_roles(project: Path) -> None:
    rel = next(r for r in check(project).project.releases if r.status == "approved" and r.signoffs)
    p95 = re.search(r"p95_latency_ms_max: (\d+)", (project / rel.file).read_text())
    assert p95 is not None
    edit(project / rel.file, p95.group(0), "p95_latency_ms_max: 1")
    first_signoff = f"role: {rel.signoffs[0].role}, by: {rel.signoffs[0].by}, date: "
    edit(project / rel.file, first_signoff + str(rel.signoffs[0].date), first_signoff + "2030-05-06")
    doc = releases_json(check(project))
    entry = next(r for r in doc["releases"] if r["id"] == rel.key)
    first = entry["signoffs"][0]
    assert first["state"] == "stale" and first["stale_since"] == "2030-05-06"
    assert entry["roles"][rel.signoffs[0].role] == "stale"
    assert any(f["rule"] == "FES705" for f in entry["findings"]) and entry["blocking"]
    assert entry["digest"] != first["digest"]

    draft = next((r for r in doc["releases"] if not r["signoffs"]), None)
    if draft is not None:
        assert set(draft["roles"].values()) == {"missing"}


def test_byte_identical_wherever_it_runs(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(project, elsewhere)
    a = json.dumps(releases_json(check(project)), indent=2, ensure_ascii=False)
    b = json.dumps(releases_json(check(elsewhere)), indent=2, ensure_ascii=False)
    assert a == b and str(tmp_path) not in a


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("error_rate_max: 0.01", "error_rate_max: .nan"),
        ("p95_latency_ms_max: 800", "p95_latency_ms_max: -.inf"),
        ("error_rate_max: 0.01", "error_rate_max: 1.0e+400"),  # overflows to inf
    ],
)
def test_releases_json_is_strict_json_whatever_a_record_holds(project: Path, old: str, new: str) -> None:
    """Attack: `.nan` / `.inf` in a record made releases.json carry NaN/Infinity, which strict parsers reject."""
    record = next(p for p in sorted((project / "releases").glob("*.yaml")) if old in p.read_text())
    record.write_text(record.read_text().replace(old, new, 1))
    result = check(project, use_cache=False)
    assert any(f.rule == "FES010" and f.loc.file.endswith(record.name) for f in result.findings)
    text = dump_releases_json(result)

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in releases.json")

    doc = json.loads(text, parse_constant=refuse)
    entry = next(r for r in doc["releases"] if r["file"].endswith(record.name))
    assert None in entry["record"]["validation"]["slo"].values()
