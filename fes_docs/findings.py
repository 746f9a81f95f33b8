"""The one currency every stage pays in: a located, rule-tagged finding."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from json.encoder import encode_basestring
from typing import Any, Literal, Protocol

Severity = Literal["error", "warning"]


class Located(Protocol):
    """What every reader's and parser's problem has: where in its file (1-based) and what.

    The loader's :class:`~fes_docs.document.LoadProblem`, the spec's ``SpecProblem``, the SQL parser's
    ``SqlError`` and an unreadable input all satisfy it; :meth:`Loc.of` and :meth:`Finding.of` are the one
    way any of them becomes a location or a finding.
    """

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True, order=True)
class Loc:
    """Where a finding points: a file relative to the project root, 1-based line and column.

    ``subject`` is the same place in words that do not move when lines do — a record's key path
    (``checklist[id=db-backup].evidence``, :func:`key_path`), a spec's JSON pointer, an SQL statement's
    text: the logical location beside the physical one, which a finding's fingerprint is made of
    (:func:`fingerprint_of`). It is not compared: one line and column is one place.
    """

    file: str
    line: int = 1
    column: int = 1
    subject: str = field(default="", compare=False)

    @classmethod
    def of(cls, file: str, problem: Located) -> Loc:
        """Where ``problem`` is, in ``file`` (relative to the project root)."""
        return cls(file, problem.line, problem.column)


@dataclass(frozen=True)
class Waiver:
    """A reasoned, visible silence for one rule in one release."""

    rule: str
    reason: str
    until: str | None = None
    approved_by: str | None = None
    #: A waiver of the one finding with this fingerprint (``rule`` may then be empty), not of a whole rule.
    fingerprint: str | None = None


@dataclass(frozen=True)
class Baselined:
    """A finding accepted as it stood when the baseline was written (``fes-docs baseline``): why, and by whom."""

    reason: str
    by: str


@dataclass(frozen=True)
class Finding:
    """One problem. ``waived`` findings stay in every report: a waiver explains, it never hides.

    ``about``: the further files the finding is about besides where it is and what it points at — the
    record it belongs to and every file that record names (its SQL, the spec, the policy). A change to any
    of them may have caused it, so ``validate --changed-since`` reports it when any of them changed
    (:meth:`about_files`). The check stage fills it in; reports do not print it.

    ``fingerprint``: the finding's stable name (:func:`fingerprinted`), which a baseline entry or a waiver
    can name; ``baselined``: the baseline entry that accepted it. A baselined finding, like a waived one,
    stays in every report and fails nothing.
    """

    loc: Loc
    rule: str
    severity: Severity
    message: str
    hint: str = ""
    release: str | None = None
    waived: Waiver | None = None
    related: tuple[Loc, ...] = field(default=())
    about: tuple[str, ...] = field(default=())
    fingerprint: str = ""
    baselined: Baselined | None = None

    def evolved(self, **changes: Any) -> Finding:
        """This finding with ``changes`` (fields and their new values), like :func:`dataclasses.replace`.

        Why not ``replace`` itself: it asks the dataclass machinery for every field and runs the frozen
        ``__init__``, 3 µs a finding, and a run of 10,000 records gives 40,000 findings their fingerprint and
        their files-about, which was a quarter of a second. The fields are copied as they are, checked by
        nothing (``Finding`` has no ``__post_init__``), so only fields whose values need no checking change
        here: the fingerprint and ``about``."""
        unknown = changes.keys() - {"fingerprint", "about"}
        if unknown:
            raise TypeError(f"evolved() changes only fingerprint and about, not {sorted(unknown)}")
        new = object.__new__(type(self))
        fields = new.__dict__
        fields.update(self.__dict__)
        fields.update(changes)
        return new

    @property
    def accepted(self) -> bool:
        """Waived or baselined: shown, and counted as such, but no longer an open problem."""
        return self.waived is not None or self.baselined is not None

    @property
    def blocking(self) -> bool:
        """Errors fail a run; a waived or baselined error does not."""
        return self.severity == "error" and not self.accepted

    @property
    def open_warning(self) -> bool:
        """A warning nobody waived or baselined: fails a run only under ``--strict-warnings``."""
        return self.severity == "warning" and not self.accepted

    def about_files(self) -> frozenset[str]:
        """Every file this finding is about: its own, each related location's, and ``about``."""
        return frozenset((self.loc.file, *(r.file for r in self.related), *self.about))

    def is_about(self, files: set[str] | frozenset[str]) -> bool:
        """Whether this finding is about one of ``files`` (``validate --changed-since``, ``validate PATH``)."""
        return not self.about_files().isdisjoint(files)

    def sort_key(self) -> tuple[str, int, int, str, tuple[tuple[str, int, int], ...], str]:
        """File, line, column, rule — then the places it points at, by line (so several findings on one record
        line about ``V1__x.sql`` read :1, :2, :10, not :1, :10, :2), then the message."""
        related = tuple((r.file, r.line, r.column) for r in self.related)
        return (self.loc.file, self.loc.line, self.loc.column, self.rule, related, self.message)

    @classmethod
    def of(
        cls,
        file: str,
        problem: Located,
        rule: str,
        severity: Severity = "error",
        hint: str | None = None,
        release: str | None = None,
    ) -> Finding:
        """A reader's or parser's problem as a finding of ``rule`` (its own hint unless one is given)."""
        own_hint = getattr(problem, "hint", "")
        return cls(Loc.of(file, problem), rule, severity, problem.message, own_hint if hint is None else hint, release)

    def waive(self, waiver: Waiver) -> Finding:
        return replace(self, waived=waiver)


