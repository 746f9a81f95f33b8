"""§2 rollout model: flags start disabled and are raised environment by environment."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Release
from ..project import Project
from . import Hit, release_rule
from .lists import known_and_once


@release_rule(
    "FES201",
    "Known feature flags",
    "§5.1.2-5.1.5",
    hint="use a flag listed in the policy, or add the new flag to releases/policy.yaml",
)
def known_flags(project: Project, rel: Release) -> Iterator[Hit]:
    """Every flag a release rolls out is listed in the policy, once: the rollback page must know how to disable it."""
    yield from known_and_once(
        ((f.name, (*f.path, "name")) for f in rel.flags),
        rel.loc,
        project.policy.flags,
        "feature flag",
        "flag {name} is listed twice in this release",
    )


@release_rule(
    "FES202",
    "Environments in promotion order",
    "§2.2-2.7",
    hint="reach 100 in every earlier environment before enabling the next one",
)
def promotion_order(project: Project, rel: Release) -> Iterator[Hit]:
    """A flag may be above 0 in an environment only when every earlier environment is at 100."""
    envs = project.policy.environments
    for flag in rel.flags:
        for i, env in enumerate(envs):
            if flag.percent(env) <= 0 and not any(s > 0 for s in flag.steps(env)):
                continue
            behind = [e for e in envs[:i] if flag.percent(e) < 100]
            if behind:
                yield Hit(
                    rel.loc(*flag.path, "rollout", env),
                    f"{flag.name} is enabled in {env} while {', '.join(behind)} "
                    f"{'is' if len(behind) == 1 else 'are'} not at 100%",
                )


@release_rule("FES203", "Incremental production rollout", "§2.7", hint="use rising steps such as [5, 25, 50, 100]")
def incremental_production(project: Project, rel: Release) -> Iterator[Hit]:
    """A non-empty production rollout is a strictly rising list of at least two steps, each 1-100."""
    prod = project.policy.production
    for flag in rel.flags:
        value = flag.rollout.get(prod)
        if value is None or value == []:
            continue
        if not isinstance(value, list):
            if value != 0:
                yield Hit(
                    rel.loc(*flag.path, "rollout", prod),
                    f"{flag.name}: {prod} must be a list of rising steps, not a single value {value!r}",
                )
            continue
        steps = flag.steps(prod)
        if len(steps) < 2:
            yield Hit(
                rel.loc(*flag.path, "rollout", prod),
                f"{flag.name}: {prod} rollout needs at least two steps, got {steps}",
            )
        for j, step in enumerate(steps):
            if step == 0:  # below 0 and above 100 are schema errors already
                yield Hit(
                    rel.loc(*flag.path, "rollout", prod, j), f"{flag.name}: step 0 is not a step (steps are 1-100)"
                )
        for j in range(1, len(steps)):
            if steps[j] <= steps[j - 1]:
                yield Hit(
                    rel.loc(*flag.path, "rollout", prod, j),
                    f"{flag.name}: step {steps[j]} does not rise above {steps[j - 1]}",
                )


@release_rule(
    "FES204",
    "Only this release's flags",
    "§2, §5.1",
    "warning",
    hint="remove the flag from this record: a flag this release never raises is not part of it",
)
def flag_raised(project: Project, rel: Release) -> Iterator[Hit]:
    """A flag listed at 0 % in every environment is not part of the release, and its pages never switch it off."""
    for flag in rel.flags:
        if not flag.name or flag.enabled:
            continue
        if rel.from_approved or rel.rank < 0:
            yield Hit(rel.loc(*flag.path, "name"), f"flag {flag.name} is listed but never enabled; remove it")
        else:  # a draft or planned release may still be planning the rollout
            yield Hit(
                rel.loc(*flag.path, "name"),
                f"flag {flag.name} is listed but not raised anywhere yet; plan its rollout or remove it",
            )
