"""What to do differently when a migration holds ACCESS EXCLUSIVE on an existing table.

The dry run reads the strongest lock a migration held on each table that existed before it (``pg_locks``
before COMMIT); the static analysis knows the statements. A generic hint ("use CONCURRENTLY, NOT VALID")
is wrong half the time — the migration may already use ``NOT VALID``, or take the lock for a reason those
do not cure. So the advice is per statement that can take ACCESS EXCLUSIVE, from its kind and its
verdict, and skips what the statement already does.
"""

from __future__ import annotations

from collections.abc import Iterable

from .sql.analyze import Statement

#: When no statement of the file explains the lock (a DO block, a function the migration calls).
GENERIC = (
    "set a short lock_timeout so the migration fails fast instead of queueing every reader behind it; "
    "CREATE INDEX CONCURRENTLY; ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT"
)

_BRIEF = (
    "the ACCESS EXCLUSIVE it needs is brief but queues every reader behind any open transaction: "
    "set a short lock_timeout (SET lock_timeout = '5s') and retry"
)


def _advice(st: Statement) -> str | None:
    """The alternative for one statement, or None when it does not take ACCESS EXCLUSIVE."""
    kind, reason = st.kind.upper(), st.reason
    if kind.startswith("ALTER TABLE ADD CONSTRAINT"):
        if "NOT VALID" in reason:
            return f"already NOT VALID; {_BRIEF}, then VALIDATE CONSTRAINT separately"
        if "UNIQUE" in reason or "PRIMARY" in reason:
            return "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX"
        return "add it NOT VALID, then VALIDATE CONSTRAINT in its own statement (a weaker lock)"
    if kind.startswith("ALTER TABLE SET NOT NULL"):
        return (
            "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL "
            "(PostgreSQL 12+ then skips the full-table scan)"
        )
    if kind.startswith("ALTER TABLE ALTER COLUMN TYPE"):
        return (
            "the table is rewritten under the lock: add a new column of the new type, backfill it in batches, "
            "switch reads behind the flag, drop the old column in a later release"
        )
    if kind.startswith("ALTER TABLE ADD COLUMN"):
        return (
            "a constant default does not rewrite the table (PostgreSQL 11+), a volatile one does: add the "
            f"column without a default, backfill, then SET DEFAULT; {_BRIEF}"
        )
    if kind.startswith(("ALTER TABLE", "RENAME", "DROP TABLE", "TRUNCATE", "CREATE TRIGGER", "CREATE RULE")):
        return _BRIEF
    if kind.startswith("LOCK"):
        return "the migration asks for this lock itself: take a weaker mode, or none"
    if kind.startswith(("VACUUM", "CLUSTER")):
        return "VACUUM FULL and CLUSTER rewrite the table under the lock: run them outside the release"
    if kind.startswith("REFRESH MATERIALIZED VIEW"):
        return "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index) keeps the view readable"
    if kind.startswith("REINDEX") and "CONCURRENTLY" not in kind:
        return "REINDEX CONCURRENTLY (PostgreSQL 12+)"
    return None


def lock_hint(statements: Iterable[Statement]) -> str:
    """The advice for a migration that held ACCESS EXCLUSIVE: per statement that can take it, with its line."""
    parts = []
    for st in statements:
        advice = _advice(st)
        if advice is not None:
            parts.append(f"line {st.line} ({st.kind}): {advice}")
    if not parts:
        return GENERIC
    return "; ".join(parts[:4]) + (f"; and {len(parts) - 4} more statement(s)" if len(parts) > 4 else "")