class InternalError(Finding):
    """A finding that stands for a bug in fes-docs: a rule crashed, so what it would have found is unknown.

    It is about every file: ``validate --changed-since`` keeps it whatever the pull request changed, so
    the gate fails closed (a crash in the spec's rule, placed at the policy file a pull request did not
    touch, used to be dropped, and the gate passed with the spec's errors unreported)."""

    def is_about(self, files: set[str] | frozenset[str]) -> bool:
        return True


@dataclass(frozen=True)
class Summary:
    """The one definition of how findings are counted, for every report, page and exit code.

    ``errors`` are blocking findings (errors neither waived nor baselined), ``warnings`` open warnings,
    ``waived`` every waived finding and ``baselined`` every baselined one, whatever its severity (a
    waived finding is never also baselined). The JSON reports publish :meth:`as_dict`.
    """

    errors: int = 0
    warnings: int = 0
    waived: int = 0
    baselined: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Summary:
        errors = warnings = waived = baselined = 0
        for f in findings:
            errors += f.blocking
            warnings += f.open_warning
            waived += f.waived is not None
            baselined += f.waived is None and f.baselined is not None
        return cls(errors, warnings, waived, baselined)

    def fails(self, strict_warnings: bool = False) -> bool:
        """Whether a run with these findings fails (exit 1, a failed build)."""
        return bool(self.errors or (strict_warnings and self.warnings))

    def as_dict(self) -> dict[str, int]:
        return {"errors": self.errors, "warnings": self.warnings, "waived": self.waived, "baselined": self.baselined}


# --- the JSON form the cache keeps ------------------------------------------------------------------------


def _loc_json(loc: Loc) -> dict[str, Any]:
    out: dict[str, Any] = {"file": loc.file, "line": loc.line, "column": loc.column}
    if loc.subject:
        out["subject"] = loc.subject
    return out


def finding_to_json(f: Finding) -> dict[str, Any]:
    """``f`` as JSON values (written out: ``dataclasses.asdict`` deep-copies each of thousands of findings);
    an :class:`InternalError` says so, and comes back as one."""
    out: dict[str, Any] = {
        "loc": _loc_json(f.loc),
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "hint": f.hint,
        "release": f.release,
        "waived": asdict(f.waived) if f.waived is not None else None,
        "related": [_loc_json(r) for r in f.related],
        "about": list(f.about),
        "fingerprint": f.fingerprint,
        "baselined": asdict(f.baselined) if f.baselined is not None else None,
    }
    if isinstance(f, InternalError):
        out["internal"] = True
    return out


