"""The labelled PostgreSQL cases (tests/fixtures/sql/cases.yaml), one parametrised test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fes_docs.sql import analyze

CASES_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "sql" / "cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def test_the_case_set_is_large_and_unique() -> None:
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        # A bare yes/no in YAML would silently become a boolean and never match.
        assert case["idempotent"] in ("yes", "no", "unproven"), case["id"]
        assert case["klass"] in ("additive", "data", "destructive", "unsafe"), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    result = analyze(case["sql"])
    assert result.error is None, result.error
    got = {
        "klass": result.klass,
        "idempotent": result.idempotent,
        "opaque": result.opaque,
    }
    want = {
        "klass": case["klass"],
        "idempotent": case["idempotent"],
        "opaque": case.get("opaque", False),
    }
    reasons = [f"{s.line}:{s.column} {s.kind}: {s.reason}" for s in result.statements]
    assert got == want, reasons
    if "statements" in case:
        assert len(result.statements) == case["statements"], reasons
