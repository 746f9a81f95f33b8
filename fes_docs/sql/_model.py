"""The plain records the SQL analysis hands on (re-exported by :mod:`fes_docs.sql.analyze`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ..jsontext import compact

#: The spec's three classes, and ``unsafe``: a statement reaching past the database a migration owns (the
#: server's files and programs, the cluster's roles and settings, other servers). Found, never declared.
Klass = Literal["additive", "data", "destructive", "unsafe"]
Idem = Literal["yes", "no", "unproven"]

#: Severity order of a statement class; a migration's class is its most severe statement's.
KLASS_RANK: dict[Klass, int] = {"additive": 0, "data": 1, "destructive": 2, "unsafe": 3}
#: Worst-first order of idempotency: one "no" makes the file non-idempotent, one "unproven" leaves it open.
IDEM_RANK: dict[Idem, int] = {"yes": 0, "unproven": 1, "no": 2}

ObjectRef = tuple[str, str]


@dataclass(frozen=True)
class Statement:
    """One top-level statement (or, in ``inner``, one statement run by a ``DO`` block)."""

    line: int
    column: int
    text: str
    kind: str
    klass: Klass
    idempotent: Idem
    reason: str
    opaque: bool
    creates: tuple[ObjectRef, ...] = ()
    drops: tuple[ObjectRef, ...] = ()
    #: For a ``DO`` block: the statements its PL/pgSQL body runs, each located in the file.
    inner: tuple[Statement, ...] = field(default=(), repr=False)

    @property
    def normalised(self) -> str:
        """The text without its layout (each run of whitespace one space, no closing ``;``): what a finding
        about this statement is named by (its fingerprint), so re-indenting it or adding lines above it
        leaves the name alone."""
        return " ".join(self.text.split()).rstrip(";").rstrip()


@dataclass(frozen=True)
class SqlError:
    """Where and why a file's SQL cannot be used: it does not parse, or (as :data:`~.flyway.ReadError`)
    it could not be read or decoded."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Analysis:
    """The statements of one file, in order, or the error that stopped the parser."""

    statements: tuple[Statement, ...]
    error: SqlError | None
    klass: Klass | None
    #: Worst statement idempotency ("no" > "unproven" > "yes"); ``None`` without statements.
    idempotent: Idem | None = None
    #: True when some statement could not be seen into (a ``DO`` body, a ``CALL``, an opaque command).
    opaque: bool = False


# --- the JSON form the cache keeps (and a worker process hands back) -------------------------------------
# Written out field by field (``dataclasses.asdict`` deep-copies every value: a third of a cold run's SQL
# cost); the plain fields are read off the dataclasses, so a new one is carried without an edit here.
_PLAIN = tuple(f.name for f in fields(Statement) if f.name not in ("creates", "drops", "inner"))


def _statement_json(s: Statement) -> dict[str, Any]:
    out = {name: getattr(s, name) for name in _PLAIN}
    out["creates"] = [list(ref) for ref in s.creates]
    out["drops"] = [list(ref) for ref in s.drops]
    out["inner"] = [_statement_json(x) for x in s.inner]
    return out


def analysis_to_json(a: Analysis) -> dict[str, Any]:
    """``a`` as JSON values; :func:`analysis_from_json` gives it back equal."""
    error = a.error
    return {
        "statements": [_statement_json(s) for s in a.statements],
        "error": None if error is None else {"line": error.line, "column": error.column, "message": error.message},
        "klass": a.klass,
        "idempotent": a.idempotent,
        "opaque": a.opaque,
    }


def analysis_text(a: Analysis) -> str:
    """:func:`analysis_to_json` written out as compact JSON (how the cache keeps it, and a worker hands it over)."""
    return compact(analysis_to_json(a))


def _statement(raw: dict[str, Any]) -> Statement:
    raw = dict(raw)
    raw["creates"] = tuple(tuple(x) for x in raw.get("creates", ()))
    raw["drops"] = tuple(tuple(x) for x in raw.get("drops", ()))
    raw["inner"] = tuple(_statement(x) for x in raw.get("inner", ()))
    return Statement(**raw)


def analysis_from_json(raw: dict[str, Any]) -> Analysis:
    """The inverse of :func:`analysis_to_json` (raises KeyError, TypeError or ValueError on other JSON)."""
    raw = dict(raw)
    raw["statements"] = tuple(_statement(x) for x in raw["statements"])
    raw["error"] = SqlError(**raw["error"]) if raw.get("error") else None
    return Analysis(**raw)


def summarize(statements: list[Statement]) -> Analysis:
    """The :class:`Analysis` of a parsed file: worst class, worst idempotency, any opacity."""
    statements = credit_drops(statements)
    klass = worst_klass([s.klass for s in statements])
    idem = worst_idem([s.idempotent for s in statements])
    return Analysis(tuple(statements), None, klass, idem, any(s.opaque for s in statements))


def credit_drops(statements: list[Statement]) -> list[Statement]:
    """``DROP … IF EXISTS x`` then ``CREATE … x``: the create is re-runnable, because the drop clears the way.

    A create that would fail on a re-run ("no") becomes "yes" when every object it creates was dropped
    ``IF EXISTS`` by an earlier statement of the same file (a table's drop covers its columns). The drop
    keeps its own verdict: it is destructive, and says so.
    """
    dropped: list[tuple[ObjectRef, int]] = []
    out = []
    for st in statements:
        if st.idempotent == "no" and st.creates and dropped:
            by = [next((line for d, line in dropped if _covers(d, c)), None) for c in st.creates]
            if all(line is not None for line in by):
                lines = ", ".join(str(n) for n in sorted({n for n in by if n is not None}))
                head = st.reason.split(";", 1)[0]  # "creates table t", without the "fails on a re-run" part
                why = f"{head}; re-runnable: dropped IF EXISTS first (line {lines})"
                st = replace(st, idempotent="yes", reason=why)
        if st.drops and st.idempotent == "yes" and st.kind.upper().startswith("DROP"):
            dropped += [(d, st.line) for d in st.drops]
        out.append(st)
    return out


def _covers(dropped: ObjectRef, created: ObjectRef) -> bool:
    if same_object(dropped, created):
        return True
    # dropping a table drops its columns: CREATE TABLE t (…) creates ("column", "t.c") too
    return created[0] == "column" and dropped[0] == "table" and _names_match(dropped[1], created[1].rsplit(".", 1)[0])


def worst_klass(values: list[Klass]) -> Klass | None:
    if not values:
        return None
    return max(values, key=lambda v: KLASS_RANK[v])


def worst_idem(values: list[Idem]) -> Idem | None:
    if not values:
        return None
    return max(values, key=lambda v: IDEM_RANK[v])


def same_object(a: ObjectRef, b: ObjectRef) -> bool:
    """True when two object references can name the same object.

    Names are compared as PostgreSQL folds them (the parser already lower-cased unquoted identifiers).
    A reference without schema matches the same name in any schema, because which schema the search path
    picks is only known at run time; for columns the table part follows the same rule.
    """
    if a[0] != b[0]:
        return False
    return _names_match(a[1], b[1])


def _names_match(x: str, y: str) -> bool:
    xs, ys = x.split("."), y.split(".")
    # Compare from the right: name (and, for columns/constraints, the table) must agree; a missing
    # qualifier on either side matches anything.
    return all(xp == yp for xp, yp in zip(reversed(xs), reversed(ys), strict=False))
