"""The cut of a migration script into statements, with where each one starts: the one definition.

Two consumers need the same cut: the analysis (:mod:`fes_docs.sql.analyze`), which classifies every
statement and reports its line, and the dry run (:mod:`fes_docs.dryrun.statements`), which sends every
statement to a server on its own and must name the line of the one that fails. If they cut differently, a
finding of one would point at a statement the other does not have, so both take their :class:`Cut`\\ s from
here.

* :func:`parse_statements` — PostgreSQL's own parser (libpg_query via pglast) cuts and parses in one go; it
  knows dollar quotes, ``BEGIN ATOMIC`` bodies and comments. It raises ``ParseError``: the analysis reports a
  file that does not parse as a located error.
* :func:`cut_script` — what the dry run sends: the parser's cut when the file parses, else PostgreSQL's
  scanner cuts it (so the server still gets to reject the bad statement with its own message), else the file
  goes whole. It never raises.
* :func:`cut_tokens` — other dialects: a run of sqlglot lexer tokens per statement, split at ``;`` or at a
  MySQL ``DELIMITER``-chosen separator (Flyway honours the directive).

Every cut starts at the statement's first token (leading comments and whitespace skipped: that is what a
reader looks for at the line given) and ends at its last character before the separator, trailing
whitespace left out. Lines and columns come from :class:`fes_docs.positions.LineIndex`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pglast.parser import ParseError, scan

from fes_docs.positions import LineIndex
from fes_docs.sql._pgjson import J, parse  # J: the statement trees handed out with the cuts

if TYPE_CHECKING:
    from sqlglot import Token

__all__ = ["Cut", "J", "cut_script", "cut_tokens", "first_token", "parse_statements"]

_COMMENTS = {"SQL_COMMENT", "C_COMMENT"}
_BOM = "\ufeff"


@dataclass(frozen=True)
class Cut:
    """One statement's place in a script: ``text == script[start:end]``, ``(line, column)`` of ``start``."""

    index: int  # 1-based, in file order
    text: str
    start: int
    end: int
    line: int
    column: int


def first_token(text: str, start: int, end: int) -> int:
    """Offset of the first real token at or after ``start``, skipping whitespace and comments.

    Recent libpg_query versions already start a statement at its first token; older ones (and the scanner
    split) start right after the previous semicolon, so this is checked rather than assumed, with
    PostgreSQL's own lexer. A stretch the lexer cannot read keeps its start.
    """
    head = text[start : start + 2]
    if head[:1] and not head[:1].isspace() and head not in ("--", "/*"):
        return start
    try:
        tokens = scan(text[start:end])
    except ParseError:
        return start
    for tok in tokens:
        if tok.name not in _COMMENTS:
            return start + int(tok.start)
    return start


def _cut(text: str, index: LineIndex, number: int, start: int, end: int) -> Cut:
    start = first_token(text, start, end)
    end = max(start, len(text[start:end].rstrip()) + start)
    line, column = index.position(start)
    return Cut(number, text[start:end], start, end, line, column)


def parse_statements(text: str, index: LineIndex | None = None) -> list[tuple[J, Cut]]:
    """Each statement's syntax tree and cut, from one parse; raises ``pglast.parser.ParseError``."""
    index = index or LineIndex(text)
    return [(node, _cut(text, index, n, s, e)) for n, (node, s, e) in enumerate(_parse(text), start=1)]


def _parse(text: str) -> list[tuple[J, int, int]]:
    """:func:`~fes_docs.sql._pgjson.parse` (which also decodes trees nested deeper than Python's JSON decoder)."""
    return parse(text)


def cut_script(sql: str) -> list[tuple[J | None, Cut]]:
    """The statements of a file as the dry run sends them, each with its tree when the whole file parses.

    A leading byte order mark is not SQL: it becomes a blank, so every offset, line and column stays where
    an editor shows it. An empty or comment-only file has no statements.
    """
    if sql.startswith(_BOM):
        sql = " " + sql[1:]
    index = LineIndex(sql)
    try:
        return [(node, cut) for node, cut in parse_statements(sql, index)]
    except ParseError:
        pass
    try:
        slices = _scanner_slices(sql)
    except ParseError:
        # Not even the scanner gets through (an unterminated quote): send it whole, let the server say why.
        stripped = sql.strip()
        slices = [slice(sql.index(stripped), len(sql.rstrip()))] if stripped else []
    cuts = (_cut(sql, index, n, s.start, s.stop) for n, s in enumerate(slices, start=1))
    return [(None, cut) for cut in cuts if cut.text]


def _scanner_slices(sql: str) -> list[slice]:
    """Statements of a file the parser refuses, cut at every ``;`` token PostgreSQL's scanner sees.

    Not pglast's ``split(with_parser=False)``: it drops a statement that starts with a word that is no
    keyword (``SELEC 2;``) and the text after the last ``;``. Flyway sends both to the server, which rejects
    them; dropping them would report a broken migration as applied. Comments around a statement are left
    out of its cut; raises ``ParseError`` when the scanner cannot read the file.
    """
    slices: list[slice] = []
    first = last = -1
    for tok in scan(sql):
        if tok.name == "ASCII_59":
            if first >= 0:
                slices.append(slice(first, last + 1))
            first = last = -1
        elif tok.name not in _COMMENTS:
            first = tok.start if first < 0 else first
            last = tok.end
    if first >= 0:
        slices.append(slice(first, last + 1))
    return slices


def cut_tokens(tokens: list[Token], text: str, delimiter_directive: bool) -> Iterator[tuple[list[Token], Cut]]:
    """Statements of another dialect as sqlglot token runs, split at ``;`` or a ``DELIMITER`` separator."""
    index = LineIndex(text)
    for number, chunk in enumerate(_token_runs(tokens, text, delimiter_directive), start=1):
        start, end = chunk[0].start, chunk[-1].end + 1
        line, column = index.position(start)
        yield chunk, Cut(number, text[start:end], start, end, line, column)


def _token_runs(tokens: list[Token], text: str, delimiter_directive: bool) -> Iterator[list[Token]]:
    # Imported here: only other dialects need sqlglot, and it costs more start-up time than the whole
    # PostgreSQL path; the dry run and the PostgreSQL analysis import this module without it.
    from sqlglot import TokenType

    delimiter = ";"
    chunk: list[Token] = []
    skip_until = -1
    for tok in tokens:
        if tok.start < skip_until:
            continue
        swallowed = delimiter.startswith(("#", "--"))  # a separator the lexer reads as a comment
        if chunk and swallowed and delimiter in text[chunk[-1].end + 1 : tok.start]:
            # `DELIMITER #` … `END#`: the mysql client splits at it all the same, and so does Flyway
            yield chunk
            chunk = []
        if delimiter_directive and not chunk and tok.text.upper() == "DELIMITER":
            eol = _end_of_line(text, tok.end + 1)
            delimiter = text[tok.end + 1 : eol].strip() or ";"
            skip_until = eol
            continue
        if delimiter == ";":
            if tok.token_type == TokenType.SEMICOLON:
                if chunk:
                    yield chunk
                chunk = []
                continue
        elif tok.token_type != TokenType.STRING and text.startswith(delimiter, tok.start):
            if chunk:
                yield chunk
            chunk = []
            skip_until = tok.start + len(delimiter)
            continue
        chunk.append(tok)
    if chunk:
        yield chunk


def _end_of_line(text: str, at: int) -> int:
    ends = [i for i in (text.find("\n", at), text.find("\r", at)) if i >= 0]
    return min(ends) if ends else len(text)
