"""What a statement does besides what its head says: writes nested in it, and escapes from the database.

A statement's handler judges its head (``SELECT``, ``EXPLAIN``, ``COPY``, ``CREATE RULE`` …). Two things can
hide below that head, and a migration that hides them must not pass as harmless:

* **nested writes** — ``INSERT``/``UPDATE``/``DELETE``/``MERGE`` anywhere in the tree. Those run now —
  a data-modifying ``WITH`` (``WITH d AS (DELETE …) SELECT …``), ``COPY (DELETE … RETURNING *) TO …`` —
  are classified by the same dispatch as a top-level statement and folded in (worst class, worst
  idempotency). Those installed to run later — a rule's actions, a ``BEGIN ATOMIC`` function body, a
  ``PREPARE``d statement — give their class only: the definition's own re-run safety is its own.
  ``EXPLAIN`` without ``ANALYZE`` only plans its query, so nothing below it counts;
* **escapes** — what reaches past the scratch schema a migration should own: the server's files and
  programs (``COPY … TO/FROM PROGRAM`` or a server file, ``pg_read_file``, ``lo_import``/``lo_export``,
  ``adminpack``), the cluster (``ALTER SYSTEM``, roles, databases, tablespaces, ``LOAD``, predefined
  ``pg_*`` roles granted), other servers (``dblink``, foreign servers and user mappings), and native code
  (``CREATE EXTENSION`` of an extension PostgreSQL does not mark trusted, functions and ``DO`` blocks in
  ``C``, ``internal`` or an untrusted ``…u`` language). They make the statement ``unsafe``: the fourth
  class, worse than destructive, which no declaration covers.

The walk stops at each nested write (its own classification walks below it), so every node is visited
once per statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fes_docs.sql._model import IDEM_RANK, KLASS_RANK, Klass
from fes_docs.sql._pgjson import J
from fes_docs.sql._pgnames import dotted, is_node
from fes_docs.sql._verdict import Verdict, combine

_WRITES = frozenset({"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"})

#: Statements that act on the cluster, not the database a migration owns.
_CLUSTER_STATEMENTS = {
    "AlterSystemStmt": "ALTER SYSTEM rewrites the server's configuration",
    "CreateRoleStmt": "creates a role: roles are cluster-wide",
    "AlterRoleStmt": "changes a role: roles are cluster-wide",
    "AlterRoleSetStmt": "changes a role's settings: roles are cluster-wide",
    "DropRoleStmt": "drops a role: roles are cluster-wide",
    "CreatedbStmt": "creates a database",
    "DropdbStmt": "drops a database",
    "CreateTableSpaceStmt": "creates a tablespace in the server's file system",
    "DropTableSpaceStmt": "drops a tablespace",
    "LoadStmt": "LOAD loads a shared library into the server",
    "CreateFdwStmt": "creates a foreign-data wrapper: a door to other servers",
    "CreateForeignServerStmt": "creates a foreign server: a door to other servers",
    "CreateUserMappingStmt": "creates a user mapping: credentials for another server",
    "AlterUserMappingStmt": "changes a user mapping: credentials for another server",
    "ImportForeignSchemaStmt": "imports tables of another server",
    "CreatePLangStmt": "creates a procedural language",
}

#: Functions that read or write the server's files, other servers, or the server's processes.
_ESCAPE_FUNCTIONS = {
    "pg_read_file": "reads a file on the database server",
    "pg_read_binary_file": "reads a file on the database server",
    "pg_stat_file": "inspects a file on the database server",
    "pg_ls_dir": "lists a directory on the database server",
    "pg_ls_logdir": "lists the server's log directory",
    "pg_ls_waldir": "lists the server's WAL directory",
    "pg_ls_tmpdir": "lists the server's temporary directory",
    "pg_ls_archive_statusdir": "lists the server's archive directory",
    "lo_import": "reads a file on the database server into a large object",
    "lo_export": "writes a large object to a file on the database server",
    "pg_file_write": "writes a file on the database server (adminpack)",
    "pg_file_rename": "renames a file on the database server (adminpack)",
    "pg_file_unlink": "deletes a file on the database server (adminpack)",
    "pg_file_sync": "touches a file on the database server (adminpack)",
    "dblink": "queries another server (dblink)",
    "dblink_exec": "runs a statement on another server (dblink)",
    "dblink_connect": "connects to another server (dblink)",
    "dblink_connect_u": "connects to another server (dblink)",
    "dblink_send_query": "sends a query to another server (dblink)",
    "pg_terminate_backend": "terminates another session",
    "pg_cancel_backend": "cancels another session's query",
    "pg_reload_conf": "reloads the server's configuration",
    "pg_rotate_logfile": "rotates the server's log file",
    "pg_promote": "promotes a standby server",
}

#: Extensions PostgreSQL itself marks ``trusted = true`` (PostgreSQL 13+, contrib and the PL extensions):
#: a database owner may create them without superuser. Every other extension needs superuser.
TRUSTED_EXTENSIONS = frozenset(
    {
        "btree_gin",
        "btree_gist",
        "citext",
        "cube",
        "dict_int",
        "fuzzystrmatch",
        "hstore",
        "intarray",
        "isn",
        "lo",
        "ltree",
        "pg_trgm",
        "pgcrypto",
        "plpgsql",
        "seg",
        "tablefunc",
        "tcn",
        "tsm_system_rows",
        "tsm_system_time",
        "unaccent",
        "uuid-ossp",
        "plperl",
        "pltcl",
        "bool_plperl",
        "hstore_plperl",
        "jsonb_plperl",
    }
)


def untrusted_language(language: str) -> bool:
    """True for languages whose code runs with the server's rights: ``C``, ``internal``, ``plpython3u`` …"""
    lang = language.lower()
    return lang in ("c", "internal") or (lang.startswith("pl") and lang.endswith("u"))


