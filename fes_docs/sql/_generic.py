"""Classify migrations of other dialects (MySQL, H2, …) with sqlglot.

sqlglot is used only where pglast cannot be (see :mod:`fes_docs.sql.analyze` for the measurement). Its
grammar coverage is narrower than the databases': a statement it cannot build a tree for (a ``Command``
fallback, or a parse error inside one statement) is therefore reported as **opaque** — classified by its
leading keywords from sqlglot's lexer, idempotency "unproven" — rather than as a syntax error that the
database itself would not raise. Only a lexer failure (an unterminated string or comment) makes the file
unparsable.

Statements are cut by :func:`fes_docs.sql.split.cut_tokens` on ``;`` tokens from sqlglot's lexer; for
MySQL/MariaDB the client's ``DELIMITER`` directive (which Flyway honours) switches the separator, so
``CREATE FUNCTION … BEGIN …; END //`` stays one statement.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlglot import Dialect, Token, TokenType, exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

from fes_docs.positions import LineIndex
from fes_docs.sql._model import Analysis, Idem, Klass, SqlError, summarize
from fes_docs.sql._myescapes import escape
from fes_docs.sql._verdict import Verdict, combine
from fes_docs.sql.dialects import MYSQL_FAMILY, has_guard, insert_guard
from fes_docs.sql.split import cut_tokens

#: Dialect names that sqlglot spells differently or does not have (H2/HSQLDB speak near-ANSI SQL).
_ALIASES = {
    "h2": "",
    "hsqldb": "",
    "ansi": "",
    "generic": "",
    "mariadb": "mysql",
    "sqlserver": "tsql",
    "mssql": "tsql",
    "db2": "",
}
_DELIMITER_DIALECTS = {"mysql"}


def sqlglot_dialect(name: str) -> str | None:
    """The sqlglot dialect name for a policy dialect, or None if sqlglot does not know it."""
    key = name.strip().lower()
    if not key:
        return None
    mapped = _ALIASES.get(key, key)
    try:
        Dialect.get_or_raise(mapped or None)
    except (ValueError, KeyError):
        return None
    return mapped


@contextmanager
def _quiet() -> Iterator[None]:
    """sqlglot logs a warning for each Command fallback; the fallback is reported as opacity instead."""
    logger = logging.getLogger("sqlglot")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def analyze_generic(text: str, dialect: str) -> Analysis:
    name = sqlglot_dialect(dialect)
    if name is None:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    d = Dialect.get_or_raise(name or None)
    tokenizer = d.tokenizer_class(dialect=d)
    try:
        tokens = tokenizer.tokenize(text)
    except TokenError as exc:
        line, column = LineIndex(text).position(_token_error_offset(tokenizer, exc))
        message = "the SQL lexer stops here: an unterminated string, quoted name or comment"
        return Analysis((), SqlError(line, column, message), None)
    flavour = dialect.strip().lower()  # "mariadb" and "mysql" share sqlglot's dialect, not their guards
    statements = [
        _classify_chunk(d, chunk, text, flavour).place(cut.line, cut.column, cut.text)
        for chunk, cut in cut_tokens(tokens, text, name in _DELIMITER_DIALECTS)
    ]
    return summarize(statements)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _token_error_offset(tokenizer: Any, exc: TokenError) -> int:
    """Where lexing stopped: the start of the unterminated literal when sqlglot exposes it."""
    core = getattr(tokenizer, "_core", tokenizer)
    for attr in ("_start", "_current"):
        value = getattr(core, attr, None)
        if isinstance(value, int):
            return value
    return (exc.start or 0) + 50 if exc.start else 0


def _classify_chunk(d: Dialect, chunk: list[Token], text: str, flavour: str) -> Verdict:
    if flavour in MYSQL_FAMILY and (found := escape(chunk)) is not None:
        kind, why = found
        return Verdict(kind, "unsafe", "unproven", f"{why} (escapes the database the migration owns)")
    if any(t.token_type == TokenType.SEMICOLON for t in chunk):
        return _by_keywords(chunk, "a compound statement (BEGIN … END) sqlglot does not model")
    parser = d.parser(error_level=ErrorLevel.RAISE)
    try:
        with _quiet():
            trees = parser.parse(chunk, text)
    except ParseError as exc:
        desc = str(exc.errors[0].get("description", exc)) if exc.errors else str(exc)
        return _by_keywords(chunk, f"sqlglot cannot parse it ({_first_line(desc)})")
    tree = trees[0] if trees else None
    if tree is None or isinstance(tree, exp.Command):
        return _by_keywords(chunk, "sqlglot keeps it as an opaque command")
    return _classify_tree(tree, flavour) or _by_keywords(chunk, f"{type(tree).__name__} is not classified")


def _by_keywords(chunk: list[Token], why: str) -> Verdict:
    """Opaque verdict from the leading keywords (lexer tokens, never raw text)."""
    words = [t.text.upper() for t in chunk[:8] if t.token_type not in (TokenType.STRING, TokenType.IDENTIFIER)]
    head = words[0] if words else "?"
    kind = " ".join(words[:2]) if head in ("CREATE", "DROP", "ALTER") else head
    klass: Klass = "additive"
    if head in ("DROP", "TRUNCATE", "RENAME"):
        klass = "destructive"
    elif head in ("INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT", "CALL"):
        klass = "data"
    joined = " ".join(words)
    guarded = any(g in joined for g in ("IF NOT EXISTS", "IF EXISTS", "OR REPLACE"))
    idem: Idem = "unproven"
    note = " (it has IF [NOT] EXISTS / OR REPLACE, but the rest is not seen)" if guarded else ""
    return Verdict(kind, klass, idem, f"{kind}: {why}; the tool cannot vouch for it{note}", opaque=True)


def _name(node: Any) -> str:
    if node is None:
        return "?"
    table = node if isinstance(node, exp.Table) else node.find(exp.Table)
    if isinstance(table, exp.Table):
        parts = [p.name for p in (table.args.get("db"), table.this) if isinstance(p, exp.Expression)]
        return ".".join(parts) or table.name
    return str(getattr(node, "name", "") or "?")


def _target(node: Any) -> str:
    """A dropped object's name: ``db.t`` for a table, the database for ``DROP SCHEMA x``, a column's name."""
    if isinstance(node, exp.Table):
        return _name(node) or "?"
    return str(getattr(node, "name", "") or "?")


def _classify_tree(e: Any, flavour: str) -> Verdict | None:
    if isinstance(e, exp.Create):
        return _create(e, flavour)
    if isinstance(e, exp.Drop):
        # sqlglot 30 keeps a DROP's targets in "tables" (this is None); DROP INDEX ix ON t names its table
        targets = e.args.get("tables") or ([e.this] if e.this is not None else list(e.expressions))
        on = e.args.get("cluster")
        table = _name(on.this) if isinstance(on, exp.OnProperty) else None
        return _drop(e, [_target(t) for t in targets] or ["?"], table, flavour)
    if isinstance(e, exp.Alter):
        return _alter(e, flavour)
    if isinstance(e, exp.Insert):
        table = _name(e.this)
        if e.args.get("conflict") is not None or e.args.get("ignore"):
            return Verdict("INSERT", "data", "yes", f"inserts into {table}; ON CONFLICT/ON DUPLICATE KEY/IGNORE")
        guard = insert_guard(flavour)
        return Verdict("INSERT", "data", "no", f"inserts into {table}; without {guard} a re-run duplicates rows")
    if isinstance(e, exp.Update | exp.Delete):
        word = "UPDATE" if isinstance(e, exp.Update) else "DELETE"
        table = _name(e.this)
        if e.args.get("where") is None:
            return Verdict(word, "destructive", "unproven", f"{word} without WHERE touches every row of {table}")
        return Verdict(word, "data", "unproven", f"{word} of rows of {table}; re-run safety depends on the data")
    if isinstance(e, exp.TruncateTable):
        return Verdict("TRUNCATE", "destructive", "yes", "empties tables; re-runnable")
    if isinstance(e, exp.Merge):
        return Verdict("MERGE", "data", "unproven", "merges rows; re-run safety depends on the data")
    if isinstance(e, exp.Select):
        if any(isinstance(f, exp.Anonymous) for f in e.find_all(exp.Anonymous)):
            return Verdict("SELECT", "data", "unproven", "calls functions whose effects are not judged")
        return Verdict("SELECT", "additive", "yes", "reads only")
    if isinstance(e, exp.Set | exp.Use | exp.Transaction | exp.Commit | exp.Rollback | exp.Comment):
        return Verdict(type(e).__name__.upper(), "additive", "yes", "session, transaction or comment; re-runnable")
    return None


def _no_guard(flavour: str, kind: str, clause: str) -> str:
    """Why a statement fails on a re-run, with the guard to add, or the dialect's lack of one."""
    if has_guard(flavour, kind):
        return f"without {clause} it fails on a re-run"
    name = "MariaDB" if flavour == "mariadb" else "MySQL"
    return (
        f"it fails on a re-run, and {name} has no {kind} {clause}: "
        "check information_schema first, and prove it with `fes-docs dry-run`"
    )


