"""The published JSON Schemas (Draft 2020-12) and schema validation turned into located findings.

Checking a document against them is :mod:`fes_docs.schema_check`.

The schema is *built in code* from the policy, never written twice: the generic schema shipped in
``fes_docs/schemas/`` is ``release_schema(None)`` serialised (a test keeps the file in step), and
``fes-docs schema release`` specialises it with the project's owner roles, environments, checklist
ids and flag names as enums, so an editor completes them and a misspelled environment is a schema
error before any rule runs.

``editor=False`` builds the variant ``validate`` checks with: it leaves out the flag-name and
checklist-id enums and the "required from approved on" conditions, because dedicated rules report
those with the guide section and a better message; the schema would only say the same thing twice.
"""

from __future__ import annotations

from typing import Any

from .findings import FINGERPRINT_PATTERN
from .model import DEFAULT_POLICY, PROGRESS_STEPS, ROLLBACK_ROLE, STATUSES, Policy
from .policy_settings import SCHEMA_PROPERTIES, ZONED_DATETIME

SCHEMA_ID_BASE = "https://fes-docs.example.org/schemas"
DATE = r"^\d{4}-\d{2}-\d{2}$"
DATETIME = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"
#: An artifact's version or tag (``4.2.1``, ``v2.0.0-rc.1+b7``, ``registry/app:1.2``, ``sha256:…``): one
#: word, as the rollback page's deploy command takes it.
VERSION = r"^[A-Za-z0-9][A-Za-z0-9._+:@/=~-]*$"
METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
FROM_APPROVED = ["approved", "in-progress", "released", "rolled-back"]


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    out.update(extra)
    return out


