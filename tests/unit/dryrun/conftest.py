"""Shared fixtures for the dry-run tests: one real throwaway cluster per module, a scratch database per test,
and migration folders under tests/fixtures/dryrun read the way Flyway reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fes_docs.dryrun.cluster import scratch_database, throwaway_cluster
from fes_docs.dryrun.report import MigrationInput
from fes_docs.sql.flyway import flyway_checksum, parse_name, version_key

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dryrun"


@pytest.fixture(scope="module")
def cluster_dsn() -> Iterator[str]:
    with throwaway_cluster() as dsn:
        yield dsn


@pytest.fixture
def database(cluster_dsn: str) -> Iterator[str]:
    """A fresh database per test, so tests never see each other's tables or history rows."""
    with scratch_database(cluster_dsn) as dsn:
        yield dsn


def load_folder(folder: Path, release: str = "2026-03-phase-2") -> list[MigrationInput]:
    """Versioned migrations in version order, then repeatables by description: Flyway's order."""
    versioned: list[tuple[tuple[int, ...], MigrationInput]] = []
    repeatable: list[tuple[str, MigrationInput]] = []
    for path in sorted(folder.glob("*.sql")):
        data = path.read_bytes()
        name = parse_name(path.name)
        assert name.is_migration, name.problem
        migration = MigrationInput(
            version=name.version_text,
            description=name.description or "",
            script=path.name,
            sql=data.decode("utf-8-sig"),
            checksum=flyway_checksum(data),
            release=release,
        )
        if name.version is not None:
            versioned.append((version_key(name.version), migration))
        else:
            repeatable.append((migration.description, migration))
    return [m for _, m in sorted(versioned, key=lambda p: p[0])] + [m for _, m in sorted(repeatable)]


@pytest.fixture(scope="session")
def load_case() -> Callable[[str], list[MigrationInput]]:
    """`load_case("invalid/missing_table")` -> that fixture folder's migrations in Flyway order."""
    return lambda case: load_folder(FIXTURES / case)


@pytest.fixture(scope="session")
def fixture_text() -> Callable[[str], str]:
    return lambda relpath: (FIXTURES / relpath).read_text(encoding="utf-8")