def _create(e: exp.Create, flavour: str) -> Verdict:
    kind_word = str(e.args.get("kind") or "object").upper()
    word = kind_word.lower()
    target = e.this
    if isinstance(target, exp.Index):
        name = target.name or "?"
    elif isinstance(target, exp.Schema | exp.Table):
        name = _name(target)
    else:
        name = str(getattr(target, "name", "") or "?")
    creates: list[tuple[str, str]] = [(word, name)]
    if isinstance(target, exp.Schema):
        creates += [("column", f"{name}.{c.name}") for c in target.expressions if isinstance(c, exp.ColumnDef)]
    replace = "OR REPLACE " if e.args.get("replace") else ""
    unique = "UNIQUE " if e.args.get("unique") else ""
    label = f"CREATE {replace}{unique}{kind_word}"
    if e.args.get("exists"):
        return Verdict(label, "additive", "yes", f"creates {word} {name}; IF NOT EXISTS", creates=creates)
    if e.args.get("replace"):
        return Verdict(label, "additive", "yes", f"creates {word} {name}; OR REPLACE", creates=creates)
    why = _no_guard(flavour, f"CREATE {kind_word}", "IF NOT EXISTS")
    return Verdict(label, "additive", "no", f"creates {word} {name}; {why}", creates=creates)