@dataclass
class Hidden:
    """What one walk below a statement's head found."""

    writes: list[J] = field(default_factory=list)
    installed: list[J] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)


#: Fields whose statements a definition installs rather than runs: rule actions, SQL-standard bodies.
_INSTALLED = {("RuleStmt", "actions"), ("CreateFunctionStmt", "sql_body"), ("PrepareStmt", "query")}


def inspect(node: J) -> Hidden:
    """The nested writes and the escapes of one statement (the statement itself included for escapes)."""
    found = Hidden()
    _escape(node, found)
    if node.tag == "ExplainStmt":  # its handler judges the query, run only under ANALYZE
        return found
    stack: list[tuple[Any, bool]] = [(v, (node.tag, k) in _INSTALLED) for k, v in node.items()]
    while stack:
        n, later = stack.pop()
        if isinstance(n, tuple):
            stack.extend((x, later) for x in n)
        elif isinstance(n, J):
            if n.tag in _WRITES:
                (found.installed if later else found.writes).append(n)
                continue
            if n.tag == "ExplainStmt" and not explain_runs(n):
                continue
            if n.tag is not None:
                _escape(n, found)
            stack.extend((v, later) for v in n.values())
    return found


def explain_runs(n: J) -> bool:
    """True for ``EXPLAIN ANALYZE``: only then does the explained statement run."""
    for opt in n.options or ():
        if is_node(opt, "DefElem") and opt.defname == "analyze":
            arg = opt.arg
            if arg is None:
                return True
            value = str(getattr(arg, "sval", None) or getattr(arg, "boolval", None) or "").lower()
            return value in ("true", "on", "1", "yes")
    return False


def _escape(n: J, found: Hidden) -> None:
    tag = n.tag or ""
    why = _CLUSTER_STATEMENTS.get(tag)
    if why is not None:
        found.escapes.append(why)
    elif tag == "FuncCall":
        name = dotted(n.funcname[-1:] if n.funcname else ()).lower()
        what = _ESCAPE_FUNCTIONS.get(name)
        if what is not None:
            found.escapes.append(f"{name}() {what}")
    elif tag == "CopyStmt":
        _copy(n, found)
    elif tag == "CreateExtensionStmt":
        name = str(n.extname or "?")
        if name.lower() not in TRUSTED_EXTENSIONS:
            found.escapes.append(f"extension {name} is not marked trusted: creating it needs superuser")
    elif tag in ("CreateFunctionStmt", "DoStmt"):
        language = _language(n)
        if language is not None and untrusted_language(language):
            found.escapes.append(f"code in language {language} runs with the database server's rights")
    elif tag == "GrantRoleStmt" and n.is_grant:
        roles = [str(r.priv_name) for r in n.granted_roles or () if str(r.priv_name or "").startswith("pg_")]
        if roles:
            found.escapes.append(f"grants the predefined role(s) {', '.join(roles)}")


def _copy(n: J, found: Hidden) -> None:
    if n.is_program:
        found.escapes.append(f"COPY … PROGRAM runs a shell command on the database server ({n.filename!s})")
    elif n.filename is not None:
        direction = "reads" if n.is_from else "writes"
        found.escapes.append(f"COPY {direction} the server file {n.filename!s}")


def _language(n: J) -> str | None:
    for key in ("options", "args"):
        for opt in getattr(n, key) or ():
            if is_node(opt, "DefElem") and opt.defname == "language" and is_node(opt.arg, "String"):
                return str(opt.arg.sval)
    return "sql" if n.tag == "CreateFunctionStmt" and n.sql_body is not None else None


def fold(head: Verdict, nested: list[Verdict], installed: list[Verdict], escapes: list[str]) -> Verdict:
    """``head`` with what was found below it: nested writes folded in, installed ones lifting its class,
    escapes making it ``unsafe``."""
    if not nested and not installed and not escapes:
        return head
    v = head
    if installed:
        later = combine("", installed)
        if KLASS_RANK[later.klass] > KLASS_RANK[v.klass]:
            v.klass = later.klass
            v.reason += f"; installs a {later.kind.strip()} run later: {later.reason}"
    if nested:
        writes = combine("", nested)
        klass: Klass = max((v.klass, writes.klass), key=KLASS_RANK.__getitem__)
        idem = max((v.idem, writes.idem), key=IDEM_RANK.__getitem__)
        reason = f"{v.reason}; runs a nested {writes.kind.strip()}: {writes.reason}"
        v = Verdict(
            v.kind,
            klass,
            idem,
            reason,
            opaque=v.opaque or writes.opaque,
            creates=v.creates + writes.creates,
            drops=v.drops + writes.drops,
            inner=v.inner,
        )
    if escapes:
        reasons = "; ".join(dict.fromkeys(escapes))
        v = Verdict(
            v.kind,
            "unsafe",
            v.idem,
            f"{reasons} (escapes the database the migration owns); {v.reason}",
            opaque=v.opaque,
            creates=v.creates,
            drops=v.drops,
            inner=v.inner,
        )
    return v