def finding_from_json(raw: dict[str, Any]) -> Finding:
    kind = InternalError if raw.get("internal") else Finding
    return kind(
        Loc(**raw["loc"]),
        raw["rule"],
        raw["severity"],
        raw["message"],
        raw["hint"],
        raw["release"],
        Waiver(**raw["waived"]) if raw.get("waived") else None,
        tuple(Loc(**r) for r in raw.get("related", ())),
        tuple(str(a) for a in raw.get("about", ())),
        str(raw.get("fingerprint") or ""),
        Baselined(**raw["baselined"]) if raw.get("baselined") else None,
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Deterministic order (and duplicates dropped) so reports are byte-identical run to run."""
    unique: dict[tuple[object, ...], tuple[tuple[object, ...], Finding]] = {}
    for f in findings:  # each finding's key computed once (thousands of findings, sorted twice a run)
        key = f.sort_key()
        unique[(key, f.severity, f.release, f.waived)] = ((*key, f.severity), f)
    return [f for _, f in sorted(unique.values(), key=lambda kf: kf[0])]


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest known name, or nothing: one wording for every typo hint."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


# --- fingerprints: a finding's name that survives unrelated edits --------------------------------------

#: The fields that name a list item, the first one present wins: ``checklist[id=db-backup]`` is the same item
#: when another is inserted before it, where ``checklist[3]`` would not be.
ITEM_NAMES = ("id", "name", "file", "role", "rule", "fingerprint", "title")
#: What :func:`fingerprint_of` gives, as the schemas of waivers and of the baseline check it.
FINGERPRINT_PATTERN = r"^[0-9a-f]{16}$"
_NUMBERS = re.compile(r"\d+")


def key_path(data: Any, path: Iterable[str | int]) -> str:
    """``path`` into ``data`` as words: ``checklist[id=db-backup].evidence``, ``endpoints["GET /x"]``.

    A list item is named by its first :data:`ITEM_NAMES` field (a plain string item by itself), and only an
    item with neither by its index. A path into what is not there is written as asked.
    """
    out = ""
    node = data
    for part in path:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if 0 <= part < len(node) else None
            out += f"[{_item_name(item, part)}]"
        else:
            item = node.get(part) if isinstance(node, dict) else None
            out += f".{part}" if out else str(part)
        node = item
    return out


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ITEM_NAMES:
            value = item.get(key)
            if isinstance(value, str) and value:
                return f"{key}={value}"
    elif isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    return str(index)


def fingerprint_of(rule: str, file: str, subject: str, message: str, occurrence: int = 1) -> str:
    """A finding's fingerprint: 16 hex digits of SHA-256 over its rule, its file and what it is about.

    What it is about is its location's ``subject`` (a key path, a JSON pointer, a statement's text), never
    its line, so an edit elsewhere in the file leaves it alone. A finding whose location has no subject is
    named by its message with every number left out (the numbers of such messages are mostly line numbers:
    ``V7__x.sql:12: …``). ``occurrence`` tells apart findings alike in all three (see :func:`fingerprinted`).
    """
    about = subject or "message: " + _NUMBERS.sub("", message)
    # the text json.dumps([rule, file, about(, occurrence)], ensure_ascii=False) gives, byte for byte (the
    # fingerprints baselines keep were taken of it), put together directly: 40,000 findings' worth of
    # json.dumps calls were a tenth of a second
    text = f"[{encode_basestring(rule)}, {encode_basestring(file)}, {encode_basestring(about)}"
    text += f", {occurrence}]" if occurrence > 1 else "]"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprinted(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` (sorted, so this is deterministic) with every missing fingerprint filled in.

    The one place fingerprints are given. Findings alike in rule, file and subject (two equal statements in
    one script) are told apart by their order, the second being occurrence 2: if the first is fixed, the
    second takes its name, and the second's name is the one left over, which is what a baseline reports.
    """
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        if not f.fingerprint:
            first = fingerprint_of(f.rule, f.loc.file, f.loc.subject, f.message)
            n = seen[first] = seen.get(first, 0) + 1
            fp = first if n == 1 else fingerprint_of(f.rule, f.loc.file, f.loc.subject, f.message, n)
            f = f.evolved(fingerprint=fp)
        out.append(f)
    return out
