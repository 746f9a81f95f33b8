"""What the MySQL-dialect dry run needs to know of one MySQL statement, read from sqlglot's lexer tokens:
where statements are cut (the one cut of other dialects, :func:`fes_docs.sql.split.cut_tokens`), which
commit implicitly, which ``ALTER TABLE`` the lock report may probe, which use MySQL 8 syntax MariaDB lacks, and
how a failure's server message (as the shared :class:`~fes_docs.dryrun.failures.Failure`) and the
statements before it are told.
"""

from __future__ import annotations

import re
from typing import Any

import pymysql
from sqlglot import Dialect, TokenType

from fes_docs.dryrun.bound import RUN_BOUND_SQLSTATE
from fes_docs.dryrun.failures import Failure
from fes_docs.dryrun.statements import SentStatement, summarise
from fes_docs.sql.split import cut_tokens

PARSE_ERROR = 1064
#: MySQL error numbers as the SQLSTATE classes :func:`fes_docs.dryrun.causes.failure_hint` reads: the
#: sandbox's refusals (access denied, global privileges), max_statement_time, lock wait timeout.
SQLSTATE = {
    **dict.fromkeys((1044, 1045, 1142, 1143, 1211, 1227, 1370, 1410), "42501"),
    1969: "57014",
    1205: "55P03",
}
#: First words of the statements after which MySQL has committed (the implicit-commit list, in short).
COMMITS = frozenset({"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "LOCK", "UNLOCK"})


def cut(text: str) -> list[tuple[SentStatement, list[Any]]]:
    d = Dialect.get_or_raise("mysql")
    tokens = d.tokenizer_class(dialect=d).tokenize(text)
    return [
        (SentStatement(c.index, c.text, c.start, c.end, c.line, c.column, transactional=True), chunk)
        for chunk, c in cut_tokens(tokens, text, True)
    ]


def words(chunk: list[Any], n: int = 3) -> list[str]:
    return [t.text.upper() for t in chunk[:n]]


def commits(chunk: list[Any]) -> bool:
    head = words(chunk, 2)
    return bool(head) and head[0] in COMMITS and head[1:] != ["TEMPORARY"]


def altered_table(chunk: list[Any]) -> str | None:
    """``t`` of ``ALTER TABLE [db.]t …`` without an ALGORITHM or LOCK clause of its own (that one is sent as
    written: the author chose)."""
    if words(chunk, 2) != ["ALTER", "TABLE"] or len(chunk) < 3:
        return None
    if any(t.text.upper() in ("ALGORITHM", "LOCK", "PARTITION") for t in chunk):
        return None
    name = chunk[2]
    if len(chunk) > 4 and chunk[3].token_type == TokenType.DOT:
        name = chunk[4]
    return str(name.text).lower()


def indexed_table(chunk: list[Any]) -> str | None:
    """``t`` of ``CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX … ON [db.]t …`` without an ALGORITHM or LOCK clause
    of its own: MariaDB takes those clauses here too, space-separated (``CREATE INDEX i ON t (c)
    ALGORITHM=INPLACE LOCK=NONE``), so the lock report can probe them as well. Not ``DROP INDEX``: MariaDB
    10.11 calls those clauses a syntax error there (its exclusive metadata lock is still reported)."""
    upper = [t.text.upper() for t in chunk]
    if upper[:1] != ["CREATE"] or "INDEX" not in upper[:5] or "ON" not in upper:
        return None
    if upper[1:3] == ["OR", "REPLACE"] or any(w in ("ALGORITHM", "LOCK") for w in upper):
        return None  # OR REPLACE drops first; the author's own clause is sent as written
    at = upper.index("ON") + 1
    if at >= len(chunk):
        return None
    if at + 2 < len(chunk) and chunk[at + 1].token_type == TokenType.DOT:
        at += 2
    return str(chunk[at].text).lower()


_RENAMED = re.compile(r"([`\w.$]+)\s+TO\s", re.IGNORECASE)


def ddl_tables(chunk: list[Any]) -> list[str]:
    """The tables an implicitly committing statement changes, lower-cased: ``ALTER TABLE t``, ``DROP TABLE
    a, b``, ``TRUNCATE [TABLE] t``, ``RENAME TABLE a TO b, …`` (the old names), ``CREATE … INDEX … ON t``,
    ``DROP INDEX i ON t``, ``CREATE TRIGGER … ON t``. Each takes an exclusive metadata lock on them."""
    head = words(chunk, 1)
    if not commits(chunk) or head[0] not in ("ALTER", "DROP", "CREATE", "TRUNCATE", "RENAME"):
        return []
    upper = [t.text.upper() for t in chunk]
    if head[0] == "RENAME":  # sqlglot's lexer keeps the rest of a RENAME as one string
        rest = " ".join(str(t.text) for t in chunk[1:])
        return [n.replace("`", "").rsplit(".", 1)[-1].lower() for n in _RENAMED.findall(rest)]
    if head[0] == "TRUNCATE":
        at = 2 if upper[1:2] == ["TABLE"] else 1
    elif "TABLE" in upper[:4] and head[0] != "CREATE":
        at = upper.index("TABLE") + 1
    elif ("INDEX" in upper[:5] or "TRIGGER" in upper[:5]) and "ON" in upper:
        at = upper.index("ON") + 1
    else:
        return []
    names: list[str] = []
    while at < len(chunk):
        while upper[at : at + 1] in (["IF"], ["NOT"], ["EXISTS"]):
            at += 1
        if at >= len(chunk):
            break
        if at + 2 < len(chunk) and chunk[at + 1].token_type == TokenType.DOT:
            at += 2  # db.t: the table
        names.append(str(chunk[at].text).lower())
        at += 1
        if head[0] != "DROP" or upper[at : at + 1] != [","] or "INDEX" in upper[:3]:
            break
        at += 1
    return names


#: Words of MySQL 8 that MariaDB 10.11 does not have (invisible indexes, SRIDs, NOT ENFORCED checks, LATERAL,
#: SET PERSIST); with the ``->``/``->>`` operators, functional key parts and the 0900 collations below.
MYSQL8_WORDS = frozenset({"INVISIBLE", "VISIBLE", "SRID", "ENFORCED", "LATERAL", "PERSIST", "PERSIST_ONLY"})
#: What MariaDB says of MySQL 8 syntax: a parse error, or an unknown collation (``utf8mb4_0900_ai_ci``).
MYSQL8_REFUSALS = (PARSE_ERROR, 1273)


def mysql8_only(chunk: list[Any]) -> bool:
    """The statement uses MySQL 8 syntax MariaDB lacks: then MariaDB's refusal proves nothing either way.
    Named constructs only — sqlglot's grammar is too forgiving to tell real MySQL from a typo."""
    for n, t in enumerate(chunk):
        if t.token_type in (TokenType.ARROW, TokenType.DARROW) or "_0900_" in t.text.lower():
            return True
        if t.token_type == TokenType.VAR and t.text.upper() in MYSQL8_WORDS:
            return True
        after_name = n >= 1 and chunk[n - 1].token_type in (TokenType.VAR, TokenType.IDENTIFIER)
        double = t.token_type == TokenType.L_PAREN and n + 1 < len(chunk) and chunk[n + 1].token_type == t.token_type
        if after_name and double:  # CREATE INDEX ix ON t ((expr)): a functional key part
            return True
    return False


def server_line(message: str) -> int:
    """``… near 'x' at line 3``: the line within the statement that MariaDB's parser stopped at."""
    head, sep, tail = message.rpartition(" at line ")
    return int(tail) if sep and tail.strip().isdigit() else 0


def what_stays(ran: list[tuple[SentStatement, list[Any]]], pending: bool) -> list[str]:
    """Each statement that ran before the failure, and whether production keeps it. With changes pending in
    the open transaction (``pending``, the server's word), what ran after the last implicitly committing
    statement is rolled back with the failure; without, everything that ran stays."""
    last = max((i for i, (_, chunk) in enumerate(ran) if commits(chunk)), default=-1) if pending else len(ran)
    return [
        f"line {s.line}: {summarise(s.text)} ({'committed' if i <= last else 'rolled back'})"
        for i, (s, _) in enumerate(ran)
    ]


def message_of(exc: pymysql.err.MySQLError | str) -> str:
    return str(exc.args[-1]) if isinstance(exc, pymysql.err.MySQLError) and exc.args else str(exc)


def failure_of(statement: SentStatement, exc: pymysql.err.MySQLError | str) -> Failure:
    """The server's refusal in the shared words: its message, the SQLSTATE class the hints read, and the
    line MariaDB's parser stopped at (its ``… at line N`` counts within the statement)."""
    code = exc.args[0] if isinstance(exc, pymysql.err.MySQLError) and exc.args else None
    message = message_of(exc)
    sqlstate = RUN_BOUND_SQLSTATE if isinstance(exc, str) else None
    if isinstance(code, int):
        sqlstate = SQLSTATE.get(code, str(code))
    within = server_line(message)
    line = statement.line + within - 1 if within else statement.line
    return Failure(statement, message, sqlstate, (line, statement.column if line == statement.line else 1))
