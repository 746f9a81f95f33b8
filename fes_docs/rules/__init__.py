"""The rule catalogue: one small function per rule, registered with its id, title, guide section and severity.

Everything that lists rules (``fes-docs rules``, the site's rules page, the guide-coverage table,
finding titles in reports) reads :data:`CATALOGUE`; nothing else keeps a second list. Rules that the
loader or the schema stage emit have no function (``check is None``) but are catalogued the same way so
users can look up and waive them like any other.

Importing the rule modules at the bottom fills the catalogue; the order of ids is the report order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..findings import Loc, Severity

if TYPE_CHECKING:
    from ..model import Release
    from ..project import Project

Scope = Literal["loader", "release", "project"]


@dataclass(frozen=True)
class Hit:
    """What a rule function yields; the runner adds the rule id, default severity and hint.

    ``subject``: what the hit is about beyond its location's own subject (a record location's is its key
    path), when several hits of a rule share one location — the SQL statement's normalised text
    (``Statement.normalised``), the checklist item that is missing. It goes into the fingerprint.
    """

    loc: Loc
    message: str
    severity: Severity | None = None
    hint: str | None = None
    release: str | None = None
    related: tuple[Loc, ...] = ()
    subject: str = ""


ReleaseCheck = Callable[["Project", "Release"], Iterable[Hit]]
ProjectCheck = Callable[["Project"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    section: str  # guide section it enforces, e.g. "§4.1"; "schema" / "tool" for non-guide rules
    severity: Severity  # default severity; a rule may yield a warning variant (e.g. before approval)
    doc: str  # one line: what it checks and why
    hint: str  # default fix shown with every finding
    scope: Scope
    check: Callable[..., Iterable[Hit]] | None = None
    cancelled_too: bool = False  # cancelled releases are exempt from all but syntax/identity rules
    waivable: bool = True
    #: A waiver of this rule names who accepted the risk (``approved_by``): a reason alone is not enough
    #: where the exception is someone's decision, such as deploying in a change freeze (FES901 says so).
    needs_approver: bool = False

    @property
    def can_be_waived(self) -> bool:
        """The waiver rules (FES9xx) can never be waived: a waiver must not vouch for itself."""
        return self.waivable and not self.id.startswith("FES9")

    @property
    def can_be_baselined(self) -> bool:
        """The same line as for waivers: what guards every other verdict (integrity) is never accepted as is."""
        return self.can_be_waived


CATALOGUE: dict[str, Rule] = {}


def _register(rule: Rule) -> None:
    if rule.id in CATALOGUE:
        raise RuntimeError(f"rule id {rule.id} registered twice")  # a programming error, caught by tests
    CATALOGUE[rule.id] = rule


def _doc(func: Callable[..., Any]) -> str:
    return " ".join((func.__doc__ or "").split())


def release_rule(
    id: str,
    title: str,
    section: str,
    severity: Severity = "error",
    hint: str = "",
    cancelled_too: bool = False,
    integrity: bool = False,
) -> Callable[[ReleaseCheck], ReleaseCheck]:
    """Register ``func(project, release) -> Iterable[Hit]``; its docstring is the catalogue's doc line.

    ``integrity`` rules guard what every other verdict rests on (identity, sign-offs, waivers): a waiver
    for one is itself an error, so no record can vouch its own way past them.
    """

    def deco(func: ReleaseCheck) -> ReleaseCheck:
        _register(Rule(id, title, section, severity, _doc(func), hint, "release", func, cancelled_too, not integrity))
        return func

    return deco


def project_rule(
    id: str,
    title: str,
    section: str,
    severity: Severity = "error",
    hint: str = "",
    integrity: bool = False,
    needs_approver: bool = False,
) -> Callable[[ProjectCheck], ProjectCheck]:
    """Register ``func(project) -> Iterable[Hit]`` for checks that need every file at once."""

    def deco(func: ProjectCheck) -> ProjectCheck:
        _register(
            Rule(id, title, section, severity, _doc(func), hint, "project", func, False, not integrity, needs_approver)
        )
        return func

    return deco


def emitted_rule(
    id: str, title: str, section: str, doc: str, severity: Severity = "error", hint: str = "", waivable: bool = False
) -> None:
    """Catalogue a finding that the loader, schema or artefact stages emit themselves."""
    _register(Rule(id, title, section, severity, doc, hint, "loader", None, True, waivable))


def rule(rule_id: str) -> Rule:
    return CATALOGUE[rule_id]


# Importing fills the catalogue (kept at the bottom: the modules import the decorators above).
from . import (  # noqa: E402,F401
    apichanges,
    artefacts,
    baseline,
    binding,
    calendar,
    dryrun,
    flags,
    flyway,
    history,
    identity,
    migrations,
    owners,
    rollback,
    signoffs,
    unsafe,
    validation,
    waivers,
)
