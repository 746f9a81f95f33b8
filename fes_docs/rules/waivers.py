"""Waivers: a reasoned, dated, visible exception to one rule in one release.

:func:`waiver_verdicts` is the one judgement of a waiver: FES901 reports its problems, and the runner
(:func:`fes_docs.check.apply_waivers`) credits exactly the waivers it found sound — so an expired,
unreasoned or misdirected waiver can never be reported as a problem and credited all the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..errors import UsageError
from ..findings import Waiver
from ..model import Release, WaiverRef, parse_date
from ..project import Project
from . import CATALOGUE, Hit, release_rule


def today(project: Project) -> date:
    if not project.today:
        return date.today()
    try:
        return date.fromisoformat(project.today)
    except ValueError:
        raise UsageError(f"--today {project.today[:40]!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class WaiverVerdict:
    """One waiver of one record and what is wrong with it; ``sound`` waivers are the only ones credited."""

    ref: WaiverRef
    problems: tuple[Hit, ...]

    @property
    def sound(self) -> bool:
        return not self.problems


def _problems(project: Project, rel: Release, ref: WaiverRef, now: date) -> Iterator[Hit]:
    w = ref.waiver
    rule = CATALOGUE.get(w.rule)
    if rule is None:
        yield Hit(rel.loc(*ref.path, "rule"), f"waiver for unknown rule {w.rule!r}")
    elif not rule.can_be_waived:
        yield Hit(rel.loc(*ref.path, "rule"), f"rule {w.rule} cannot be waived")
    if not w.reason or not w.reason.strip():
        yield Hit(rel.loc(*ref.path), f"waiver for {w.rule} has no reason")
    if rule is not None and rule.needs_approver:
        if not w.approved_by or not w.approved_by.strip():
            yield Hit(rel.loc(*ref.path), f"waiver for {w.rule} needs `approved_by`: who accepted the exception")
        elif (unknown := project.policy.unknown_person(w.approved_by)) is not None:
            yield Hit(rel.loc(*ref.path, "approved_by"), f"waiver for {w.rule}: approved_by {unknown}")
    if w.until:
        until = parse_date(w.until)
        if until is None:
            # A date nobody can read (or no real day) does not extend a waiver.
            yield Hit(rel.loc(*ref.path, "until"), f"waiver for {w.rule} has an unreadable `until` ({w.until!r})")
            return
        if until < now:
            yield Hit(rel.loc(*ref.path, "until"), f"waiver for {w.rule} expired on {w.until}")


def waiver_verdicts(project: Project, rel: Release) -> list[WaiverVerdict]:
    now = today(project)
    return [WaiverVerdict(ref, tuple(_problems(project, rel, ref, now))) for ref in rel.waivers]


def sound_waivers(project: Project, rel: Release) -> dict[str, Waiver]:
    """Rule id -> the first sound waiver of that rule in this record (the one a finding is credited to)."""
    out: dict[str, Waiver] = {}
    for v in waiver_verdicts(project, rel):
        if v.sound:
            out.setdefault(v.ref.waiver.rule, v.ref.waiver)
    return out


@release_rule(
    "FES901",
    "Waivers are reasoned and current",
    "tool",
    cancelled_too=True,
    hint="give the waiver a `reason` (and `approved_by` where the rule asks for it), and renew or remove it once "
    "`until` has passed",
    integrity=True,
)
def waiver_valid(project: Project, rel: Release) -> Iterator[Hit]:
    """A waiver names a known, waivable rule, gives a reason, and has not expired (`until` is inclusive); a
    waiver of a rule that asks for an approver (FES021) names one in `approved_by`, a person of the policy."""
    for verdict in waiver_verdicts(project, rel):
        yield from verdict.problems
