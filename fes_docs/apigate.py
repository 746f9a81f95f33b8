"""The pull request's API gate (``validate --changed-since BASE``): every breaking change between the
spec at BASE and the working tree is declared by a release record the pull request changed.

Why only records the pull request changed: a declaration is a decision about *this* change; one left
in an old record from an earlier break must not wave a new one through. Undeclared breaking changes
are FES840 at the spec's line (a removal at its nearest surviving ancestor in the head, with the
base's line in the message: annotations land on the pull request's version of the file), and a record
changed in the pull request that ticks ``openapi-docs-updated`` meanwhile is FES841 at its tick.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .apidiff import Change, absent_side, diff_sides, git_reader, load_side, rule_named
from .findings import Finding, Loc
from .loader import MAX_BYTES, load_bytes, read_limited
from .model import Release
from .openapi.index import normalise_path, parse_endpoint
from .project import POLICY_FILE, RELEASES_DIR, load_policy, openapi_at

#: The gate keeps every breaking change it can (a cap still bounds a hostile spec's report).
GATE_MAX_CHANGES = 5000


def _changed_records(root: Path, changed: set[str]) -> list[Release]:
    out = []
    for file in sorted(changed):
        folder, _, name = file.rpartition("/")
        if folder != RELEASES_DIR or name == POLICY_FILE or not name.endswith((".yaml", ".yml")):
            continue
        data, _problem = read_limited(root / file, MAX_BYTES)
        doc = load_bytes(data, file)[0] if data is not None else None
        if doc is not None:
            out.append(Release.from_doc(doc))
    return out


def _key(method: str, path: str) -> str:
    return f"{method.upper()} {normalise_path(path)}"


def declared(records: list[Release]) -> set[tuple[str, str]]:
    """(normalised ``METHOD /path``, change rule id) of every declaration in ``records``."""
    out = set()
    for rel in records:
        for entry in rel.api_breaking:
            parsed = parse_endpoint(entry.endpoint or "")
            found = rule_named(entry.change or "")
            if parsed is not None and found is not None:
                out.add((_key(*parsed), found.id))
    return out


def _finding(c: Change, base: str, about: tuple[str, ...]) -> Finding:
    was = f" (line {c.spot.line} of the spec at {base})" if c.where.side == "base" else ""
    hint = (
        f'declare it: api: {{breaking: [{{endpoint: "{c.endpoint}", change: {c.rule}, reason: "…", '
        f"consumers_notified: true}}]}} in the record of the release that ships it, or make the change compatible"
    )
    return Finding(
        Loc(c.head_spot.file, c.head_spot.line, c.head_spot.column),
        "FES840",
        "error",
        f"{c.endpoint}: {c.message}{was} is a breaking API change ({c.rule} {c.name}) that no release record "
        "changed in this pull request declares",
        hint,
        about=about,
    )


def api_gate(root: Path, base: str, changed: set[str], today: date | None = None) -> list[Finding]:
    """FES840 and FES841 for the change from ``base`` to the working tree (``changed``: files it touched)."""
    rel = load_policy(root)[0].openapi
    base_rel = openapi_at(root, base) or rel  # the spec the base checked, wherever the head's policy points
    moved = base_rel != rel
    if not base_rel or (
        not moved
        and not any(f.endswith((".yaml", ".yml", ".json")) and not f.startswith(f"{RELEASES_DIR}/") for f in changed)
    ):
        return []
    old = load_side("base", root, base_rel, base, git_reader(root, base))
    new = (
        load_side("head", root, rel, "the working tree")
        if rel
        else absent_side("head", root, base_rel, "the working tree (its policy names no spec)")
    )
    report = diff_sides(old, new, today or date.today(), GATE_MAX_CHANGES)
    files = set(old.ws.raw) | set(new.ws.raw)
    if not moved and not files & changed:
        return []
    rel = rel or base_rel
    if moved:  # the policy's re-pointing is part of what the findings are about
        files.add(f"{RELEASES_DIR}/{POLICY_FILE}")
    about = tuple(sorted(files))
    if report.failed:
        why = "; ".join(report.problems[:3])
        return [Finding(Loc(rel), "FES840", "error", f"breaking API changes cannot be ruled out: {why}", about=about)]
    records = _changed_records(root, changed)
    ok = declared(records)
    undeclared = [c for c in report.changes if c.level == "error" and (_key(c.method, c.path), c.rule) not in ok]
    out = [_finding(c, base, about) for c in undeclared]
    hidden = report.unjudged
    if hidden:  # what could not be compared may hold a break: never let it pass silently
        out.append(
            Finding(Loc(rel), "FES840", "error", f"breaking API changes cannot be ruled out: {hidden[0]}", about=about)
        )
    if report.omitted.get("error"):
        out.append(
            Finding(
                Loc(rel),
                "FES840",
                "error",
                f"{report.omitted['error']} more breaking API change(s) are not listed; run fes-docs api-diff {base}",
                about=about,
            )
        )
    if out:
        for record in records:
            item = record.checklist_item("openapi-docs-updated")
            if item is not None and item.done:
                out.append(
                    Finding(
                        record.loc(*item.path, "done"),
                        "FES841",
                        "error",
                        f"openapi-docs-updated is ticked while {len(out)} breaking API change(s) of this pull request "
                        "are undeclared (FES840)",
                        "declare the breaking changes under api: breaking:, then tick openapi-docs-updated",
                        release=record.key,
                    )
                )
    return out
