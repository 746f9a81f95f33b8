"""The baseline: the findings a project accepted as they stood when it adopted fes-docs.

A project with years of history starts with hundreds of findings nobody will fix; ``fes-docs baseline``
writes their fingerprints to one file, and from then on ``validate`` fails only on findings that are not in
it. Baselined findings stay listed, marked ``baselined``; an entry that names no finding any more is an
FES902 warning, so the baseline only shrinks. The rules judge the entries (:mod:`fes_docs.rules.baseline`),
the runner credits them (:func:`fes_docs.check.apply_baseline`), :mod:`fes_docs.baselining` writes the file.

**One place.** The file is ``.fes-docs/baseline.yaml`` at the project root — outside ``releases/``, so it is
never read as a record — and nowhere else, so ``validate``, the site and ``fes-docs baseline`` can never
read different files. Version 1::

    version: 1
    entries:
      - fingerprint: "3f9c0a1b2c3d4e5f"   # Finding.fingerprint: what is accepted
        rule: "FES104"
        file: "releases/2026-03-x.yaml"
        release: "2026-03-x"              # the record the finding belongs to, or null
        message: "checklist item …"       # for the reader; never compared
        reason: "legacy: …"
        by: "alice"

An entry credits a finding only when its fingerprint, rule, file and release all agree, so an entry cannot
claim one record's file while it names another record's finding. **The sign-off digest.** Every entry that
names a record (its file, or its release) counts in that record's digest
(:func:`fes_docs.signoffs.release_digest`): adding one makes the owners' sign-offs stale, as a waiver does.

**Hostile input**, like every file of a pull request: read through ``project.inputs`` (contained, size
limited, in the run's manifest, so a changed baseline is a changed input), parsed by the project's loader
with its limits, and schema-checked. A symbolic link is refused unread; every problem is a located finding
(FES001–FES003, FES010, FES011), and a baseline with any problem credits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .findings import FINGERPRINT_PATTERN, Finding, Loc, key_path
from .inputs import InputError
from .loader import load_bytes
from .project import Project, problem_finding
from .schema import SCHEMA_ID_BASE
from .schema_check import schema_findings

FOLDER = ".fes-docs"
NAME = "baseline.yaml"
BASELINE_FILE = f"{FOLDER}/{NAME}"
VERSION = 1
#: Larger than a record may be: a legacy project's baseline holds thousands of entries.
MAX_BYTES = 8_000_000
MAX_NODES = 1_000_000
#: The fields of an entry, in the order the file writes them.
FIELDS = ("fingerprint", "rule", "file", "release", "message", "reason", "by")


@dataclass(frozen=True)
class Entry:
    """One accepted finding, as the file states it; ``index`` is its place in ``entries``."""

    fingerprint: str
    rule: str
    file: str
    release: str | None
    message: str
    reason: str
    by: str
    index: int

    def names(self, f: Finding) -> bool:
        """Whether this entry speaks for ``f``: its fingerprint, rule, file and release all agree."""
        return (f.fingerprint, f.rule, f.loc.file, f.release) == (self.fingerprint, self.rule, self.file, self.release)


@dataclass
class Baseline:
    """The project's baseline as read: its entries and the problems of the file (none: no baseline)."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    doc: Document | None = None

    @property
    def file(self) -> str:
        return BASELINE_FILE

    def loc(self, *path: str | int) -> Loc:
        if self.doc is None:
            return Loc(BASELINE_FILE)
        p = self.doc.pos(path)
        return Loc(BASELINE_FILE, p.line, p.column, key_path(self.doc.data, path))

    def naming(self, file: str, release: str) -> list[Any]:
        """The entries, as written, that name the record in ``file`` with id ``release`` (for its digest).

        Read off the raw data, broken entries included: whatever names a record counts in its digest.
        """
        raw = self.doc.data.get("entries") if self.doc is not None and isinstance(self.doc.data, dict) else None
        return [
            e
            for e in (raw if isinstance(raw, list) else [])
            if isinstance(e, dict) and (e.get("file") == file or e.get("release") == release)
        ]


