"""MySQL/MariaDB statements that reach past the database a migration owns: the ``unsafe`` class there.

The PostgreSQL side finds its escapes in parse trees (:mod:`fes_docs.sql._pghidden`). sqlglot builds no
tree for most of MySQL's (``SELECT … INTO OUTFILE`` and ``LOAD DATA`` are parse errors, ``GRANT`` and
``CREATE USER`` opaque commands), so they are found on the lexer's tokens instead — never on raw text, so a
string or comment holding ``INTO OUTFILE`` is not a hit. A chunk is one statement as Flyway sends it
(a ``DELIMITER`` block's body included), so an escape inside a procedure body counts too.

Each needs a privilege Flyway's production user should not hold (``FILE``, ``SUPER``, ``CREATE USER``,
``GRANT OPTION``), and each acts on the server's files, accounts, settings or other databases.
"""

from __future__ import annotations

from sqlglot import Token, TokenType

_NAMES = (TokenType.STRING, TokenType.IDENTIFIER)

#: First words of whole statements that act on the server, with what they do.
_HEADS: dict[tuple[str, ...], str] = {
    ("LOAD", "DATA"): "LOAD DATA reads a file of the server or the client (FILE privilege)",
    ("LOAD", "XML"): "LOAD XML reads a file of the server or the client (FILE privilege)",
    ("CREATE", "USER"): "creates a server account",
    ("ALTER", "USER"): "changes a server account",
    ("DROP", "USER"): "drops a server account",
    ("RENAME", "USER"): "renames a server account",
    ("CREATE", "ROLE"): "creates a server role",
    ("DROP", "ROLE"): "drops a server role",
    ("GRANT",): "grants privileges, kept server-wide in the mysql schema (GRANT OPTION)",
    ("REVOKE",): "revokes privileges, kept server-wide in the mysql schema (GRANT OPTION)",
    ("SET", "GLOBAL"): "changes a server-wide setting (SUPER)",
    ("SET", "PERSIST"): "changes a server-wide setting for good (SUPER)",
    ("SET", "PASSWORD"): "changes an account's password",
    ("INSTALL",): "loads a plugin (native code) into the server",
    ("UNINSTALL",): "unloads a server plugin",
    ("CREATE", "SERVER"): "defines a connection to another server",
    ("SHUTDOWN",): "stops the server",
    ("KILL",): "ends another session",
    ("FLUSH",): "acts on the server's caches, logs or privileges (RELOAD)",
    ("PURGE",): "deletes the server's binary logs",
    ("RESET",): "resets the server's logs or replication",
    ("CHANGE", "MASTER"): "changes the server's replication",
    ("CHANGE", "REPLICATION"): "changes the server's replication",
    ("DROP", "DATABASE"): "drops a whole database (only Flyway's clean may, and on its own schemas)",
    ("DROP", "SCHEMA"): "drops a whole database (only Flyway's clean may, and on its own schemas)",
}

#: Words anywhere in a statement, with what they do.
_ANYWHERE: dict[tuple[str, ...], str] = {
    ("INTO", "OUTFILE"): "SELECT … INTO OUTFILE writes a file on the database server (FILE privilege)",
    ("INTO", "DUMPFILE"): "SELECT … INTO DUMPFILE writes a file on the database server (FILE privilege)",
    ("LOAD_FILE",): "LOAD_FILE() reads a file of the database server (FILE privilege)",
    ("SONAME",): "loads a shared library into the server (a UDF or plugin)",
    ("FEDERATED",): "a FEDERATED table reaches another server",
    ("CONNECT",): "a CONNECT table reads files or other servers",
}


def escape(chunk: list[Token]) -> tuple[str, str] | None:
    """``(kind, reason)`` when the statement escapes its database, else None."""
    words = [
        t.text.upper()
        for t in chunk
        if t.token_type not in _NAMES and (t.token_type != TokenType.VAR or t.text.upper() in _KEYWORDS)
    ]
    for head, why in _HEADS.items():
        if tuple(words[: len(head)]) == head:
            return " ".join(head), why
    for n in range(len(words)):
        for seq, why in _ANYWHERE.items():
            if tuple(words[n : n + len(seq)]) == seq and _standalone(seq, words, n):
                return " ".join(seq), why
    return None


def _standalone(seq: tuple[str, ...], words: list[str], n: int) -> bool:
    """``ENGINE=CONNECT`` is an escape; the word ``CONNECT`` elsewhere (a column named so) is not."""
    if seq in (("FEDERATED",), ("CONNECT",)):
        return (n >= 2 and words[n - 1] == "=" and words[n - 2] == "ENGINE") or (n >= 1 and words[n - 1] == "ENGINE")
    return True


#: Words the lexer may hand over as plain names (VAR) that the scan must still see.
_KEYWORDS = frozenset(
    {w for key in (*_HEADS, *_ANYWHERE) for w in key} | {"ENGINE"},
)
