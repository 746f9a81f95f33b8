"""Classify PostgreSQL statements from libpg_query's syntax tree (PostgreSQL's own grammar, via pglast).

Each statement gets a class (additive / data / destructive, spec §4.2–§4.3), an idempotency verdict
(spec §4.1) and a reason naming the deciding clause. Everything is read from the tree, never from the
text, so comments, quoted identifiers, strings that happen to contain ``DROP TABLE`` and dollar-quoted
function bodies cannot change the verdict.

Choices beyond the issue's list, each for the reason given:

* ``ALTER COLUMN … DROP NOT NULL`` is destructive: older app versions (and squawk's ban-drop-not-null)
  rely on the column never being NULL, and will read NULLs once the new version writes them.
* ``ALTER COLUMN … DROP DEFAULT`` is destructive: an older app version that omits the column on INSERT
  now gets NULL or, for a NOT NULL column, an error — the same break as adding a NOT NULL column.
* ``REVOKE``, ``SET SCHEMA``, detaching a partition and dropping identity/inheritance are destructive:
  each takes away something a running older version may use. Renaming an index, constraint, trigger or
  policy is additive (applications do not refer to them by name); renaming anything else is destructive.
* ``TRUNCATE`` is idempotent ("the table ends empty either way"); it is destructive regardless.
* ``ALTER COLUMN TYPE``, ``SET/DROP NOT NULL`` and ``SET DEFAULT`` succeed again on a re-run, so they are
  idempotent; ``ADD CONSTRAINT``, ``CREATE TYPE``, ``CREATE DOMAIN`` and ``CREATE POLICY`` have no
  ``IF NOT EXISTS`` in PostgreSQL, so they are not (guard them in a ``DO`` block, which is "unproven").
* ``ALTER TABLE IF EXISTS old RENAME TO new`` is idempotent: the re-run finds no ``old`` and skips.
  ``RENAME COLUMN`` never is (``IF EXISTS`` guards the table, not the column).
* An unnamed ``CREATE INDEX`` is not idempotent: every run adds one more index.
* ``INSERT … SELECT … WHERE`` with a subquery (``WHERE NOT EXISTS (…)``) is "unproven", not "no": it is
  the usual hand-written guard, and the dry run can prove it.
* A ``SELECT`` calling a function other than a few known harmless ones (``set_config``, aggregates …)
  is "data"/"unproven": ``SELECT setval(…)`` or ``SELECT create_hypertable(…)`` change the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pglast.parser import scan

from fes_docs.positions import LineIndex
from fes_docs.sql._model import Idem, Klass, ObjectRef, Statement, worst_idem, worst_klass
from fes_docs.sql._pgjson import J, walk


@dataclass
class Verdict:
    """What one statement does, before it is placed in the file."""

    kind: str
    klass: Klass
    idem: Idem
    reason: str
    opaque: bool = False
    creates: list[ObjectRef] = field(default_factory=list)
    drops: list[ObjectRef] = field(default_factory=list)
    inner: list[Statement] = field(default_factory=list)


@dataclass(frozen=True)
class Ctx:
    """Where the statement under classification sits, for ``DO`` bodies that report inner lines."""

    text: str
    index: LineIndex
    start: int
    end: int
    depth: int = 0


# --------------------------------------------------------------------------- names


def rangevar(rv: Any) -> str:
    if rv is None:
        return "?"
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else str(rv.relname)


def dotted(names: Any) -> str:
    """``(String('s'), String('t'))`` → ``"s.t"``; accepts TypeName, ObjectWithArgs and plain strings."""
    if _is(names, "String"):
        return str(names.sval)
    if _is(names, "TypeName"):
        return dotted(names.names)
    if _is(names, "ObjectWithArgs"):
        return dotted(names.objname)
    if isinstance(names, tuple | list):
        return ".".join(str(n.sval) for n in names if _is(n, "String"))
    return "?"


def object_word(objtype: Any) -> str:
    """``ObjectType.OBJECT_MATVIEW`` → ``"materialized view"``."""
    name = str(objtype or "")
    special = {
        "OBJECT_MATVIEW": "materialized view",
        "OBJECT_TABCONSTRAINT": "constraint",
        "OBJECT_DOMCONSTRAINT": "constraint",
        "OBJECT_STATISTIC_EXT": "statistics",
    }
    return special.get(name, name.removeprefix("OBJECT_").replace("_", " ").lower())


def _is(node: Any, tag: str) -> bool:
    return isinstance(node, J) and node.tag == tag


def _camel_words(name: str) -> str:
    out: list[str] = []
    for ch in name:
        if ch.isupper() and out and not out[-1].isupper():
            out.append(" ")
        out.append(ch)
    return "".join(out).upper()


def _if(flag: Any, yes: str, no: str) -> tuple[Idem, str]:
    return ("yes", yes) if flag else ("no", no)


# --------------------------------------------------------------------------- top level


def classify(node: J, ctx: Ctx) -> Verdict:
    handler = _HANDLERS.get(node.tag or "")
    if handler is not None:
        return handler(node, ctx)
    return _fallback(node)


def _fallback(node: J) -> Verdict:
    name = node.tag or "?"
    base = name.removesuffix("Stmt")
    kind = _camel_words(base)
    if base.startswith("Drop"):
        idem, why = _if(getattr(node, "missing_ok", False), f"{kind} IF EXISTS", f"{kind} without IF EXISTS")
        return Verdict(kind, "destructive", idem, f"drops an object; {why}")
    if base.startswith(("Create", "Define")):
        if getattr(node, "if_not_exists", False) or getattr(node, "replace", False):
            return Verdict(kind, "additive", "yes", f"creates an object; {kind} with IF NOT EXISTS / OR REPLACE")
        return Verdict(kind, "additive", "no", f"creates an object; {kind} fails on a re-run (no IF NOT EXISTS)")
    return Verdict(kind, "additive", "unproven", f"{kind}: not a schema or data change fes-docs classifies")


# --------------------------------------------------------------------------- CREATE


def _create_table(n: J, ctx: Ctx) -> Verdict:
    name = rangevar(n.relation)
    creates: list[ObjectRef] = [("table", name)]
    creates += [("column", f"{name}.{e.colname}") for e in n.tableElts or () if _is(e, "ColumnDef")]
    kind = "CREATE TABLE PARTITION OF" if n.partbound is not None else "CREATE TABLE"
    temp_drop = n.relation.relpersistence == "t" and n.oncommit == "ONCOMMIT_DROP"
    idem: Idem
    if n.if_not_exists:
        idem, why = "yes", "CREATE TABLE IF NOT EXISTS"
    elif temp_drop:
        idem, why = "yes", "temporary table dropped at commit"
    else:
        idem, why = "no", "CREATE TABLE without IF NOT EXISTS fails on a re-run"
    return Verdict(kind, "additive", idem, f"creates table {name}; {why}", creates=creates)


def _create_table_as(n: J, ctx: Ctx) -> Verdict:
    word = object_word(n.objtype)
    name = rangevar(n.into.rel)
    kind = "CREATE MATERIALIZED VIEW" if word == "materialized view" else "CREATE TABLE AS"
    idem, why = _if(n.if_not_exists, f"{kind} IF NOT EXISTS", f"{kind} without IF NOT EXISTS fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates {word} {name}; {why}", creates=[(word, name)])


def _create_view(n: J, ctx: Ctx) -> Verdict:
    name = rangevar(n.view)
    kind = "CREATE OR REPLACE VIEW" if n.replace else "CREATE VIEW"
    idem, why = _if(n.replace, "CREATE OR REPLACE VIEW", "CREATE VIEW without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates view {name}; {why}", creates=[("view", name)])


def _create_index(n: J, ctx: Ctx) -> Verdict:
    kind = "CREATE UNIQUE INDEX" if n.unique else "CREATE INDEX"
    if n.concurrent:
        kind += " CONCURRENTLY"
    table = rangevar(n.relation)
    if n.idxname is None:
        return Verdict(kind, "additive", "no", f"adds an index on {table}; unnamed index: every run adds another")
    name = f"{n.relation.schemaname}.{n.idxname}" if n.relation.schemaname else str(n.idxname)
    idem, why = _if(n.if_not_exists, f"{kind} IF NOT EXISTS", f"{kind} without IF NOT EXISTS fails on a re-run")
    return Verdict(kind, "additive", idem, f"adds index {name} on {table}; {why}", creates=[("index", name)])


def _create_simple(word: str, name_of: Callable[[Any], str], guardable: bool = True) -> Callable[[Any, Ctx], Verdict]:
    kind = f"CREATE {word.upper()}"

    def handler(n: Any, ctx: Ctx) -> Verdict:
        name = name_of(n)
        if getattr(n, "if_not_exists", False):
            return Verdict(
                kind,
                "additive",
                "yes",
                f"creates {word} {name}; {kind} IF NOT EXISTS",
                creates=[(word, name)],
            )
        if getattr(n, "replace", False):
            return Verdict(
                f"CREATE OR REPLACE {word.upper()}",
                "additive",
                "yes",
                f"creates {word} {name}; CREATE OR REPLACE",
                creates=[(word, name)],
            )
        why = f"{kind} without IF NOT EXISTS" if guardable else f"PostgreSQL has no {kind} IF NOT EXISTS"
        return Verdict(
            kind, "additive", "no", f"creates {word} {name}; {why}: fails on a re-run", creates=[(word, name)]
        )

    return handler


def _create_function(n: J, ctx: Ctx) -> Verdict:
    word = "procedure" if n.is_procedure else "function"
    name = dotted(n.funcname)
    kind = f"CREATE OR REPLACE {word.upper()}" if n.replace else f"CREATE {word.upper()}"
    idem, why = _if(n.replace, "CREATE OR REPLACE", f"CREATE {word.upper()} without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates {word} {name}; {why}", creates=[(word, name)])


def _create_trigger(n: J, ctx: Ctx) -> Verdict:
    name = f"{rangevar(n.relation)}.{n.trigname}"
    kind = "CREATE OR REPLACE TRIGGER" if n.replace else "CREATE TRIGGER"
    idem, why = _if(n.replace, "CREATE OR REPLACE TRIGGER", "CREATE TRIGGER without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates trigger {name}; {why}", creates=[("trigger", name)])


def _select_into(n: J) -> Verdict:
    name = rangevar(n.intoClause.rel)
    return Verdict(
        "SELECT INTO",
        "additive",
        "no",
        f"creates table {name}; SELECT INTO fails on a re-run",
        creates=[("table", name)],
    )


# --------------------------------------------------------------------------- DROP / RENAME / move


def _drop(n: J, ctx: Ctx) -> Verdict:
    word = object_word(n.removeType)
    kind = f"DROP {word.upper()}" + (" CONCURRENTLY" if n.concurrent else "")
    names = [dotted(o) for o in n.objects or ()]
    drops: list[ObjectRef] = [(word, name) for name in names]
    idem, why = _if(n.missing_ok, f"DROP {word.upper()} IF EXISTS", f"DROP {word.upper()} without IF EXISTS")
    what = ", ".join(names) or word
    return Verdict(kind, "destructive", idem, f"drops {word} {what}; {why}", drops=drops)


_RENAME_ADDITIVE = {"index", "constraint", "trigger", "policy", "rule", "statistics"}
_RENAME_RELATION = {"table", "view", "materialized view", "foreign table", "sequence", "index"}


def _rename(n: J, ctx: Ctx) -> Verdict:
    word = object_word(n.renameType)
    if word in ("column", "attribute"):
        old = f"{rangevar(n.relation)}.{n.subname}"
    elif n.relation is not None and word in _RENAME_RELATION:
        old = rangevar(n.relation)
    elif n.subname:
        old = f"{rangevar(n.relation)}.{n.subname}" if n.relation is not None else str(n.subname)
    else:
        old = dotted(n.object)
    kind = f"RENAME {word.upper()}"
    if word in _RENAME_ADDITIVE:
        klass: Klass = "additive"
        why_class = f"renames {word} {old} to {n.newname} (applications do not refer to it by name)"
    else:
        klass = "destructive"
        why_class = f"renames {word} {old} to {n.newname}: older app versions still use the old name"
    if n.missing_ok and word in _RENAME_RELATION:
        idem: Idem = "yes"
        why = "IF EXISTS: a re-run finds no old name and skips"
    else:
        idem, why = "no", "RENAME fails on a re-run (the old name is gone)"
    return Verdict(kind, klass, idem, f"{why_class}; {why}")


def _set_schema(n: J, ctx: Ctx) -> Verdict:
    word = object_word(n.objectType)
    name = rangevar(n.relation) if n.relation is not None else dotted(n.object)
    idem, why = _if(n.missing_ok, "IF EXISTS: a re-run skips", "SET SCHEMA fails on a re-run (moved already)")
    reason = f"moves {word} {name} to schema {n.newschema}: references by the old name break; {why}"
    return Verdict(f"ALTER {word.upper()} SET SCHEMA", "destructive", idem, reason)


def _truncate(n: J, ctx: Ctx) -> Verdict:
    names = ", ".join(rangevar(r) for r in n.relations or ())
    return Verdict("TRUNCATE", "destructive", "yes", f"empties {names}; re-runnable (the table ends empty either way)")


# --------------------------------------------------------------------------- ALTER TABLE


_SERIAL = {"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"}
_ROWS_GET_VALUE = {"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"}
_NOT_NULL = {"CONSTR_NOTNULL", "CONSTR_PRIMARY"}


def _add_column(table: str, cmd: J) -> Verdict:
    cd = cmd.get("def")
    col = f"{table}.{cd.colname}"
    cons = {c.contype for c in cd.constraints or () if _is(c, "Constraint")}
    type_name = dotted(cd.typeName.names[-1:]) if cd.typeName is not None and cd.typeName.names else ""
    not_null = bool(cd.is_not_null) or bool(cons & _NOT_NULL)
    filled = bool(cons & _ROWS_GET_VALUE) or type_name in _SERIAL or cd.identity not in ("", "\x00", None)
    if not_null and not filled:
        klass: Klass = "destructive"
        why_class = f"adds NOT NULL column {col} without DEFAULT: existing rows and older app versions' INSERTs fail"
    else:
        klass = "additive"
        why_class = f"adds column {col}" + (" with a default" if not_null else " (nullable or with a default)")
    idem, why = _if(cmd.missing_ok, "ADD COLUMN IF NOT EXISTS", "ADD COLUMN without IF NOT EXISTS fails on a re-run")
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
_SIMPLE: dict[str, tuple[str, Klass, str, str]] = {
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


def _alter_cmd(table: str, cmd: J) -> Verdict:
    st = cmd.subtype
    col = f"{table}.{cmd.name}" if cmd.name else table
    if st == "AT_AddColumn":
        return _add_column(table, cmd)
    if st in ("AT_AddConstraint", "AT_AddIndexConstraint"):
        return _add_constraint(table, cmd)
    if st == "AT_DropColumn":
        idem, why = _if(cmd.missing_ok, "DROP COLUMN IF EXISTS", "DROP COLUMN without IF EXISTS fails on a re-run")
        return Verdict("DROP COLUMN", "destructive", idem, f"drops column {col}; {why}", drops=[("column", col)])
    if st == "AT_DropConstraint":
        name = f"{table}.{cmd.name}"
        idem, why = _if(cmd.missing_ok, "DROP CONSTRAINT IF EXISTS", "DROP CONSTRAINT without IF EXISTS")
        return Verdict(
            "DROP CONSTRAINT",
            "destructive",
            idem,
            f"drops constraint {name}; {why}",
            drops=[("constraint", name)],
        )
    if st == "AT_ColumnDefault":
        if cmd.get("def") is None:
            return Verdict(
                "DROP DEFAULT",
                "destructive",
                "yes",
                f"drops the default of {col}: older app versions that omit it on INSERT break",
            )
        return Verdict("SET DEFAULT", "additive", "yes", f"sets the default of {col}; re-runnable")
    if st in _SIMPLE:
        label, klass, rule, what = _SIMPLE[st]
        if rule == "missing_ok":
            idem, why = _if(cmd.missing_ok, f"{label} IF EXISTS", f"{label} without IF EXISTS fails on a re-run")
        elif rule == "yes":
            idem, why = "yes", "re-runnable"
        else:
            idem, why = "no", f"{label} fails on a re-run"
        return Verdict(label, klass, idem, f"{col}: {what}; {why}")
    if st in _HARMLESS:
        label = _HARMLESS[st]
        return Verdict(label, "additive", "yes", f"{table}: {label} changes no columns or rows; re-runnable")
    label = _camel_words(str(st).removeprefix("AT_"))
    return Verdict(label, "additive", "unproven", f"{table}: ALTER TABLE {label} is not classified")


def _alter_table(n: J, ctx: Ctx) -> Verdict:
    table = rangevar(n.relation)
    word = object_word(n.objtype)
    parts = [_alter_cmd(table, c) for c in n.cmds or ()]
    if not parts:
        return Verdict(f"ALTER {word.upper()}", "additive", "yes", "no actions")
    return combine(f"ALTER {word.upper()}", parts)


def combine(prefix: str, parts: list[Verdict]) -> Verdict:
    """One verdict for a statement made of several actions: worst class, worst idempotency."""
    labels = list(dict.fromkeys(p.kind for p in parts))
    klass = worst_klass([p.klass for p in parts]) or "additive"
    idem = worst_idem([p.idem for p in parts]) or "yes"
    reasons = list(dict.fromkeys(p.reason for p in parts))
    return Verdict(
        f"{prefix} {', '.join(labels)}".strip(),
        klass,
        idem,
        "; ".join(reasons),
        opaque=any(p.opaque for p in parts),
        creates=[r for p in parts for r in p.creates],
        drops=[r for p in parts for r in p.drops],
    )


# --------------------------------------------------------------------------- types, domains, misc DDL


def _alter_enum(n: J, ctx: Ctx) -> Verdict:
    name = dotted(n.typeName)
    if n.oldVal is not None:
        return Verdict(
            "ALTER TYPE RENAME VALUE",
            "destructive",
            "no",
            f"renames value {n.oldVal!r} of {name}: older app versions still write it; fails on a re-run",
        )
    idem, why = _if(
        n.skipIfNewValExists, "ADD VALUE IF NOT EXISTS", "ADD VALUE without IF NOT EXISTS fails on a re-run"
    )
    return Verdict("ALTER TYPE ADD VALUE", "additive", idem, f"adds value {n.newVal!r} to {name}; {why}")


_DOMAIN = {
    "T": ("ALTER DOMAIN SET/DROP DEFAULT", "additive", "yes", "changes the default"),
    "N": ("ALTER DOMAIN DROP NOT NULL", "destructive", "yes", "drops NOT NULL from the domain"),
    "O": ("ALTER DOMAIN SET NOT NULL", "destructive", "yes", "sets NOT NULL on the domain"),
    "C": ("ALTER DOMAIN ADD CONSTRAINT", "additive", "no", "adds a constraint; no IF NOT EXISTS"),
    "X": ("ALTER DOMAIN DROP CONSTRAINT", "destructive", "missing_ok", "drops a constraint"),
    "V": ("ALTER DOMAIN VALIDATE CONSTRAINT", "additive", "yes", "validates a constraint"),
}


def _alter_domain(n: J, ctx: Ctx) -> Verdict:
    kind, klass, rule, what = _DOMAIN.get(str(n.subtype), ("ALTER DOMAIN", "additive", "unproven", "not classified"))
    if rule == "missing_ok":
        rule = "yes" if n.missing_ok else "no"
    return Verdict(kind, klass, rule, f"{dotted(n.typeName)}: {what}")  # type: ignore[arg-type]


def _grant(n: Any, ctx: Ctx) -> Verdict:
    if n.is_grant:
        return Verdict("GRANT", "additive", "yes", "grants privileges; re-runnable")
    return Verdict("REVOKE", "destructive", "yes", "revokes privileges older app versions may use; re-runnable")


def _comment(n: J, ctx: Ctx) -> Verdict:
    return Verdict("COMMENT ON", "additive", "yes", "sets a comment; re-runnable")


def _harmless(kind: str, what: str) -> Callable[[Any, Ctx], Verdict]:
    def handler(n: Any, ctx: Ctx) -> Verdict:
        return Verdict(kind, "additive", "yes", f"{what}; re-runnable")

    return handler


def _transaction(n: J, ctx: Ctx) -> Verdict:
    kind = str(n.kind or "TRANS_STMT_?").removeprefix("TRANS_STMT_").replace("_", " ")
    return Verdict(kind, "additive", "yes", "transaction control")


def _set(n: J, ctx: Ctx) -> Verdict:
    kind = "RESET" if str(n.kind or "").startswith("VAR_RESET") else "SET"
    return Verdict(kind, "additive", "yes", f"{kind} {n.name or ''}: session setting; re-runnable".replace("  ", " "))


# --------------------------------------------------------------------------- data


def _insert(n: J, ctx: Ctx) -> Verdict:
    table = rangevar(n.relation)
    if n.onConflictClause is not None:
        action = str(n.onConflictClause.action or "").removeprefix("ONCONFLICT_").replace("_", " ")
        return Verdict("INSERT", "data", "yes", f"inserts into {table}; ON CONFLICT DO {action} makes it re-runnable")
    src = n.selectStmt
    where = getattr(src, "whereClause", None)
    if where is not None and any(_is(x, "SubLink") for x in walk(where)):
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


def _update(n: J, ctx: Ctx) -> Verdict:
    table = rangevar(n.relation)
    if n.whereClause is None:
        return Verdict(
            "UPDATE",
            "destructive",
            "unproven",
            f"UPDATE without WHERE rewrites every row of {table}; re-run safety depends on the data",
        )
    return Verdict("UPDATE", "data", "unproven", f"updates rows of {table}; re-run safety depends on the data")


def _delete(n: J, ctx: Ctx) -> Verdict:
    table = rangevar(n.relation)
    if n.whereClause is None:
        return Verdict(
            "DELETE",
            "destructive",
            "unproven",
            f"DELETE without WHERE removes every row of {table}; re-run safety depends on the data",
        )
    return Verdict("DELETE", "data", "unproven", f"deletes rows of {table}; re-run safety depends on the data")


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
    called = sorted({dotted(f.funcname[-1:]) for f in walk(n) if _is(f, "FuncCall")})
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


def _do(n: J, ctx: Ctx) -> Verdict:
    # Imported here: the PL/pgSQL walker classifies the statements it finds with this module.
    from fes_docs.sql._plpgsql import analyze_do

    return analyze_do(n, ctx)


_HANDLERS: dict[str, Callable[[Any, Ctx], Verdict]] = {
    "CreateStmt": _create_table,
    "CreateTableAsStmt": _create_table_as,
    "ViewStmt": _create_view,
    "IndexStmt": _create_index,
    "CreateSeqStmt": _create_simple("sequence", lambda n: rangevar(n.sequence)),
    "CreateExtensionStmt": _create_simple("extension", lambda n: str(n.extname)),
    "CreateSchemaStmt": _create_simple("schema", lambda n: str(n.schemaname)),
    "CreateEnumStmt": _create_simple("type", lambda n: dotted(n.typeName), guardable=False),
    "CompositeTypeStmt": _create_simple("type", lambda n: rangevar(n.typevar), guardable=False),
    "CreateRangeStmt": _create_simple("type", lambda n: dotted(n.typeName), guardable=False),
    "CreateDomainStmt": _create_simple("domain", lambda n: dotted(n.domainname), guardable=False),
    "CreatePolicyStmt": _create_simple("policy", lambda n: f"{rangevar(n.table)}.{n.policy_name}", guardable=False),
    "CreateStatsStmt": _create_simple("statistics", lambda n: dotted(n.defnames)),
    "CreateFunctionStmt": _create_function,
    "CreateTrigStmt": _create_trigger,
    "DropStmt": _drop,
    "RenameStmt": _rename,
    "AlterObjectSchemaStmt": _set_schema,
    "AlterTableStmt": _alter_table,
    "AlterEnumStmt": _alter_enum,
    "AlterDomainStmt": _alter_domain,
    "TruncateStmt": _truncate,
    "GrantStmt": _grant,
    "GrantRoleStmt": _grant,
    "CommentStmt": _comment,
    "SecLabelStmt": _harmless("SECURITY LABEL", "sets a label"),
    "AlterSeqStmt": _harmless("ALTER SEQUENCE", "changes sequence options"),
    "AlterOwnerStmt": _harmless("ALTER OWNER", "changes an owner"),
    "AlterFunctionStmt": _harmless("ALTER FUNCTION", "changes function options"),
    "AlterTypeStmt": _harmless("ALTER TYPE", "changes type options"),
    "AlterPolicyStmt": _harmless("ALTER POLICY", "changes a policy"),
    "AlterExtensionStmt": _harmless("ALTER EXTENSION", "updates an extension"),
    "AlterRoleStmt": _harmless("ALTER ROLE", "changes role options"),
    "AlterRoleSetStmt": _harmless("ALTER ROLE SET", "changes a role setting"),
    "AlterDatabaseSetStmt": _harmless("ALTER DATABASE SET", "changes a database setting"),
    "AlterDefaultPrivilegesStmt": _harmless("ALTER DEFAULT PRIVILEGES", "changes default privileges"),
    "VariableSetStmt": _set,
    "VariableShowStmt": _harmless("SHOW", "reads a setting"),
    "TransactionStmt": _transaction,
    "LockStmt": _harmless("LOCK", "takes a lock"),
    "ConstraintsSetStmt": _harmless("SET CONSTRAINTS", "changes constraint timing"),
    "VacuumStmt": _harmless("VACUUM/ANALYZE", "maintenance"),
    "ClusterStmt": _harmless("CLUSTER", "reorders a table"),
    "ReindexStmt": _harmless("REINDEX", "rebuilds indexes"),
    "RefreshMatViewStmt": _harmless("REFRESH MATERIALIZED VIEW", "recomputes a view"),
    "CheckPointStmt": _harmless("CHECKPOINT", "maintenance"),
    "DiscardStmt": _harmless("DISCARD", "resets session state"),
    "ExplainStmt": _harmless("EXPLAIN", "shows a plan"),
    "NotifyStmt": _harmless("NOTIFY", "sends a notification"),
    "ListenStmt": _harmless("LISTEN", "listens for notifications"),
    "InsertStmt": _insert,
    "UpdateStmt": _update,
    "DeleteStmt": _delete,
    "MergeStmt": _merge,
    "CopyStmt": _copy,
    "SelectStmt": _select,
    "CallStmt": _call,
    "DoStmt": _do,
}


# --------------------------------------------------------------------------- positions


_COMMENTS = {"SQL_COMMENT", "C_COMMENT"}


def first_token(text: str, start: int, end: int) -> int:
    """Offset of the first real token at or after ``start``, skipping whitespace and comments.

    Recent libpg_query versions already start a statement at its first token; older ones start right
    after the previous semicolon, so this is checked rather than assumed, with PostgreSQL's own lexer.
    """
    head = text[start : start + 2]
    if head[:1] and not head[:1].isspace() and head not in ("--", "/*"):
        return start
    for tok in scan(text[start:end]):
        if tok.name not in _COMMENTS:
            return start + int(tok.start)
    return start
