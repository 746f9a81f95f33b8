"""A scratch database on the server the user names (`--dsn`): made and dropped here, nothing else touched."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from fes_docs.dryrun._signals import signals_deferred, sigterm_unwinds
from fes_docs.dryrun.errors import DryRunUnavailable, last_line

__all__ = ["scratch_database"]

_log = logging.getLogger(__name__)


def _check_dsn(dsn: str) -> None:
    """Parse only to turn a malformed DSN into a one-line reason before anything is created."""
    try:
        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise DryRunUnavailable(f"invalid --dsn: {last_line(str(exc))}") from exc


@contextmanager
def scratch_database(dsn: str) -> Iterator[str]:
    """Create one uniquely named database on the user's server, yield its conninfo, drop it afterwards.

    Only the database created here is ever dropped (by the name generated here); the server's other databases
    are never connected to beyond the one the DSN names, which is used solely to issue CREATE/DROP DATABASE.
    """
    _check_dsn(dsn)
    name = f"fes_docs_dryrun_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise DryRunUnavailable(f"cannot connect to --dsn server: {last_line(str(exc))}") from exc
    with sigterm_unwinds(), admin:
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise DryRunUnavailable(f"cannot create a scratch database on --dsn server: {last_line(str(exc))}") from exc
        try:
            yield make_conninfo(dsn, dbname=name)
        finally:
            with signals_deferred():
                _drop(admin, name)


def _drop(admin: psycopg.Connection[Any], name: str) -> None:
    """WITH (FORCE) (PostgreSQL 13+) ends sessions a cancelled run left behind; older servers: plain DROP."""
    force = admin.info.server_version >= 130000
    statement = sql.SQL("DROP DATABASE IF EXISTS {}" + (" WITH (FORCE)" if force else "")).format(sql.Identifier(name))
    try:
        admin.execute(statement)
    except psycopg.Error as exc:
        _log.warning("could not drop scratch database %s: %s", name, last_line(str(exc)))
