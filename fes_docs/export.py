"""``releases.json``: every record, its findings and sign-off state, for dashboards and chat bots.

A versioned contract (documented in ``docs/releases-json.md``; :data:`SCHEMA` is its JSON Schema):
``format`` never changes, ``version`` goes up only when a field is removed or changes meaning —
new fields may appear within a version, so readers must ignore keys they do not know. The document
is a pure function of the checked project (no clock, no absolute paths): the same tree always
publishes byte-identical JSON.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from . import __version__
from .findings import FINGERPRINT_PATTERN, Summary
from .model import Release
from .report import finding_json, summary
from .signoffs import release_digest, role_states, signoff_states

if TYPE_CHECKING:
    from .check import Result

FORMAT = "fes-docs/releases"
VERSION = 1


def _release(result: Result, rel: Release) -> dict[str, Any]:
    findings = result.for_release(rel.key)
    roles = result.project.policy.owner_roles
    done = sum(1 for c in rel.checklist if c.id in result.project.policy.checklist_ids and c.done)
    states = signoff_states(rel)
    return {
        "id": rel.key,
        "file": rel.file,
        "title": rel.title,
        "phase": rel.phase,
        "status": rel.status,
        "digest": release_digest(rel),
        "record": rel.doc.data,
        "signoffs": [
            {
                "role": st.signoff.role,
                "by": st.signoff.by,
                "date": st.signoff.date,
                "digest": st.signoff.digest,
                "state": st.state,
                "stale_since": st.stale_since,
            }
            for st in states
        ],
        "roles": role_states(roles, rel),
        "checklist": {"done": done, "total": len(result.project.policy.checklist)},
        "summary": summary(findings),
        "blocking": Summary.of(findings).fails(),
        "findings": [finding_json(f) for f in findings],
    }


def dump_releases_json(result: Result) -> str:
    """``releases.json`` as text: always strict JSON (RFC 8259), whatever a record holds."""
    return json.dumps(strict(releases_json(result)), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def strict(value: Any) -> Any:
    """``value`` with what JSON cannot hold made null: ``.nan`` and ``.inf`` (a record may carry them; the
    schema reports them as errors) and integers too long to print. Walked without recursion."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        v = holder[key]
        if _unwritable(v):
            holder[key] = None
        elif isinstance(v, dict):
            copy = dict(v)
            holder[key] = copy
            stack.extend((copy, k) for k in copy)
        elif isinstance(v, list | tuple):
            items = list(v)
            holder[key] = items
            stack.extend((items, i) for i in range(len(items)))
    return root[0]


def _unwritable(v: Any) -> bool:
    if isinstance(v, float):
        return not math.isfinite(v)
    return isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 4000


def releases_json(result: Result) -> dict[str, Any]:
    """The ``releases.json`` document (as text: :func:`dump_releases_json`)."""
    project = result.project
    releases = sorted(project.releases, key=lambda r: (r.key, r.file))
    keys = {r.key for r in releases}
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "fes-docs", "version": __version__},
        "policy": {
            "environments": project.policy.environments,
            "owner_roles": project.policy.owner_roles,
            "checklist": [{"id": c.id, "title": c.title} for c in project.policy.checklist],
            "flags": project.policy.flags,
        },
        "summary": {
            **summary(result.findings),
            "releases": len(releases),
            "blocked": sum(Summary.of(result.for_release(r.key)).fails() for r in releases),
        },
        "releases": [_release(result, rel) for rel in releases],
        "findings": [finding_json(f) for f in result.findings if f.release not in keys],
    }


_STR_OR_NULL = {"type": ["string", "null"]}
_COUNTS = {
    "type": "object",
    "required": ["errors", "warnings", "waived"],
    "properties": {k: {"type": "integer", "minimum": 0} for k in ("errors", "warnings", "waived", "baselined")},
}
_FINDING = {
    "type": "object",
    "required": ["file", "line", "column", "rule", "severity", "message", "hint", "release", "title", "waived"],
    "properties": {
        "file": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
        "rule": {"type": "string"},
        "severity": {"enum": ["error", "warning"]},
        "message": {"type": "string"},
        "hint": {"type": "string"},
        "release": _STR_OR_NULL,
        "title": {"type": "string"},
        "waived": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["reason", "until", "approved_by"]}]},
        "fingerprint": {"type": "string", "pattern": FINGERPRINT_PATTERN},
        "baselined": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["reason", "by"]}]},
        "related": {"type": "array", "items": {"type": "object", "required": ["file", "line", "column"]}},
    },
}
_STATE = {"enum": ["bound", "unbound", "stale", "malformed"]}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://fes-docs.example.org/schemas/releases-json-v1.schema.json",
    "title": "fes-docs releases.json, version 1",
    "type": "object",
    "required": ["format", "version", "tool", "policy", "summary", "releases", "findings"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "tool": {"type": "object", "required": ["name", "version"]},
        "policy": {"type": "object", "required": ["environments", "owner_roles", "checklist", "flags"]},
        "summary": {**_COUNTS, "required": [*_COUNTS["required"], "releases", "blocked"]},
        "releases": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "file",
                    "title",
                    "phase",
                    "status",
                    "digest",
                    "record",
                    "signoffs",
                    "roles",
                    "checklist",
                    "summary",
                    "blocking",
                    "findings",
                ],
                "properties": {
                    "id": {"type": "string"},
                    "file": {"type": "string"},
                    "title": _STR_OR_NULL,
                    "phase": {"type": ["integer", "null"]},
                    "status": _STR_OR_NULL,
                    "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                    "record": {"type": "object"},
                    "signoffs": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["role", "by", "date", "digest", "state", "stale_since"],
                            "properties": {
                                "role": _STR_OR_NULL,
                                "by": _STR_OR_NULL,
                                "date": _STR_OR_NULL,
                                "digest": _STR_OR_NULL,
                                "state": _STATE,
                                "stale_since": _STR_OR_NULL,
                            },
                        },
                    },
                    "roles": {"type": "object", "additionalProperties": {"enum": [*_STATE["enum"], "missing"]}},
                    "checklist": {"type": "object", "required": ["done", "total"]},
                    "summary": _COUNTS,
                    "blocking": {"type": "boolean"},
                    "findings": {"type": "array", "items": _FINDING},
                },
            },
        },
        "findings": {"type": "array", "items": _FINDING},
    },
}
