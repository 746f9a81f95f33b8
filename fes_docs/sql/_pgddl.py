"""Classify PostgreSQL's schema statements: CREATE, DROP, RENAME, SET SCHEMA, TRUNCATE, types, domains, GRANT.

Each handler reads the clause that decides idempotency (``IF [NOT] EXISTS``, ``OR REPLACE``) from the tree;
the choices beyond the guide's list are explained in :mod:`fes_docs.sql._pg`. ``ALTER TABLE`` has a module
of its own (:mod:`fes_docs.sql._pgalter`): its many subcommands each get a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fes_docs.sql._model import Idem, Klass, ObjectRef
from fes_docs.sql._pgjson import J
from fes_docs.sql._pgnames import dotted, is_node, object_word, rangevar
from fes_docs.sql._verdict import Ctx, Rule, Verdict, guard

Handler = Callable[[Any, Ctx], Verdict]


# --------------------------------------------------------------------------- CREATE


def _create_table(n: J, ctx: Ctx) -> Verdict:
    name = rangevar(n.relation)
    creates: list[ObjectRef] = [("table", name)]
    creates += [("column", f"{name}.{e.colname}") for e in n.tableElts or () if is_node(e, "ColumnDef")]
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
    idem, why = guard(n.if_not_exists, f"{kind} IF NOT EXISTS", f"{kind} without IF NOT EXISTS fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates {word} {name}; {why}", creates=[(word, name)])


def _create_view(n: J, ctx: Ctx) -> Verdict:
    name = rangevar(n.view)
    kind = "CREATE OR REPLACE VIEW" if n.replace else "CREATE VIEW"
    idem, why = guard(n.replace, "CREATE OR REPLACE VIEW", "CREATE VIEW without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates view {name}; {why}", creates=[("view", name)])


def _create_index(n: J, ctx: Ctx) -> Verdict:
    kind = "CREATE UNIQUE INDEX" if n.unique else "CREATE INDEX"
    if n.concurrent:
        kind += " CONCURRENTLY"
    table = rangevar(n.relation)
    if n.idxname is None:
        return Verdict(kind, "additive", "no", f"adds an index on {table}; unnamed index: every run adds another")
    name = f"{n.relation.schemaname}.{n.idxname}" if n.relation.schemaname else str(n.idxname)
    idem, why = guard(n.if_not_exists, f"{kind} IF NOT EXISTS", f"{kind} without IF NOT EXISTS fails on a re-run")
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


def create_function(n: J, ctx: Ctx) -> Verdict:
    """The definition itself; :mod:`fes_docs.sql._pg` folds in what the body runs."""
    word = "procedure" if n.is_procedure else "function"
    name = dotted(n.funcname)
    kind = f"CREATE OR REPLACE {word.upper()}" if n.replace else f"CREATE {word.upper()}"
    idem, why = guard(n.replace, "CREATE OR REPLACE", f"CREATE {word.upper()} without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates {word} {name}; {why}", creates=[(word, name)])


def _create_trigger(n: J, ctx: Ctx) -> Verdict:
    name = f"{rangevar(n.relation)}.{n.trigname}"
    kind = "CREATE OR REPLACE TRIGGER" if n.replace else "CREATE TRIGGER"
    idem, why = guard(n.replace, "CREATE OR REPLACE TRIGGER", "CREATE TRIGGER without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates trigger {name}; {why}", creates=[("trigger", name)])


# --------------------------------------------------------------------------- DROP / RENAME / move


def _drop(n: J, ctx: Ctx) -> Verdict:
    word = object_word(n.removeType)
    kind = f"DROP {word.upper()}" + (" CONCURRENTLY" if n.concurrent else "")
    names = [dotted(o) for o in n.objects or ()]
    drops: list[ObjectRef] = [(word, name) for name in names]
    idem, why = guard(n.missing_ok, f"DROP {word.upper()} IF EXISTS", f"DROP {word.upper()} without IF EXISTS")
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
    idem, why = guard(n.missing_ok, "IF EXISTS: a re-run skips", "SET SCHEMA fails on a re-run (moved already)")
    reason = f"moves {word} {name} to schema {n.newschema}: references by the old name break; {why}"
    return Verdict(f"ALTER {word.upper()} SET SCHEMA", "destructive", idem, reason)


def _truncate(n: J, ctx: Ctx) -> Verdict:
    names = ", ".join(rangevar(r) for r in n.relations or ())
    return Verdict("TRUNCATE", "destructive", "yes", f"empties {names}; re-runnable (the table ends empty either way)")


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
    idem, why = guard(
        n.skipIfNewValExists, "ADD VALUE IF NOT EXISTS", "ADD VALUE without IF NOT EXISTS fails on a re-run"
    )
    return Verdict("ALTER TYPE ADD VALUE", "additive", idem, f"adds value {n.newVal!r} to {name}; {why}")


#: ``AlterDomainStmt.subtype`` → (kind, class, idempotency rule, what it does).
_DOMAIN: dict[str, tuple[str, Klass, Rule, str]] = {
    "T": ("ALTER DOMAIN SET/DROP DEFAULT", "additive", "yes", "changes the default"),
    "N": ("ALTER DOMAIN DROP NOT NULL", "destructive", "yes", "drops NOT NULL from the domain"),
    "O": ("ALTER DOMAIN SET NOT NULL", "destructive", "yes", "sets NOT NULL on the domain"),
    "C": ("ALTER DOMAIN ADD CONSTRAINT", "additive", "no", "adds a constraint; no IF NOT EXISTS"),
    "X": ("ALTER DOMAIN DROP CONSTRAINT", "destructive", "missing_ok", "drops a constraint"),
    "V": ("ALTER DOMAIN VALIDATE CONSTRAINT", "additive", "yes", "validates a constraint"),
}


def _alter_domain(n: J, ctx: Ctx) -> Verdict:
    kind, klass, rule, what = _DOMAIN.get(str(n.subtype), ("ALTER DOMAIN", "additive", "unproven", "not classified"))
    idem: Idem = ("yes" if n.missing_ok else "no") if rule == "missing_ok" else rule
    return Verdict(kind, klass, idem, f"{dotted(n.typeName)}: {what}")


def _rule(n: J, ctx: Ctx) -> Verdict:
    name = f"{rangevar(n.relation)}.{n.rulename}"
    kind = "CREATE OR REPLACE RULE" if n.replace else "CREATE RULE"
    idem, why = guard(n.replace, "CREATE OR REPLACE RULE", "CREATE RULE without OR REPLACE fails on a re-run")
    return Verdict(kind, "additive", idem, f"creates rule {name}, which rewrites later writes; {why}")


def _database(n: J, ctx: Ctx) -> Verdict:
    if n.tag == "CreatedbStmt":
        return Verdict("CREATE DATABASE", "additive", "no", f"creates database {n.dbname}; fails on a re-run")
    idem, why = guard(n.missing_ok, "DROP DATABASE IF EXISTS", "DROP DATABASE without IF EXISTS")
    return Verdict("DROP DATABASE", "destructive", idem, f"drops database {n.dbname}; {why}")


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


HANDLERS: dict[str, Handler] = {
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
    "CreateTrigStmt": _create_trigger,
    "DropStmt": _drop,
    "RenameStmt": _rename,
    "AlterObjectSchemaStmt": _set_schema,
    "AlterEnumStmt": _alter_enum,
    "AlterDomainStmt": _alter_domain,
    "TruncateStmt": _truncate,
    "RuleStmt": _rule,
    "CreatedbStmt": _database,
    "DropdbStmt": _database,
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
    "NotifyStmt": _harmless("NOTIFY", "sends a notification"),
    "ListenStmt": _harmless("LISTEN", "listens for notifications"),
}