def _s(desc: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": desc, **extra}


def _enum_or_string(values: list[str] | None, desc: str) -> dict[str, Any]:
    return {"type": "string", "enum": values, "description": desc} if values else _s(desc, minLength=1)


def release_schema(policy: Policy | None = None, *, editor: bool = True) -> dict[str, Any]:
    """The release record schema; generic when ``policy`` is None."""
    envs = policy.environments if policy else None
    roles = policy.owner_roles if policy else None
    flags = policy.flags if policy and editor else None
    checklist_ids = policy.checklist_ids if policy and editor else None
    pct = {"type": "integer", "minimum": 0, "maximum": 100}
    steps = {
        "type": "array",
        "items": pct,
        "description": "production percentages in rising steps, e.g. [5, 25, 50, 100]",
    }
    production = policy.production if policy else "production"
    if envs:
        rollout: dict[str, Any] = _obj({e: (steps if e == production else pct) for e in envs})
    else:
        rollout = {"type": "object", "properties": {"production": steps}, "additionalProperties": pct}
    rollout["description"] = "percent enabled per environment; an environment left out counts as 0 (§2)"
    if roles:
        owners = _obj({r: _s(f"{r} owner (§8)") for r in [*roles, ROLLBACK_ROLE]})
    else:
        owners = {"type": "object", "additionalProperties": {"type": "string"}}
    owners["description"] = "who owns the release, per role (§8), plus the rollback owner (§3.5)"
    signoff_roles = [*roles, ROLLBACK_ROLE] if roles else None
    props: dict[str, Any] = {
        "id": _s("equals the file name without .yaml", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
        "title": _s("human title", minLength=1),
        "phase": {"type": "integer", "minimum": 0, "description": "FES parity phase"},
        "status": {"enum": list(STATUSES), "description": "lifecycle; completeness rules tighten from approved"},
        "window": _obj(
            {"start": _s("ISO 8601 date-time", pattern=DATETIME), "end": _s("ISO 8601 date-time", pattern=DATETIME)},
            ["start", "end"],
            description="deployment window",
        ),
        "artifact": _obj(
            {
                "version": _s('artifact version deployed (quote it: "4.2")', pattern=VERSION),
                "last_known_good": _s("artifact to re-deploy on rollback (§5.1.6)", pattern=VERSION),
            },
            description="application artifact",
        ),
        "owners": owners,
        "checklist": {
            "type": "array",
            "description": "pre-deployment checklist (§3)",
            "items": _obj(
                {
                    "id": _enum_or_string(checklist_ids, "policy checklist id"),
                    "done": {"type": "boolean"},
                    "evidence": _s("where the proof is: URL, snapshot name or evidence file"),
                    "note": _s("free text"),
                },
                ["id", "done"],
            ),
        },
        "migrations": {
            "type": "array",
            "description": "Flyway migrations this release adds (§4)",
            "items": _obj(
                {
                    "file": _s("file name in the policy's migrations_dir", minLength=1),
                    "change": {"enum": ["additive", "destructive", "data"]},
                    "idempotent": {"type": "boolean"},
                    "checksum": {"type": "integer", "description": "Flyway checksum pinned once released"},
                    "note": _s("free text"),
                },
                ["file", "change"],
            ),
        },
        "backfills": {
            "type": "array",
            "description": "data backfills (§4.4, §4.5)",
            "items": _obj(
                {
                    "name": _s("backfill name", minLength=1),
                    "repeatable": {"type": "boolean"},
                    "batch_size": {"type": "integer", "minimum": 1},
                    "estimated_rows": {"type": "integer", "minimum": 0},
                    "dry_run": {"type": "boolean"},
                    "sql": _s("SQL file of the backfill, relative to the project root"),
                    "dry_run_sql": _s("statement counting what the backfill would touch"),
                    "command": _s("how to run it"),
                    "note": _s("free text"),
                },
                ["name"],
            ),
        },
        "flags": {
            "type": "array",
            "description": "feature flags and their rollout (§2, §5.1)",
            "items": _obj(
                {"name": _enum_or_string(flags, "feature flag property"), "rollout": rollout, "note": _s("free text")},
                ["name", "rollout"],
            ),
        },
        "endpoints": {
            "type": "array",
            "description": "new module endpoints (§3.3, §7.3)",
            "items": _s("METHOD /path/{param}", pattern=rf"^({'|'.join(METHODS)}) /\S*$"),
        },
        "api": _obj(
            {
                "breaking": {
                    "type": "array",
                    "description": "breaking API changes this release makes, each one declared (fes-docs api-diff)",
                    "items": _obj(
                        {
                            "endpoint": _s("METHOD /path/{param}", pattern=rf"^({'|'.join(METHODS)}) /\S*$"),
                            "change": _s("a change rule's id or name, e.g. FES851", minLength=1),
                            "reason": _s("why the break is acceptable", minLength=1),
                            "consumers_notified": {"type": "boolean", "description": "the API's consumers were told"},
                            "note": _s("free text"),
                        },
                        ["endpoint", "change", "reason", "consumers_notified"],
                    ),
                }
            },
            description="the API changes this release makes (§3.3)",
        ),
        "validation": _obj(
            {
                "health": {"type": "array", "items": _s("health endpoint"), "minItems": 1},
                "smoke": {"type": "array", "items": _s("smoke test"), "minItems": 1},
                "slo": _obj(
                    {"error_rate_max": {"type": "number"}, "p95_latency_ms_max": {"type": "number"}},
                    ["error_rate_max", "p95_latency_ms_max"],
                ),
            },
            description="post-deployment validation (§7)",
        ),
        "rollback": _obj(
            {
                "database": {"enum": ["forward-fix", "restore-snapshot"]},
                "snapshot": _s("name of the pre-release snapshot to restore"),
                "notes": _s("free text"),
            },
            description="rollback plan (§5)",
        ),
        "signoffs": {
            "type": "array",
            "description": "who signed, per owner role",
            "items": _obj(
                {
                    "role": _enum_or_string(signoff_roles, "owner role"),
                    "by": _s("the owner of that role", minLength=1),
                    "date": _s("YYYY-MM-DD", pattern=DATE),
                    "digest": _s("content digest written by `fes-docs sign`"),
                    "note": _s("free text"),
                },
                ["role", "by"],
            ),
        },
        "incidents": {
            "type": "array",
            "description": "incidents and their action items (§6)",
            "items": _obj(
                {
                    "id": _s("incident id", minLength=1),
                    "summary": _s("what happened"),
                    "date": _s("YYYY-MM-DD", pattern=DATE),
                    "actions": {
                        "type": "array",
                        "items": _obj(
                            {
                                "title": _s("action item", minLength=1),
                                "status": {"enum": ["open", "done"]},
                                "owner": _s("who"),
                            },
                            ["title", "status"],
                        ),
                    },
                },
                ["id"],
            ),
        },
        "reattempt_of": _s("id of the release this one re-attempts (§6.6)"),
        "waivers": {
            "type": "array",
            "description": "reasoned, visible exceptions to one rule, or to one finding (its fingerprint)",
            "items": _obj(
                {
                    "rule": _s("rule id", pattern=r"^FES\d{3}$"),
                    "fingerprint": _s(
                        "one finding's fingerprint (`fes-docs validate --format json`), instead of its whole rule",
                        pattern=FINGERPRINT_PATTERN,
                    ),
                    "reason": _s("why this is safe", minLength=1),
                    "until": _s("YYYY-MM-DD expiry", pattern=DATE),
                    "approved_by": _s("who accepted the risk"),
                },
                ["reason"],
                anyOf=[{"required": ["rule"]}, {"required": ["fingerprint"]}],
            ),
        },
        "progress": {
            "type": "array",
            "description": "the rollout as it happened, environment by environment (`fes-docs gate --record`)",
            "items": _obj(
                {
                    "environment": _enum_or_string(envs, "policy environment"),
                    "step": {"enum": list(PROGRESS_STEPS)},
                    "at": _s("ISO 8601 date-time, with a zone", pattern=ZONED_DATETIME),
                    "by": _s("who did it", minLength=1),
                    "note": _s("free text"),
                },
                ["environment", "step", "at", "by"],
            ),
        },
        "notes": _s("free text shown on the runbook"),
    }
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID_BASE}/release.schema.json",
        "title": "fes-docs release record",
        "description": "One release of the FES parity phases; see the FES migration and rollback guide.",
        **_obj(props, ["id", "title", "phase", "status", "owners", "checklist"]),
    }
    if editor:
        schema["allOf"] = [
            {
                "if": {"properties": {"status": {"enum": FROM_APPROVED}}, "required": ["status"]},
                "then": {
                    "required": ["window", "artifact", "rollback", "validation", "signoffs"],
                    "properties": {
                        "artifact": {"required": ["last_known_good"]},
                        "rollback": {"required": ["database"]},
                        "validation": {"required": ["health", "smoke", "slo"]},
                    },
                },
            }
        ]
    return schema


