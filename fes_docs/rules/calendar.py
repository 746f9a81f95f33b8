"""The change calendar: no window in a freeze (FES021), no two windows at once (FES022).

What a window or a freeze spans, and what overlaps what, is :mod:`fes_docs.change_calendar` — the same
answers ``fes-docs gate`` and the timeline use. Released and rolled-back releases are history: a freeze
added afterwards does not turn them red (nor do two of them that once overlapped); the gate is what stops
a deploy at the time.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..change_calendar import Span, by_start, freeze_problem, freezes_overlapping, unknown_environments, window_span
from ..findings import did_you_mean
from ..model import Release
from ..project import Project
from . import Hit, project_rule

HISTORY = frozenset({"released", "rolled-back", "cancelled"})
#: Overlaps named per release at most, and later windows compared with each: a crafted project of a thousand
#: windows at once gives a bounded report for linear work.
MAX_OVERLAPS = 20
MAX_COMPARED = 4 * MAX_OVERLAPS


def _live(rel: Release) -> bool:
    return rel.status not in HISTORY


def _when(span: Span) -> str:
    return f"{span.start.isoformat()} → {span.end.isoformat()}"


@project_rule(
    "FES021",
    "Release windows stay out of change freezes",
    "§2",
    hint="move the window out of the freeze, or waive FES021 with a `reason` and `approved_by` "
    "(the person who accepted deploying in the freeze)",
    needs_approver=True,
)
def window_in_freeze(project: Project) -> Iterator[Hit]:
    """A release's window overlaps no freeze of the policy for an environment it deploys to (a freeze without
    `environments` freezes all). Waivable only with an approver. Each freeze reads as two zoned times, start
    before end, and names environments of the policy: a freeze nobody can read would freeze nothing."""
    policy = project.policy
    for freeze in policy.freezes:
        problem = freeze_problem(freeze)
        if problem is not None:
            key, message = problem
            yield Hit(project.policy_loc("freezes", freeze.index, key), message)
        for j, env in enumerate(freeze.environments):
            if env in unknown_environments(policy, freeze):
                yield Hit(
                    project.policy_loc("freezes", freeze.index, "environments", j),
                    f"freeze {freeze.index + 1} names environment {env!r}, which the policy does not have"
                    f"{did_you_mean(env, policy.environments)}",
                )
    for rel in project.releases:
        window = window_span(rel)
        if window is None or not _live(rel):
            continue
        for frozen in freezes_overlapping(policy, rel):
            f = frozen.freeze
            why = f" ({f.reason})" if f.reason else ""
            yield Hit(
                rel.loc("window", "start"),
                f"window {_when(window)} overlaps freeze {f.index + 1}{why}, {_when(frozen.span)}, "
                f"of {', '.join(frozen.environments)}",
                release=rel.key,
                related=(project.policy_loc("freezes", f.index),),
            )


@project_rule(
    "FES022",
    "One release window at a time",
    "§2",
    severity="warning",
    hint="move one of the windows, so that each release's rollout and its rollback owner have the window to themselves",
)
def windows_overlap(project: Project) -> Iterator[Hit]:
    """Two releases whose windows overlap deploy at once: whose change broke what, and which rollback comes
    first? Reported in the later one (by window start, then id), naming both; two released ones are history."""
    spans = by_start((span, rel) for rel in project.releases if not rel.cancelled and (span := window_span(rel)))
    named: dict[str, int] = {}
    for i, (first, earlier) in enumerate(spans):
        for j in range(i + 1, min(len(spans), i + 1 + MAX_COMPARED)):
            second, later = spans[j]
            if second.start >= first.end:
                break  # sorted by start: nothing further overlaps this one
            if not (_live(earlier) or _live(later)):
                continue
            here, other, span, other_span = (later, earlier, second, first)
            if not _live(later):  # the live one carries it: history has nothing to change
                here, other, span, other_span = (earlier, later, first, second)
            if named.get(here.file, 0) >= MAX_OVERLAPS:
                continue
            named[here.file] = named.get(here.file, 0) + 1
            yield Hit(
                here.loc("window", "start"),
                f"window of {here.key} ({_when(span)}) overlaps the window of {other.key} ({_when(other_span)}) "
                f"in {other.file}",
                release=here.key,
                related=(other.loc("window", "start"),),
            )
