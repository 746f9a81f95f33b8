"""The statements of a migration as the dry run sends them: one cut per statement, and how to run it.

Statements are run one by one (not the file in one go) so that a failure, or a second run that changes the
schema, can be pinned to one statement and its line. Where a statement starts and ends is not decided here:
it is the cut the SQL analysis uses too (:func:`fes_docs.sql.split.cut_script`), so a dry-run failure and a
static finding name the same line for the same statement.

What this module adds is what the server needs to know beyond the text: which statements PostgreSQL
refuses inside a transaction block (``CREATE INDEX CONCURRENTLY``, ``VACUUM``, ...; the one definition is
:mod:`fes_docs.sql.transactions`). Flyway runs a migration made of those without a transaction, and so do
we. That is why the dry run's statement is a :class:`SentStatement` — a :class:`~fes_docs.sql.split.Cut`
plus that flag — and not the analysis' :class:`fes_docs.sql.Statement`, which is a classified statement
with a verdict and an excerpt.

And what Flyway sends is not the file: :func:`flyway_script` replaces its placeholders (with the built-ins
of this connection: ``${flyway:user}`` is the role the dry run runs as) and decides how it runs — in one
transaction, or statement by statement when its ``.sql.conf`` says ``executeInTransaction=false`` or it holds
only non-transactional statements — and whether Flyway's mixed rule refuses it. Statements are cut from the
replaced text but carry the line and column of the file as written.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pglast.parser import ParseError

from fes_docs.positions import LineIndex
from fes_docs.sql.placeholders import Replaced
from fes_docs.sql.script_config import ScriptReading
from fes_docs.sql.split import Cut, J, cut_script, parse_statements
from fes_docs.sql.transactions import MIXED_MESSAGE, mixed_offender, outside_transaction

__all__ = ["FlywayScript", "SentStatement", "flyway_script", "runtime_builtins", "statements_to_send", "summarise"]


@dataclass(frozen=True)
class SentStatement(Cut):
    """One statement as sent to the server: its cut of the file, and whether it may run in a transaction.

    A subclass rather than a wrapper, so that the cut's ``index``, ``text``, ``line`` and ``column`` are the
    statement's own without a property forwarding each.
    """

    transactional: bool

    @property
    def offset(self) -> int:
        """The statement's first character in the file (leading comments skipped)."""
        return self.start

    @property
    def summary(self) -> str:
        return summarise(self.text)


def summarise(sql: str) -> str:
    """A statement's first line, short enough for a one-line message."""
    first = sql.strip().splitlines()[0] if sql.strip() else ""
    more = first != sql.strip()
    if len(first) > 80:
        first, more = first[:77], True
    return first + (" ..." if more else "")


def _nodes(node: J | None, text: str) -> list[J]:
    """The statement's tree: from the file's parse, or (the file did not parse) from parsing it alone."""
    if node is not None:
        return [node]
    try:
        return [n for n, _ in parse_statements(text)]
    except ParseError:
        return []  # the server will reject it; how it would have run does not matter then


def statements_to_send(sql: str, server_version_num: int) -> tuple[SentStatement, ...]:
    """Statements of one migration in file order; an empty or comment-only file yields none."""
    sent: list[SentStatement] = []
    for node, cut in cut_script(sql):
        outside = any(outside_transaction(n, server_version_num) for n in _nodes(node, cut.text))
        sent.append(
            SentStatement(cut.index, cut.text, cut.start, cut.end, cut.line, cut.column, transactional=not outside)
        )
    return tuple(sent)


@dataclass(frozen=True)
class FlywayScript:
    """One script as Flyway runs it: the text it sends, how, and what stops it before anything is sent."""

    original: str  # the file as written
    replaced: Replaced  # its text with the placeholders replaced: what is sent
    reading: ScriptReading
    #: Flyway fails before sending a statement: (message, (line, column) in the file as written).
    refused: tuple[str, tuple[int, int]] | None = None

    @property
    def text(self) -> str:
        return self.replaced.text

    def located(self, statements: Sequence[SentStatement]) -> tuple[SentStatement, ...]:
        """``statements`` (cut from :attr:`text`) with the line and column of the file as written."""
        if not self.replaced.spans:
            return tuple(statements)
        old = LineIndex(self.original)
        out = []
        for s in statements:
            line, column = old.position(self.replaced.original(s.start))
            out.append(replace(s, line=line, column=column))
        return tuple(out)

    def position(self, at: tuple[int, int] | None) -> tuple[int, int] | None:
        """A (line, column) in :attr:`text` (the server's error cursor) moved to the file as written."""
        if at is None or not self.replaced.spans:
            return at
        offset = LineIndex(self.text).line_start(at[0]) + at[1] - 1
        return LineIndex(self.original).position(self.replaced.original(offset))

    def transactional(self, statements: Sequence[SentStatement]) -> bool:
        """In one transaction (Flyway's ``ParserSqlScript.executeInTransaction``): the script's
        ``executeInTransaction`` when its ``.sql.conf`` sets it, else unless a statement must run outside."""
        if self.reading.execute_in_transaction is not None:
            return self.reading.execute_in_transaction
        return all(s.transactional for s in statements)

    def mixed(self, statements: Sequence[SentStatement]) -> tuple[SentStatement, str] | None:
        """The statement Flyway's mixed check names and its message, when Flyway refuses the script."""
        if not self.reading.mixed_check:
            return None
        at = mixed_offender([not s.transactional for s in statements])
        if at is None:
            return None
        offender = statements[at]
        kind = "" if offender.transactional else " [non-transactional]"
        return offender, f"{MIXED_MESSAGE}. Offending statement found at line {offender.line}{kind}"


def flyway_script(sql: str, reading: ScriptReading, runtime: Mapping[str, str] | None = None) -> FlywayScript:
    """The script Flyway sends for ``sql``; ``runtime``: :func:`runtime_builtins` of the dry run's connection."""
    replaced = reading.replace(sql, runtime)
    refused = None
    if replaced.unresolved:
        first = replaced.unresolved[0]
        refused = (first.message, LineIndex(sql).position(first.offset))
    return FlywayScript(sql, replaced, reading, refused)


def runtime_builtins(conn: Any) -> dict[str, str]:
    """The built-ins only a connection knows (``ParsingContext.populate``): the user, the database, the
    current schema (the default schema when none is configured) and the time, as Flyway formats it."""
    row = conn.execute("SELECT current_user, current_database(), current_schema()").fetchone()
    values = {"timestamp": time.strftime("%Y-%m-%d %H:%M:%S")}
    for key, value in zip(("user", "database", "defaultSchema"), row or (), strict=False):
        if value is not None:
            values[key] = str(value)
    return values
