"""Parse a migration with a real SQL parser and say what each statement does.

**Why pglast for PostgreSQL and sqlglot only for other dialects.** Measured on squawk's 298 PostgreSQL
rule-test files and 102 real PostgreSQL Flyway migrations: ``pglast`` (libpg_query, i.e. PostgreSQL's
own grammar) gave full syntax trees for 295 and 102 files; ``sqlglot`` parsed 291 and 102 but fell back
to opaque ``Command`` nodes in 68 and 18 files — exactly the statements this tool must see into (``DO``
blocks, ``VALIDATE CONSTRAINT``, ``ALTER TYPE … ADD VALUE``) — and was about twice as slow. So the default
dialect, PostgreSQL, goes through pglast (:mod:`fes_docs.sql._pg`, ``DO`` bodies through the PL/pgSQL
parser in :mod:`fes_docs.sql._plpgsql`); MySQL, H2 and the rest go through sqlglot
(:mod:`fes_docs.sql._generic`), where anything it can only keep as an opaque command is reported as such.

No regular expression ever looks at SQL text: comments, quoted identifiers, strings containing
``DROP TABLE`` and dollar-quoted bodies are the parser's business. A file that does not parse gives an
:class:`Analysis` with a located :class:`SqlError`, never an exception.

Classes (spec §4.2/§4.3): *destructive* — DROP of anything, RENAME of a table or column (and of other
objects applications name), ALTER COLUMN TYPE, SET/DROP NOT NULL, ADD COLUMN NOT NULL without a default,
TRUNCATE, DELETE/UPDATE without WHERE; *additive* — CREATE …, ADD COLUMN nullable or with a default, ADD
CONSTRAINT (NOT VALID is the safe form), VALIDATE CONSTRAINT, COMMENT, GRANT, SET, ALTER TYPE … ADD VALUE;
*data* — INSERT, UPDATE/DELETE with WHERE. Idempotency (spec §4.1): DDL needs IF NOT EXISTS / IF EXISTS /
OR REPLACE, INSERT needs ON CONFLICT, UPDATE/DELETE and opaque bodies are "unproven". The module
docstring of :mod:`fes_docs.sql._pg` lists every choice beyond that list and why.
"""

from __future__ import annotations

from pglast.parser import ParseError

from fes_docs.positions import LineIndex
from fes_docs.sql._model import (
    IDEM_RANK,
    KLASS_RANK,
    Analysis,
    Idem,
    Klass,
    ObjectRef,
    SqlError,
    Statement,
    analysis_from_json,
    analysis_text,
    analysis_to_json,
    same_object,
    summarize,
)
from fes_docs.sql._pg import Ctx, classify
from fes_docs.sql.copy_stdin import blank_copy_data
from fes_docs.sql.split import parse_statements

__all__ = [
    "IDEM_RANK",
    "KLASS_RANK",
    "POSTGRES_DIALECTS",
    "Analysis",
    "Idem",
    "Klass",
    "ObjectRef",
    "SqlError",
    "Statement",
    "analysis_from_json",
    "analysis_text",
    "analysis_to_json",
    "analyze",
    "is_supported_dialect",
    "same_object",
    "summarize",
]

#: Names that select the PostgreSQL (pglast) path.
POSTGRES_DIALECTS = frozenset({"postgres", "postgresql", "pg"})


def is_supported_dialect(dialect: str) -> bool:
    """True for PostgreSQL names and every dialect sqlglot knows (``mysql``, ``h2`` via ANSI, …)."""
    if dialect.lower() in POSTGRES_DIALECTS:
        return True
    # Imported here: sqlglot is needed only for other dialects and costs more start-up time than this path.
    from fes_docs.sql._generic import sqlglot_dialect

    return sqlglot_dialect(dialect) is not None


def analyze(text: str, dialect: str = "postgres") -> Analysis:
    """Classify every statement of one migration's text; a parse failure is returned, not raised.

    An unknown dialect raises ``ValueError``: check the policy setting with :func:`is_supported_dialect`.
    """
    if dialect.lower() in POSTGRES_DIALECTS:
        # pg_dump's COPY ... FROM stdin rows are data Flyway streams, not SQL: blanked, never a syntax error
        return _analyze_pg(blank_copy_data(text))
    # Imported here: sqlglot is needed only for other dialects and costs more start-up time than this path.
    from fes_docs.sql._generic import analyze_generic

    try:
        return analyze_generic(text, dialect)
    except RecursionError:  # sqlglot parses by recursive descent: 200 nested subqueries are too many
        return _too_deep_generic(text, dialect)


def _too_deep_generic(text: str, dialect: str) -> Analysis:
    """The analysis of a file one of whose statements is nested deeper than sqlglot's parser follows:
    a :data:`TOO_DEEP` error at the first such statement (found by analysing them one at a time)."""
    from sqlglot import Dialect

    from fes_docs.sql._generic import _DELIMITER_DIALECTS, analyze_generic, sqlglot_dialect
    from fes_docs.sql.split import cut_tokens

    name = sqlglot_dialect(dialect)
    d = Dialect.get_or_raise(name or None)
    for _, cut in cut_tokens(d.tokenizer_class(dialect=d).tokenize(text), text, name in _DELIMITER_DIALECTS):
        try:
            analyze_generic(cut.text, dialect)
        except RecursionError:
            return Analysis((), SqlError(cut.line, cut.column, TOO_DEEP), None)
    return Analysis((), SqlError(1, 1, TOO_DEEP), None)


def _analyze_pg(text: str) -> Analysis:
    index = LineIndex(text)
    try:
        cuts = parse_statements(text, index)
    except ParseError as exc:
        # pglast reports (message, 0-based character offset); libpg_query's own cursor is a byte offset,
        # which pglast has already converted, so non-ASCII text before the error does not shift it.
        message = str(exc.args[0]) if exc.args else "syntax error"
        offset = int(exc.args[1]) if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line, column = index.position(offset)
        return Analysis((), SqlError(line, column, message), None)
    statements = []
    for node, cut in cuts:
        try:
            statements.append(
                classify(node, Ctx(text, index, cut.start, cut.end)).place(cut.line, cut.column, cut.text)
            )
        except RecursionError:  # nested deeper than the classifier follows: said at the statement, not raised
            return Analysis((), SqlError(cut.line, cut.column, TOO_DEEP), None)
    return summarize(statements)


#: What a statement nested deeper than the analysis follows gets instead of a class.
TOO_DEEP = "statement nested too deeply to analyse (the database may well accept it); split it up or flatten it"
