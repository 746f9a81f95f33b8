"""The one currency every stage pays in: a located, rule-tagged finding."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Loc:
    """Where a finding points: a file relative to the project root, 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Waiver:
    """A reasoned, visible silence for one rule in one release."""

    rule: str
    reason: str
    until: str | None = None
    approved_by: str | None = None


@dataclass(frozen=True)
class Finding:
    """One problem. ``waived`` findings stay in every report: a waiver explains, it never hides."""

    loc: Loc
    rule: str
    severity: Severity
    message: str
    hint: str = ""
    release: str | None = None
    waived: Waiver | None = None
    related: tuple[Loc, ...] = field(default=())

    @property
    def blocking(self) -> bool:
        """Errors fail a run; a waived error does not."""
        return self.severity == "error" and self.waived is None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.loc.file, self.loc.line, self.loc.column, self.rule, self.message)

    def waive(self, waiver: Waiver) -> Finding:
        return replace(self, waived=waiver)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Deterministic order (and duplicates dropped) so reports are byte-identical run to run."""
    unique = {(f.sort_key(), f.severity, f.release, f.waived): f for f in findings}
    return sorted(unique.values(), key=lambda f: (*f.sort_key(), f.severity))
