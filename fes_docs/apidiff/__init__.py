"""What changed in an API between two versions of its OpenAPI spec, and whether it breaks clients.

* ``model`` — :class:`Change` (one classified difference, located) and :class:`ApiDiff` (the report);
* ``resolve`` — one side: the spec and its ``$ref`` files through the openapi package's Workspace
  (project-contained, nothing remote), from the working tree or a git revision (:func:`git_reader`);
* ``ops`` — every operation in one shape, whatever the spec's version (2.0, 3.0, 3.1, 3.2);
* ``catalogue`` with ``rules_ops`` and ``rules_schema`` — the change rules (``FES850``–``FES899``);
* ``engine`` — matching the two sides and running the rules, bounded; ``diff`` — the sorted,
  capped, located report (:func:`diff_sides`).

This package knows nothing of release records or the CLI: the gate (:mod:`fes_docs.apigate`) and the
reports (:mod:`fes_docs.apireport`) build on it.
"""

from __future__ import annotations

from . import rules_ops, rules_schema  # noqa: F401  importing them fills the catalogue
from .catalogue import CHANGE_RULES, ChangeRule, rule_named
from .diff import MAX_CHANGES, diff_sides
from .model import LEVEL_WORDS, ApiDiff, Change, Spot
from .resolve import Side, absent_side, git_reader, load_side

__all__ = [
    "CHANGE_RULES",
    "LEVEL_WORDS",
    "MAX_CHANGES",
    "ApiDiff",
    "Change",
    "ChangeRule",
    "Side",
    "Spot",
    "absent_side",
    "diff_sides",
    "git_reader",
    "load_side",
    "rule_named",
]
