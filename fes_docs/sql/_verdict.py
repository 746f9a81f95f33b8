"""What classifying one statement yields, and how several such answers fold into one.

A :class:`Verdict` is the dialect-neutral answer — kind, class, idempotency, the reason naming the deciding
clause, and the objects created or dropped — before the statement is placed in the file. Both classifiers
produce it (pglast's in :mod:`fes_docs.sql._pg`, sqlglot's in :mod:`fes_docs.sql._generic`), and
:meth:`Verdict.place` turns it into the :class:`~fes_docs.sql._model.Statement` the analysis hands on, at
the position its :class:`~fes_docs.sql.split.Cut` gives, so that record is built in one place.

:class:`Ctx` is the PostgreSQL side's extra: where the statement sits, for ``DO`` bodies whose inner
statements are located in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fes_docs.positions import LineIndex
from fes_docs.sql._model import Idem, Klass, ObjectRef, Statement, worst_idem, worst_klass
from fes_docs.sql._text import clip


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

    def place(self, line: int, column: int, text: str) -> Statement:
        """The analysed statement: this verdict at ``(line, column)``, with an excerpt of ``text``."""
        return Statement(
            line,
            column,
            clip(text),
            self.kind,
            self.klass,
            self.idem,
            self.reason,
            self.opaque,
            tuple(self.creates),
            tuple(self.drops),
            tuple(self.inner),
        )


@dataclass(frozen=True)
class Ctx:
    """Where the statement under classification sits, for ``DO`` bodies that report inner lines."""

    text: str
    index: LineIndex
    start: int
    end: int
    depth: int = 0


#: How a table of subcommands gives one's idempotency: fixed, or ``"missing_ok"``, "yes" only with its
#: ``IF EXISTS`` (``ALTER TABLE … DROP IDENTITY``, ``ALTER DOMAIN … DROP CONSTRAINT``).
Rule = Idem | Literal["missing_ok"]


def guard(flag: Any, yes: str, no: str) -> tuple[Idem, str]:
    """Idempotency decided by one guard clause (``IF [NOT] EXISTS``, ``OR REPLACE``): its presence or absence."""
    return ("yes", yes) if flag else ("no", no)


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
