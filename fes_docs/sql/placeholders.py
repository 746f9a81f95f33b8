"""Flyway's placeholder replacement, character for character, with a map back to the original file.

Flyway never parses the file it was given: it parses what ``PlaceholderReplacingReader`` (flyway-core
``internal/parser/PlaceholderReplacingReader.java``) makes of it, a ``FilterReader`` wrapped around the file
before the parser reads a single token (``Parser.parse`` → ``replacePlaceholders``). So the static analysis
and the dry run must see that text too, or ``CREATE TABLE ${schema}.t`` is a false syntax error. What the
reader does, and this module with it:

* It looks for the prefix (default ``${``) anywhere: in SQL, in strings, in comments. A partial match that
  fails is handed on *without being scanned again* (its reader buffer is replayed raw), so with ``${`` the
  text ``$${x}`` is left alone — a quirk kept here, because Flyway keeps it.
* From the prefix it reads up to the first suffix (default ``}``); the name between is looked up
  case-insensitively (its ``CaseInsensitiveMap`` lower-cases keys). The file ends before a suffix: the name
  is what was read minus as many characters as the suffix has — never a value, so an error.
* An unknown name fails the whole migration: ``No value provided for placeholder: ${name}.  Check your
  configuration!``, or ``Failed to populate value for default placeholder: ${flyway:…}`` for the
  ``flyway:`` namespace. Flyway stops at the first; every one is reported here, each at its line.
* An empty value removes the placeholder.

The values are the configured ``flyway.placeholders`` overlaid by the built-ins of ``ParsingContext.populate``
(``flyway:defaultSchema``, ``flyway:user``, ``flyway:database``, ``flyway:timestamp`` in ``yyyy-MM-dd
HH:mm:ss``, ``flyway:workingDirectory``, ``flyway:table``, ``flyway:environment``) and ``flyway:filename``
(``updateFilenamePlaceholder``, the file name as ``ResourceName.getFilename`` rebuilds it).

Replacement changes lengths, so every finding of the analysis is moved back through :meth:`Replaced.
original` to where it sits in the file as written.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from fes_docs.positions import LineIndex
from fes_docs.sql._model import Analysis, SqlError, Statement

__all__ = ["BUILTINS", "Replaced", "Unresolved", "lookup_table", "relocate", "replace_placeholders"]

#: The built-in names (after ``flyway:``) of ``ParsingContext``; ``filename`` is set per script.
BUILTINS = ("defaultSchema", "user", "database", "timestamp", "filename", "workingDirectory", "table", "environment")

#: Flyway's ``placeholderSeparator`` default: the built-ins are ``flyway:<name>``.
SEPARATOR = ":"


@dataclass(frozen=True)
class Unresolved:
    """A placeholder Flyway has no value for: where it starts in the original text, and Flyway's words."""

    offset: int
    name: str
    message: str


@dataclass(frozen=True)
class Replaced:
    """The text Flyway parses, what could not be replaced, and the way back to original offsets."""

    text: str
    unresolved: tuple[Unresolved, ...] = ()
    #: ``(offset in text, offset in the original, length of the original span it stands for, replaced)``,
    #: one entry per stretch, ascending; empty when nothing was replaced (the identity).
    spans: tuple[tuple[int, int, int, bool], ...] = field(default=(), repr=False)
    #: Lower-cased names that were replaced, in file order (a repeatable's checksum depends on them).
    used: tuple[str, ...] = ()

    def original(self, offset: int) -> int:
        """The original offset of ``offset`` in :attr:`text`: inside a replacement value, the placeholder's
        first character (the finding is about the placeholder); elsewhere, the same character."""
        if not self.spans:
            return offset
        at = bisect_right(self._starts, offset) - 1
        if at < 0:
            return offset
        start, origin, length, replaced = self.spans[at]
        return origin if replaced else origin + min(offset - start, length)

    @property
    def _starts(self) -> list[int]:
        cached: list[int] | None = self.__dict__.get("_starts_cache")
        if cached is None:
            cached = [s[0] for s in self.spans]
            object.__setattr__(self, "_starts_cache", cached)
        return cached


