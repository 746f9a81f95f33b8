"""§7 post-deployment validation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Release
from ..project import Project
from . import Hit, release_rule


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


@release_rule(
    "FES601",
    "Post-deployment validation planned",
    "§7.1-7.4",
    hint="add `validation: {health: [...], smoke: [...], slo: {...}}`",
)
def validation_present(project: Project, rel: Release) -> Iterator[Hit]:
    """From `approved` on, health endpoints (§7.1), legacy smoke tests (§7.2) and SLO bounds (§7.4) are listed."""
    if not rel.from_approved:
        return
    for key, what in (("health", "health endpoints"), ("smoke", "legacy smoke tests"), ("slo", "SLO bounds")):
        if not rel.validation.get(key):
            yield Hit(
                rel.missing_loc("validation"),
                f"no validation.{key} ({what}) for a release that is {rel.status}",
                subject=key,
            )


@release_rule(
    "FES602",
    "SLO bounds are sane",
    "§7.4",
    hint="error_rate_max is a fraction in (0, 1], e.g. 0.01; p95_latency_ms_max is above 0",
)
def slo_bounds(project: Project, rel: Release) -> Iterator[Hit]:
    """`error_rate_max` lies in (0, 1] (a fraction, not a percentage) and `p95_latency_ms_max` is above 0."""
    slo = rel.validation.get("slo")
    if not isinstance(slo, dict):
        return
    rate = _number(slo.get("error_rate_max"))
    if rate is not None and not 0 < rate <= 1:
        yield Hit(
            rel.loc("validation", "slo", "error_rate_max"),
            f"error_rate_max {slo.get('error_rate_max')} is outside (0, 1]",
        )
    p95 = _number(slo.get("p95_latency_ms_max"))
    if p95 is not None and p95 <= 0:
        yield Hit(
            rel.loc("validation", "slo", "p95_latency_ms_max"),
            f"p95_latency_ms_max {slo.get('p95_latency_ms_max')} must be above 0",
        )
