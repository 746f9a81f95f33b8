"""The rules fixture project with one Flyway feature folder's migrations and ``flyway:`` block in it
(``tests/fixtures/flyway-features/<feature>``): shared by the static rule tests and the dry-run tests."""

from __future__ import annotations

import shutil
from pathlib import Path

FEATURES = Path(__file__).parent / "fixtures" / "flyway-features"
PROJECT = Path(__file__).parent / "fixtures" / "rules" / "project"
MIGRATIONS = "service/db/migration"


def with_feature(root: Path, feature: str) -> Path:
    """``root`` (a copy of the fixture project) with its migrations folder replaced by the feature's, and the
    feature's ``flyway.yaml`` appended to the policy."""
    shutil.rmtree(root / MIGRATIONS)
    shutil.copytree(FEATURES / feature / "migrations", root / MIGRATIONS)
    settings = FEATURES / feature / "flyway.yaml"
    if settings.exists():
        policy = root / "releases" / "policy.yaml"
        policy.write_text(policy.read_text(encoding="utf-8") + settings.read_text(encoding="utf-8"), encoding="utf-8")
    return root
