"""See into ``DO $$ … $$`` blocks with PostgreSQL's own PL/pgSQL parser.

A ``DO`` body is a string to the SQL grammar, so a migration that wraps ``ALTER TABLE … DROP COLUMN`` in
``DO $$ BEGIN … END $$`` would look harmless to a statement-level check. libpg_query ships the PL/pgSQL
parser too (``pglast.parser.parse_plpgsql_json``); it takes a ``CREATE FUNCTION`` statement, so the body
is wrapped in one. Every SQL statement the body runs is then parsed and classified like a top-level one
and located in the file (PL/pgSQL reports line numbers relative to the body).

How the block is judged:

* its class is the most severe statement inside (``additive`` if it runs none);
* a statement that is not idempotent on its own but sits under ``IF``/``CASE`` or in a block with an
  ``EXCEPTION`` handler is the classic hand-written guard: the block is "unproven", left to the dry run;
* ``EXECUTE`` of a constant string is parsed like any statement; ``EXECUTE`` of a computed string
  (``format(…)``, ``||``), a dynamic ``FOR … IN EXECUTE``, a body in another language, a body the
  PL/pgSQL parser rejects, or a ``DO`` nested in a ``DO`` make the block **opaque**: the tool cannot
  vouch for it (a warning), and its idempotency is "unproven".

Inner statements keep their own verdicts (as if run alone); the ``DO`` statement's verdict is the one
that counts. Expressions in assignments and conditions are not judged (a function call there could
write; that is what the dry run is for).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pglast.parser import ParseError, parse_plpgsql_json, scan

from fes_docs.sql._model import KLASS_RANK, Idem, Statement, worst_idem, worst_klass
from fes_docs.sql._pgjson import J, parse
from fes_docs.sql._verdict import Ctx, Verdict
from fes_docs.sql.split import parse_statements

#: How a statement found in a body is judged: :func:`fes_docs.sql._pg.classify`, passed in by its ``DO``
#: handler (which is what runs this module), so that neither module has to import the other at run time.
Classify = Callable[[J, Ctx], Verdict]

_GUARDS = {"PLpgSQL_stmt_if", "PLpgSQL_stmt_case"}


@dataclass
class _Found:
    """What the walk over one body collected."""

    inner: list[tuple[Statement, bool]] = field(default_factory=list)  # (statement, guarded)
    opaque: list[str] = field(default_factory=list)
    guarded_kinds: list[str] = field(default_factory=list)


def analyze_do(n: J, ctx: Ctx, classify: Classify) -> Verdict:
    body, language = "", "plpgsql"
    for opt in n.args or ():
        arg = opt.arg
        if not (isinstance(arg, J) and arg.tag == "String"):
            continue
        if opt.defname == "as":
            body = str(arg.sval)
        elif opt.defname == "language":
            language = str(arg.sval)
    if language.lower() != "plpgsql":
        return _opaque(f"DO block in language {language}: the tool cannot see into it")
    if ctx.depth > 0:
        return _opaque("DO block run from inside another DO block: the tool cannot see into it")
    found = _walk_body(_wrap(body), _body_offset(ctx, after=None), ctx, classify)
    if isinstance(found, str):
        return _opaque(f"DO body is not valid PL/pgSQL ({found}): the tool cannot see into it")
    return _verdict(found)


def analyze_function_body(n: J, ctx: Ctx, classify: Classify) -> Verdict | None:
    """What a ``CREATE FUNCTION``/``PROCEDURE`` body in SQL or PL/pgSQL would run when called, or None.

    Only the class counts: defining the function changes nothing, but a migration (or a trigger, or the
    application) calls it, and a ``DELETE`` hidden in a body is the same ``DELETE``. ``BEGIN ATOMIC`` bodies
    are part of the syntax tree and found by :mod:`fes_docs.sql._pghidden`; other languages are not read.
    """
    language, body = "sql", None
    for opt in n.options or ():
        if opt.defname == "language" and isinstance(opt.arg, J) and opt.arg.tag == "String":
            language = str(opt.arg.sval).lower()
        elif opt.defname == "as" and isinstance(opt.arg, tuple) and opt.arg:
            body = str(getattr(opt.arg[0], "sval", "") or "")
    if body is None or n.sql_body is not None or ctx.depth > 0:
        return None
    offset = _body_offset(ctx, after="AS")
    if language == "sql":
        found = _Found()
        base = offset if ctx.text.startswith(body, offset) else None  # else quoting changed it
        line = ctx.index.position(offset)[0]
        _Walker(ctx, offset, classify)._run(body, base, line, "the SQL body does not parse", guarded=False, found=found)
    elif language == "plpgsql":
        walked = _walk_body(ctx.text[ctx.start : ctx.end], offset, ctx, classify)
        if isinstance(walked, str):
            return None  # PostgreSQL rejects it when the migration runs: the dry run reports that
        found = walked
    else:
        return None
    return _verdict(found, label="function body")


def _walk_body(function_sql: str, offset: int, ctx: Ctx, classify: Classify) -> _Found | str:
    """The statements a PL/pgSQL function definition runs, or why its body is not valid PL/pgSQL."""
    try:
        tree = json.loads(parse_plpgsql_json(function_sql))
        action = tree[0]["PLpgSQL_function"]["action"]
    except (ParseError, ValueError, KeyError, IndexError, TypeError) as exc:
        return _message(exc)
    found = _Found()
    _Walker(ctx, offset, classify).visit(action, guarded=False, found=found)
    return found


def _opaque(reason: str) -> Verdict:
    return Verdict("DO block", "additive", "unproven", reason, opaque=True)


def _message(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args else type(exc).__name__


def _wrap(body: str) -> str:
    tag, i = "$fes_do$", 0
    while tag in body:
        i += 1
        tag = f"$fes_do{i}$"
    return f"CREATE FUNCTION fes_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"


def _body_offset(ctx: Ctx, *, after: str | None) -> int:
    """File offset of the body's first character: after ``$tag$``, ``'`` or ``E'``.

    Found with PostgreSQL's lexer: the first string constant right after the keyword ``after`` (``AS`` in
    a function definition, whose defaults are strings too), or with ``after=None`` (a ``DO`` block) the
    first that is not the ``LANGUAGE`` name.
    """
    prev = ""
    for tok in scan(ctx.text[ctx.start : ctx.end]):
        if tok.name == "SCONST" and (prev == after if after is not None else prev != "LANGUAGE"):
            at = ctx.start + int(tok.start)
            literal = ctx.text[at : ctx.start + int(tok.end) + 1]
            if literal.startswith("$"):
                return at + literal.index("$", 1) + 1
            return at + (2 if literal[:1] in "eE" else 1)
        prev = tok.name
    return ctx.start


class _Walker:
    def __init__(self, ctx: Ctx, body_start: int, classify: Classify) -> None:
        self.ctx = ctx
        self.classify = classify
        self.body_line = ctx.index.position(body_start)[0]

    def visit(self, node: Any, *, guarded: bool, found: _Found) -> None:
        if isinstance(node, list):
            for item in node:
                self.visit(item, guarded=guarded, found=found)
            return
        if not isinstance(node, dict):
            return
        for key, payload in node.items():
            if key.startswith("PLpgSQL_stmt_"):
                self._stmt(key, payload, guarded=guarded, found=found)
            elif isinstance(payload, dict | list):
                self.visit(payload, guarded=guarded, found=found)

    def _stmt(self, key: str, p: dict[str, Any], *, guarded: bool, found: _Found) -> None:
        line = self.body_line + int(p.get("lineno", 1)) - 1
        if key in ("PLpgSQL_stmt_execsql", "PLpgSQL_stmt_perform", "PLpgSQL_stmt_call"):
            expr = p.get("sqlstmt") or p.get("expr") or {}
            self._sql(_query(expr), line, guarded=guarded, found=found)
        elif key == "PLpgSQL_stmt_dynexecute":
            self._dynamic(_query(p.get("query", {})), line, guarded=guarded, found=found)
        elif key == "PLpgSQL_stmt_dynfors":
            found.opaque.append("FOR … IN EXECUTE of a dynamic query")
        elif key == "PLpgSQL_stmt_fors":
            self._sql(_query(p.get("query", {})), line, guarded=guarded, found=found)
        inner_guard = guarded or key in _GUARDS or (key == "PLpgSQL_stmt_block" and "exceptions" in p)
        for child_key, child in p.items():
            if child_key in ("sqlstmt", "expr", "query", "cond"):
                continue
            if isinstance(child, dict | list):
                self.visit(child, guarded=inner_guard, found=found)

    def _sql(self, query: str, line: int, *, guarded: bool, found: _Found) -> None:
        if query:
            unparsable = f"a statement on line {line} does not parse"
            self._run(query, self._locate(query, line), line, unparsable, guarded=guarded, found=found)

    def _dynamic(self, expr: str, line: int, *, guarded: bool, found: _Found) -> None:
        literal = _constant_string(expr)
        if literal is None:
            found.opaque.append(f"EXECUTE of a computed string on line {line}")
            return
        unparsable = f"EXECUTE on line {line}: the string does not parse"
        self._run(literal, None, line, unparsable, guarded=guarded, found=found)

    def _run(self, sql: str, base: int | None, line: int, unparsable: str, *, guarded: bool, found: _Found) -> None:
        """Classify each statement of ``sql``, a body's query or an ``EXECUTE`` string.

        ``base`` is where ``sql`` starts in the file, None when it is not there as written (a string
        constant); ``unparsable`` opens the opaque note when PostgreSQL's parser rejects it.
        """
        try:
            cuts = parse_statements(sql)
        except ParseError as exc:
            found.opaque.append(f"{unparsable} ({_message(exc)})")
            return
        for node, cut in cuts:
            self._add(node, cut.text, base, cut.start, line, guarded=guarded, found=found)

    def _add(
        self, node: Any, text: str, base: int | None, rel: int, line: int, *, guarded: bool, found: _Found
    ) -> None:
        if base is not None:
            at = base + rel
            pos = self.ctx.index.position(at)
            inner_ctx = Ctx(self.ctx.text, self.ctx.index, at, at + len(text), self.ctx.depth + 1)
        else:
            pos = (line, self._first_column(line))
            inner_ctx = Ctx(self.ctx.text, self.ctx.index, self.ctx.start, self.ctx.end, self.ctx.depth + 1)
        v = self.classify(node, inner_ctx)
        stmt = v.place(pos[0], pos[1], text)
        found.inner.append((stmt, guarded))
        if v.opaque:
            found.opaque.append(f"{v.kind} on line {pos[0]}: {v.reason}")
        if guarded and v.idem == "no":
            found.guarded_kinds.append(v.kind)

    def _locate(self, query: str, line: int) -> int | None:
        """File offset of the query text, searched from its reported line (None when quoting changed it)."""
        start = self.ctx.index.line_start(line)
        at = self.ctx.text.find(query, start, self.ctx.end)
        return at if at >= 0 else None

    def _first_column(self, line: int) -> int:
        start = self.ctx.index.line_start(line)
        text = self.ctx.text
        col = 1
        while start + col - 1 < len(text) and text[start + col - 1] in " \t":
            col += 1
        return col


def _query(expr: dict[str, Any]) -> str:
    return str(expr.get("PLpgSQL_expr", {}).get("query", ""))


def _constant_string(expr: str) -> str | None:
    """The value of an ``EXECUTE`` argument that is a single string constant, else None."""
    try:
        stmts = parse(f"SELECT {expr}")
    except ParseError:
        return None
    if len(stmts) != 1 or stmts[0][0].tag != "SelectStmt":
        return None
    targets: tuple[Any, ...] = stmts[0][0].targetList or ()
    if len(targets) != 1:
        return None
    val = targets[0].val
    if isinstance(val, J) and val.tag == "A_Const" and val.sval is not None:
        return str(val.sval.sval)
    return None


def _verdict(found: _Found, label: str = "DO block") -> Verdict:
    stmts = [s for s, _ in found.inner]
    klass = worst_klass([s.klass for s in stmts]) or "additive"
    effective: list[Idem] = ["unproven" if (g and s.idempotent == "no") else s.idempotent for s, g in found.inner]
    idem: Idem = worst_idem(effective) or "yes"
    opaque = bool(found.opaque)
    if opaque and idem == "yes":
        idem = "unproven"
    kinds = list(dict.fromkeys(s.kind for s in stmts))
    parts = [f"runs {len(stmts)} statement(s): {', '.join(kinds)}" if stmts else "runs no SQL statement"]
    if found.guarded_kinds:
        guarded = ", ".join(dict.fromkeys(found.guarded_kinds))
        parts.append(f"{guarded} guarded by IF/CASE/EXCEPTION: re-run safety depends on the guard (dry run)")
    worst = max(stmts, key=lambda s: KLASS_RANK[s.klass], default=None)
    if worst is not None and KLASS_RANK[worst.klass] >= KLASS_RANK["destructive"]:
        parts.append(f"{worst.kind} on line {worst.line} is {worst.klass}: {worst.reason}")
    no = [s for s, g in found.inner if s.idempotent == "no" and not g]
    if no:
        parts.append(f"{no[0].kind} on line {no[0].line} is not idempotent: {no[0].reason}")
    if opaque:
        parts.append("cannot see into " + "; ".join(dict.fromkeys(found.opaque)))
    return Verdict(
        label,
        klass,
        idem,
        "; ".join(parts),
        opaque=opaque,
        creates=[r for s in stmts for r in s.creates],
        drops=[r for s in stmts for r in s.drops],
        inner=stmts,
    )
