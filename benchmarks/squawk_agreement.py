"""How far fes-docs' SQL classifier agrees with squawk's labelled rule tests.

Usage: ``python benchmarks/squawk_agreement.py [SQUAWK_CASES_DIR]`` (default: the shared real-data copy,
``/work/shared/realdata/squawk-rule-cases``; ``tests/fixtures/sql/squawk`` holds the subset CI uses).

Agreement per rule, over squawk's ``violation`` cases:

* destructive rules (ban-drop-column, ban-drop-table, renaming-column, renaming-table,
  changing-column-type, ban-drop-not-null, ban-truncate-cascade): the file is classified ``destructive``;
* prefer-robust-stmts: the file is not idempotent (``no`` or ``unproven``).

squawk's ``ok`` cases are listed for information only: they are "ok" for that one rule (``TRUNCATE``
without ``CASCADE`` is still destructive; ``BEGIN … COMMIT`` makes an unguarded ``ADD COLUMN`` acceptable
to squawk but not re-runnable), so they say nothing about our labels. The output is deterministic.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from fes_docs.sql import Analysis, analyze

DESTRUCTIVE_RULES = (
    "ban-drop-column",
    "ban-drop-table",
    "renaming-column",
    "renaming-table",
    "changing-column-type",
    "ban-drop-not-null",
    "ban-truncate-cascade",
)
ROBUST_RULE = "prefer-robust-stmts"
DEFAULT_DIR = Path("/work/shared/realdata/squawk-rule-cases")


def agrees(rule: str, result: Analysis) -> bool:
    """Our verdict on a squawk ``violation`` case of ``rule`` agrees with squawk."""
    if rule == ROBUST_RULE:
        return result.idempotent in ("no", "unproven")
    return result.klass == "destructive"


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    labels: list[dict[str, Any]] = yaml.safe_load((root / "LABELS.yaml").read_text(encoding="utf-8"))
    results: dict[str, Analysis] = {}
    started = time.perf_counter()
    for label in labels:
        results[label["file"]] = analyze((root / label["file"]).read_text(encoding="utf-8"))
    elapsed = time.perf_counter() - started

    errors = sorted((f, r.error) for f, r in results.items() if r.error is not None)
    print(f"squawk cases: {len(results)} files under {root}")
    print(f"parsed: {len(results) - len(errors)}, not parsed: {len(errors)} ({elapsed * 1000:.0f} ms in total)")
    for file, error in errors:
        assert error is not None
        print(f"  {file}:{error.line}:{error.column}: {error.message}")

    print()
    print("violation cases (squawk says the rule fires):")
    print(f"| {'rule':<22} | cases | agree | disagree | disagreeing files")
    print(f"|{'-' * 24}|-------|-------|----------|------------------")
    for rule in (*DESTRUCTIVE_RULES, ROBUST_RULE):
        cases = [x for x in labels if x["rule"] == rule and x["expect"] == "violation"]
        bad = sorted(x["file"] for x in cases if not agrees(rule, results[x["file"]]))
        detail = ", ".join(f"{Path(f).name} ({_verdict(results[f])})" for f in bad)
        print(f"| {rule:<22} | {len(cases):>5} | {len(cases) - len(bad):>5} | {len(bad):>8} | {detail}".rstrip())

    print()
    print("ok cases (information only; squawk's 'ok' is about that one rule):")
    ok_by_rule: dict[str, list[str]] = defaultdict(list)
    for x in labels:
        if x["rule"] in (*DESTRUCTIVE_RULES, ROBUST_RULE) and x["expect"] == "ok":
            ok_by_rule[x["rule"]].append(x["file"])
    for rule in sorted(ok_by_rule):
        files = sorted(ok_by_rule[rule])
        verdicts = ", ".join(f"{Path(f).name} ({_verdict(results[f])})" for f in files)
        print(f"  {rule}: {len(files)} — {verdicts}")
    return 0


def _verdict(result: Analysis) -> str:
    if result.error is not None:
        return f"error {result.error.line}:{result.error.column}"
    return f"{result.klass}/{result.idempotent}"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
