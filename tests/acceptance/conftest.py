"""Acceptance tests run the real CLI on copies of the example project at the repository root."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


def copy_example(dest: Path) -> Path:
    for name in ("releases", "service", "docs"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    if (REPO / "mkdocs.yml").exists():
        shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "project")
