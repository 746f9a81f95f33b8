"""Render fixtures: the fixture projects, checked once per session."""

from __future__ import annotations

import pytest
from renderhelp import FIXTURES, TODAY

from fes_docs.check import Result, check


@pytest.fixture(scope="session")
def project_result() -> Result:
    return check(FIXTURES / "project", today=TODAY)


@pytest.fixture(scope="session")
def hostile_result() -> Result:
    return check(FIXTURES / "hostile", today=TODAY)
