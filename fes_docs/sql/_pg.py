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

Where the handlers live: :mod:`._pgddl` (schema statements), :mod:`._pgalter` (``ALTER TABLE``),
:mod:`._pgdml` (data statements), :mod:`._plpgsql` (``DO`` bodies); names are read by :mod:`._pgnames`,
verdicts folded by :mod:`._verdict`. This module only dispatches on the node type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fes_docs.sql import _pgalter, _pgddl, _pgdml, _pghidden
from fes_docs.sql._model import KLASS_RANK
from fes_docs.sql._pgjson import J
from fes_docs.sql._pgnames import camel_words
from fes_docs.sql._plpgsql import analyze_do, analyze_function_body
from fes_docs.sql._verdict import Ctx, Verdict, guard

__all__ = ["Ctx", "Verdict", "classify"]


def classify(node: J, ctx: Ctx) -> Verdict:
    """The verdict on one statement: its head's handler, then what hides below the head folded in."""
    handler = _HANDLERS.get(node.tag or "")
    head = handler(node, ctx) if handler is not None else _fallback(node)
    hidden = _pghidden.inspect(node)
    nested = [classify(w, ctx) for w in hidden.writes]
    installed = [classify(w, ctx) for w in hidden.installed]
    return _pghidden.fold(head, nested, installed, hidden.escapes)


def _fallback(node: J) -> Verdict:
    name = node.tag or "?"
    base = name.removesuffix("Stmt")
    kind = camel_words(base)
    if base.startswith("Drop"):
        idem, why = guard(getattr(node, "missing_ok", False), f"{kind} IF EXISTS", f"{kind} without IF EXISTS")
        return Verdict(kind, "destructive", idem, f"drops an object; {why}")
    if base.startswith(("Create", "Define")):
        if getattr(node, "if_not_exists", False) or getattr(node, "replace", False):
            return Verdict(kind, "additive", "yes", f"creates an object; {kind} with IF NOT EXISTS / OR REPLACE")
        return Verdict(kind, "additive", "no", f"creates an object; {kind} fails on a re-run (no IF NOT EXISTS)")
    return Verdict(kind, "additive", "unproven", f"{kind}: not a schema or data change fes-docs classifies")


def _do(n: J, ctx: Ctx) -> Verdict:
    # The body's statements are judged by this same dispatch, so it is handed over, not imported there.
    return analyze_do(n, ctx, classify)


def _function(n: J, ctx: Ctx) -> Verdict:
    """A function definition is additive, but what its body runs when called counts: a write is a write."""
    head = _pgddl.create_function(n, ctx)
    body = analyze_function_body(n, ctx, classify)
    if body is None or KLASS_RANK[body.klass] <= KLASS_RANK[head.klass]:
        return head
    worst = max(body.inner, key=lambda s: KLASS_RANK[s.klass])
    head.klass = body.klass  # the definition's own re-run safety stays its own
    head.reason += f"; when called, its body runs {worst.kind} (line {worst.line}): {worst.reason}"
    head.drops += [r for s in body.inner for r in s.drops]
    return head


def _explain(n: J, ctx: Ctx) -> Verdict:
    """``EXPLAIN ANALYZE`` runs the statement it explains; plain ``EXPLAIN`` only plans it."""
    if not _pghidden.explain_runs(n) or n.query is None:
        return Verdict("EXPLAIN", "additive", "yes", "shows a plan; re-runnable")
    inner = classify(n.query, ctx)
    return Verdict(
        f"EXPLAIN ANALYZE {inner.kind}",
        inner.klass,
        inner.idem,
        f"EXPLAIN ANALYZE runs the statement: {inner.reason}",
        opaque=inner.opaque,
        creates=inner.creates,
        drops=inner.drops,
    )


_HANDLERS: dict[str, Callable[[Any, Ctx], Verdict]] = {
    **_pgddl.HANDLERS,
    **_pgalter.HANDLERS,
    **_pgdml.HANDLERS,
    "DoStmt": _do,
    "CreateFunctionStmt": _function,
    "ExplainStmt": _explain,
}
