"""A scratch database and the sandbox role that owns it, on the server the user names (`--dsn`) or in the
throwaway cluster: made and dropped here, nothing else touched.

Migrations are SQL a pull request wrote. As a superuser they could run programs on the server's machine
(`COPY ... TO PROGRAM`), read its files, change its configuration (`ALTER SYSTEM`) and drop other databases.
So they never run as the user the DSN names: that *setup* user only creates the database and a fresh role
without any attribute or membership, and the dry run logs in as that role. Whatever the server refuses that
role is what Flyway's production user should not be able to do either.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from fes_docs.dryrun._signals import signals_deferred, sigterm_unwinds
from fes_docs.dryrun.errors import DryRunUnavailable, last_line

__all__ = ["DATABASE_PREFIX", "ROLE_PREFIX", "Sandbox", "sandbox", "scratch_database"]

_log = logging.getLogger(__name__)

#: Recognisable names: an administrator who finds one left behind (a killed run) knows whose it is.
DATABASE_PREFIX = "fes_docs_dryrun_"
ROLE_PREFIX = "fes_docs_sandbox_"


def _check_dsn(dsn: str) -> None:
    """Parse only to turn a malformed DSN into a one-line reason before anything is created."""
    try:
        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise DryRunUnavailable(f"invalid --dsn: {last_line(str(exc))}") from exc


@dataclass(frozen=True)
class Sandbox:
    """Where migrations run: `dsn` logs in as the sandbox `role` to its own `database`; `admin_dsn` is the
    setup user's conninfo to the same database, for what the sandbox must be given before the first migration
    (the environment production already has) and never for a migration."""

    dsn: str
    admin_dsn: str
    role: str
    database: str


@contextmanager
def sandbox(dsn: str, server: str = "--dsn server", database: str | None = None) -> Iterator[Sandbox]:
    """Create one uniquely named database and the sandbox role that owns it, yield both, and drop both
    afterwards. `server` names the server in messages. `database` names the scratch database instead (the
    name migrations expect, ``dry_run: database:``) — only ever passed for the throwaway cluster, whose
    databases are all the run's own.

    The connection the DSN opens (the *setup* connection) only creates and drops the database and the role,
    by the names generated here; the server's other databases and roles are never touched.
    """
    _check_dsn(dsn)
    token = uuid.uuid4().hex[:12]
    name, role = f"{DATABASE_PREFIX}{token}", f"{ROLE_PREFIX}{token}"
    if database and database not in ("postgres", "template0", "template1"):
        name = database
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise DryRunUnavailable(f"cannot connect to {server}: {last_line(str(exc))}") from exc
    made: list[str] = []  # what _create has begun to make, so that only that is dropped
    with sigterm_unwinds(), admin:
        try:
            password = _create(admin, name, role, server, made)
            login = make_conninfo(dsn, dbname=name, user=role, password=password)
            yield Sandbox(login, make_conninfo(dsn, dbname=name), role, name)
        finally:
            with signals_deferred():
                if "database" in made:
                    _rollback_prepared(make_conninfo(dsn, dbname=name), name)
                _drop(admin, name, role, made)


@contextmanager
def scratch_database(dsn: str, server: str = "--dsn server") -> Iterator[str]:
    """:func:`sandbox`, yielding only the conninfo migrations run with."""
    with sandbox(dsn, server) as box:
        yield box.dsn


def _missing_privileges(admin: psycopg.Connection[Any]) -> tuple[str, list[str]]:
    """Who the setup connection is, and which of CREATEDB and CREATEROLE it lacks (none for a superuser)."""
    row = admin.execute(
        "SELECT current_user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if row is None:  # pragma: no cover - the session's own role is always in pg_roles
        return "?", ["CREATEDB", "CREATEROLE"]
    user, superuser, createdb, createrole = row
    missing = [] if superuser else [p for p, held in (("CREATEDB", createdb), ("CREATEROLE", createrole)) if not held]
    return str(user), missing


def _create(admin: psycopg.Connection[Any], name: str, role: str, server: str, made: list[str]) -> str:
    """The sandbox: a login role with no attribute and no membership (what PUBLIC grants every user is all it
    has), owning the one database it may change. Returns the role's password.

    The password is sent hashed (libpq's PQencryptPasswordConn), so a server logging statements never logs it.
    A non-superuser setup user grants itself the role: PostgreSQL lets only a member of a role make it a
    database's owner, and later drop what it owns.
    """
    what = f"cannot create a scratch database on {server}"
    try:
        user, missing = _missing_privileges(admin)
    except psycopg.Error as exc:
        raise DryRunUnavailable(f"{what}: {last_line(str(exc))}") from exc
    if missing:
        raise DryRunUnavailable(
            f"{what}: user {user!r} lacks {' and '.join(missing)}"
            " (the setup user needs CREATEDB and CREATEROLE, or superuser)"
        )
    password = secrets.token_urlsafe(24)
    hashed = admin.pgconn.encrypt_password(password.encode(), role.encode()).decode()
    statements = [
        (
            "role",
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD {}"
            ).format(sql.Identifier(role), sql.Literal(hashed)),
        ),
        ("grant", sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(role))),
        ("database", sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(role))),
    ]
    try:
        for kind, statement in statements:
            made.append(kind)
            admin.execute(statement)
    except psycopg.Error as exc:
        raise DryRunUnavailable(f"{what}: {last_line(str(exc))}") from exc
    return password


def _rollback_prepared(conninfo: str, name: str) -> None:
    """Roll back what a migration left prepared in the scratch database (``PREPARE TRANSACTION``, on a
    server that allows it): a prepared transaction outlives its session and holds its locks, so the
    database could not be dropped, and it and its role outlived the run. Done from a connection to that
    database, as PostgreSQL asks; read-only defaults the run may have set there are overridden."""
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            conn.execute("SET default_transaction_read_only = off")
            for (gid,) in conn.execute(
                "SELECT gid FROM pg_catalog.pg_prepared_xacts WHERE database = %s", [name]
            ).fetchall():
                conn.execute(sql.SQL("ROLLBACK PREPARED {}").format(sql.Literal(gid)))
    except psycopg.Error as exc:
        _log.warning("could not roll back what the run left prepared in %s: %s", name, last_line(str(exc)))


def _drop(admin: psycopg.Connection[Any], name: str, role: str, made: list[str]) -> None:
    """The database first (WITH (FORCE), PostgreSQL 13+, ends sessions a cancelled run left behind; older
    servers: plain DROP), then whatever the role still owns or was granted here, then the role."""
    force = " WITH (FORCE)" if admin.info.server_version >= 130000 else ""
    statements = (
        [sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(name))] if "database" in made else []
    )
    if "role" in made:
        statements.append(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        statements.append(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    for statement in statements:
        try:
            admin.execute(statement)
        except psycopg.errors.UndefinedObject:
            pass  # DROP OWNED BY a role that was never created (the set-up failed before it)
        except psycopg.Error as exc:
            _log.warning("could not clean up the scratch database %s / role %s: %s", name, role, last_line(str(exc)))
