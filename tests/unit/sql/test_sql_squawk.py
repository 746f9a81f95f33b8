"""The classifier against squawk's labelled rule tests (copied subset in tests/fixtures/sql/squawk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fes_docs.sql import analyze

SQUAWK = Path(__file__).resolve().parents[2] / "fixtures" / "sql" / "squawk"
LABELS: list[dict[str, Any]] = yaml.safe_load((SQUAWK / "LABELS.yaml").read_text(encoding="utf-8"))

DESTRUCTIVE_RULES = {
    "ban-drop-column",
    "ban-drop-table",
    "renaming-column",
    "renaming-table",
    "changing-column-type",
    "ban-drop-not-null",
    "ban-truncate-cascade",
}

#: prefer-robust-stmts flags *any* ALTER TABLE action outside a transaction ("Missing transaction"),
#: including ones PostgreSQL happily re-runs. fes-docs judges re-run safety statement by statement, and
#: Flyway runs each PostgreSQL migration in a transaction anyway, so these stay "yes" on purpose:
#: SET NOT NULL on a NOT NULL column and ENABLE/DISABLE ROW LEVEL SECURITY twice are no-ops.
BY_DESIGN = {
    "sql/prefer_robust_stmts__alter_column_set_not_null.sql",
    "sql/prefer_robust_stmts__enable_row_level_security_err.sql",
    "sql/prefer_robust_stmts__enable_row_level_security_without_exists_check_err.sql",
    "sql/prefer_robust_stmts__disable_row_level_security_err.sql",
}


def _violations(rules: set[str]) -> list[dict[str, Any]]:
    return [x for x in LABELS if x["rule"] in rules and x["expect"] == "violation"]


def test_the_copied_subset_is_complete() -> None:
    assert {x["rule"] for x in LABELS} == DESTRUCTIVE_RULES | {"prefer-robust-stmts"}
    assert len(_violations(DESTRUCTIVE_RULES)) == 8
    assert len(_violations({"prefer-robust-stmts"})) == 21
    for x in LABELS:
        assert (SQUAWK / x["file"]).is_file(), x["file"]


@pytest.mark.parametrize("case", _violations(DESTRUCTIVE_RULES), ids=lambda x: Path(x["file"]).stem)
def test_destructive_rule_violations_are_destructive(case: dict[str, Any]) -> None:
    result = analyze((SQUAWK / case["file"]).read_text(encoding="utf-8"))
    assert result.error is None
    assert result.klass == "destructive", [s.reason for s in result.statements]


@pytest.mark.parametrize("case", _violations({"prefer-robust-stmts"}), ids=lambda x: Path(x["file"]).stem)
def test_prefer_robust_stmts_violations_are_not_idempotent(case: dict[str, Any]) -> None:
    result = analyze((SQUAWK / case["file"]).read_text(encoding="utf-8"))
    assert result.error is None
    messages = case["messages"] or []
    only_transaction = bool(messages) and all("Missing transaction" in m for m in messages)
    if case["file"] in BY_DESIGN:
        # The documented exception must really be squawk's transaction complaint, and every statement
        # of the file must be one PostgreSQL re-runs without error.
        assert only_transaction
        assert result.idempotent == "yes", [s.reason for s in result.statements]
    else:
        assert result.idempotent in ("no", "unproven"), [s.reason for s in result.statements]
        # A statement DDL guard is what squawk asks for: the verdict is a definite "no", not "unproven".
        assert result.idempotent == "no"
