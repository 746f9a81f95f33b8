"""The statements of a migration as the dry run sends them: one cut per statement, and how to run it.

Statements are run one by one (not the file in one go) so that a failure, or a second run that changes the
schema, can be pinned to one statement and its line. Where a statement starts and ends is not decided here:
it is the cut the SQL analysis uses too (:func:`fes_docs.sql.split.cut_script`), so a dry-run failure and a
static finding name the same line for the same statement.

What this module adds is the one thing the server needs to know beyond the text: which statements
PostgreSQL refuses inside a transaction block (``CREATE INDEX CONCURRENTLY``, ``VACUUM``, ...). Flyway runs
a migration made of those without a transaction, and so do we. That is why the dry run's statement is a
:class:`SentStatement` — a :class:`~fes_docs.sql.split.Cut` plus that flag — and not the analysis'
:class:`fes_docs.sql.Statement`, which is a classified statement with a verdict and an excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast.parser import ParseError

from fes_docs.sql.split import Cut, J, cut_script, parse_statements

__all__ = ["SentStatement", "statements_to_send", "summarise"]

# What Flyway's PostgreSQLParser.detectCanExecuteInTransaction treats as non-transactional, by node type.
_ALWAYS_OUTSIDE = frozenset(
    {
        "AlterSystemStmt",
        "CreatedbStmt",
        "DropdbStmt",
        "CreateTableSpaceStmt",
        "DropTableSpaceStmt",
        "CreateSubscriptionStmt",
        "DropSubscriptionStmt",
    }
)
_REINDEX_OUTSIDE = frozenset({"REINDEX_OBJECT_SCHEMA", "REINDEX_OBJECT_DATABASE", "REINDEX_OBJECT_SYSTEM"})


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


def _must_run_outside_transaction(node: J, server_version_num: int) -> bool:
    tag = node.tag
    if tag in _ALWAYS_OUTSIDE:
        return True
    if tag in ("IndexStmt", "DropStmt"):
        return bool(node.concurrent)
    if tag == "VacuumStmt":
        return bool(node.is_vacuumcmd)
    if tag == "DiscardStmt":
        return bool(node.target == "DISCARD_ALL")
    if tag == "ReindexStmt":
        options = {getattr(p, "defname", None) for p in node.params or ()}
        return node.kind in _REINDEX_OUTSIDE or "concurrently" in options
    if tag == "AlterEnumStmt":
        # ALTER TYPE ... ADD VALUE became transactional in PostgreSQL 12.
        return server_version_num < 120000 and node.newVal is not None and node.oldVal is None
    return False


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
        outside = any(_must_run_outside_transaction(n, server_version_num) for n in _nodes(node, cut.text))
        sent.append(
            SentStatement(cut.index, cut.text, cut.start, cut.end, cut.line, cut.column, transactional=not outside)
        )
    return tuple(sent)
