"""Shared fixtures for the SQL/Flyway library tests (paths only; every test reads real files).

Two prerequisites live outside the repository: the third-party real data (``../shared/realdata`` beside the
checkout) and a JDK (``java``, to run Flyway's checksum reference). Without one, a test skips with the
reason on a developer's machine but **fails** in CI (``CI=true``), where both are provided on purpose.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from prerequisites import require

SQL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"
#: Third-party real data beside the checkout (``/work/shared/realdata`` for ``/work/main``, as CI has it).
REALDATA = Path(__file__).resolve().parents[3].parent / "shared" / "realdata"


@pytest.fixture
def sql_fixtures() -> Path:
    return SQL_FIXTURES


@pytest.fixture
def realdata_dir() -> Callable[[str], Path]:
    def get(sub: str) -> Path:
        path = REALDATA / sub
        if not path.is_dir():
            require(f"{path} is not available (real data lives outside the repository)")
        return path

    return get


@pytest.fixture
def java() -> str:
    """The ``java`` launcher, for the reference program that computes Flyway's checksums with a real JDK."""
    found = shutil.which("java")
    if found is None:
        require("no JDK: the reference program cannot run")
    assert found is not None
    return found
