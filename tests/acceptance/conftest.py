"""Acceptance tests run the real CLI on copies of the example project at the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import copy_example


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "project")
