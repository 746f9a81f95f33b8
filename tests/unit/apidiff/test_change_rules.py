"""Every change rule has a fixture pair (tests/fixtures/apidiff/<rule name>/base.yaml, head.yaml) that
shows it, and shows nothing else: the pair is the rule's documentation by example."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fes_docs.apidiff import CHANGE_RULES, ChangeRule, diff_sides, load_side, rule_named

FIXTURES = Path(__file__).parents[2] / "fixtures" / "apidiff"
TODAY = date(2026, 12, 1)


def diff_pair(folder: Path):  # type: ignore[no-untyped-def]
    base = load_side("base", folder, "base.yaml", "base.yaml")
    head = load_side("head", folder, "head.yaml", "head.yaml")
    return diff_sides(base, head, TODAY)


@pytest.mark.parametrize("rule", sorted(CHANGE_RULES.values(), key=lambda r: r.id), ids=lambda r: r.id)
def test_fixture_pair_shows_the_rule_alone(rule: ChangeRule) -> None:
    folder = FIXTURES / rule.name
    assert (folder / "base.yaml").is_file() and (folder / "head.yaml").is_file(), f"no fixture pair for {rule.name}"
    report = diff_pair(folder)
    assert [(c.rule, c.level) for c in report.changes] == [(rule.id, rule.level)], report.changes
    change = report.changes[0]
    # located at the head's line, the base's for what the head no longer has
    expected = "base.yaml" if change.where.side == "base" else "head.yaml"
    assert change.spot.file == expected and change.spot.line > 3
    assert change.head_spot.file == "head.yaml"
    assert not report.problems


def test_every_fixture_folder_belongs_to_a_rule() -> None:
    names = {r.name for r in CHANGE_RULES.values()}
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} <= names


def test_ids_and_names_are_stable_and_in_range() -> None:
    for rule in CHANGE_RULES.values():
        assert rule.id.startswith("FES8") and 850 <= int(rule.id[3:]) <= 899
        assert rule.doc and rule.title and rule.name == rule.name.lower()
        assert rule_named(rule.id) is rule and rule_named(rule.name) is rule
    assert rule_named("FES851") is not None and rule_named("no-such-rule") is None


def test_sunset_today_decides_removal(tmp_path: Path) -> None:
    folder = FIXTURES / "api-removed-before-sunset"
    base = load_side("base", folder, "base.yaml", "b")
    head = load_side("head", folder, "head.yaml", "h")
    after = diff_sides(base, head, date(2099, 1, 1))
    assert [c.name for c in after.changes] == ["api-removed-after-sunset"]
