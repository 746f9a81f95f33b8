"""How Flyway is configured for a project: the settings that change what a migration's text means.

Placeholders turn ``${name}`` into text before the SQL is parsed or sent, a baseline version skips files,
``mixed`` allows transactional and non-transactional statements in one script. The static analysis and the
dry run read these from one :class:`FlywayConfig`, made from the policy's ``flyway:`` block (and, where a
project has them, Flyway's own configuration files), so both see the script Flyway would run.

Plain data, no I/O: :mod:`fes_docs.policy_settings` builds it from the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: Flyway's defaults (``flyway.placeholderPrefix`` / ``placeholderSuffix`` / ``table``).
DEFAULT_PREFIX = "${"
DEFAULT_SUFFIX = "}"
DEFAULT_TABLE = "flyway_schema_history"


@dataclass(frozen=True)
class FlywayConfig:
    """The Flyway settings fes-docs honours; every field has Flyway's own default."""

    #: ``flyway.placeholders.<name>``: user placeholders (names as written; Flyway matches them case-insensitively).
    placeholders: Mapping[str, str] = field(default_factory=dict)
    placeholder_prefix: str = DEFAULT_PREFIX
    placeholder_suffix: str = DEFAULT_SUFFIX
    #: ``flyway.placeholderReplacement``: false leaves ``${…}`` as written.
    placeholder_replacement: bool = True
    #: ``flyway.baselineVersion``: versioned migrations at or below it are skipped (None: no baseline).
    baseline_version: str | None = None
    #: ``flyway.schemas``; the first is the default schema unless ``default_schema`` says otherwise.
    schemas: tuple[str, ...] = ()
    default_schema: str | None = None
    #: ``flyway.table``: the schema history table's name.
    table: str = DEFAULT_TABLE
    #: ``flyway.mixed``: allow transactional and non-transactional statements in one migration.
    mixed: bool = False
    #: ``flyway.user`` and the database named in ``flyway.url``: what ``${flyway:user}`` / ``${flyway:database}`` say.
    user: str | None = None
    database: str | None = None
    #: Where the settings came from, for messages ("releases/policy.yaml", "flyway.conf").
    sources: tuple[str, ...] = ()

    @property
    def schema(self) -> str:
        """The default schema: ``default_schema``, else the first of ``schemas``, else ``public``."""
        return self.default_schema or (self.schemas[0] if self.schemas else "public")
