"""Measure the dry-run engine on real Flyway folders (not a test: prints numbers for the notes).

    python benchmarks/dryrun_realdata.py [FOLDER ...]

Defaults to the PostgreSQL Flyway folders under ../shared/realdata/flyway. One throwaway cluster per
folder, so the time includes cluster start and stop.
"""

from __future__ import annotations

import sys
import time
import zlib
from pathlib import Path

from fes_docs.dryrun import MigrationInput, run, throwaway_cluster

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "flyway"
DEFAULT_FOLDERS = [
    REALDATA / "ccd-definition-store-api" / "repository" / "src" / "main" / "resources" / "db" / "migration",
    REALDATA / "kestra" / "jdbc-postgres" / "src" / "main" / "resources" / "migrations" / "postgres",
]

try:
    from fes_docs.sql.flyway import flyway_checksum, parse_name, version_key

    CHECKSUM = "Flyway checksum (fes_docs.sql.flyway)"
except Exception:  # noqa: BLE001 - the colleague's module is absent or mid-edit: a CRC-32 stand-in
    CHECKSUM = "zlib.crc32 stand-in"

    def flyway_checksum(data: bytes) -> int:
        crc = zlib.crc32(data)
        return crc - (1 << 32) if crc >= (1 << 31) else crc

    parse_name = None  # type: ignore[assignment]
    version_key = None  # type: ignore[assignment]


def load(folder: Path) -> list[MigrationInput]:
    versioned, repeatable = [], []
    for path in sorted(folder.rglob("*.sql")):
        data = path.read_bytes()
        name = parse_name(path.name)
        if not name.is_migration or name.kind == "undo":
            continue
        migration = MigrationInput(
            name.version_text,
            name.description or "",
            path.relative_to(folder).as_posix(),
            data.decode("utf-8-sig"),
            flyway_checksum(data),
            None,
        )
        if name.kind == "versioned":
            assert name.version is not None
            versioned.append((version_key(name.version), migration))
        else:
            repeatable.append((migration.description, migration))
    return [m for _, m in sorted(versioned, key=lambda p: p[0])] + [m for _, m in sorted(repeatable)]


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or DEFAULT_FOLDERS
    print(f"checksum: {CHECKSUM}")
    for folder in folders:
        migrations = load(folder)
        began = time.perf_counter()
        with throwaway_cluster() as dsn:
            started = time.perf_counter() - began
            report = run(dsn, migrations)
        total = time.perf_counter() - began
        applied = [m for m in report.migrations if m.applied]
        idempotent = [m for m in applied if m.idempotent]
        print(f"\n{folder}")
        print(
            f"  migrations: {len(migrations)}, applied: {len(applied)}, idempotent: {len(idempotent)}, "
            f"non-transactional: {sum(not m.transactional for m in applied)}"
        )
        print(
            f"  time: total {total:.2f}s (cluster start {started:.2f}s, engine {report.seconds:.2f}s, "
            f"first applications {sum(m.seconds for m in report.migrations):.2f}s, "
            f"idempotency checks {sum(m.check_seconds for m in report.migrations):.2f}s)"
        )
        for m in report.migrations:
            if m.error:
                print(f"  FAILED {m.script}:{m.error_line}: {m.error}")
            elif m.idempotent is False:
                print(f"  not idempotent {m.script}:{m.idempotency_line}: {m.idempotency_error}")
            exclusive = [t for t, mode in m.strongest_locks.items() if mode == "AccessExclusiveLock"]
            if exclusive:
                print(f"  ACCESS EXCLUSIVE {m.script}: {', '.join(exclusive)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
