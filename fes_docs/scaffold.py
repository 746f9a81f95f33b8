"""``fes-docs new``: a complete draft record, so nobody starts from a blank file or a stale copy.

The draft lists every checklist id and every owner role (plus ``rollback``), so the only errors it
validates with are owners still to be named. It lists only the flags it is given (``--flag``), at 0 until
the author plans the rollout; the policy's other flags are comments, because a flag in a record is one its
rollback page switches off (FES204). Fields needed from ``approved`` on are written as comments showing
their shape. ``--from OTHER`` carries over what a follow-up release shares with the one before it: owners,
the post-deployment validation, and — when OTHER is released — its artifact version as this release's last
known good (FES405: the last known good was deployed and stayed).

What is copied reads back as it was, value for value and type for type: a version ``1.10`` or an id
``0012`` stays a string (plain, YAML would read a number), ``yes`` stays a string, a float stays a float
(``1e16`` is written ``1.0e+16``, which YAML 1.1 reads as a number), a date-like string is quoted so no
YAML reader makes it a date, and ``null`` stays null. Text from the policy that lands in a comment is
kept on one line, so it cannot add a line to the draft.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import create_bytes
from .errors import UsageError
from .findings import did_you_mean
from .model import ROLLBACK_ROLE, Policy, Release
from .project import Project, load_project
from .signing import find_release
from .yamledit import scalar

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_COMMENT_COL = 34


@dataclass(frozen=True)
class Draft:
    id: str
    phase: int
    owners: dict[str, str]
    validation: dict[str, Any] | None = None
    last_known_good: Any = None  # as the other record has its version: any type, copied as it is
    flags: tuple[str, ...] = ()  # the policy flags this release raises (`--flag`)
    not_released: str | None = None  # --from OTHER that is not released: why no last known good was copied


def title_for(release_id: str, phase: int) -> str:
    """'2026-06-phase-5-grading' -> 'Phase 5: grading' (the author edits it; it only has to be sensible)."""
    words = re.sub(r"^\d{4}-\d{2}(-\d{2})?-", "", release_id)
    words = re.sub(r"^phase-?\d+-?", "", words).replace("-", " ").replace("_", " ").strip()
    return f"Phase {phase}: {words}" if words else f"Phase {phase}"


def _line(text: str, comment: str) -> str:
    return f"{text.ljust(_COMMENT_COL - 1)} # {one_line(comment)}" if comment else text


def one_line(text: str) -> str:
    """Comment text on one line: a line break in a policy title must not start a YAML line of its own."""
    return "".join(ch if ch.isprintable() else " " for ch in " ".join(text.split()))


def _y(value: str) -> str:
    """A string as a scalar that every YAML 1.1 reader reads back as this string."""
    return scalar(value, strict=True)


def _float(value: float) -> str:
    """A float YAML 1.1 reads back as this float: it wants a dot and a signed exponent (``1.0e+16``)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    mantissa, e, exponent = repr(value).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + (f"e{exponent if exponent[0] in '+-' else '+' + exponent}" if e else "")


def _flow(value: Any) -> str:
    """A copied value in flow style, of the same type when read back (see the module's docstring)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_y(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    return _y(str(value))


def render(policy: Policy, draft: Draft) -> str:
    """The draft's text; deterministic for the same policy and options."""
    envs = policy.environments
    prod = policy.production
    out = [
        "# yaml-language-server: $schema=schema/release.schema.json",
        "#",
        "# Draft written by `fes-docs new`. Name the owners still missing, tick the checklist as the",
        "# work is done, keep only the flags this release raises, then ask every owner to sign:",
        f"#   fes-docs sign {draft.id} --role ROLE --by NAME",
        f"id: {_y(draft.id)}",
        f"title: {_y(title_for(draft.id, draft.phase))}",
        f"phase: {draft.phase}",
        "status: draft",
        "# window: {start: 2026-01-01T18:00:00Z, end: 2026-01-01T21:00:00Z}   # needed from approved on",
    ]
    if draft.last_known_good is not None:
        out.append(
            _line(
                f"artifact: {{last_known_good: {_flow(draft.last_known_good)}}}",
                "§5.1.6; add `version:` (what this deploys)",
            )
        )
    else:
        if draft.not_released:
            out.append(f"# {one_line(draft.not_released)}")
        out.append('# artifact: {version: "1.0.0", last_known_good: "0.9.0"}  # §5.1.6, from approved on')
    out.append(_line("owners:", "§8, §3.5: a person for every role"))
    for role in [*policy.owner_roles, ROLLBACK_ROLE]:
        name = draft.owners.get(role, "")
        out.append(_line(f"  {_y(role)}: {_y(name) if name else chr(34) * 2}", "" if name else "to be named"))
    out.append(_line("checklist:", "§3: tick each item, with evidence"))
    items = [(f"  - {{id: {_y(item.id)}, done: false}}", item.title) for item in policy.checklist]
    width = max((len(text) for text, _ in items), default=0)
    out += [f"{text.ljust(width)}   # {one_line(title)}" for text, title in items]
    out.append(_line("migrations: []", "§4: {file: V…__….sql, change: additive, idempotent: true}"))
    out.append(_line("backfills: []", "§4.4: {name, repeatable: true, batch_size, estimated_rows}"))
    rollout = "{" + ", ".join(f"{_y(e)}: {'[]' if e == prod else '0'}" for e in envs) + "}"
    if draft.flags:
        out.append(_line("flags:", "§2: raise env by env; production in rising steps"))
        for flag in draft.flags:
            out.append(f"  - name: {_y(flag)}")
            out.append(f"    rollout: {rollout}")
    else:
        out.append(_line("flags: []", "only the flags this release raises"))
    others = [f for f in policy.flags if f not in draft.flags]
    if others:
        out.append("# Other flags of the policy; add one only if this release raises it (`new --flag`):")
        out += [f"#   - {{name: {_y(one_line(f))}, rollout: {rollout}}}" for f in others]
    out.append(_line("endpoints: []", '§3.3, §7.3: "GET /api/v1/…", as in the OpenAPI spec'))
    if draft.validation:
        out.append(_line("validation:", "§7, copied; review it"))
        for key, value in draft.validation.items():
            flow = f"  {_y(str(key))}: {_flow(value)}"
            if len(flow) <= 100 or not isinstance(value, list):
                out.append(flow)
            else:
                out.append(f"  {_y(str(key))}:")
                out += [f"    - {_flow(v)}" for v in value]
    else:
        out += [
            "# validation:                       # §7, needed from approved on",
            "#   health: [/actuator/health]",
            '#   smoke: ["legacy: submit step form"]',
            "#   slo: {error_rate_max: 0.01, p95_latency_ms_max: 800}",
        ]
    out += [
        "# rollback: {database: forward-fix}  # §5.2: forward-fix | restore-snapshot",
        _line("signoffs: []", "written by `fes-docs sign`"),
    ]
    return "\n".join(out) + "\n"


