"""What ``fes-docs gate`` prints: text for a person, GitHub workflow commands, and the change record (JSON).

The **change record** is what a deploy pipeline archives next to its run: the release and its digest,
who signed what and when, every check with its result and reason, the moment judged — a versioned
contract like ``releases.json`` (``docs/change-record.md``; :data:`SCHEMA` is its JSON Schema, shipped
as ``fes_docs/schemas/change-record.schema.json`` and printed by ``fes-docs schema change-record``).
It is a pure function of the checked project, the environment and the moment: no clock is read (the
moment is ``--at`` or the "now" the shell passed in), no absolute path is written, so the same inputs
and ``--at`` give byte-identical JSON.

Every text a record or the policy holds is made inert for a terminal (:func:`fes_docs.inert.inert`);
the GitHub annotations are the ``validate`` reporter's own (:func:`fes_docs.report.github`).
"""

from __future__ import annotations

import json
from typing import Any

from . import __version__
from .export import strict
from .findings import Finding, Waiver
from .gate import CHECKS, Check, Gate, stamp
from .gate_record import Recorded
from .inert import inert
from .report import github as github_annotations
from .schema import SCHEMA_ID_BASE

FORMAT = "fes-docs/change-record"
VERSION = 1
LABEL = {"pass": "pass", "fail": "FAIL", "skipped": "skip", "waived": "waived"}


def _heading(g: Gate) -> str:
    return f"gate {inert(g.release.key)} for {inert(g.environment)} at {stamp(g.at)}"


def _verdict(g: Gate) -> str:
    failed = [c.name for c in g.checks if not c.ok]
    if not failed:
        return f"PASSED: {len(g.checks)} checks; {inert(g.release.key)} may deploy to {inert(g.environment)}"
    return f"FAILED: {len(failed)} of {len(g.checks)} checks ({', '.join(failed)}); nothing may deploy"


def _summary(g: Gate, recorded: Recorded | None) -> list[str]:
    """Every check with its result and reason, the verdict, and the entry recorded."""
    lines = [_heading(g), *(f"  {LABEL[c.result]:<7} {c.name:<10} {inert(c.reason)}" for c in g.checks), _verdict(g)]
    if recorded is not None:
        lines.append(f"recorded {recorded.environment} {recorded.step} at {recorded.at} by {inert(recorded.by)}")
    return lines


def text(g: Gate, recorded: Recorded | None = None) -> str:
    """Each failing (or waived) reason as ``file:line:col:``, as ``validate`` prints findings, then the summary."""
    lines = [
        f"{p.loc.file}:{p.loc.line}:{p.loc.column}: {c.name}: "
        + inert(f"{p.rule} {p.message}" if p.rule else p.message)
        for c in g.checks
        if c.result in ("fail", "waived")
        for p in c.problems
    ]
    return "\n".join([*lines, *_summary(g, recorded)]) + "\n"


def _as_findings(check: Check) -> list[Finding]:
    """A check's reasons as findings for the validate reporter: failures are errors, a waived freeze a notice."""
    out = []
    for p in check.problems:
        rule = p.rule or f"gate {check.name}"
        waiver = Waiver(rule, p.message) if check.result == "waived" else None
        message = p.message if p.rule is None or check.result == "waived" else f"{p.message} (blocks the gate)"
        out.append(Finding(p.loc, rule, "error", message, "", None, waiver))
    return out


def github(g: Gate, recorded: Recorded | None = None) -> str:
    """``::error file=…,line=…::`` per failing reason (``validate --format github``'s), then the verdict."""
    findings = [f for c in g.checks if c.result in ("fail", "waived") for f in _as_findings(c)]
    annotations = github_annotations(findings).splitlines()[:-1]  # its last line is validate's summary
    return "\n".join([*annotations, *_summary(g, recorded)]) + "\n"