def _drop(e: exp.Drop, names: list[str], table: str | None, flavour: str) -> Verdict:
    word = str(e.args.get("kind") or "object").lower()
    fulls = [f"{table}.{n}" if table and word in ("column", "constraint", "index") else n for n in names]
    idem: Idem = "yes" if e.args.get("exists") else "no"
    why = "IF EXISTS" if idem == "yes" else _no_guard(flavour, f"DROP {word.upper()}", "IF EXISTS")
    return Verdict(
        f"DROP {word.upper()}",
        "destructive",
        idem,
        f"drops {word} {', '.join(fulls)}; {why}",
        drops=[(word, full) for full in fulls],
    )


def _alter(e: exp.Alter, flavour: str) -> Verdict:
    table = _name(e.this)
    parts = [_action(table, a, flavour) for a in e.args.get("actions") or ()]
    if not parts:
        return Verdict("ALTER", "additive", "unproven", "ALTER without recognised actions")
    return combine(f"ALTER {str(e.args.get('kind') or '').upper()}".strip(), parts)


def _action(table: str, a: exp.Expression, flavour: str) -> Verdict:
    if isinstance(a, exp.ColumnDef):
        return _add_column(table, a, flavour)
    if isinstance(a, exp.Drop):
        targets = a.args.get("tables") or [a.this]
        return _drop(a, [_target(t) for t in targets], table, flavour)
    if isinstance(a, exp.AlterColumn):
        return _alter_column(table, a)
    if isinstance(a, exp.ModifyColumn):
        col = a.this.name if isinstance(a.this, exp.ColumnDef) else "?"
        old = a.args.get("rename_from")
        if old is not None and old.name.lower() != col.lower():  # MySQL's column names ignore case
            return _renamed("CHANGE COLUMN", f"column {table}.{old.name} to {col}")
        if old is not None:  # CHANGE COLUMN a a <type>: the same name, so a retype, not a rename
            return Verdict("CHANGE COLUMN", "destructive", "yes", f"redefines column {table}.{col} (type/nullability)")
        return Verdict("MODIFY COLUMN", "destructive", "yes", f"redefines column {table}.{col} (type/nullability)")
    if isinstance(a, exp.RenameColumn):
        return _renamed("RENAME COLUMN", f"column {table}.{a.this.name}")
    if isinstance(a, exp.AlterRename):
        return _renamed("RENAME TO", f"table {table}")
    if isinstance(a, exp.AddConstraint):
        why = _no_guard(flavour, "ADD CONSTRAINT", "IF NOT EXISTS")
        return Verdict("ADD CONSTRAINT", "additive", "no", f"adds a constraint to {table}; {why}")
    return Verdict(type(a).__name__.upper(), "additive", "unproven", f"{table}: action not classified", opaque=True)