def _owners(policy: Policy, pairs: list[str], base: dict[str, str]) -> dict[str, str]:
    roles = [*policy.owner_roles, ROLLBACK_ROLE]
    owners = {r: n for r, n in base.items() if r in roles}
    for pair in pairs:
        role, sep, name = pair.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise UsageError(f"--owner {pair!r} is not ROLE=NAME")
        if role.strip() not in roles:
            raise UsageError(f"--owner: unknown role {role.strip()!r}; the roles are {', '.join(roles)}")
        if not name.strip().isprintable():  # a control character, a line break, an undecodable byte
            raise UsageError(f"--owner {pair!r}: the name must be printable text on one line")
        unknown = policy.unknown_person(name.strip())
        if unknown is not None:
            raise UsageError(f"--owner {pair!r}: {unknown}")
        owners[role.strip()] = name.strip()
    return owners


def _version_of(rel: Release | None) -> Any:
    """The other record's ``artifact.version`` as written there (the model's view is its ``str``)."""
    data = rel.doc.data if rel is not None else None
    artifact = data.get("artifact") if isinstance(data, dict) else None
    return artifact.get("version") if isinstance(artifact, dict) else None


def _from(project: Project, other: str | None) -> Release | None:
    return find_release(project, other) if other else None


def _flags(policy: Policy, names: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if name not in policy.flags:
            raise UsageError(f"--flag {name!r} is not a flag of the policy{did_you_mean(name, policy.flags)}")
        if name not in out:
            out.append(name)
    return tuple(out)


def new_release(
    root: Path,
    release_id: str,
    phase: int,
    *,
    from_id: str | None = None,
    owners: list[str] | None = None,
    flags: list[str] | None = None,
) -> Path:
    """Write ``releases/<id>.yaml``; UsageError when it (or that id) exists already."""
    if not ID_RE.fullmatch(release_id):
        raise UsageError(f"{release_id!r} is not a release id (letters, digits, '.', '_', '-'; no spaces)")
    if phase < 0:
        raise UsageError("--phase must be 0 or more")
    project = load_project(root)
    folder = project.root / project.releases_dir
    if len(f"{release_id}.yaml".encode()) > 255:  # what file systems allow in one name
        raise UsageError(f"release id {release_id[:40]}… is too long for a file name (at most 250 characters)")
    for existing in (folder / f"{release_id}.yaml", folder / f"{release_id}.yml"):
        if existing.exists():
            raise UsageError(f"{project.releases_dir}/{existing.name} already exists; not overwriting it")
    if any(rel.id == release_id for rel in project.releases):
        raise UsageError(f"release id {release_id!r} is already used; not writing a second one")
    other = _from(project, from_id)
    released = other is not None and other.status == "released"
    draft = Draft(
        release_id,
        phase,
        _owners(project.policy, owners or [], other.owners if other else {}),
        validation=(other.validation or None) if other else None,
        last_known_good=_version_of(other) if released else None,
        flags=_flags(project.policy, flags or []),
        not_released=None
        if other is None or released
        else f"{other.key} is {other.status or 'without a status'}, not released: its version is no last known good",
    )
    path = folder / f"{release_id}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        create_bytes(path, render(project.policy, draft).encode("utf-8"))
    except FileExistsError:
        raise UsageError(f"{project.releases_dir}/{path.name} already exists; not overwriting it") from None
    return path
