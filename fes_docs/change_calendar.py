"""The change calendar: release windows and the policy's freezes as spans of aware time — the one reading.

FES021 (a window in a freeze), FES022 (two windows at once), ``fes-docs gate`` (a deploy now, inside the
window, outside every freeze) and the dashboard's timeline all ask here, so a freeze the rule reports is
the freeze the gate refuses and the picture shades.

Times are compared as aware datetimes: ``18:00+01:00`` and ``17:00Z`` are the same moment. A window
without a zone has no span here (FES020 reports it, once); a freeze without one does not pass the policy
schema, and one that still does not read (``2026-02-30T…``, an end before its start) is reported by
FES021 at the policy and refuses every deploy the gate is asked about (:func:`unreadable_freezes`). Spans
are half-open, ``[start, end)``: a freeze that ends at 18:00 lets a window start at 18:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .dates import parse_datetime
from .model import Policy, Release
from .policy_settings import ZONED_DATETIME, Freeze

_ZONED = re.compile(ZONED_DATETIME)


@dataclass(frozen=True, order=True)
class Span:
    """From ``start`` (included) to ``end`` (excluded), both aware."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def holds(self, when: datetime) -> bool:
        return self.start <= when < self.end


def aware(text: str | None) -> datetime | None:
    """A written date-time with its zone; None when unreadable or without a zone (no moment to compare)."""
    when = parse_datetime(text) if text else None
    return when if when is not None and when.tzinfo is not None else None


def _span(start: str | None, end: str | None) -> Span | None:
    a, b = aware(start), aware(end)
    return Span(a, b) if a is not None and b is not None and a < b else None


def window_span(rel: Release) -> Span | None:
    """The release's window, when both ends read with a zone and it starts before it ends (else FES020)."""
    return _span(rel.window_start, rel.window_end)


def freeze_span(freeze: Freeze) -> Span | None:
    return _span(freeze.start, freeze.end)


def freeze_problem(freeze: Freeze) -> tuple[str, str] | None:
    """(the key at fault, what is wrong) for a freeze with no span that the policy schema lets through: a
    time of the right shape that is no real moment (``2026-02-30T…``), or an end not after the start.
    None for a readable freeze, and for one the schema reports (a key missing, a time without a zone)."""
    if freeze_span(freeze) is not None:
        return None
    for key, text in (("start", freeze.start), ("end", freeze.end)):
        if text is None or not _ZONED.fullmatch(text):
            return None  # the policy schema's finding (FES010): said once
        if aware(text) is None:
            return key, f"freeze {freeze.index + 1}: {key} {text[:40]!r} is not a date-time with a zone"
    return ("end", f"freeze {freeze.index + 1} ends ({freeze.end}) before or when it starts ({freeze.start})")


def unknown_environments(policy: Policy, freeze: Freeze) -> list[str]:
    """Environments a freeze names that the policy does not have: a typo would freeze nothing."""
    return [e for e in freeze.environments if e not in policy.environments]


def release_environments(policy: Policy, rel: Release) -> list[str]:
    """The environments a release deploys to in its window: every one of the policy, in promotion order.

    The artifact and the migrations go through each environment in turn (§2), and the gate lets each one
    go only inside the window, so a freeze of any of them can stop the release.
    """
    return list(policy.environments)


@dataclass(frozen=True)
class FrozenBy:
    """A freeze a window overlaps, and which of the release's environments it freezes."""

    freeze: Freeze
    span: Span
    environments: tuple[str, ...]


def freezes_overlapping(policy: Policy, rel: Release) -> list[FrozenBy]:
    """The readable freezes the release's window overlaps, for an environment the release deploys to."""
    window = window_span(rel)
    if window is None:
        return []
    envs = release_environments(policy, rel)
    out = []
    for freeze in policy.freezes:
        span = freeze_span(freeze)
        if span is None or not span.overlaps(window):
            continue
        frozen = tuple(e for e in envs if freeze.covers(e))
        if frozen:
            out.append(FrozenBy(freeze, span, frozen))
    return out


def freezes_at(policy: Policy, environment: str, when: datetime) -> list[Freeze]:
    """The readable freezes of ``environment`` that hold at ``when``."""
    return [
        f for f in policy.freezes if f.covers(environment) and (span := freeze_span(f)) is not None and span.holds(when)
    ]


def unreadable_freezes(policy: Policy, environment: str) -> list[Freeze]:
    """Freezes of ``environment`` with no span: nobody can tell when they hold, so a gate fails closed."""
    return [f for f in policy.freezes if f.covers(environment) and freeze_span(f) is None]


def by_start(spans: Iterable[tuple[Span, Release]]) -> list[tuple[Span, Release]]:
    """Windows in time order, ties by release id and file: the order overlaps are reported in."""
    return sorted(spans, key=lambda sr: (sr[0].start, sr[0].end, sr[1].key, sr[1].file))
