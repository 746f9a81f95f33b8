"""Make the sandbox look like production before the first migration: roles, extensions, the database name.

What :class:`~fes_docs.dryrun.environment.Environment` declares is created over the *setup* connection (the
one allowed to create roles and extensions; migrations never run on it), and everything created here is
removed again: a role this run created is dropped after its grants (``DROP OWNED BY`` in the scratch
database), a role the server already had is used and left alone, so on a shared ``--dsn`` server nothing
outside the scratch database outlives the run. Roles get ``NOLOGIN`` and no attribute at all: they exist
to be granted to, which is all a baseline's ``GRANT … TO app_rw`` needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from fes_docs.dryrun.environment import Environment
from fes_docs.dryrun.errors import DryRunUnavailable
from fes_docs.dryrun.failures import first_line

__all__ = ["Provided", "provide", "withdraw"]

_log = logging.getLogger(__name__)

_NO_PRIVILEGES = "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


@dataclass
class Provided:
    """What :func:`provide` created (to remove again) and what the server refused (reported as findings)."""

    roles_created: list[str] = field(default_factory=list)
    roles_existing: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _connect(dsn: str) -> psycopg.Connection[Any]:
    # the run's migrations own the scratch database and may have made it read-only by default (ALTER
    # DATABASE ... SET default_transaction_read_only): the roles would then outlive the run
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        conn.execute("SET default_transaction_read_only = off")
        return conn
    except psycopg.Error as exc:
        raise DryRunUnavailable(f"cannot connect to set up the dry-run environment: {first_line(str(exc))}") from exc


def provide(admin_dsn: str, env: Environment) -> Provided:
    """Create the declared roles (those missing) and extensions in the database ``admin_dsn`` names."""
    done = Provided()
    if not env.roles and not env.extensions:
        return done
    with _connect(admin_dsn) as admin:
        for role in env.roles:
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                done.roles_existing.append(role)
                continue
            try:
                admin.execute(sql.SQL("CREATE ROLE {} " + _NO_PRIVILEGES).format(sql.Identifier(role)))
            except psycopg.Error as exc:
                done.problems.append(
                    f'declared role "{role}" could not be created: {first_line(str(exc))}'
                    " (the dry run's setup user needs CREATEROLE)"
                )
                continue
            done.roles_created.append(role)
        for name in env.extensions:
            try:
                admin.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name)))
            except psycopg.Error as exc:
                done.problems.append(
                    f'declared extension "{name}" could not be created: {first_line(str(exc))}'
                    " (install its package on the server the dry run uses)"
                )
                continue
            done.extensions.append(name)
    return done


def withdraw(admin_dsn: str, done: Provided) -> None:
    """Drop the roles :func:`provide` created, after their grants in the scratch database; never raises."""
    if not done.roles_created:
        return
    try:
        admin = _connect(admin_dsn)
    except DryRunUnavailable as exc:
        _log.warning("could not drop the dry run's roles %s: %s", ", ".join(done.roles_created), exc)
        return
    with admin:
        for role in done.roles_created:
            name = sql.Identifier(role)
            try:
                admin.execute(sql.SQL("DROP OWNED BY {}").format(name))
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))
            except psycopg.Error as exc:
                _log.warning("could not drop role %s the dry run created: %s", role, first_line(str(exc)))
