"""What can be wrong with a spec, and where: :class:`SpecProblem` and its two constructors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

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
    #: Where in ``file``, as an RFC 6901 JSON pointer (:func:`json_pointer`) when known: the finding's subject,
    #: so its fingerprint survives edits elsewhere in the spec.
    pointer: str = ""


def json_pointer(path: Iterable[Any]) -> str:
    """``("paths", "/pets", "get")`` as ``/paths/~1pets/get`` (RFC 6901)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def problem(
    file: str, message: str, kind: str, hint: str = "", severity: Severity = "error", pos: Pos = TOP
) -> SpecProblem:
    """A problem at ``pos`` (the top of ``file`` unless given)."""
    return SpecProblem(file, pos.line, pos.column, message, severity, hint, kind)


def from_load(file: str, p: LoadProblem, kind: str) -> SpecProblem:
    """The loader's problem (YAML syntax, size, depth ...) as a spec problem of ``kind``."""
    return SpecProblem(file, p.line, p.column, p.message, "error", p.hint, kind)


_PY_WORDS = {"None": "null", "True": "true", "False": "false"}
_PHRASES = {"None for not nullable": "null is not allowed here: the schema is not nullable (add 'nullable: true')"}


def _repr_end(message: str) -> int:
    """The end of a leading Python ``{...}``/``[...]`` repr in ``message`` (0 when there is none);
    quotes are skipped, so a brace inside a string does not count."""
    if not message or message[0] not in "{[":
        return 0
    depth, quote, i = 0, "", 0
    while i < len(message):
        ch = message[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return 0


def worded(message: str) -> str:
    """A validator message for a person: no Python reprs. A leading mapping or list (the whole
    offending node, as the library quotes it) becomes "this mapping"/"this list", since the finding
    already points at it; a leading ``None``/``True``/``False`` is written as YAML writes it."""
    if message in _PHRASES:
        return _PHRASES[message]
    end = _repr_end(message)
    if end:
        return ("this mapping" if message[0] == "{" else "this list") + message[end:]
    head, sep, rest = message.partition(" ")
    if sep and head in _PY_WORDS:
        return f"{_PY_WORDS[head]} {rest}"
    return message
