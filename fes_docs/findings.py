"""The one currency every stage pays in: a located, rule-tagged finding."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
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
    """Where a finding points: a file relative to the project root, 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

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


@dataclass(frozen=True)
class Finding:
    """One problem. ``waived`` findings stay in every report: a waiver explains, it never hides.

    ``about``: the further files the finding is about besides where it is and what it points at — the
    record it belongs to and every file that record names (its SQL, the spec, the policy). A change to any
    of them may have caused it, so ``validate --changed-since`` reports it when any of them changed
    (:meth:`about_files`). The check stage fills it in; reports do not print it.
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

    @property
    def blocking(self) -> bool:
        """Errors fail a run; a waived error does not."""
        return self.severity == "error" and self.waived is None

    @property
    def open_warning(self) -> bool:
        """A warning nobody waived: fails a run only under ``--strict-warnings``."""
        return self.severity == "warning" and self.waived is None

    def about_files(self) -> frozenset[str]:
        """Every file this finding is about: its own, each related location's, and ``about``."""
        return frozenset((self.loc.file, *(r.file for r in self.related), *self.about))

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


@dataclass(frozen=True)
class Summary:
    """The one definition of how findings are counted, for every report, page and exit code.

    ``errors`` are blocking findings (unwaived errors), ``warnings`` unwaived warnings, ``waived``
    every waived finding whatever its severity. The JSON reports publish :meth:`as_dict`.
    """

    errors: int = 0
    warnings: int = 0
    waived: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Summary:
        errors = warnings = waived = 0
        for f in findings:
            errors += f.blocking
            warnings += f.open_warning
            waived += f.waived is not None
        return cls(errors, warnings, waived)

    def fails(self, strict_warnings: bool = False) -> bool:
        """Whether a run with these findings fails (exit 1, a failed build)."""
        return bool(self.errors or (strict_warnings and self.warnings))

    def as_dict(self) -> dict[str, int]:
        return {"errors": self.errors, "warnings": self.warnings, "waived": self.waived}


# --- the JSON form the cache keeps ------------------------------------------------------------------------


def _loc_json(loc: Loc) -> dict[str, Any]:
    return {"file": loc.file, "line": loc.line, "column": loc.column}


def finding_to_json(f: Finding) -> dict[str, Any]:
    """``f`` as JSON values (written out: ``dataclasses.asdict`` deep-copies each of thousands of findings)."""
    return {
        "loc": _loc_json(f.loc),
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "hint": f.hint,
        "release": f.release,
        "waived": asdict(f.waived) if f.waived is not None else None,
        "related": [_loc_json(r) for r in f.related],
        "about": list(f.about),
    }


def finding_from_json(raw: dict[str, Any]) -> Finding:
    return Finding(
        Loc(**raw["loc"]),
        raw["rule"],
        raw["severity"],
        raw["message"],
        raw["hint"],
        raw["release"],
        Waiver(**raw["waived"]) if raw.get("waived") else None,
        tuple(Loc(**r) for r in raw.get("related", ())),
        tuple(str(a) for a in raw.get("about", ())),
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Deterministic order (and duplicates dropped) so reports are byte-identical run to run."""
    unique = {(f.sort_key(), f.severity, f.release, f.waived): f for f in findings}
    return sorted(unique.values(), key=lambda f: (*f.sort_key(), f.severity))


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest known name, or nothing: one wording for every typo hint."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""