def policy_schema() -> dict[str, Any]:
    """The policy file's schema (there is one policy per project, so no specialisation)."""
    names = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID_BASE}/policy.schema.json",
        "title": "fes-docs policy",
        "description": "Project-wide settings; defaults follow the FES migration and rollback guide.",
        **_obj(
            {
                "environments": {**names, "description": "promotion order; the last one takes incremental steps"},
                "owner_roles": {**names, "description": "roles that own and sign off a release (§8)"},
                "checklist": {
                    "type": "array",
                    "minItems": 1,
                    "description": "pre-deployment checklist (§3)",
                    "items": _obj(
                        {
                            "id": _s("stable id", pattern=r"^[a-z0-9][a-z0-9-]*$"),
                            "title": _s("what must be done", minLength=1),
                        },
                        ["id", "title"],
                    ),
                },
                "flags": {**names, "minItems": 0, "description": "known feature flag properties (§5.1)"},
                "openapi": {
                    "type": ["string", "null"],
                    "description": "the service's OpenAPI spec, relative to the project root (null: it has none)",
                },
                "migrations_dir": _s("the Flyway folder, relative to the project root"),
                "adopted_at_version": {
                    "type": "string",
                    "pattern": r"^[0-9]+([._][0-9]+)*$",
                    "description": "the last Flyway version applied before fes-docs, quoted (YAML reads 2.10 as 2.1 "
                    "and 2_4 as 24): migrations at or below it are history, checked only as Flyway checks them",
                },
                "backfill_dry_run_rows": {"type": "integer", "minimum": 1, "description": "§4.5 'large' threshold"},
                "sql_dialect": {"enum": ["postgres", "mysql", "mariadb", "h2", "sqlite", "tsql", "oracle"]},
                "max_sql_bytes": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 50_000_000,
                    "description": "a migration file larger than this is a finding, not analysed (default 5 MB)",
                },
                **SCHEMA_PROPERTIES,
                "people": {
                    "type": "object",
                    "description": "name -> e-mail addresses, or {email, pager, phone} (owners, signers, contacts)",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": "array", "items": {"type": "string"}},
                            _obj(
                                {
                                    "email": {
                                        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                                        "description": "address or addresses (for --verify-git and CODEOWNERS)",
                                    },
                                    "pager": _s("how to page this person (shown on rollback pages)"),
                                    "phone": _s("a phone number to call (shown on rollback pages)"),
                                }
                            ),
                        ]
                    },
                },
                "operations": _obj(
                    {
                        "flag_off": _s(
                            "the command that switches one flag off; {flag} is replaced by its name (shown, never run)"
                        ),
                        "deploy": _s(
                            "the command that deploys an artifact; {version} becomes its version (shown, never run)"
                        ),
                    },
                    description="how the rollback page's steps are carried out (§5.1)",
                ),
            },
            ["environments", "owner_roles", "checklist", "flags"],
        ),
    }


def default_policy() -> Policy:
    return Policy.from_data(DEFAULT_POLICY)