def change_record(g: Gate, recorded: Recorded | None = None) -> dict[str, Any]:
    """The change record of one gate (as text: :func:`dump_change_record`)."""
    rel = g.release
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "fes-docs", "version": __version__},
        "release": {
            "id": rel.key,
            "file": rel.file,
            "title": rel.title,
            "status": rel.status,
            "digest": g.digest,
            "artifact": {"version": rel.artifact_version, "last_known_good": rel.last_known_good},
            "window": {"start": rel.window_start, "end": rel.window_end},
        },
        "environment": g.environment,
        "at": stamp(g.at),
        "artifact": g.artifact,
        "passed": g.passed,
        "checks": [
            {
                "name": c.name,
                "result": c.result,
                "reason": c.reason,
                "problems": [
                    {
                        "file": p.loc.file,
                        "line": p.loc.line,
                        "column": p.loc.column,
                        "rule": p.rule,
                        "message": p.message,
                    }
                    for p in c.problems
                ],
            }
            for c in g.checks
        ],
        "signoffs": [
            {
                "role": st.signoff.role,
                "by": st.signoff.by,
                "date": st.signoff.date,
                "digest": st.signoff.digest,
                "state": st.state,
            }
            for st in g.signoffs
        ],
        "progress": [{"environment": p.environment, "step": p.step, "at": p.at, "by": p.by} for p in rel.progress],
        "recorded": recorded.fields() if recorded is not None else None,
    }


def dump_change_record(g: Gate, recorded: Recorded | None = None) -> str:
    """Strict JSON (RFC 8259) whatever the record holds, keys in a fixed order: byte-identical run to run.

    ASCII only (``\\u202e``, not the character): the record is archived and printed in CI logs, where a
    bidirectional override or an escape sequence from a record must stay inert."""
    return json.dumps(strict(change_record(g, recorded)), indent=2, ensure_ascii=True, allow_nan=False) + "\n"


_STR_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_STAMP: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
_ENTRY = ("environment", "step", "at", "by")


def _object(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(props), "properties": props, **extra}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"{SCHEMA_ID_BASE}/change-record.schema.json",
    "title": f"fes-docs change record, version {VERSION}",
    "description": "What `fes-docs gate --format json` writes: one release, one environment, one moment.",
    **_object(
        {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "tool": _object({"name": {"type": "string"}, "version": {"type": "string"}}),
            "release": _object(
                {
                    "id": {"type": "string"},
                    "file": {"type": "string"},
                    "title": _STR_OR_NULL,
                    "status": _STR_OR_NULL,
                    "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                    "artifact": _object({"version": _STR_OR_NULL, "last_known_good": _STR_OR_NULL}),
                    "window": _object({"start": _STR_OR_NULL, "end": _STR_OR_NULL}),
                }
            ),
            "environment": {"type": "string"},
            "at": {**_STAMP, "description": "the moment judged, UTC"},
            "artifact": {**_STR_OR_NULL, "description": "--artifact, or null when not given"},
            "passed": {"type": "boolean", "description": "every check passed, was waived or skipped"},
            "checks": {
                "type": "array",
                "minItems": len(CHECKS),
                "maxItems": len(CHECKS),
                "items": _object(
                    {
                        "name": {"enum": list(CHECKS)},
                        "result": {"enum": list(LABEL)},
                        "reason": {"type": "string"},
                        "problems": {
                            "type": "array",
                            "items": _object(
                                {
                                    "file": {"type": "string"},
                                    "line": {"type": "integer", "minimum": 1},
                                    "column": {"type": "integer", "minimum": 1},
                                    "rule": _STR_OR_NULL,
                                    "message": {"type": "string"},
                                }
                            ),
                        },
                    }
                ),
            },
            "signoffs": {
                "type": "array",
                "items": _object(
                    {
                        "role": _STR_OR_NULL,
                        "by": _STR_OR_NULL,
                        "date": _STR_OR_NULL,
                        "digest": _STR_OR_NULL,
                        "state": {"enum": ["bound", "unbound", "stale", "malformed"]},
                    }
                ),
            },
            "progress": {"type": "array", "items": _object({k: _STR_OR_NULL for k in _ENTRY})},
            "recorded": {
                "oneOf": [{"type": "null"}, _object({**{k: {"type": "string"} for k in _ENTRY}, "at": _STAMP})],
                "description": "the progress entry `--record` wrote, or null",
            },
        }
    ),
}
