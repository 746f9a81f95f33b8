"""Every rule that has a check function must have a fixture that makes it fire.

A rule counts as covered when some case file under ``tests/fixtures/rules/cases`` expects it in an
``# expect:`` marker, or when ``test_project_rules.py`` has a test named ``test_fesNNN_…`` for it
(rules that need several files, a changed spec or a changed schema). So adding a rule to the catalogue
without a failing fixture fails the suite, and so does a marker naming a rule that does not exist.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_cases import CASES, expected

from fes_docs.rules import CATALOGUE

PROJECT_TESTS = Path(__file__).with_name("test_project_rules.py")
CHECKED = sorted(r.id for r in CATALOGUE.values() if r.check is not None)
NAME = re.compile(r"^(?:(?P<rule>fes\d{3})|ok)-[a-z0-9]+(?:-[a-z0-9]+)*$")


def case_expectations() -> dict[str, set[str]]:
    """case stem -> rule ids its markers expect."""
    return {c.stem: {e.rule for e in expected(c)} for c in CASES}


def project_test_rules() -> set[str]:
    tree = ast.parse(PROJECT_TESTS.read_text(encoding="utf-8"))
    names = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    return {m.group(1).upper() for n in names if (m := re.match(r"test_(fes\d{3})_", n))}


def test_catalogue_has_checked_rules() -> None:
    assert len(CHECKED) > 40  # guards against an import that silently registered nothing


@pytest.mark.parametrize("rule_id", CHECKED)
def test_rule_has_a_failing_fixture(rule_id: str) -> None:
    in_cases = sorted(stem for stem, rules in case_expectations().items() if rule_id in rules)
    assert in_cases or rule_id in project_test_rules(), (
        f"{rule_id} has a check function but no case in tests/fixtures/rules/cases expects it "
        f"and test_project_rules.py has no test_{rule_id.lower()}_… test"
    )


def test_markers_name_catalogued_rules_and_severities() -> None:
    bad = sorted(
        (c.name, e.rule, e.severity)
        for c in CASES
        for e in expected(c)
        if e.rule not in CATALOGUE or e.severity not in (None, "error", "warning")
    )
    assert bad == []


def test_markers_pin_a_column_inside_their_line() -> None:
    """Every marker parses (``expected`` raises on one without ``@column``) and its column is on the line."""
    for c in CASES:
        lines = c.read_text(encoding="utf-8").splitlines()
        for e in expected(c):
            marker = lines[e.line - 1].index("#")
            assert 1 <= e.column <= marker, f"{c.name}:{e.line}: column {e.column} is not before the marker"


def test_a_marker_without_a_column_is_refused(tmp_path: Path) -> None:
    case = tmp_path / "fes010-x.yaml"
    case.write_text("id: x  # expect: FES010\n", encoding="utf-8")
    with pytest.raises(ValueError, match="RULE\\[/severity\\]@column"):
        expected(case)


def test_project_tests_name_catalogued_rules() -> None:
    assert sorted(project_test_rules() - set(CATALOGUE)) == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_is_named_for_what_it_carries(case: Path) -> None:
    """``fesNNN-…`` expects FESNNN; ``ok-…`` expects nothing, unless a waiver keeps a finding visible."""
    m = NAME.match(case.stem)
    assert m, f"{case.name}: name it fesNNN-<defect>.yaml or ok-<what it proves>.yaml"
    rules = case_expectations()[case.stem]
    if m.group("rule"):
        assert m.group("rule").upper() in rules, f"{case.name} does not expect {m.group('rule').upper()}"
    else:
        text = case.read_text(encoding="utf-8")
        assert not rules or "\nwaivers:" in text, f"{case.name} is named ok- but expects {sorted(rules)}"
