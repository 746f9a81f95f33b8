"""``fes-docs init``: write the first ``releases/policy.yaml`` from what :func:`fes_docs.adopt.survey` found.

The policy it writes validates on day one: the guide's defaults for what only the team can decide (environments,
owner roles, the checklist), the project's own facts for the rest — its Flyway folder, dialect, spec and flags —
and ``adopted_at_version`` at the highest migration version, so that every migration already there is history
(:mod:`fes_docs.legacy`) and only new ones are judged. Each line that came from the project says where, in a
comment, so a reviewer can check it; what was not found is written so that it says so (``openapi: null``).

The text is a function of what was found and nothing else (no date, no user, no absolute path): the same
project gives the same bytes. It is written atomically and never over an existing policy unless asked
(``--force``), and never through a ``releases`` folder that leads outside the project.
"""

from __future__ import annotations

from pathlib import Path

from .adopt import Survey, survey
from .atomic import create_bytes, write_bytes
from .errors import UsageError
from .inputs import ProjectInputs
from .loader import load_text
from .model import DEFAULT_POLICY
from .project import POLICY_FILE, RELEASES_DIR
from .scaffold import one_line
from .schema import policy_schema
from .schema_check import schema_findings
from .yamledit import quoted, scalar

_COMMENT_COL = 56
#: Other folders and specs named in the printout at most (the rest are counted).
_SHOWN = 5


def _y(value: str) -> str:
    return scalar(value, strict=True)


def _line(text: str, comment: str = "") -> str:
    return f"{text.ljust(_COMMENT_COL - 1)} # {one_line(comment)}" if comment else text


def _also(label: str, others: list[str]) -> str:
    if not others:
        return ""
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return f"; {label}: {shown}"


def render(found: Survey) -> str:
    """The policy's text for what was found (deterministic: the same survey gives the same text)."""
    envs = ", ".join(_y(e) for e in DEFAULT_POLICY["environments"])
    roles = ", ".join(_y(r) for r in DEFAULT_POLICY["owner_roles"])
    out = [
        "# yaml-language-server: $schema=schema/policy.schema.json",
        "#",
        "# Written by `fes-docs init` from what it found in this project. Review every line, then commit it:",
        "# the environments, owner roles and checklist are the guide's defaults, the rest is this project's.",
        "# First run on an existing project: docs/first-run.md.",
        "",
        _line(f"environments: [{envs}]", "§2, in promotion order"),
        _line(f"owner_roles: [{roles}]", "§8: who owns and signs a release"),
        _line("checklist:", "§3, ids the records tick"),
    ]
    out += [f"  - {{id: {_y(c['id'])}, title: {_y(c['title'])}}}" for c in DEFAULT_POLICY["checklist"]]
    if found.flags:
        out.append(_line("flags:", f"§5.1, boolean properties in {', '.join(found.flags_from[:3])}"))
        out += [f"  - {_y(f)}" for f in found.flags]
    else:
        out.append(_line("flags: []", "§5.1: none found in application*.properties/yml; add the keys to switch off"))
    if found.openapi:
        out.append(
            _line(f"openapi: {_y(found.openapi)}", "the service's spec" + _also("also found", found.other_specs))
        )
    else:
        out.append(_line("openapi: null", "no OpenAPI spec found; name it here once there is one"))
    if found.migrations_dir:
        out.append(
            _line(
                f"migrations_dir: {_y(found.migrations_dir)}",
                found.migrations_from + _also("also found", found.other_folders),
            )
        )
    else:
        out.append(_line("# migrations_dir: db/migration", "no Flyway folder found: name yours here"))
    if found.adopted:
        count = f"{found.versioned} versioned migration{'s' if found.versioned != 1 else ''}"
        out.append(
            _line(
                f"adopted_at_version: {quoted(found.adopted)}",
                f"the highest of its {count} ({found.adopted_file}): they are history",
            )
        )
    dialect = found.dialect or str(DEFAULT_POLICY["sql_dialect"])
    why = f"from {found.dialect_from}" if found.dialect else "could not tell from a URL, the folder or the SQL"
    out.append(_line(f"sql_dialect: {dialect}", why))
    out.append(_line(f"backfill_dry_run_rows: {DEFAULT_POLICY['backfill_dry_run_rows']}", "§4.5: a large backfill"))
    if found.flyway:
        out.append(_line("flyway:", f"spring.flyway.* in {', '.join(found.flyway_from[:3])}"))
        for key, value in found.flyway.items():
            if isinstance(value, dict):
                out.append(f"  {key}:")
                out += [f"    {_y(str(k))}: {_y(str(v))}" for k, v in value.items()]
            elif isinstance(value, list):
                out.append(f"  {key}: [{', '.join(_y(str(v)) for v in value)}]")
            else:
                out.append(f"  {key}: {_y(str(value))}")
    text = "\n".join(out) + "\n"
    _check(text)
    return text


