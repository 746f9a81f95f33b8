"""What can be wrong with a spec, and where: :class:`SpecProblem` and its two constructors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..document import LoadProblem, Pos

Severity = Literal["error", "warning"]

TOP = Pos(1, 1)


@dataclass(frozen=True)
class SpecProblem:
    """Why the spec cannot be trusted, and where (``file`` relative to the project root)."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity
    hint: str = ""
    kind: str = "invalid"  # missing | unreadable | version | invalid | ref-remote | ref-outside | ref-missing


def problem(
    file: str, message: str, kind: str, hint: str = "", severity: Severity = "error", pos: Pos = TOP
) -> SpecProblem:
    """A problem at ``pos`` (the top of ``file`` unless given)."""
    return SpecProblem(file, pos.line, pos.column, message, severity, hint, kind)


def from_load(file: str, p: LoadProblem, kind: str) -> SpecProblem:
    """The loader's problem (YAML syntax, size, depth ...) as a spec problem of ``kind``."""
    return SpecProblem(file, p.line, p.column, p.message, "error", p.hint, kind)
