"""Waivers: a reasoned, dated, visible exception to one rule — or to one finding — in one release.

:func:`waiver_verdicts` is the one judgement of a waiver: FES901 reports its problems, and the runner
(:func:`fes_docs.check.apply_waivers`) credits exactly the waivers it found sound — so an expired,
unreasoned or misdirected waiver can never be reported as a problem and credited all the same.

A waiver may name a finding's ``fingerprint`` instead of (or as well as) a rule. Which finding that is
is known only once every rule has run, so :func:`fingerprint_waivers` finishes its judgement then: a
fingerprint no finding of the record has is reported like an unknown rule, one of an integrity rule's
finding like a rule that cannot be waived (FES901 both).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from ..dates import parse_date
from ..errors import UsageError
from ..findings import Finding, Waiver
from ..model import Release, WaiverRef
from ..project import Project
from . import CATALOGUE, Hit, Rule, release_rule


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
    if w.fingerprint and not w.rule:
        pass  # its rule is the finding's, known once the rules ran: _fingerprint_problems
    elif rule is None:
        yield Hit(rel.loc(*ref.path, "rule"), f"waiver for unknown rule {w.rule!r}")
    elif not rule.can_be_waived:
        yield Hit(rel.loc(*ref.path, "rule"), f"rule {w.rule} cannot be waived")
    if not w.reason or not w.reason.strip():
        yield Hit(rel.loc(*ref.path), f"waiver for {_named(w)} has no reason")
    if rule is not None:
        yield from _approver(project, rel, ref, rule)
    if w.until:
        until = parse_date(w.until)
        if until is None:
            # A date nobody can read (or no real day) does not extend a waiver.
            yield Hit(rel.loc(*ref.path, "until"), f"waiver for {_named(w)} has an unreadable `until` ({w.until!r})")
            return
        if until < now:
            yield Hit(rel.loc(*ref.path, "until"), f"waiver for {_named(w)} expired on {w.until}")


def _named(w: Waiver) -> str:
    return f"fingerprint {w.fingerprint}" if w.fingerprint and not w.rule else w.rule


def _approver(project: Project, rel: Release, ref: WaiverRef, rule: Rule) -> Iterator[Hit]:
    """A waiver of a rule that asks for an approver names one, a person of the policy."""
    w = ref.waiver
    if not rule.needs_approver:
        return
    if not w.approved_by or not w.approved_by.strip():
        yield Hit(rel.loc(*ref.path), f"waiver for {rule.id} needs `approved_by`: who accepted the exception")
    elif (unknown := project.policy.unknown_person(w.approved_by)) is not None:
        yield Hit(rel.loc(*ref.path, "approved_by"), f"waiver for {rule.id}: approved_by {unknown}")


def waiver_verdicts(project: Project, rel: Release) -> list[WaiverVerdict]:
    now = today(project)
    return [WaiverVerdict(ref, tuple(_problems(project, rel, ref, now))) for ref in rel.waivers]


def sound_waivers(project: Project, rel: Release) -> dict[str, Waiver]:
    """Rule id -> the first sound waiver of that rule in this record (the one a finding is credited to)."""
    out: dict[str, Waiver] = {}
    for v in waiver_verdicts(project, rel):
        if v.sound and not v.ref.waiver.fingerprint:  # a fingerprint waiver speaks for its one finding only
            out.setdefault(v.ref.waiver.rule, v.ref.waiver)
    return out


def fingerprint_waivers(
    project: Project, rel: Release, found: Mapping[str, Finding]
) -> tuple[dict[str, Waiver], list[Hit]]:
    """Fingerprint -> the sound waiver naming it, and the problems only the findings show (FES901's too).

    ``found``: this record's findings by fingerprint. A waiver is sound when :func:`waiver_verdicts` found
    nothing wrong and the finding it names is this record's, of the rule it names (if any), and waivable.
    """
    sound: dict[str, Waiver] = {}
    late: list[Hit] = []
    for v in waiver_verdicts(project, rel):
        fp = v.ref.waiver.fingerprint
        if not fp:
            continue
        problems = list(_fingerprint_problems(project, rel, v.ref, found.get(fp)))
        late.extend(problems)
        if v.sound and not problems:
            sound.setdefault(fp, v.ref.waiver)
    return sound, late


def _fingerprint_problems(project: Project, rel: Release, ref: WaiverRef, target: Finding | None) -> Iterator[Hit]:
    w = ref.waiver
    if target is None:
        where = rel.loc(*ref.path, "fingerprint")
        yield Hit(where, f"waiver for unknown fingerprint {w.fingerprint!r}: no finding of this release has it")
        return
    rule = CATALOGUE.get(target.rule)
    if w.rule and w.rule != target.rule:
        where = rel.loc(*ref.path, "rule")
        yield Hit(where, f"waiver names {w.rule}, but fingerprint {w.fingerprint} is a finding of {target.rule}")
    elif not w.rule and (rule is None or not rule.can_be_waived):
        where = rel.loc(*ref.path, "fingerprint")
        yield Hit(where, f"fingerprint {w.fingerprint} is a finding of {target.rule}, which cannot be waived")
    elif not w.rule and rule is not None:
        yield from _approver(project, rel, ref, rule)  # named with its rule, _problems asked this already


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
