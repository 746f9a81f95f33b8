"""Copies of the example project, and throwaway git repositories of it, for the tests (real git, no mocks).

A module with its own name (not ``conftest``): several test folders have a ``conftest.py``, so importing
helpers from "conftest" would depend on which folder pytest collected first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).parents[1]


def git(repo: Path, *args: str, email: str = "ci@example.org") -> str:
    name = email.split("@")[0]
    proc = subprocess.run(
        [
            "git",
            "-c",
            f"user.name={name}",
            "-c",
            f"user.email={email}",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def commit(repo: Path, message: str, email: str = "ci@example.org") -> str:
    """Stage everything and commit as ``email``; returns the commit id."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, email=email)
    return git(repo, "rev-parse", "HEAD").strip()


def copy_example(dest: Path) -> Path:
    """The example project at the repository root (records, service, docs, mkdocs.yml) copied to ``dest``."""
    for name in ("releases", "service", "docs"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    if (REPO / "mkdocs.yml").exists():
        shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def example_repo(dest: Path, email: str = "ci@example.org") -> Path:
    """The example project (releases/, service/) committed as the first commit of a new repository."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, dest / name)
    git(dest, "init", "-q")
    commit(dest, "example project", email)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the example project changed; update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
