"""Waivers: a reasoned, dated, visible exception to one rule in one release."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..model import Release
from ..project import Project
from . import CATALOGUE, Hit, release_rule


def today(project: Project) -> date:
    return date.fromisoformat(project.today) if project.today else date.today()


@release_rule(
    "FES901",
    "Waivers are reasoned and current",
    "tool",
    cancelled_too=True,
    hint="give the waiver a `reason`, and renew or remove it once `until` has passed",
)
def waiver_valid(project: Project, rel: Release) -> Iterator[Hit]:
    """A waiver names a known, waivable rule, gives a reason, and has not expired (`until` is inclusive)."""
    for ref in rel.waivers:
        w = ref.waiver
        rule = CATALOGUE.get(w.rule)
        if rule is None:
            yield Hit(rel.loc(*ref.path, "rule"), f"waiver for unknown rule {w.rule!r}")
        elif not rule.waivable or rule.id.startswith("FES9"):
            yield Hit(rel.loc(*ref.path, "rule"), f"rule {w.rule} cannot be waived")
        if not w.reason:
            yield Hit(rel.loc(*ref.path), f"waiver for {w.rule} has no reason")
        if w.until:
            try:
                until = date.fromisoformat(w.until)
            except ValueError:
                continue  # the schema reports the format
            if until < today(project):
                yield Hit(rel.loc(*ref.path, "until"), f"waiver for {w.rule} expired on {w.until}")
