"""Which statements Flyway runs outside a transaction, and Flyway's rule against mixing them with others.

One definition for the static analysis (a finding before anything runs) and the dry run (how it sends
each script). Flyway's PostgreSQL parser (flyway-database-postgresql ``PostgreSQLParser.
detectCanExecuteInTransaction``) marks a statement non-transactional when it is ``CREATE/DROP DATABASE``,
``TABLESPACE`` or ``SUBSCRIPTION``, ``ALTER SYSTEM``, ``CREATE/DROP INDEX CONCURRENTLY``, ``REINDEX
SCHEMA/DATABASE/SYSTEM``, ``VACUUM``, ``DISCARD ALL``, or (servers before 12) ``ALTER TYPE … ADD VALUE``. It
matches statement text; here the syntax tree decides the same classes, so a comment or a string cannot
fool it.

**The mixed rule is Flyway's, not PostgreSQL's.** ``ParserSqlScript.parse`` fails a script holding both
kinds ("Detected both transactional and non-transactional statements within the same migration (even though
mixed is false)") only when ``flyway.mixed`` is false *and* the script has no ``executeInTransaction`` of
its own in a ``.sql.conf`` — with one, Flyway runs the script as told and PostgreSQL has the last word.
"""

from __future__ import annotations

from collections.abc import Sequence

from fes_docs.sql.split import J

__all__ = ["MIXED_MESSAGE", "mixed_offender", "outside_transaction"]

# By node type, what PostgreSQLParser.detectCanExecuteInTransaction treats as non-transactional.
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

#: Flyway's own words (``ParserSqlScript.parse``), said to be Flyway's.
MIXED_MESSAGE = (
    "Flyway refuses this migration (its own rule, not PostgreSQL's): Detected both transactional and "
    "non-transactional statements within the same migration (even though mixed is false)"
)

#: The server version the static analysis assumes (ADD VALUE has been transactional since 12).
STATIC_SERVER_VERSION = 120000


def outside_transaction(node: J, server_version_num: int = STATIC_SERVER_VERSION) -> bool:
    """Whether Flyway runs this statement without a transaction (and PostgreSQL refuses it inside one)."""
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
        return server_version_num < 120000 and node.newVal is not None and node.oldVal is None
    return False


def mixed_offender(outside: Sequence[bool]) -> int | None:
    """The position of the statement at which Flyway's mixed check fails (the first one after which both
    kinds have been seen: the one Flyway names), or ``None`` when the script holds one kind only."""
    seen_in = seen_out = False
    for i, flag in enumerate(outside):
        seen_out |= flag
        seen_in |= not flag
        if seen_in and seen_out:
            return i
    return None
