"""Cut a migration into the statements Flyway would send, keeping where each one starts in the file.

Statements are run one by one (not the file in one go) so that a failure, or a second run that changes the
schema, can be pinned to one statement and its line. The cut is made by PostgreSQL's own parser (pglast),
which knows dollar quotes, `BEGIN ATOMIC` bodies and comments; when the file does not parse, PostgreSQL's
scanner cuts it instead, so the server still gets to reject the bad statement with its own message.

The parse tree also tells which statements PostgreSQL refuses inside a transaction block (`CREATE INDEX
CONCURRENTLY`, `VACUUM`, ...): Flyway runs a migration made of those without a transaction, and so do we.
"""

from __future__ import annotations

from dataclasses import dataclass

import pglast
from pglast import ast
from pglast.enums import DiscardMode, ReindexObjectType

__all__ = ["Statement", "line_and_column", "split_script", "summarise"]

# What Flyway's PostgreSQLParser.detectCanExecuteInTransaction treats as non-transactional, by node type.
_ALWAYS_OUTSIDE = (
    ast.AlterSystemStmt,
    ast.CreatedbStmt,
    ast.DropdbStmt,
    ast.CreateTableSpaceStmt,
    ast.DropTableSpaceStmt,
    ast.CreateSubscriptionStmt,
    ast.DropSubscriptionStmt,
)
_REINDEX_OUTSIDE = (
    ReindexObjectType.REINDEX_OBJECT_SCHEMA,
    ReindexObjectType.REINDEX_OBJECT_DATABASE,
    ReindexObjectType.REINDEX_OBJECT_SYSTEM,
)


@dataclass(frozen=True)
class Statement:
    """One statement as sent to the server; `offset` is its first character in the file (comments skipped)."""

    index: int
    text: str
    offset: int
    line: int
    column: int
    transactional: bool

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


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _must_run_outside_transaction(node: ast.Node, server_version_num: int) -> bool:
    if isinstance(node, _ALWAYS_OUTSIDE):
        return True
    if isinstance(node, ast.IndexStmt | ast.DropStmt):
        return bool(node.concurrent)
    if isinstance(node, ast.VacuumStmt):
        return bool(node.is_vacuumcmd)
    if isinstance(node, ast.DiscardStmt):
        return node.target == DiscardMode.DISCARD_ALL
    if isinstance(node, ast.ReindexStmt):
        options = {getattr(p, "defname", None) for p in node.params or ()}
        return node.kind in _REINDEX_OUTSIDE or "concurrently" in options
    if isinstance(node, ast.AlterEnumStmt):
        # ALTER TYPE ... ADD VALUE became transactional in PostgreSQL 12.
        return server_version_num < 120000 and node.newVal is not None and node.oldVal is None
    return False


def _is_transactional(text: str, server_version_num: int) -> bool:
    try:
        nodes = pglast.parse_sql(text)
    except pglast.parser.ParseError:
        return True  # the server will reject it; how it would have run does not matter then
    return not any(
        raw.stmt is not None and _must_run_outside_transaction(raw.stmt, server_version_num) for raw in nodes
    )


def _slices(sql: str) -> list[slice]:
    for with_parser in (True, False):
        try:
            return list(pglast.split(sql, with_parser=with_parser, only_slices=True))
        except pglast.parser.ParseError:
            continue
    # Not even the scanner gets through (e.g. an unterminated quote): send it whole, let the server say why.
    stripped = sql.lstrip()
    start = len(sql) - len(stripped)
    return [slice(start, len(sql.rstrip()))] if stripped else []


def _skip_comments(sql: str, cut: slice) -> slice:
    """The scanner's cut starts right after the previous semicolon, comments included; the parser's does not.
    Both should point at the statement's first token, which is what a reader looks for at the line given."""
    try:
        tokens = pglast.parser.scan(sql[cut])
    except pglast.parser.ParseError:
        return cut
    first = next((t for t in tokens if t.name not in ("SQL_COMMENT", "C_COMMENT")), None)
    return cut if first is None or first.start == 0 else slice(cut.start + first.start, cut.stop)


def split_script(sql: str, server_version_num: int) -> tuple[Statement, ...]:
    """Statements of one migration in file order; an empty or comment-only file yields none."""
    if sql.startswith("\ufeff"):
        sql = " " + sql[1:]  # a byte order mark is not SQL; a blank keeps every offset and line in place
    statements = []
    for number, whole in enumerate(_slices(sql), start=1):
        cut = _skip_comments(sql, whole)
        text = sql[cut]
        line, column = line_and_column(sql, cut.start)
        statements.append(Statement(number, text, cut.start, line, column, _is_transactional(text, server_version_num)))
    return tuple(statements)
