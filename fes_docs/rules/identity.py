"""Syntax, schema and identity: can the file be read, and is it the release it claims to be."""

from __future__ import annotations

from collections.abc import Iterator

from ..dates import parse_datetime
from ..model import Release
from ..project import Project
from . import Hit, emitted_rule, project_rule, release_rule

emitted_rule(
    "FES001",
    "YAML syntax",
    "schema",
    "The file must be valid YAML: no tabs for indentation, no unsupported tags, one document.",
    hint="fix the syntax at the given position",
)
emitted_rule(
    "FES002",
    "Duplicate key",
    "schema",
    "A key may appear once per mapping; YAML would otherwise silently keep the last value.",
    hint="remove one of the two entries",
)
emitted_rule(
    "FES003",
    "Unreadable file",
    "schema",
    "UTF-8 text under the size limit, without NUL bytes, deep nesting or alias bombs.",
    hint="re-save the file as plain UTF-8 YAML",
)
emitted_rule(
    "FES004",
    "Record files are where the tool reads them",
    "schema",
    "A record is a regular file in releases/ named <id>.yaml: a *.YAML name, spaces around the name or a "
    "YAML file in a sub-folder would be skipped, so each is an error instead (a symbolic link is FES003).",
    hint="rename or move it to releases/<id>.yaml, as a plain file",
)
emitted_rule(
    "FES010",
    "Schema violation",
    "schema",
    "Values have the types, formats and allowed values of the published JSON Schema.",
    hint="see `fes-docs schema release`",
)
emitted_rule(
    "FES011",
    "Unknown key",
    "schema",
    "A key the schema does not know is an error: a typo must never be ignored silently.",
    hint="fix the spelling or remove the key",
)
emitted_rule(
    "FES015",
    "Published schema out of date",
    "tool",
    "The schema files editors read (releases/schema/) match the policy.",
    severity="warning",
    hint="run `fes-docs schema --write`",
)


@release_rule(
    "FES012",
    "Id matches file name",
    "schema",
    cancelled_too=True,
    hint="rename the file or change `id` so both agree",
    integrity=True,
)
def id_matches_file(project: Project, rel: Release) -> Iterator[Hit]:
    """The record's `id` equals the file name without `.yaml`, so links and references are unambiguous."""
    if rel.id is not None and rel.id != rel.stem:
        yield Hit(rel.loc("id"), f"id {rel.id!r} does not match the file name {rel.stem!r}")


@project_rule("FES013", "Unique release ids", "schema", hint="give each release its own id", integrity=True)
def unique_ids(project: Project) -> Iterator[Hit]:
    """No two release files carry the same `id`; every file of a shared id is in error, none speaks for it."""
    by_id: dict[str, list[Release]] = {}
    for rel in project.releases:
        if rel.id is not None:
            by_id.setdefault(rel.id, []).append(rel)
    for rid, rels in by_id.items():
        if len(rels) < 2:
            continue
        for rel in rels:
            others = [o for o in rels if o is not rel]
            yield Hit(
                rel.loc("id"),
                f"id {rid!r} is also used by {', '.join(o.file for o in others)}",
                release=rel.key,
                related=tuple(o.loc("id") for o in others),
            )


@release_rule("FES020", "Deployment window", "§2", hint="the window starts before it ends; use ISO 8601 with a zone")
def window_order(project: Project, rel: Release) -> Iterator[Hit]:
    """`window.start` and `window.end` are real timestamps, and start is before end; required from approved on."""
    if rel.window_start is None and rel.window_end is None:
        if rel.from_approved:
            yield Hit(rel.key_loc("status"), f"a release that is {rel.status} needs a deployment `window`")
        return
    start = parse_datetime(rel.window_start) if rel.window_start else None
    end = parse_datetime(rel.window_end) if rel.window_end else None
    for key, text, value in (("start", rel.window_start, start), ("end", rel.window_end, end)):
        if text is not None and value is None:
            yield Hit(rel.loc("window", key), f"window.{key} {text!r} is not a valid date-time")
    if start and end:
        if (start.tzinfo is None) != (end.tzinfo is None):
            yield Hit(rel.loc("window", "end"), "window.start and window.end must both carry a time zone or neither")
        elif start.tzinfo is None:  # 18:00 where? a reviewer and the on-call engineer may be in different zones
            yield Hit(
                rel.loc("window", "start"),
                f"window {rel.window_start} → {rel.window_end} has no time zone; write it as 18:00:00Z or +01:00",
            )
        elif start >= end:
            yield Hit(
                rel.loc("window", "end"),
                f"window ends ({rel.window_end}) before or when it starts ({rel.window_start})",
            )
