"""What a dry run must never change on a server it is pointed at: its databases, its roles, and the file
``ALTER SYSTEM`` writes. One definition for the sandbox's engine-level and CLI-level tests."""

from __future__ import annotations

from pathlib import Path

import psycopg


def server_state(admin: str) -> tuple[set[str], set[str], bytes]:
    """The databases, the roles and ``postgresql.auto.conf`` of the server ``admin`` (a superuser DSN) names."""
    with psycopg.connect(admin) as conn:
        databases = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        roles = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}
        row = conn.execute("SELECT current_setting('data_directory')").fetchone()
    assert row is not None
    return databases, roles, (Path(row[0]) / "postgresql.auto.conf").read_bytes()