def lookup_table(*layers: Mapping[str, str]) -> dict[str, str]:
    """One case-insensitive table from ``layers``, later ones winning (configuration, then built-ins)."""
    table: dict[str, str] = {}
    for layer in layers:
        for key, value in layer.items():
            table[key.lower()] = value
    return table


def replace_placeholders(text: str, values: Mapping[str, str], prefix: str = "${", suffix: str = "}") -> Replaced:
    """``text`` as ``PlaceholderReplacingReader`` hands it to Flyway's parser; ``values`` keyed lower-case
    (:func:`lookup_table`). An unknown name is kept as written and listed in :attr:`Replaced.unresolved`."""
    if not prefix or prefix not in text:
        return Replaced(text)
    out: list[str] = []
    spans: list[tuple[int, int, int, bool]] = []
    unresolved: list[Unresolved] = []
    used: list[str] = []
    size, plen, first = len(text), len(prefix), prefix[0]
    produced = 0  # length of the output so far
    copied = 0  # start of the stretch of original text not yet copied
    i = 0
    while True:
        j = text.find(first, i)
        if j < 0:
            break
        matched = 0
        while matched < plen and j + matched < size and text[j + matched] == prefix[matched]:
            matched += 1
        if matched < plen:
            # The reader's look-ahead buffer (the partial match and the character that broke it) is replayed
            # without being scanned again.
            i = min(j + matched + 1, size)
            continue
        name_at = j + plen
        end = text.find(suffix, name_at) if suffix else name_at
        closed = end >= 0
        name = text[name_at:end] if closed else text[name_at : max(name_at, size - len(suffix))]
        after = end + len(suffix) if closed else size
        value = values.get(name.lower()) if closed else None
        if value is None:
            shown = f"{prefix}{name}{suffix}"
            if not closed:
                message = (
                    f"placeholder {prefix}{text[name_at : name_at + 40]} is never closed with {suffix!r}: "
                    "Flyway reads to the end of the file and fails"
                )
            elif name.startswith("flyway" + SEPARATOR):
                message = f"Failed to populate value for default placeholder: {shown}"
            else:
                message = f"No value provided for placeholder: {shown}.  Check your configuration!"
            unresolved.append(Unresolved(j, name, message))
            i = after
            continue
        used.append(name.lower())
        if j > copied:
            spans.append((produced, copied, j - copied, False))
            out.append(text[copied:j])
            produced += j - copied
        spans.append((produced, j, after - j, True))
        out.append(value)
        produced += len(value)
        copied = i = after
    if not used:
        return Replaced(text, tuple(unresolved))
    spans.append((produced, copied, size - copied, False))
    out.append(text[copied:])
    return Replaced("".join(out), tuple(unresolved), tuple(spans), tuple(used))


def relocate(analysis: Analysis, replaced: Replaced, original: str) -> Analysis:
    """``analysis`` of :attr:`Replaced.text` with every line and column moved to the original file, so a
    finding names the line a reader sees in the file as written (a value may be longer or shorter than its
    placeholder, or hold a line break)."""
    if not replaced.spans:
        return analysis
    new_index, old_index = LineIndex(replaced.text), LineIndex(original)

    def move(line: int, column: int) -> tuple[int, int]:
        offset = new_index.line_start(line) + column - 1
        return old_index.position(replaced.original(offset))

    def statement(st: Statement) -> Statement:
        line, column = move(st.line, st.column)
        return replace(st, line=line, column=column, inner=tuple(statement(s) for s in st.inner))

    error = analysis.error
    if error is not None:
        error = SqlError(*move(error.line, error.column), error.message)
    return replace(analysis, statements=tuple(statement(s) for s in analysis.statements), error=error)
