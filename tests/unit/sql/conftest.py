"""Shared fixtures for the SQL/Flyway library tests (paths only; every test reads real files)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SQL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"
#: Third-party real data on the development machine only (not in CI): tests that need it skip.
REALDATA = Path("/work/shared/realdata")


@pytest.fixture
def sql_fixtures() -> Path:
    return SQL_FIXTURES


@pytest.fixture
def realdata_dir() -> Callable[[str], Path]:
    def get(sub: str) -> Path:
        path = REALDATA / sub
        if not path.is_dir():
            pytest.skip(f"{path} is not available (real data lives outside the repository)")
        return path

    return get
