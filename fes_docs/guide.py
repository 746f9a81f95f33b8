"""The guide's numbered rules and how each is enforced.

Every numbered item of the FES migration and rollback guide is either covered by at least one rule
(found through the rules' ``section`` fields: nothing is listed twice) or carries a note saying how
else it is handled or why it is out of scope for a static checker. A test keeps this list in step
with the guide text in ``docs/guide/fes-migration-rollback-guide.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import CATALOGUE

ITEMS: tuple[tuple[str, str], ...] = (
    ("2.1", "Apply schema migrations first (no behavior change)."),
    ("2.2", "Deploy application with new code paths disabled by feature flags."),
    ("2.3", "Enable features gradually:"),
    ("2.4", "local"),
    ("2.5", "test"),
    ("2.6", "staging"),
    ("2.7", "production (incremental)."),
    ("3.1", "Database backup/snapshot completed."),
    ("3.2", "Flyway migration dry-run validated in lower environment."),
    ("3.3", "OpenAPI and docs updated."),
    ("3.4", "Alerting dashboards prepared for new modules."),
    ("3.5", "Rollback owner assigned for deployment window."),
    ("4.1", "All migration scripts must be idempotent."),
    ("4.2", "Avoid destructive schema changes in same release as behavior cutover."),
    ("4.3", "Use additive columns/tables first."),
    ("4.4", "Backfills must be repeatable and bounded."),
    ("4.5", "Large backfills must support dry-run mode."),
    ("5.1.1", "First response is feature flag disable:"),
    ("5.1.2", "`features.enable-step-windows=false`"),
    ("5.1.3", "`features.enable-pdf-lifecycle=false`"),
    ("5.1.4", "`features.enable-question-bank=false`"),
    ("5.1.5", "`features.enable-notification-rule-engine=false`"),
    ("5.1.6", "Re-deploy last known good application artifact if needed."),
    ("5.2.1", "Prefer forward-fix for additive migrations."),
    ("5.2.2", "Do not drop new tables/columns in emergency response."),
    ("5.2.3", "If hard rollback is required, restore from pre-release snapshot."),
    ("6.1", "Disable newly enabled feature flags."),
    ("6.2", "Capture failing endpoints and representative payloads."),
    ("6.3", "Check migration status (`flyway_schema_history`)."),
    ("6.4", "Review application logs and error rates."),
    ("6.5", "Execute rollback artifact if service stability is affected."),
    ("6.6", "Open post-incident action items before reattempt."),
    ("7.1", "Health endpoints green."),
    ("7.2", "Core legacy flows still pass smoke tests."),
    ("7.3", "New module endpoints return expected responses in enabled environments."),
    ("7.4", "Error budget and latency remain within normal range."),
    ("8.1", "Engineering owner."),
    ("8.2", "Database owner."),
    ("8.3", "On-call escalation owner."),
    ("8.4", "Product sign-off owner."),
)

# How items without a dedicated rule are handled (the site, the dry run) or why no check can exist.
NOTES: dict[str, str] = {
    "2.1": "The runbook orders migrations before the deploy; FES317 keeps declared changes honest and "
    "`fes-docs dry-run` applies them on a real PostgreSQL.",
    "3.2": "`fes-docs dry-run` produces the evidence file this item cites; validate checks it is not stale.",
    "5.1.1": "The rollback page opens with the flag-disable lines of the release.",
    "6.1": "The rollback page and the runbook's incident playbook list the flags to disable.",
    "6.2": "Out of scope: an operational step during an incident; the playbook lists it.",
    "6.3": "The runbook's incident playbook gives the concrete `flyway_schema_history` query.",
    "6.4": "Out of scope: an operational step during an incident; the playbook lists it.",
    "7.3": "Live responses are out of scope for a static checker; FES802 checks the endpoints are documented.",
}


@dataclass(frozen=True)
class Coverage:
    item: str
    text: str
    rules: tuple[str, ...]
    note: str


def _expand(section: str) -> set[str]:
    """'§2.3-2.7, §8' -> {'2.3', ..., '2.7', '8.1', ..., '8.4'}."""
    ids = [i for i, _ in ITEMS]
    out: set[str] = set()
    for token in section.split(","):
        token = token.strip().lstrip("§")
        m = re.fullmatch(r"([\d.]+)-([\d.]+)", token)
        if m:
            lo, hi = m.group(1), m.group(2)
            inside = False
            for i in ids:
                inside = inside or i == lo
                if inside:
                    out.add(i)
                if i == hi:
                    break
        elif token in ids:
            out.add(token)
        elif re.fullmatch(r"[\d.]+", token):
            out.update(i for i in ids if i.startswith(token + "."))
    return out


def coverage() -> list[Coverage]:
    by_item: dict[str, list[str]] = {i: [] for i, _ in ITEMS}
    for rule in CATALOGUE.values():
        for item in _expand(rule.section):
            by_item[item].append(rule.id)
    return [Coverage(i, text, tuple(sorted(by_item[i])), NOTES.get(i, "")) for i, text in ITEMS]
