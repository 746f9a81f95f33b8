"""Suite-wide settings.

The content-hash cache is off for the suite (tests check fixture folders in place and must not leave
cache folders behind, nor depend on what an earlier test cached); tests/unit/test_cache.py
turns it on explicitly.

:func:`prerequisites.require` is how a test says it needs something from outside Python (PostgreSQL, Chromium, a
JDK, ``../shared/realdata``): on a developer's machine a missing one skips the test with the reason;
under CI (``CI=true``) it fails it, so a green CI run can never mean "the important tests did not run".
Tests get it as the ``require`` fixture (several folders have a ``conftest.py`` of their own, so
``from conftest import require`` would be ambiguous).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NoReturn

import pytest
from prerequisites import require

os.environ["FES_DOCS_NO_CACHE"] = "1"


@pytest.fixture(name="require", scope="session")
def require_fixture() -> Callable[[str], NoReturn]:
    return require
