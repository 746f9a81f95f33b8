"""An API change report (:class:`~fes_docs.apidiff.ApiDiff`) as text, JSON, GitHub annotations or
Markdown (``fes-docs diff``'s "API changes" section).

Every string in a report can come from a spec a pull request wrote (paths, property names, enum
values), so text and annotations go through the reporters' :func:`~fes_docs.inert.inert`, and
Markdown through the site's escaper: nothing in a spec can steer a terminal, a CI log or a page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from . import __version__
from .apidiff import CHANGE_RULES, LEVEL_WORDS, ApiDiff, Change, absent_side, diff_sides, load_side
from .inert import inert
from .jsontext import indented

# The site's escaper (``render.escape``) is imported where it is used: importing it imports the site, time
# that ``api-diff`` would pay before reading a byte. ``inert`` is a module of its own for the same reason.

JSON_FORMAT_VERSION = 1


def _where(c: Change, d: ApiDiff) -> str:
    label = f"@{d.base_label}" if c.where.side == "base" and d.base_file == d.head_file else ""
    return f"{c.spot.file}{label}:{c.spot.line}:{c.spot.column}"


def _counts(d: ApiDiff) -> str:
    parts = [
        f"{d.count('error')} breaking",
        f"{d.count('warning')} potentially breaking",
        f"{d.count('info')} compatible",
    ]
    ops = f"operations: {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"
    return f"{', '.join(parts)}; {ops}"


def _omitted(d: ApiDiff) -> str | None:
    total = sum(d.omitted.values())
    if not total:
        return None
    by = ", ".join(f"{n} {LEVEL_WORDS[lvl]}" for lvl, n in sorted(d.omitted.items()))
    return f"{total} more change(s) not shown ({by})"


def text(d: ApiDiff) -> str:
    lines = [inert(f"API changes from {d.base_label} to {d.head_label} ({d.head_file})")]
    for c in d.changes:
        lines.append(inert(f"{_where(c, d)}: {LEVEL_WORDS[c.level]} {c.rule} {c.endpoint}: {c.message} [{c.name}]"))
    if (more := _omitted(d)) is not None:
        lines.append(more)
    lines += [inert(f"note: {p}") for p in d.problems]
    if d.failed:
        lines.append("FAILED: a spec could not be read, so breaking changes cannot be ruled out")
    elif d.unjudged and not d.breaking:
        lines.append(
            f"FAILED: {len(d.unjudged)} part(s) not compared, so breaking changes cannot be ruled out; {_counts(d)}"
        )
    else:
        lines.append(f"{'OK' if d.passed else 'FAILED'}: {_counts(d)}")
    return "\n".join(lines) + "\n"


def change_json(c: Change) -> dict[str, Any]:
    return {
        "rule": c.rule,
        "name": c.name,
        "title": CHANGE_RULES[c.rule].title if c.rule in CHANGE_RULES else c.rule,
        "level": c.level,
        "classification": LEVEL_WORDS[c.level],
        "endpoint": c.endpoint,
        "method": c.method,
        "path": c.path,
        "message": c.message,
        "side": c.where.side,
        "file": c.spot.file,
        "line": c.spot.line,
        "column": c.spot.column,
        "pointer": "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in c.where.path),
    }


def as_json(d: ApiDiff) -> str:
    doc = {
        "base": {"label": d.base_label, "file": d.base_file},
        "head": {"label": d.head_label, "file": d.head_file},
        "summary": {
            "breaking": d.count("error"),
            "potentially_breaking": d.count("warning"),
            "compatible": d.count("info"),
            "failed": d.failed,
            "not_compared": len(d.unjudged),
        },
        "operations": {"added": d.added, "removed": d.removed, "changed": d.changed},
        "changes": [change_json(c) for c in d.changes],
        "omitted": dict(sorted(d.omitted.items())),
        "problems": d.problems,
        "format_version": JSON_FORMAT_VERSION,
        "tool": {"name": "fes-docs", "version": __version__},
    }
    return indented(doc) + "\n"


def _gh(s: str, prop: bool = False) -> str:
    s = inert(s, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def github(d: ApiDiff) -> str:
    """GitHub annotations, at the head's lines only (a removal at its nearest surviving ancestor): an
    annotation at a line of the base version would point at unrelated text of the pull request's file."""
    lines = []
    for c in d.changes:
        level = {"error": "error", "warning": "warning"}.get(c.level, "notice")
        title = f"{c.rule} {CHANGE_RULES[c.rule].title}" if c.rule in CHANGE_RULES else c.rule
        lines.append(
            f"::{level} file={_gh(c.head_spot.file, True)},line={c.head_spot.line},col={c.head_spot.column},"
            f"title={_gh(title, True)}::{_gh(f'{c.endpoint}: {c.message}')}"
        )
    lines.append(text(d).splitlines()[-1])
    return "\n".join(lines) + "\n"


REPORTS = {"text": text, "json": as_json, "github": github}


def markdown(d: ApiDiff, limit: int = 60) -> list[str]:
    """The "API changes" section of ``fes-docs diff``: counts, then each change (breaking first)."""
    from .render.escape import inline_code, md_escape, md_text

    out = ["### API changes", ""]
    if d.failed:
        return [*out, "A spec could not be read, so breaking changes cannot be ruled out:", "",
                *(f"- {md_text(p)}" for p in d.problems), ""]  # fmt: skip
    out.append(md_escape(_counts(d)) + ".")
    shown = sorted(d.changes, key=lambda c: ({"error": 0, "warning": 1}.get(c.level, 2), c.path, c.method))[:limit]
    if shown:
        out.append("")
    for c in shown:
        out.append(
            f"- **{md_escape(LEVEL_WORDS[c.level])}** {inline_code(c.rule)} {inline_code(c.endpoint)} — "
            f"{md_text(c.message)} ({md_escape(_where(c, d))})"
        )
    hidden = len(d.changes) - len(shown) + sum(d.omitted.values())
    if hidden:
        out += ["", f"And {hidden} more: run `fes-docs api-diff` for all of them."]
    if d.problems:
        out += ["", *(f"- _note:_ {md_text(p)}" for p in d.problems[:10])]
    return [*out, ""]


def spec_section(
    base_root: Path | None,
    base_rel: str | None,
    head_root: Path,
    head_rel: str | None,
    base_label: str,
    head_label: str,
) -> list[str]:
    """``fes-docs diff``'s "API changes" section for two checked-out trees; nothing when the spec (and every
    file its ``$ref``\\ s reached) is byte for byte the same on both sides, or when there is no spec."""
    if not head_rel and not base_rel:
        return []
    rel = head_rel or base_rel or ""
    if base_root is None or not base_rel:
        base = absent_side("base", head_root, rel, base_label)  # no spec at the base: every operation is new
    else:
        base = load_side("base", base_root, base_rel, base_label)
    head = (
        load_side("head", head_root, head_rel, head_label)
        if head_rel
        else absent_side("head", head_root, rel, head_label)
    )
    report = diff_sides(base, head, date.today())
    if base.ws.raw == head.ws.raw:
        return []
    return markdown(report)
