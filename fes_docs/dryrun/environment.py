"""The environment a migration expects, and the hint that says how to declare what was missing.

Real baselines grant to application roles (``GRANT SELECT ON t TO app_ro``), name their database
(``ALTER DATABASE app SET …``), need extensions (``uuid-ossp``, ``citext``) and schemas. Production has
those; a throwaway database does not, so the run would fail on the first ``GRANT`` and prove nothing after
it. The policy declares them (``dry_run: {database, roles, extensions, setup_sql}``, and Flyway's own
``schemas``), the sandbox creates them before the first migration (:mod:`fes_docs.dryrun.provision`), and a
failure that an undeclared one explains gets a hint naming the policy key (:func:`environment_hint`).

Plain data and text only (no driver): ``validate`` and the project layer read this module too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Environment", "environment_hint"]


@dataclass(frozen=True)
class Environment:
    """What production already has, created in the sandbox before the first migration."""

    database: str | None = None  # the database name migrations expect (throwaway cluster only)
    roles: tuple[str, ...] = ()  # created NOLOGIN with no privileges: grant targets, nothing more
    extensions: tuple[str, ...] = ()
    schemas: tuple[str, ...] = ()  # flyway.schemas: Flyway creates those that are missing
    default_schema: str | None = None  # flyway.defaultSchema (else the first of schemas)
    setup_sql: str | None = None  # the text of dry_run.setup_sql, run first as the migration role
    setup_script: str | None = None  # its project-relative path, for messages
    policy_file: str = "releases/policy.yaml"

    @property
    def schema(self) -> str | None:
        """The schema Flyway puts its history table in and first on the search path (None: the session's)."""
        return self.default_schema or (self.schemas[0] if self.schemas else None)

    def declared(self) -> dict[str, object]:
        """The evidence's record of what was declared (empty when nothing was)."""
        out: dict[str, object] = {}
        if self.database:
            out["database"] = self.database
        for key, value in (("roles", self.roles), ("extensions", self.extensions), ("schemas", self.schemas)):
            if value:
                out[key] = list(value)
        if self.setup_script:
            out["setup_sql"] = self.setup_script
        return out


_ROLE = re.compile(r'role "([^"]+)" does not exist')
_DATABASE = re.compile(r'database "([^"]+)" does not exist')
_SCHEMA = re.compile(r'schema "([^"]+)" does not exist')
_EXTENSION = re.compile(
    r'extension "([^"]+)" is not available|could not open extension control file .*/([^/"]+)\.control'
)
_TYPE_OR_FUNCTION = re.compile(r'(?:type "([^"]+)"|function (\S+?)\(.*\)) does not exist')


def environment_hint(message: str, env: Environment | None = None) -> str | None:
    """How to declare what a failure says is missing, or ``None`` when the failure is not about the
    environment (``role "app_rw" does not exist`` -> declare it under ``dry_run: roles:``)."""
    policy = env.policy_file if env else "releases/policy.yaml"
    if m := _ROLE.search(message):
        return (
            f'production has role "{m.group(1)}"? declare it under dry_run: roles: in {policy} '
            "(the sandbox creates it without privileges, as a grant target)"
        )
    if m := _DATABASE.search(message):
        return f'the migration expects database "{m.group(1)}": declare it under dry_run: database: in {policy}'
    if m := _SCHEMA.search(message):
        return (
            f'list "{m.group(1)}" under flyway: schemas: in {policy} (Flyway creates those), '
            "or create it in the dry_run: setup_sql: script"
        )
    if m := _EXTENSION.search(message):
        name = m.group(1) or m.group(2)
        return f'extension "{name}" is not installed on the server the dry run uses: install its package there'
    if m := _TYPE_OR_FUNCTION.search(message):
        name = m.group(1) or m.group(2)
        return (
            f"if an extension provides {name} in production (citext, uuid-ossp, pgcrypto, hstore …), declare it "
            f"under dry_run: extensions: in {policy}; otherwise create it in an earlier migration"
        )
    return None
