"""Classify PostgreSQL's data statements: INSERT, UPDATE, DELETE, MERGE, COPY, SELECT, CALL.

Their idempotency depends on the data, so most are "unproven" and left to the dry run; only the clauses that
settle it (``ON CONFLICT``, a ``WHERE NOT EXISTS`` guard, a fixed ``setval``) are read from the tree. A
``SELECT`` is a data change when it calls a function outside the short list of harmless ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fes_docs.sql._pgjson import J, walk
from fes_docs.sql._pgnames import dotted, is_node, rangevar
from fes_docs.sql._verdict import Ctx, Verdict

Handler = Callable[[Any, Ctx], Verdict]


def _select_into(n: J) -> Verdict:
    name = rangevar(n.intoClause.rel)
    return Verdict(
        "SELECT INTO",
        "additive",
        "no",
        f"creates table {name}; SELECT INTO fails on a re-run",
        creates=[("table", name)],
    )


def _insert(n: J, ctx: Ctx) -> Verdict:
    table = rangevar(n.relation)
    if n.onConflictClause is not None:
        action = str(n.onConflictClause.action or "").removeprefix("ONCONFLICT_").replace("_", " ")
        return Verdict("INSERT", "data", "yes", f"inserts into {table}; ON CONFLICT DO {action} makes it re-runnable")
    src = n.selectStmt
    where = getattr(src, "whereClause", None)
    if where is not None and any(is_node(x, "SubLink") for x in walk(where)):
        return Verdict(
            "INSERT",
            "data",
            "unproven",
            f"inserts into {table}; guarded by a subquery in WHERE: the dry run must prove it",
        )
    return Verdict(
        "INSERT",
        "data",
        "no",
        f"inserts into {table}; INSERT without ON CONFLICT duplicates rows or fails on a re-run",
    )


def _where_or_all(kind: str, every_row: str, some_rows: str) -> Handler:
    """UPDATE and DELETE: without ``WHERE`` they touch every row (destructive), with it only some (data).

    Either way a re-run's effect depends on the rows, so both are "unproven"; ``every_row`` and ``some_rows``
    are the two reasons, with ``{table}`` for the target.
    """

    def handler(n: J, ctx: Ctx) -> Verdict:
        table = rangevar(n.relation)
        if n.whereClause is None:
            what = f"{kind} without WHERE {every_row.format(table=table)}"
            return Verdict(kind, "destructive", "unproven", f"{what}; re-run safety depends on the data")
        return Verdict(kind, "data", "unproven", f"{some_rows.format(table=table)}; re-run safety depends on the data")

    return handler


def _merge(n: J, ctx: Ctx) -> Verdict:
    return Verdict(
        "MERGE", "data", "unproven", f"merges into {rangevar(n.relation)}; re-run safety depends on the data"
    )


def _copy(n: J, ctx: Ctx) -> Verdict:
    if n.is_from:
        return Verdict(
            "COPY FROM", "data", "no", f"loads rows into {rangevar(n.relation)}; duplicates them on a re-run"
        )
    return Verdict("COPY TO", "additive", "yes", "exports rows; reads only")


#: Functions a migration may call in a SELECT without changing anything a release cares about.
_HARMLESS_FUNCS = {
    "set_config",
    "current_setting",
    "now",
    "current_timestamp",
    "count",
    "max",
    "min",
    "sum",
    "avg",
    "coalesce",
    "version",
    "pg_advisory_xact_lock",
    "pg_advisory_lock",
    "pg_advisory_unlock",
    "pg_try_advisory_lock",
    "pg_try_advisory_xact_lock",
    "current_schema",
    "current_database",
}


def _select(n: J, ctx: Ctx) -> Verdict:
    if n.intoClause is not None:
        return _select_into(n)
    called = sorted({dotted(f.funcname[-1:]) for f in walk(n) if is_node(f, "FuncCall")})
    risky = [f for f in called if f not in _HARMLESS_FUNCS]
    if not risky:
        return Verdict("SELECT", "additive", "yes", "reads only")
    if risky == ["setval"]:
        return Verdict("SELECT setval", "data", "yes", "sets a sequence to a fixed value; re-runnable")
    names = ", ".join(f"{f}()" for f in risky)
    return Verdict("SELECT", "data", "unproven", f"calls {names}: what it changes is not judged; left to the dry run")


def _call(n: J, ctx: Ctx) -> Verdict:
    name = dotted(n.funccall.funcname) if n.funccall is not None else "?"
    return Verdict("CALL", "data", "unproven", f"runs procedure {name}(), whose body is not analysed", opaque=True)


HANDLERS: dict[str, Handler] = {
    "InsertStmt": _insert,
    "UpdateStmt": _where_or_all("UPDATE", "rewrites every row of {table}", "updates rows of {table}"),
    "DeleteStmt": _where_or_all("DELETE", "removes every row of {table}", "deletes rows of {table}"),
    "MergeStmt": _merge,
    "CopyStmt": _copy,
    "SelectStmt": _select,
    "CallStmt": _call,
}