def baseline_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the baseline file."""

    def text(desc: str) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "description": desc}

    entry = {
        "type": "object",
        "additionalProperties": False,
        "required": ["fingerprint", "rule", "file", "reason", "by"],
        "properties": {
            "fingerprint": {
                "type": "string",
                "pattern": FINGERPRINT_PATTERN,
                "description": "the finding's fingerprint",
            },
            "rule": {"type": "string", "pattern": r"^FES\d{3}$", "description": "its rule"},
            "file": text("where it is, relative to the project root"),
            "release": {"type": ["string", "null"], "description": "the record it belongs to"},
            "message": {"type": "string", "description": "what it said, for the reader"},
            "reason": text("why it is accepted"),
            "by": text("who accepted it"),
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID_BASE}/baseline.schema.json",
        "title": "fes-docs baseline",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "entries"],
        "properties": {
            "version": {"const": VERSION, "description": "the format's version"},
            "entries": {"type": "array", "items": entry, "description": "the accepted findings"},
        },
    }


def _refused(why: str, hint: str) -> Baseline:
    return Baseline(problems=[Finding(Loc(BASELINE_FILE), "FES003", "error", f"{why}; it was not read", hint)])


def load_baseline(project: Project) -> Baseline:
    """The project's baseline, read as hostile input (see the module docstring); an absent file is empty."""
    if project.inputs.list_entries(FOLDER).get(NAME) == "link":
        return _refused("the baseline is a symbolic link", "commit the baseline itself, not a link")
    try:
        data = project.inputs.read_bytes(BASELINE_FILE, MAX_BYTES)
    except InputError as exc:
        return (
            Baseline() if exc.reason == "missing" else Baseline(problems=[problem_finding(BASELINE_FILE, exc.problem)])
        )
    doc, problems = load_bytes(data, BASELINE_FILE, max_nodes=MAX_NODES)
    if doc is None:
        return Baseline(problems=[problem_finding(BASELINE_FILE, p) for p in problems])
    found = schema_findings(doc, baseline_schema())
    if found:
        return Baseline(problems=found, doc=doc)
    return Baseline([_entry(raw, i) for i, raw in enumerate(doc.data["entries"])], doc=doc)


def _entry(raw: dict[str, Any], index: int) -> Entry:
    return Entry(
        raw["fingerprint"],
        raw["rule"],
        raw["file"],
        raw.get("release"),
        str(raw.get("message", "")),
        raw["reason"],
        raw["by"],
        index,
    )


def read_baseline(project: Project) -> Baseline:
    """:func:`load_baseline`, and each record given the entries naming it (``Release.baseline``), so that its
    sign-off digest covers them. Called before anything asks a record's digest."""
    baseline = load_baseline(project)
    for rel in project.releases:
        rel.baseline = baseline.naming(rel.file, rel.key)
        rel.extra.pop("digest", None)  # a digest computed without them is not the record's
    return baseline


# --- the file as fes-docs writes it -------------------------------------------------------------------

HEADER = (
    "# The fes-docs baseline: findings accepted as they stood when it was written (`fes-docs baseline`).\n"
    "# `fes-docs validate` lists them as baselined and fails only on findings not in it. Remove an entry\n"
    "# once its finding is fixed (validate says which). An entry naming a record counts in its sign-offs.\n"
)


def entry_data(
    fingerprint: str, rule: str, file: str, release: str | None, message: str, reason: str, by: str
) -> dict[str, Any]:
    """One entry as the file holds it (the field order of :data:`FIELDS`)."""
    return dict(zip(FIELDS, (fingerprint, rule, file, release, message, reason, by), strict=True))


def format_baseline(entries: list[dict[str, Any]]) -> str:
    """The file's text: entries sorted by file, rule and fingerprint, every value double-quoted, nothing
    from the clock — the same findings give the same bytes, so a re-run changes nothing in git."""
    ordered = sorted(entries, key=lambda e: (str(e["file"]), str(e["rule"]), str(e["fingerprint"])))
    lines = [HEADER.rstrip("\n"), f"version: {VERSION}", "entries:" + ("" if ordered else " []")]
    for e in ordered:
        for i, key in enumerate(FIELDS):
            value = e.get(key)
            lines.append(f"{'  - ' if i == 0 else '    '}{key}: {'null' if value is None else quoted(str(value))}")
    return "\n".join(lines) + "\n"


def quoted(s: str) -> str:
    """``s`` as a YAML double-quoted scalar that reads back as ``s``: quotes, backslashes, control and
    line-break characters (YAML folds U+0085, U+2028 and U+2029) and non-characters escaped."""
    out = ['"']
    for c in s:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= o < 0x7F or (
            o >= 0xA0 and o not in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF) and not 0xD800 <= o <= 0xDFFF
        ):
            out.append(c)
        elif o <= 0xFF:
            out.append(f"\\x{o:02x}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def parsed(text: str) -> Any:
    """The data ``text`` reads as (None when it does not): how the writer checks what it is about to write."""
    doc, _ = load_bytes(text.encode("utf-8"), BASELINE_FILE, max_nodes=MAX_NODES)
    return None if doc is None else doc.data
