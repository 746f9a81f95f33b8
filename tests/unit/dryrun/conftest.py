"""Shared fixtures for the dry-run tests: one real throwaway cluster per module, a scratch database per test,
and migration folders under tests/fixtures/dryrun in Flyway's order.

Tests that need PostgreSQL's server programs ask for ``server_binaries`` (``cluster_dsn`` and ``database``
do so themselves). Without them a test skips with the reason on a developer's machine, but **fails** in CI
(``CI=true``), where the programs are installed on purpose and a silent skip would hide a broken setup.

The folders are read with a deliberately small loader rather than fes_docs.sql.flyway: the engine only
passes names and checksums through, and these tests should not break while that module changes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prerequisites import require

from fes_docs.dryrun.cluster import (
    DryRunUnavailable,
    ServerBinaries,
    find_server_binaries,
    scratch_database,
    throwaway_cluster,
)
from fes_docs.dryrun.report import MigrationInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dryrun"


@pytest.fixture(scope="session")
def server_binaries() -> ServerBinaries:
    """PostgreSQL's server programs (initdb, postgres), or :func:`require`'s skip/fail."""
    try:
        return find_server_binaries()
    except DryRunUnavailable as exc:  # pragma: no cover - depends on the machine
        require(f"needs PostgreSQL server binaries: {exc}")
        raise


@pytest.fixture(scope="module")
def cluster_dsn(server_binaries: ServerBinaries) -> Iterator[str]:
    with throwaway_cluster() as dsn:
        yield dsn


@pytest.fixture
def database(cluster_dsn: str) -> Iterator[str]:
    """A fresh database per test, so tests never see each other's tables or history rows."""
    with scratch_database(cluster_dsn) as dsn:
        yield dsn


def checksum(data: bytes) -> int:
    """A CRC-32 folded into a signed int, shaped like Flyway's checksum (the engine only passes it on)."""
    crc = zlib.crc32(data)
    return crc - (1 << 32) if crc >= (1 << 31) else crc


def load_folder(folder: Path, release: str = "2026-03-phase-2") -> list[MigrationInput]:
    """Versioned migrations in version order, then repeatables by description: Flyway's order."""
    versioned: list[tuple[tuple[int, ...], MigrationInput]] = []
    repeatable: list[tuple[str, MigrationInput]] = []
    for path in sorted(folder.glob("*.sql")):
        data = path.read_bytes()
        prefix_and_version, _, description = path.name.removesuffix(".sql").partition("__")
        version = prefix_and_version[1:] or None
        migration = MigrationInput(
            version=version,
            description=description.replace("_", " "),
            script=path.name,
            sql=data.decode("utf-8-sig"),
            checksum=checksum(data),
            release=release,
        )
        if version is not None:
            versioned.append((tuple(int(p) for p in version.replace("_", ".").split(".")), migration))
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
