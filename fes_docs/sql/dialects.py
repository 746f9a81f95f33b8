"""What each SQL dialect offers to make a migration re-runnable, and so what the tool advises.

One place for the advice, because three readers give it — the static idempotency rule (FES318), the
declaration rule (FES301) and the dry run's idempotency failure (FES331) — and a MySQL team must not be told
to write ``ON CONFLICT``, which MySQL does not have. Where a dialect has no guard for a statement (MySQL's
``ADD COLUMN``, ``CREATE INDEX``, ``ADD CONSTRAINT``), the only honest advice is to test the catalog first
and let ``fes-docs dry-run`` prove the result: a passing dry run's evidence resolves the warning
(:func:`fes_docs.proving.proven_idempotent`).

Pure data, no parser: the rules import it without loading sqlglot.
"""

from __future__ import annotations

#: Policy dialect names of the MySQL family; ``mariadb`` has more guards than ``mysql`` (see :data:`GUARDS`).
MYSQL_FAMILY = frozenset({"mysql", "mariadb"})

#: Statement kinds (as the sqlglot classifier names them) that take a re-run guard in each MySQL flavour.
GUARDS: dict[str, frozenset[str]] = {
    "mysql": frozenset({"CREATE TABLE", "DROP TABLE", "DROP VIEW", "CREATE VIEW", "DROP DATABASE", "DROP SCHEMA"}),
    "mariadb": frozenset(
        {
            "CREATE TABLE",
            "DROP TABLE",
            "DROP VIEW",
            "CREATE VIEW",
            "DROP DATABASE",
            "DROP SCHEMA",
            "ADD COLUMN",
            "DROP COLUMN",
            "CREATE INDEX",
            "DROP INDEX",
            "CHANGE COLUMN",
            "MODIFY COLUMN",
        }
    ),
}

_PG = "use IF NOT EXISTS / IF EXISTS / OR REPLACE, and ON CONFLICT for INSERT"
_MYSQL_NO_GUARD = (
    "; where MySQL has no guard (ADD COLUMN, CREATE INDEX, ADD CONSTRAINT, renames) check information_schema "
    "first (PREPARE/EXECUTE or a procedure) and prove it with `fes-docs dry-run`"
)
_ADVICE = {
    "mysql": "use CREATE TABLE IF NOT EXISTS, DROP … IF EXISTS, CREATE OR REPLACE VIEW, and INSERT IGNORE or "
    "ON DUPLICATE KEY UPDATE for INSERT" + _MYSQL_NO_GUARD,
    "mariadb": "use CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, CREATE INDEX IF NOT EXISTS, "
    "DROP … IF EXISTS, CREATE OR REPLACE, and INSERT IGNORE or ON DUPLICATE KEY UPDATE for INSERT; where "
    "MariaDB has no guard (ADD CONSTRAINT, renames) check information_schema first and prove it with "
    "`fes-docs dry-run`",
}
_OTHER = "use IF NOT EXISTS / IF EXISTS / OR REPLACE where the dialect has them, and prove it with `fes-docs dry-run`"


def family(dialect: str) -> str:
    """``mysql`` or ``mariadb`` for the MySQL family, ``postgres`` for PostgreSQL's names, else the name."""
    key = dialect.strip().lower()
    if key in ("postgres", "postgresql", "pg"):
        return "postgres"
    return key


def guard_advice(dialect: str) -> str:
    """How to make a statement re-runnable in ``dialect``: the hint of every idempotency finding."""
    key = family(dialect)
    if key == "postgres":
        return _PG
    return _ADVICE.get(key, _OTHER)


def insert_guard(dialect: str) -> str:
    """The clause an INSERT lacks when a re-run would duplicate its rows."""
    return "INSERT IGNORE / ON DUPLICATE KEY UPDATE" if family(dialect) in MYSQL_FAMILY else "ON CONFLICT"


def has_guard(dialect: str, kind: str) -> bool:
    """True when ``dialect`` can guard a statement of ``kind`` (``ADD COLUMN``, ``CREATE INDEX`` …) against a
    re-run; dialects outside the MySQL family are assumed to (the generic advice names the guard)."""
    guards = GUARDS.get(family(dialect))
    return True if guards is None else kind in guards
