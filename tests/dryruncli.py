"""What the dry run's end-to-end tests share, for both engines: the smallest project, ``fes-docs dry-run``
as a process, and watching processes come and go (for the SIGKILL tests).

A module with its own name (not ``conftest``), as ``gitrepo`` is."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest


def project(root: Path, migrations: dict[str, str], policy: str) -> Path:
    """The smallest project: ``policy`` (the policy file's text, naming the migrations folder ``db``) and the
    migrations, no records."""
    (root / "releases").mkdir(parents=True)
    (root / "releases" / "policy.yaml").write_text(policy)
    (root / "db").mkdir()
    for name, sql in migrations.items():
        (root / "db" / name).write_text(sql)
    return root


def fes(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``fes-docs dry-run --root ROOT ARGS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "fes_docs", "dry-run", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def processes_mentioning(text: str) -> list[int]:
    """The live (not zombie) processes whose command line holds ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """A generous wait for something that must happen, never an assertion on how fast it happens."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)
