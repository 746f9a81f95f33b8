"""``COPY … FROM stdin`` blocks: the rows a pg_dump-style script carries after the statement, up to ``\\.``.

pg_dump writes table data as ``COPY public.t (a, b) FROM stdin;`` followed by tab-separated rows and a line
``\\.``. Those rows are data, not SQL: PostgreSQL's parser (and so every cut of the script) reads them as a
syntax error, while Flyway's PostgreSQL parser recognises the statement, reads the rows up to ``\\.`` and
streams them with the driver's copy API. Both the static analysis and the dry run therefore look at the
script with the rows *blanked* (:func:`blank_copy_data`: every character but line breaks becomes a space,
so offsets, lines and columns stay where an editor shows them), and the dry run sends each block's rows
through psycopg's ``cursor.copy`` (:class:`CopyBlock`).

A ``COPY`` only counts where PostgreSQL's scanner sees the keyword starting a statement — not inside a
comment, a string or a dollar-quoted function body — and its ``;`` is a real token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pglast.parser import ParseError, scan

__all__ = ["CopyBlock", "blank_copy_data", "copy_blocks"]

_CANDIDATE = re.compile(r"\bCOPY\b[^;]*?\bFROM\s+STDIN\b[^;]*;", re.IGNORECASE)
_END_OF_DATA = re.compile(r"^\\\.[ \t]*\r?$", re.MULTILINE)
_COMMENTS = {"SQL_COMMENT", "C_COMMENT"}


@dataclass(frozen=True)
class CopyBlock:
    """One ``COPY … FROM stdin`` statement and its rows.

    ``statement_start`` is the offset of ``COPY`` (the first token of the statement's cut), ``data`` the rows
    exactly as written (line breaks included, ``\\.`` excluded), ``blank_start``/``blank_end`` the stretch
    that is not SQL: from just after the ``;`` to the end of the ``\\.`` line.
    """

    statement_start: int
    statement_end: int
    data: str
    blank_start: int
    blank_end: int
    terminated: bool  # False: no ``\\.`` line, the rows run to the end of the file


def _is_statement(segment: str, copy_at: int) -> bool:
    """True when the scanner sees ``COPY`` at ``copy_at`` starting a statement and the segment's last
    character is a real ``;`` (not one inside a string or comment)."""
    try:
        tokens = [t for t in scan(segment) if t.name not in _COMMENTS]
    except ParseError:
        return False
    target = len(segment[:copy_at].encode("utf-8"))
    end = len(segment.encode("utf-8")) - 1
    for i, token in enumerate(tokens):
        if token.start == target:
            starts = i == 0 or tokens[i - 1].name == "ASCII_59"
            return token.name == "COPY" and starts and tokens[-1].name == "ASCII_59" and tokens[-1].start == end
        if token.start > target:
            return False
    return False


def copy_blocks(sql: str) -> list[CopyBlock]:
    """Every ``COPY … FROM stdin`` block of a script, in file order (none: ``[]``, the common case, found
    with one regular-expression search)."""
    blocks: list[CopyBlock] = []
    scan_from = 0  # the scanner starts after the previous block's rows, never inside them
    search_from = 0
    while (match := _CANDIDATE.search(sql, search_from)) is not None:
        if not _is_statement(sql[scan_from : match.end()], match.start() - scan_from):
            search_from = match.start() + 4
            continue
        newline = sql.find("\n", match.end())
        data_start = len(sql) if newline < 0 else newline + 1
        end = _END_OF_DATA.search(sql, data_start)
        data_end = end.start() if end else len(sql)
        blank_end = end.end() if end else len(sql)
        blocks.append(
            CopyBlock(match.start(), match.end(), sql[data_start:data_end], match.end(), blank_end, bool(end))
        )
        scan_from = search_from = blank_end
    return blocks


def blank_copy_data(sql: str, blocks: list[CopyBlock] | None = None) -> str:
    """The script with every block's rows (and its ``\\.``) replaced by spaces, line breaks kept."""
    found = copy_blocks(sql) if blocks is None else blocks
    if not found:
        return sql
    parts: list[str] = []
    at = 0
    for block in found:
        parts.append(sql[at : block.blank_start])
        parts.append(re.sub(r"[^\r\n]", " ", sql[block.blank_start : block.blank_end]))
        at = block.blank_end
    parts.append(sql[at:])
    return "".join(parts)