def _check(text: str) -> None:
    """The text reads back as a policy the schema accepts: init never writes a first run's first error."""
    doc, problems = load_text(text, f"{RELEASES_DIR}/{POLICY_FILE}")
    findings = schema_findings(doc, policy_schema()) if doc is not None else []
    if problems or findings:  # a bug in this module, not in the project
        first = problems[0].message if problems else findings[0].message
        raise AssertionError(f"the policy fes-docs init would write is not valid: {first}")


def _target(inputs: ProjectInputs) -> Path:
    """Where the policy goes: ``releases/policy.yaml``, in a ``releases`` folder inside the project."""
    kind = inputs.list_entries(".").get(RELEASES_DIR)
    folder = inputs.inside(RELEASES_DIR)
    if folder is None:
        raise UsageError(f"{RELEASES_DIR}/ leads outside the project; not writing there")
    if kind not in (None, "dir", "link") or (kind == "link" and not folder.is_dir()):
        raise UsageError(f"{RELEASES_DIR} is not a folder; not writing {RELEASES_DIR}/{POLICY_FILE}")
    return folder / POLICY_FILE


def init_project(root: Path, *, force: bool = False) -> tuple[Path, Survey, bool]:
    """Write ``releases/policy.yaml`` for the project at ``root``: the path, what was found, and whether a
    policy was replaced. UsageError when one exists (without ``force``) or cannot be written."""
    inputs = ProjectInputs(root)
    target = _target(inputs)
    existed = target.exists() or target.is_symlink()
    if existed and not force:
        raise UsageError(f"{RELEASES_DIR}/{POLICY_FILE} already exists; not overwriting it (--force replaces it)")
    if existed and target.is_dir():
        raise UsageError(f"{RELEASES_DIR}/{POLICY_FILE} is a folder; not replacing it")
    found = survey(inputs)
    data = render(found).encode("utf-8")
    try:
        target.parent.mkdir(exist_ok=True)
        if force:
            write_bytes(target, data)  # replaces a link itself, never what it points at
        else:
            create_bytes(target, data)
    except FileExistsError:
        raise UsageError(f"{RELEASES_DIR}/{POLICY_FILE} appeared meanwhile; not overwriting it") from None
    except OSError as exc:
        raise UsageError(f"cannot write {RELEASES_DIR}/{POLICY_FILE}: {exc.strerror or exc}") from None
    return target, found, existed


def report_lines(found: Survey) -> list[str]:
    """What was found, for the person who ran init (one line each, whatever the file names hold)."""
    lines = []
    if found.migrations_dir:
        lines.append(f"Flyway folder: {found.migrations_dir} ({found.versioned} versioned; {found.migrations_from})")
        others = found.other_folders
        lines += [f"  also found: {f} (the policy holds one Flyway folder)" for f in others[:_SHOWN]]
        lines += [f"  and {len(others) - _SHOWN} more Flyway folders"] if len(others) > _SHOWN else []
    else:
        lines.append("Flyway folder: none found (set migrations_dir)")
    if found.adopted:
        lines.append(f"adopted_at_version: {found.adopted} (every migration up to it is history)")
    lines.append(f"SQL dialect: {found.dialect or 'postgres, the default'} ({found.dialect_from or 'not told'})")
    lines.append(f"OpenAPI spec: {found.openapi or 'none found (openapi: null)'}")
    lines += [f"  also found: {s}" for s in found.other_specs[:_SHOWN]]
    where = f" from {', '.join(found.flags_from)}" if found.flags_from else " (none in application*.properties/yml)"
    lines.append(f"flags: {len(found.flags)}{where}")
    if found.flyway:
        lines.append(f"flyway: {', '.join(found.flyway)} from {', '.join(found.flyway_from)}")
    lines += [f"note: {n}" for n in found.notes]
    return [one_line(line) for line in lines]
