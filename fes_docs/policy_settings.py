"""The policy's ``flyway:``, ``dry_run:`` and ``freezes:`` blocks, read into plain settings.

``flyway:`` says how Flyway is configured (placeholders, baseline, schemas, ``mixed`` …): it changes what a
migration means, so the static analysis and the dry run both read it (:class:`~fes_docs.flyway_config.
FlywayConfig`). ``dry_run:`` bounds the sandbox and declares what production already has, so that the
throwaway database can be made to look like it (:class:`DryRunPolicy`). ``freezes:`` is the change
calendar: when nothing deploys (:class:`Freeze`; what overlaps what is :mod:`fes_docs.change_calendar`).

Like the rest of the model, reading is lenient: a value of the wrong type is left at its default here and
reported by the policy schema (:func:`fes_docs.schema.policy_schema`), never raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .flyway_config import DEFAULT_PREFIX, DEFAULT_SUFFIX, DEFAULT_TABLE, FlywayConfig

#: The dry run's bounds when the policy says nothing, in seconds.
STATEMENT_TIMEOUT_S = 300
LOCK_TIMEOUT_S = 30
RUN_TIMEOUT_S = 1800


@dataclass(frozen=True)
class DryRunPolicy:
    """Bounds of a dry run, and the environment production already has (created before the first migration)."""

    #: PostgreSQL's ``statement_timeout`` and ``lock_timeout`` for every migration statement.
    statement_timeout_s: int = STATEMENT_TIMEOUT_S
    lock_timeout_s: int = LOCK_TIMEOUT_S
    #: A bound on the whole run, server start included: past it the run stops with a finding.
    run_timeout_s: int = RUN_TIMEOUT_S
    #: The database name migrations expect (``${flyway:database}``, ``ALTER DATABASE <name>``).
    database: str | None = None
    #: Roles production has, created without privileges (as grant targets).
    roles: tuple[str, ...] = ()
    #: Extensions production has, created before the first migration.
    extensions: tuple[str, ...] = ()
    #: A SQL file (relative to the project root) run before the first migration, as the sandbox role.
    setup_sql: str | None = None


def _map(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _pos_int(v: Any, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else default


def _names(v: Any) -> tuple[str, ...]:
    return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()


def _scalar(v: Any) -> str | None:
    """A placeholder value or version as Flyway reads it from a properties file: text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float | str):
        return str(v)
    return None


def flyway_config(data: Any, source: str = "releases/policy.yaml") -> FlywayConfig:
    """The policy's ``flyway:`` block (``data`` is that block's value)."""
    d = _map(data)
    placeholders = {str(k): s for k, v in _map(d.get("placeholders")).items() if (s := _scalar(v)) is not None}
    replacement = d.get("placeholder_replacement")
    mixed = d.get("mixed")
    return FlywayConfig(
        placeholders=placeholders,
        placeholder_prefix=_str(d.get("placeholder_prefix")) or DEFAULT_PREFIX,
        placeholder_suffix=_str(d.get("placeholder_suffix")) or DEFAULT_SUFFIX,
        placeholder_replacement=replacement if isinstance(replacement, bool) else True,
        baseline_version=_scalar(d.get("baseline_version")),
        schemas=_names(d.get("schemas")),
        default_schema=_str(d.get("default_schema")),
        table=_str(d.get("table")) or DEFAULT_TABLE,
        mixed=mixed if isinstance(mixed, bool) else False,
        user=_str(d.get("user")),
        database=_str(d.get("database")),
        sources=(source,) if d else (),
    )


def dry_run_policy(data: Any) -> DryRunPolicy:
    """The policy's ``dry_run:`` block."""
    d = _map(data)
    return DryRunPolicy(
        statement_timeout_s=_pos_int(d.get("statement_timeout_s"), STATEMENT_TIMEOUT_S),
        lock_timeout_s=_pos_int(d.get("lock_timeout_s"), LOCK_TIMEOUT_S),
        run_timeout_s=_pos_int(d.get("run_timeout_s"), RUN_TIMEOUT_S),
        database=_str(d.get("database")),
        roles=_names(d.get("roles")),
        extensions=_names(d.get("extensions")),
        setup_sql=_str(d.get("setup_sql")),
    )


#: Freezes read from the policy at most: every release is compared with each, so a crafted policy cannot make
#: the check quadratic in its size (the schema says so too, ``maxItems``).
MAX_FREEZES = 500