def _renamed(kind: str, what: str) -> Verdict:
    """A rename inside ``ALTER TABLE``: destructive for the same reason whatever it renames, and a re-run fails."""
    return Verdict(kind, "destructive", "no", f"renames {what}: older app versions use the old name")


def _add_column(table: str, c: exp.ColumnDef, flavour: str) -> Verdict:
    col = f"{table}.{c.name}"
    kinds = [k.args.get("kind") for k in c.args.get("constraints") or () if isinstance(k, exp.ColumnConstraint)]
    not_null = any(isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in kinds)
    not_null |= any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in kinds)
    filled = any(
        isinstance(
            k,
            exp.DefaultColumnConstraint
            | exp.GeneratedAsIdentityColumnConstraint
            | exp.ComputedColumnConstraint
            | exp.AutoIncrementColumnConstraint,
        )
        for k in kinds
    )
    if not_null and not filled:
        klass: Klass = "destructive"
        what = f"adds NOT NULL column {col} without DEFAULT: existing rows and older app versions' INSERTs fail"
    else:
        klass, what = "additive", f"adds column {col}"
    idem: Idem = "yes" if c.args.get("exists") else "no"
    why = "IF NOT EXISTS" if idem == "yes" else _no_guard(flavour, "ADD COLUMN", "IF NOT EXISTS")
    return Verdict("ADD COLUMN", klass, idem, f"{what}; {why}", creates=[("column", col)])


def _alter_column(table: str, a: exp.AlterColumn) -> Verdict:
    col = f"{table}.{a.name}"
    if a.args.get("dtype") is not None:
        return Verdict("ALTER COLUMN TYPE", "destructive", "yes", f"changes the type of {col}")
    if a.args.get("allow_null") is False:
        return Verdict("SET NOT NULL", "destructive", "yes", f"sets NOT NULL on {col}")
    if a.args.get("allow_null") is True and a.args.get("drop"):
        return Verdict("DROP NOT NULL", "destructive", "yes", f"drops NOT NULL from {col}")
    if a.args.get("default") is not None:
        return Verdict("SET DEFAULT", "additive", "yes", f"sets the default of {col}")
    if a.args.get("drop"):
        return Verdict("DROP DEFAULT", "destructive", "yes", f"drops the default of {col}")
    return Verdict("ALTER COLUMN", "additive", "unproven", f"{col}: change not classified", opaque=True)
