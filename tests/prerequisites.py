"""What a test needs from outside Python (PostgreSQL, Chromium, a JDK, ``../shared/realdata``).

On a developer's machine a missing one skips the test with the reason; under CI (``CI=true``) it fails
the test, so a green CI run can never mean "the important tests did not run". One definition, imported
by every suite (``tests/`` is on ``sys.path`` through its ``conftest.py``).
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def require(reason: str) -> NoReturn:
    """Stop the test: ``reason`` says what is missing and how to get it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, but this test is missing what it needs: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
