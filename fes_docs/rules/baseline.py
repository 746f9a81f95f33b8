"""The baseline's entries judged: which may be credited, and what FES902 says of the others.

:func:`entry_verdicts` is the one judgement of an entry, as :func:`~fes_docs.rules.waivers.waiver_verdicts`
is of a waiver: the runner (:func:`fes_docs.check.apply_baseline`) credits exactly the entries found sound
here, and reports the problems of the rest, so an entry can never be reported and credited all the same.
Reading the file is :mod:`fes_docs.baseline`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..baseline import Baseline, Entry
from . import CATALOGUE, Hit, emitted_rule

emitted_rule(
    "FES902",
    "Baseline entries are sound and current",
    "tool",
    "Each entry of .fes-docs/baseline.yaml names a finding of today (an entry left over once its finding is "
    "gone is a warning: remove it, so the baseline only shrinks), once, of a rule that can be baselined — "
    "integrity rules (those that cannot be waived) never can.",
    severity="warning",
    hint="remove the entry; `fes-docs baseline` rewrites the file without it",
)


def can_be_baselined(rule_id: str) -> bool:
    """A catalogued rule that is not an integrity rule (:attr:`~fes_docs.rules.Rule.can_be_baselined`)."""
    rule = CATALOGUE.get(rule_id)
    return rule is not None and rule.can_be_baselined


@dataclass(frozen=True)
class EntryVerdict:
    entry: Entry
    problems: tuple[Hit, ...]

    @property
    def sound(self) -> bool:
        return not self.problems


def entry_verdicts(baseline: Baseline) -> list[EntryVerdict]:
    """Each entry with what is wrong with it (an unknown or integrity rule, a fingerprint listed twice)."""
    seen: set[str] = set()
    out = []
    for e in baseline.entries:
        problems: list[Hit] = []
        at = baseline.loc("entries", e.index)
        if e.rule not in CATALOGUE:
            problems.append(
                Hit(
                    baseline.loc("entries", e.index, "rule"),
                    f"baseline entry for unknown rule {e.rule!r}",
                    severity="error",
                )
            )
        elif not can_be_baselined(e.rule):
            problems.append(
                Hit(
                    baseline.loc("entries", e.index, "rule"),
                    f"rule {e.rule} cannot be baselined: it guards every other verdict (fix the finding instead)",
                    severity="error",
                )
            )
        if e.fingerprint in seen:
            problems.append(Hit(at, f"fingerprint {e.fingerprint} is listed twice", severity="error"))
        seen.add(e.fingerprint)
        out.append(EntryVerdict(e, tuple(problems)))
    return out


def stale_entry(baseline: Baseline, e: Entry) -> Hit:
    """An entry that names no finding of today: its finding was fixed (or changed), so it should go."""
    return Hit(
        baseline.loc("entries", e.index, "fingerprint"),
        f"baseline entry {e.fingerprint} ({e.rule} in {e.file}) matches no finding any more; remove it",
    )
