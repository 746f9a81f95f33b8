"""The published schemas: generated from code, specialised to the policy, located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from fes_docs.loader import load_text
from fes_docs.model import Policy
from fes_docs.project import dump_schema
from fes_docs.schema import policy_schema, release_schema
from fes_docs.schema_check import schema_findings

PACKAGE = Path(__file__).parents[2] / "fes_docs" / "schemas"
POLICY = Policy.from_data(
    {
        "environments": ["local", "staging", "production"],
        "owner_roles": ["engineering", "product"],
        "checklist": [{"id": "db-backup", "title": "Backup"}],
        "flags": ["features.enable-x"],
    }
)


def test_shipped_generic_schemas_match_the_code() -> None:
    assert (PACKAGE / "release.schema.json").read_text() == dump_schema(release_schema(None))
    assert (PACKAGE / "policy.schema.json").read_text() == dump_schema(policy_schema())


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in (release_schema(None), release_schema(POLICY), policy_schema()):
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"].endswith("2020-12/schema")


def test_specialised_schema_lists_policy_names_as_enums() -> None:
    s = release_schema(POLICY)
    item = s["properties"]["flags"]["items"]
    assert item["properties"]["name"]["enum"] == ["features.enable-x"]
    assert list(item["properties"]["rollout"]["properties"]) == ["local", "staging", "production"]
    assert list(s["properties"]["owners"]["properties"]) == ["engineering", "product", "rollback"]
    assert s["properties"]["checklist"]["items"]["properties"]["id"]["enum"] == ["db-backup"]


def _findings(text: str, policy: Policy | None = POLICY, editor: bool = False) -> list[tuple[str, int, int, str]]:
    doc, problems = load_text(text, "r.yaml")
    assert doc is not None and not problems
    return [
        (f.rule, f.loc.line, f.loc.column, f.message)
        for f in schema_findings(doc, release_schema(policy, editor=editor))
    ]


BASE = "id: r\ntitle: t\nphase: 1\nstatus: draft\nowners: {engineering: a}\nchecklist: []\n"


def test_unknown_key_with_suggestion_points_at_the_key() -> None:
    got = _findings(BASE + "windw: {start: 2026-01-01T00:00:00Z, end: 2026-01-01T01:00:00Z}\n")
    assert got == [("FES011", 7, 1, "unknown key 'windw' in top level; did you mean 'window'?")]


def test_misspelled_environment_is_a_schema_error() -> None:
    got = _findings(BASE + "flags:\n  - name: features.enable-x\n    rollout: {local: 100, stagin: 5}\n")
    assert len(got) == 1
    rule, line, col, msg = got[0]
    assert (rule, line, col) == ("FES011", 9, 27) and "did you mean 'staging'" in msg


def test_wrong_type_is_located_with_hint() -> None:
    got = _findings(BASE.replace("phase: 1", "phase: one"))
    assert got[0][:3] == ("FES010", 3, 8) and "integer" in got[0][3]


def test_missing_required_key() -> None:
    got = _findings(BASE.replace("title: t\n", ""))
    assert got == [("FES010", 1, 1, "missing required key 'title' in top level")]


def test_bad_timestamp_format() -> None:
    got = _findings(BASE + "window: {start: 'tomorrow', end: 2026-01-01T01:00:00Z}\n")
    assert got[0][:2] == ("FES010", 7) and "format" in got[0][3]


def test_editor_schema_requires_approval_fields_validate_schema_does_not() -> None:
    approved = BASE.replace("status: draft", "status: approved")
    assert _findings(approved, editor=False) == []
    assert _findings(approved, editor=True)


def test_generic_schema_accepts_any_environment_name() -> None:
    text = BASE + "flags:\n  - name: f\n    rollout: {qa: 100, production: [5, 100]}\n"
    assert _findings(text, policy=None) == []


def test_policy_schema_rejects_unknown_keys() -> None:
    doc, _ = load_text(
        "environments: [a]\nowner_roles: [b]\nchecklist: [{id: c, title: C}]\nflags: [f]\nflgs: []\n", "p.yaml"
    )
    assert doc is not None
    got = [(f.rule, f.loc.line) for f in schema_findings(doc, policy_schema())]
    assert got == [("FES011", 5)]


def test_example_records_reference_the_written_schema() -> None:
    root = Path(__file__).parents[2]
    for path in sorted((root / "releases").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        want = "policy" if path.name == "policy.yaml" else "release"
        assert first == f"# yaml-language-server: $schema=schema/{want}.schema.json", path.name
    json.loads((root / "releases" / "schema" / "release.schema.json").read_text())


@pytest.mark.parametrize(
    "value",
    ["5000000.0", "1.0e6", "true", ".inf", "-.inf", ".nan", "9" * 4000, "-" + "9" * 30],
    ids=["integral-float", "exponent", "bool", "inf", "minus-inf", "nan", "4000-digits", "beyond-64-bits"],
)
def test_numbers_are_what_they_look_like(value: str) -> None:
    """Attack: an integer field given a number the model would read as "none" (turning a rule off)."""
    got = _findings(BASE.replace("phase: 1", f"phase: {value}"))
    assert got and got[0][:3] == ("FES010", 3, 8) and "must be an integer" in got[0][3], got
    assert len(got[0][3]) < 200  # a huge number is described, never printed


def test_a_whole_number_is_still_an_integer() -> None:
    assert _findings(BASE.replace("phase: 1", "phase: 9223372036854775807")) == []


def test_type_messages_use_the_schemas_words_with_their_articles() -> None:
    """Issue 13, "No contradictions": "must be an object, got an array", never "got list"."""
    from fes_docs.document import Document
    from fes_docs.schema import release_schema
    from fes_docs.schema_check import schema_findings

    data = {"id": "x", "title": "t", "phase": "2", "status": "draft", "checklist": "nope", "owners": [1]}
    messages = sorted(f.message for f in schema_findings(Document("r.yaml", data), release_schema(None)))
    assert 'checklist must be an array, got a string "nope"' in messages
    assert "owners must be an object, got an array [1]" in messages
    assert 'phase must be an integer, got a string "2"' in messages
    assert not [m for m in messages if " got list" in m or " got mapping" in m or "a array" in m]