@dataclass(frozen=True)
class Freeze:
    """One entry of the policy's ``freezes:``: no release deploys to its environments from ``start`` to ``end``.

    Kept as written (text, like the records' windows): :mod:`fes_docs.change_calendar` reads the times, so a
    freeze that does not read as two zoned times is reported there (FES021), never silently dropped.
    ``environments`` empty means every environment — also when it is not a list of names (the schema
    reports that): a broken freeze covers more, never less.
    """

    index: int  # its position in ``freezes:``, the path its findings point at
    start: str | None
    end: str | None
    reason: str | None
    environments: tuple[str, ...] = ()

    def covers(self, environment: str) -> bool:
        return not self.environments or environment in self.environments


def freezes(data: Any) -> tuple[Freeze, ...]:
    """The policy's ``freezes:`` list (``data`` is its value); items that are not mappings are schema errors."""
    items = data if isinstance(data, list) else []
    return tuple(
        Freeze(i, _scalar(f.get("start")), _scalar(f.get("end")), _str(f.get("reason")), _names(f.get("environments")))
        for i, f in enumerate(items[:MAX_FREEZES])
        if isinstance(f, dict)
    )


def _seconds(desc: str, default: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": 86_400, "description": f"{desc} (default {default})"}


_NAME = {"type": "string", "minLength": 1, "maxLength": 63, "pattern": r"^[A-Za-z_][A-Za-z0-9_-]*$"}

#: A date-time with its zone: a freeze is compared with windows in other zones, so "18:00" alone means nothing.
ZONED_DATETIME = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)$"

#: The JSON Schema of the policy blocks read here (merged into :func:`fes_docs.schema.policy_schema`).
SCHEMA_PROPERTIES: dict[str, Any] = {
    "freezes": {
        "type": "array",
        "maxItems": MAX_FREEZES,
        "description": "change freezes: no release window may overlap one (FES021), and `fes-docs gate` refuses "
        "a deploy inside one",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["start", "end", "reason"],
            "properties": {
                "start": {"type": "string", "pattern": ZONED_DATETIME, "description": "ISO 8601, with a zone"},
                "end": {"type": "string", "pattern": ZONED_DATETIME, "description": "ISO 8601, with a zone"},
                "reason": {"type": "string", "minLength": 1, "description": "why nothing deploys (shown)"},
                "environments": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "minItems": 1,
                    "uniqueItems": True,
                    "description": "the environments frozen; without it, every environment",
                },
            },
        },
    },
    "flyway": {
        "type": "object",
        "additionalProperties": False,
        "description": "how Flyway is configured for this project (the static analysis and the dry run honour it)",
        "properties": {
            "placeholders": {
                "type": "object",
                "description": "flyway.placeholders.<name>: value",
                "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
            },
            "placeholder_prefix": {"type": "string", "minLength": 1, "description": "default ${"},
            "placeholder_suffix": {"type": "string", "minLength": 1, "description": "default }"},
            "placeholder_replacement": {"type": "boolean", "description": "default true"},
            "baseline_version": {
                "type": ["string", "integer"],
                "description": "versions at or below it are skipped",
            },
            "schemas": {"type": "array", "items": _NAME, "description": "flyway.schemas"},
            "default_schema": {**_NAME, "description": "flyway.defaultSchema"},
            "table": {**_NAME, "description": "the schema history table (default flyway_schema_history)"},
            "mixed": {"type": "boolean", "description": "flyway.mixed (default false)"},
            "user": {"type": "string", "minLength": 1, "description": "flyway.user: what ${flyway:user} says"},
            "database": {"type": "string", "minLength": 1, "description": "the database of flyway.url"},
        },
    },
    "dry_run": {
        "type": "object",
        "additionalProperties": False,
        "description": "bounds of fes-docs dry-run, and what production already has",
        "properties": {
            "statement_timeout_s": _seconds("statement_timeout of each migration statement, seconds", 300),
            "lock_timeout_s": _seconds("lock_timeout of each migration statement, seconds", 30),
            "run_timeout_s": _seconds("bound on the whole dry run, seconds", 1800),
            "database": {**_NAME, "description": "the database name migrations expect"},
            "roles": {
                "type": "array",
                "items": _NAME,
                "uniqueItems": True,
                "description": "roles production has (created without privileges, as grant targets)",
            },
            "extensions": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": 63},
                "uniqueItems": True,
                "description": "extensions production has",
            },
            "setup_sql": {"type": "string", "minLength": 1, "description": "SQL run before the first migration"},
        },
    },
}
