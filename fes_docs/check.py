"""Run the rule catalogue over a loaded project and apply waivers.

This is the single entry point both shells use (CLI ``validate`` and the MkDocs plugin), so a site
build and a CI run can never disagree about what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding, Loc, sort_findings
from .model import Release
from .project import Project, load_project
from .rules import CATALOGUE, Hit, Rule
from .rules.waivers import today


@dataclass
class Result:
    """A checked project: its records and every finding, sorted and with waivers applied."""

    project: Project
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning" and f.waived is None]

    @property
    def waived(self) -> list[Finding]:
        return [f for f in self.findings if f.waived is not None]

    def for_release(self, key: str) -> list[Finding]:
        return [f for f in self.findings if f.release == key]

    def exit_code(self, strict_warnings: bool = False) -> int:
        return 1 if self.errors or (strict_warnings and self.warnings) else 0


def _to_finding(rule: Rule, hit: Hit, release: Release | None) -> Finding:
    return Finding(
        hit.loc,
        rule.id,
        hit.severity or rule.severity,
        hit.message,
        hit.hint if hit.hint is not None else rule.hint,
        hit.release or (release.key if release else None),
        None,
        hit.related,
    )


def _guarded(rule: Rule, hits: Iterable[Hit], release: Release | None, fallback: Loc) -> list[Finding]:
    """A bug in one rule must not hide every other finding, nor show the user a traceback."""
    try:
        return [_to_finding(rule, h, release) for h in hits]
    except Exception as exc:  # noqa: BLE001 - deliberately broad: this is the safety net
        return [
            Finding(
                fallback,
                rule.id,
                "error",
                f"internal error in rule {rule.id}: {exc!r}",
                "this is a bug in fes-docs; please report it with the file",
                release.key if release else None,
            )
        ]


def run_rules(project: Project) -> list[Finding]:
    out: list[Finding] = []
    for rule in sorted(CATALOGUE.values(), key=lambda r: r.id):
        if rule.check is None:
            continue
        if rule.scope == "project":
            out.extend(_guarded(rule, rule.check(project), None, Loc(project.policy_file)))
            continue
        for rel in project.releases:
            if rel.cancelled and not rule.cancelled_too:
                continue
            out.extend(_guarded(rule, rule.check(project, rel), rel, Loc(rel.file)))
    return out


def _release_of_file(project: Project) -> dict[str, str]:
    return {rel.file: rel.key for rel in project.releases}


def apply_waivers(project: Project, findings: list[Finding]) -> list[Finding]:
    """A valid waiver marks matching findings of its release as waived; they stay visible."""
    now = today(project)
    by_release: dict[str, dict[str, Release]] = {}
    for rel in project.releases:
        for ref in rel.waivers:
            w = ref.waiver
            rule = CATALOGUE.get(w.rule)
            if rule is None or not rule.waivable or rule.id.startswith("FES9") or not w.reason:
                continue
            if w.until and w.until < now.isoformat():
                continue
            by_release.setdefault(rel.key, {})[w.rule] = rel
    files = _release_of_file(project)
    out = []
    for f in findings:
        key = f.release or files.get(f.loc.file)
        waiving = by_release.get(key or "", {}).get(f.rule)
        if waiving is not None:
            waiver = next(r.waiver for r in waiving.waivers if r.waiver.rule == f.rule)
            f = f.waive(waiver)
        out.append(f)
    return out


def check_project(project: Project) -> Result:
    findings = [*project.load_findings, *run_rules(project)]
    if project.cache is not None:
        project.cache.save()
    files = _release_of_file(project)
    findings = [f if f.release else _with_release(f, files.get(f.loc.file)) for f in findings]
    return Result(project, sort_findings(apply_waivers(project, findings)))


def _with_release(f: Finding, key: str | None) -> Finding:
    if key is None:
        return f
    from dataclasses import replace

    return replace(f, release=key)


def check(root: Path, today: str | None = None, use_cache: bool | None = None) -> Result:
    """Load and check a project rooted at ``root`` (raises ConfigError only without a readable policy)."""
    return check_project(load_project(root, today=today, use_cache=use_cache))
