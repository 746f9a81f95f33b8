"""A small real project for the fingerprint and baseline tests: the rules fixture project with its migrations
folder replaced by the scripts a test gives, and one planned record (``r1``) with two open checklist items
(FES104 warnings) and a migration whose SQL is not re-runnable (FES318 errors, one per statement)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from fes_docs.check import Result, check
from fes_docs.cli import main as cli_main
from fes_docs.findings import Finding

PROJECT = Path(__file__).parent / "fixtures" / "rules" / "project"
MIGRATIONS = "service/db/migration"
TODAY = "2026-06-01"
GADGETS = "CREATE TABLE gadget (id bigint);\nCREATE TABLE widget (id bigint);\n"
RECORD = """\
id: r1
title: "R1"
phase: 2
status: planned
window: {start: 2026-03-10T18:00:00Z, end: 2026-03-10T21:00:00Z}
artifact: {version: 4.2.0, last_known_good: 4.1.3}
owners: {engineering: alice, database: bob, on_call: carol, product: dave, rollback: erin}
checklist:
  - {id: db-backup, done: false}
  - {id: flyway-dry-run, done: false}
  - {id: openapi-docs-updated, done: true}
  - {id: alerting-dashboards, done: true}
  - {id: rollback-owner, done: true}
migrations:
  - {file: V30__gadgets.sql, change: additive, idempotent: true}
"""


def project(tmp_path: Path, record: str = RECORD, sql: dict[str, str] | None = None) -> Path:
    """The project in ``tmp_path / "p"``: ``releases/r1.yaml`` is ``record``, the migrations are ``sql``."""
    root = tmp_path / "p"
    shutil.copytree(PROJECT, root)
    shutil.rmtree(root / MIGRATIONS)
    (root / MIGRATIONS).mkdir()
    for name, text in (sql or {"V30__gadgets.sql": GADGETS}).items():
        (root / MIGRATIONS / name).write_text(text, encoding="utf-8")
    write(root, "releases/r1.yaml", record)
    return root


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def run(root: Path) -> Result:
    return check(root, today=TODAY)


def of(result: Result, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def cli(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``fes-docs ARGS --root ROOT --today TODAY``: the exit code and what it printed."""
    capsys.readouterr()
    code = cli_main([*args, "--root", str(root), "--today", TODAY])
    return code, capsys.readouterr().out


def validate_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out = cli(root, "validate", "--format", "json", capsys=capsys)
    return code, json.loads(out)


def baseline(root: Path, capsys: pytest.CaptureFixture[str], reason: str = "legacy", by: str = "alice") -> str:
    code, out = cli(root, "baseline", "--reason", reason, "--by", by, capsys=capsys)
    assert code == 0, out
    return out


def bind_signoffs(text: str, digest: str) -> str:
    """The record's sign-off digests replaced by ``digest``."""
    return re.sub(r"sha256:[0-9a-f]{64}", digest, text)
