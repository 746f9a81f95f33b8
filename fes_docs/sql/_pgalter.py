"""Classify ``ALTER TABLE``: one verdict per subcommand, folded into the statement's worst.

A single ``ALTER TABLE`` can add a nullable column (additive) and drop a default (destructive) at once, so
each subcommand is judged on its own and :func:`fes_docs.sql._verdict.combine` keeps the most severe class
and the worst idempotency. The tables below name every subtype libpg_query knows; one missing from them is
reported as "not classified" rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fes_docs.sql._model import Idem, Klass, ObjectRef
from fes_docs.sql._pgjson import J, walk
from fes_docs.sql._pgnames import camel_words, dotted, is_node, object_word, rangevar
from fes_docs.sql._verdict import Ctx, Rule, Verdict, combine, guard

Handler = Callable[[Any, Ctx], Verdict]


_SERIAL = {"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"}
_ROWS_GET_VALUE = {"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"}
_NOT_NULL = {"CONSTR_NOTNULL", "CONSTR_PRIMARY"}


def _is_null(expr: Any) -> bool:
    """Whether a default or generation expression is the NULL constant (``NULL``, ``NULL::int``): it fills
    the existing rows with nothing."""
    while is_node(expr, "TypeCast"):
        expr = expr.arg
    return is_node(expr, "A_Const") and bool(expr.isnull)


def _fills(c: J) -> bool:
    """Whether a column constraint gives the existing rows a value: a DEFAULT or a generation that is not
    NULL, or an identity."""
    return c.contype in _ROWS_GET_VALUE and not (c.contype != "CONSTR_IDENTITY" and _is_null(c.raw_expr))


def _requires_value(c: J) -> bool:
    """NOT NULL, a primary key, or a CHECK that tests ``IS NOT NULL``: the existing rows need a value."""
    if c.contype in _NOT_NULL:
        return True
    return c.contype == "CONSTR_CHECK" and any(
        is_node(n, "NullTest") and n.nulltesttype == "IS_NOT_NULL" for n in walk(c.raw_expr)
    )


def _add_column(table: str, cmd: J) -> Verdict:
    cd = cmd.get("def")
    col = f"{table}.{cd.colname}"
    cons = [c for c in cd.constraints or () if is_node(c, "Constraint")]
    type_name = dotted(cd.typeName.names[-1:]) if cd.typeName is not None and cd.typeName.names else ""
    not_null = bool(cd.is_not_null) or any(_requires_value(c) for c in cons)
    filled = any(_fills(c) for c in cons) or type_name in _SERIAL or cd.identity not in ("", "\x00", None)
    if not_null and not filled:
        klass: Klass = "destructive"
        why_class = f"adds NOT NULL column {col} without DEFAULT: existing rows and older app versions' INSERTs fail"
    else:
        klass = "additive"
        why_class = f"adds column {col}" + (" with a default" if not_null else " (nullable or with a default)")
    idem, why = guard(cmd.missing_ok, "ADD COLUMN IF NOT EXISTS", "ADD COLUMN without IF NOT EXISTS fails on a re-run")
    return Verdict("ADD COLUMN", klass, idem, f"{why_class}; {why}", creates=[("column", col)])


def _add_constraint(table: str, cmd: J) -> Verdict:
    c = cmd.get("def")
    label = "ADD CONSTRAINT"
    name = getattr(c, "conname", None)
    safe = " NOT VALID (the safe form)" if getattr(c, "skip_validation", False) else ""
    ctype = str(getattr(c, "contype", None) or "").removeprefix("CONSTR_").replace("_", " ")
    what = f"{ctype} constraint {name or '(unnamed)'} on {table}{safe}"
    if cmd.subtype == "AT_AddIndexConstraint":
        label = "ADD CONSTRAINT USING INDEX"
    creates: list[ObjectRef] = [("constraint", f"{table}.{name}")] if name else []
    reason = f"adds {what}; PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS: fails on a re-run"
    return Verdict(label, "additive", "no", reason, creates=creates)


#: subtype → (label, class, idempotency rule, what it does). Rule "missing_ok" = yes only with IF EXISTS.
_SIMPLE: dict[str, tuple[str, Klass, Rule, str]] = {
    "AT_DropNotNull": (
        "DROP NOT NULL",
        "destructive",
        "yes",
        "drops NOT NULL: older app versions rely on the column never being NULL",
    ),
    "AT_SetNotNull": (
        "SET NOT NULL",
        "destructive",
        "yes",
        "sets NOT NULL: older app versions that write NULL fail",
    ),
    "AT_SetExpression": ("SET EXPRESSION", "destructive", "yes", "recomputes a generated column"),
    "AT_DropExpression": (
        "DROP EXPRESSION",
        "destructive",
        "missing_ok",
        "turns a generated column into a plain one",
    ),
    "AT_AlterColumnType": (
        "ALTER COLUMN TYPE",
        "destructive",
        "yes",
        "changes a column type: rewrites the table and breaks older readers",
    ),
    "AT_ValidateConstraint": ("VALIDATE CONSTRAINT", "additive", "yes", "validates a constraint"),
    "AT_AlterConstraint": ("ALTER CONSTRAINT", "additive", "yes", "changes constraint timing"),
    "AT_AddIndex": ("ADD INDEX", "additive", "no", "adds an index"),
    "AT_AddInherit": ("INHERIT", "additive", "no", "adds a parent table"),
    "AT_DropInherit": ("NO INHERIT", "destructive", "no", "removes a parent table"),
    "AT_AddOf": ("OF", "additive", "no", "binds the table to a composite type"),
    "AT_DropOf": ("NOT OF", "destructive", "yes", "unbinds the table from its type"),
    "AT_AttachPartition": ("ATTACH PARTITION", "additive", "no", "attaches a partition"),
    "AT_DetachPartition": ("DETACH PARTITION", "destructive", "no", "detaches a partition and its rows"),
    "AT_DetachPartitionFinalize": ("DETACH PARTITION FINALIZE", "destructive", "no", "detaches a partition"),
    "AT_AddIdentity": ("ADD IDENTITY", "additive", "no", "makes a column an identity column"),
    "AT_SetIdentity": ("SET IDENTITY", "additive", "yes", "changes identity options"),
    "AT_DropIdentity": (
        "DROP IDENTITY",
        "destructive",
        "missing_ok",
        "drops identity: older app versions' INSERTs without the column fail",
    ),
}

#: Subtypes that change storage, ownership, triggers, security or options: additive and re-runnable.
_HARMLESS: dict[str, str] = {
    "AT_SetStatistics": "SET STATISTICS",
    "AT_SetOptions": "SET (attribute options)",
    "AT_ResetOptions": "RESET (attribute options)",
    "AT_SetStorage": "SET STORAGE",
    "AT_SetCompression": "SET COMPRESSION",
    "AT_AlterColumnGenericOptions": "OPTIONS",
    "AT_ChangeOwner": "OWNER TO",
    "AT_ClusterOn": "CLUSTER ON",
    "AT_DropCluster": "SET WITHOUT CLUSTER",
    "AT_SetLogged": "SET LOGGED",
    "AT_SetUnLogged": "SET UNLOGGED",
    "AT_DropOids": "SET WITHOUT OIDS",
    "AT_SetAccessMethod": "SET ACCESS METHOD",
    "AT_SetTableSpace": "SET TABLESPACE",
    "AT_SetRelOptions": "SET (storage parameters)",
    "AT_ResetRelOptions": "RESET (storage parameters)",
    "AT_ReplaceRelOptions": "SET (storage parameters)",
    "AT_EnableTrig": "ENABLE TRIGGER",
    "AT_EnableAlwaysTrig": "ENABLE ALWAYS TRIGGER",
    "AT_EnableReplicaTrig": "ENABLE REPLICA TRIGGER",
    "AT_DisableTrig": "DISABLE TRIGGER",
    "AT_EnableTrigAll": "ENABLE TRIGGER ALL",
    "AT_DisableTrigAll": "DISABLE TRIGGER ALL",
    "AT_EnableTrigUser": "ENABLE TRIGGER USER",
    "AT_DisableTrigUser": "DISABLE TRIGGER USER",
    "AT_EnableRule": "ENABLE RULE",
    "AT_EnableAlwaysRule": "ENABLE ALWAYS RULE",
    "AT_EnableReplicaRule": "ENABLE REPLICA RULE",
    "AT_DisableRule": "DISABLE RULE",
    "AT_ReplicaIdentity": "REPLICA IDENTITY",
    "AT_EnableRowSecurity": "ENABLE ROW LEVEL SECURITY",
    "AT_DisableRowSecurity": "DISABLE ROW LEVEL SECURITY",
    "AT_ForceRowSecurity": "FORCE ROW LEVEL SECURITY",
    "AT_NoForceRowSecurity": "NO FORCE ROW LEVEL SECURITY",
    "AT_GenericOptions": "OPTIONS",
}


def _if_exists(label: str, cmd: J) -> tuple[Idem, str]:
    """Idempotency of a subcommand that a re-run can skip only through its ``IF EXISTS``."""
    return guard(cmd.missing_ok, f"{label} IF EXISTS", f"{label} without IF EXISTS fails on a re-run")


def _drop_part(word: str, name: str, idem: Idem, why: str) -> Verdict:
    return Verdict(f"DROP {word.upper()}", "destructive", idem, f"drops {word} {name}; {why}", drops=[(word, name)])


def _alter_cmd(table: str, cmd: J) -> Verdict:
    st = cmd.subtype
    col = f"{table}.{cmd.name}" if cmd.name else table
    if st == "AT_AddColumn":
        return _add_column(table, cmd)
    if st in ("AT_AddConstraint", "AT_AddIndexConstraint"):
        return _add_constraint(table, cmd)
    if st == "AT_DropColumn":
        return _drop_part("column", col, *_if_exists("DROP COLUMN", cmd))
    if st == "AT_DropConstraint":
        unguarded = guard(cmd.missing_ok, "DROP CONSTRAINT IF EXISTS", "DROP CONSTRAINT without IF EXISTS")
        return _drop_part("constraint", f"{table}.{cmd.name}", *unguarded)
    if st == "AT_ColumnDefault":
        if cmd.get("def") is None:
            breaks = f"drops the default of {col}: older app versions that omit it on INSERT break"
            return Verdict("DROP DEFAULT", "destructive", "yes", breaks)
        return Verdict("SET DEFAULT", "additive", "yes", f"sets the default of {col}; re-runnable")
    if st in _SIMPLE:
        label, klass, rule, what = _SIMPLE[st]
        if rule == "missing_ok":
            idem, why = _if_exists(label, cmd)
        else:
            idem, why = rule, "re-runnable" if rule == "yes" else f"{label} fails on a re-run"
        return Verdict(label, klass, idem, f"{col}: {what}; {why}")
    if st in _HARMLESS:
        label = _HARMLESS[st]
        return Verdict(label, "additive", "yes", f"{table}: {label} changes no columns or rows; re-runnable")
    label = camel_words(str(st).removeprefix("AT_"))
    return Verdict(label, "additive", "unproven", f"{table}: ALTER TABLE {label} is not classified")


def _alter_table(n: J, ctx: Ctx) -> Verdict:
    table = rangevar(n.relation)
    word = object_word(n.objtype)
    parts = [_alter_cmd(table, c) for c in n.cmds or ()]
    if not parts:
        return Verdict(f"ALTER {word.upper()}", "additive", "yes", "no actions")
    return combine(f"ALTER {word.upper()}", parts)


HANDLERS: dict[str, Handler] = {"AlterTableStmt": _alter_table}
