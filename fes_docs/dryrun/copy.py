"""``COPY … FROM stdin`` in the dry run: the rows go through psycopg's copy support, as Flyway streams them.

A pg_dump-style baseline carries its table data as ``COPY t (a, b) FROM stdin;`` followed by rows and ``\\.``.
Sent as plain SQL, the server would wait for data the simple-query protocol never delivers (psycopg refuses
it outright), and the rows themselves are not SQL. So the script is cut with the rows blanked
(:func:`fes_docs.sql.copy_stdin.blank_copy_data`, offsets kept, so every line number stays the file's), and
each ``COPY`` statement becomes a :class:`CopyStatement` that carries its rows; :func:`execute` sends those
through ``cursor.copy`` and everything else as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from fes_docs.dryrun.statements import SentStatement, statements_to_send
from fes_docs.sql.copy_stdin import blank_copy_data, copy_blocks

__all__ = ["CopyStatement", "execute", "statements_with_data"]


@dataclass(frozen=True)
class CopyStatement(SentStatement):
    """A ``COPY … FROM stdin`` statement and the rows the script gives it."""

    data: str


def statements_with_data(sql: str, server_version_num: int) -> tuple[SentStatement, ...]:
    """:func:`~fes_docs.dryrun.statements.statements_to_send` of the script with its COPY rows blanked, each
    COPY statement carrying its rows (a script without COPY blocks costs one regular-expression search)."""
    blocks = copy_blocks(sql)
    if not blocks:
        return statements_to_send(sql, server_version_num)
    rows = {block.statement_start: block.data for block in blocks}
    sent: list[SentStatement] = []
    for s in statements_to_send(blank_copy_data(sql, blocks), server_version_num):
        data = rows.get(s.offset)
        if data is None:
            sent.append(s)
        else:
            sent.append(CopyStatement(s.index, s.text, s.start, s.end, s.line, s.column, s.transactional, data))
    return tuple(sent)


def execute(conn: psycopg.Connection[Any], statement: SentStatement) -> psycopg.Cursor[Any]:
    """Send one statement; a COPY's rows go through the copy protocol. Raises ``psycopg.Error`` as
    ``conn.execute`` does, so a bad row is a located failure of that statement like any other."""
    if not isinstance(statement, CopyStatement):
        return conn.execute(statement.text)
    cursor = conn.cursor()
    with cursor.copy(statement.text) as copy:
        if statement.data:
            copy.write(statement.data)
    return cursor
