"""What the MySQL-dialect dry run needs to know of one MySQL statement, read from sqlglot's lexer tokens:
where statements are cut (the one cut of other dialects, :func:`fes_docs.sql.split.cut_tokens`), which
commit implicitly, which ``ALTER TABLE`` the lock report may probe, which use MySQL 8 syntax MariaDB lacks, and
how a failure's server message and the statements before it are told.
"""

from __future__ import annotations

from typing import Any

from sqlglot import Dialect, TokenType

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
