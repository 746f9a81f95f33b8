"""Run the rule catalogue over a loaded project, name each finding (its fingerprint), apply waivers and the
baseline.

This is the single entry point both shells use (CLI ``validate`` and the MkDocs plugin), so a site
build and a CI run can never disagree about what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .baseline import Baseline, read_baseline
from .findings import Baselined, Finding, InternalError, Loc, Summary, Waiver, fingerprinted, sort_findings
from .inert import inert
from .model import Release
from .project import Project, load_project
from .proving import evidence_file
from .rules import CATALOGUE, Hit, Rule
from .rules.baseline import entry_verdicts, stale_entry
from .rules.waivers import fingerprint_waivers, sound_waivers


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
        return [f for f in self.findings if f.open_warning]

    @property
    def waived(self) -> list[Finding]:
        return [f for f in self.findings if f.waived is not None]

    @property
    def baselined(self) -> list[Finding]:
        return [f for f in self.findings if f.waived is None and f.baselined is not None]

    @property
    def summary(self) -> Summary:
        return Summary.of(self.findings)

    def for_release(self, key: str) -> list[Finding]:
        return [f for f in self.findings if f.release == key]

    def exit_code(self, strict_warnings: bool = False) -> int:
        return 1 if self.summary.fails(strict_warnings) else 0


def _to_finding(rule: Rule, hit: Hit, release: Release | None) -> Finding:
    """The hit as a finding of ``rule``; its location's subject extended by the hit's own (the fingerprint)."""
    loc = hit.loc
    if hit.subject:
        loc = replace(loc, subject=f"{loc.subject} :: {hit.subject}" if loc.subject else hit.subject)
    return Finding(
        loc,
        rule.id,
        hit.severity or rule.severity,
        hit.message,
        hit.hint if hit.hint is not None else rule.hint,
        hit.release or (release.key if release else None),
        None,
        hit.related,
    )


def _guarded(rule: Rule, args: tuple[Any, ...], release: Release | None, fallback: str) -> list[Finding]:
    """``rule`` run on ``args``: a bug in one rule must not hide every other finding, nor show the user a
    traceback (an :class:`InternalError` at the start of ``fallback``, the file it was checking), whether it
    raises when called or while its hits are read."""
    check = rule.check
    assert check is not None
    try:
        return [_to_finding(rule, h, release) for h in check(*args)]
    except Exception as exc:  # noqa: BLE001 - deliberately broad: this is the safety net
        return [
            InternalError(
                Loc(fallback),
                rule.id,
                "error",
                inert(f"internal error in rule {rule.id}: {exc!r}"[:500]),
                "this is a bug in fes-docs; please report it with the file",
                release.key if release else None,
            )
        ]


def run_rules(project: Project) -> list[Finding]:
    """Every rule over the project, in the catalogue's order, each record rule over the records in order.

    In a one-shot run with many records (:attr:`Project.parallel`), a forked child runs the project rules and
    the record rules over the last part of the records while this process does the record rules over the
    rest: forty rules times 10,000 records, and the project rules over all of them, are seconds of pure Python
    (issue 14). The child is a copy of the loaded project, so its findings are the ones this process would
    find; they are put back in their place, so the list is the same either way. What is shared and lazy (the
    SQL analyses, the spec) is built here first, and the files the child read are added to this run's
    manifest, so the cache knows what its answer depended on.
    """
    rules = [rule for rule in sorted(CATALOGUE.values(), key=lambda r: r.id) if rule.check is not None]
    releases = project.releases
    split = len(releases)
    child = None
    if project.parallel and len(releases) // 2 >= PARALLEL_RECORDS:
        _build_shared(project)
        from . import workers  # lazy: only a large one-shot run forks

        split = round(len(releases) * PARENT_SHARE)
        child = workers.forked(lambda: _in_child(project, rules, releases[split:]), len(releases))
        if child is None:
            split = len(releases)
    mine = _record_rules(project, rules, releases[:split])
    theirs: dict[str, list[Finding]] = {}
    whole: dict[str, list[Finding]] | None = None
    if child is not None:  # the child's part; if it failed, done here
        answer = _merged(project, child.result(workers.deadline(len(releases) * 2000)))
        if answer is not None:
            theirs, whole = answer
        else:
            theirs = _record_rules(project, rules, releases[split:])
    if whole is None:
        whole = _project_rules(project, rules)
    out: list[Finding] = []
    for rule in rules:
        out.extend(whole[rule.id] if rule.scope == "project" else [*mine[rule.id], *theirs.get(rule.id, [])])
    return out


#: Fewest records in each half worth a child for the record rules (forking a big process costs milliseconds).
PARALLEL_RECORDS = 100
#: The records whose rules this process runs when a child runs the rest and the project rules: measured at
#: 10,000 records, the project rules cost about what the record rules over 30% of the records do, so this
#: share has both finish together (with a half each, the project rules came after, 0.7 s on their own).
PARENT_SHARE = 0.65


def _project_rules(project: Project, rules: list[Rule]) -> dict[str, list[Finding]]:
    """Each project rule's findings."""
    return {r.id: _guarded(r, (project,), None, project.policy_file) for r in rules if r.scope == "project"}


def _record_rules(project: Project, rules: list[Rule], releases: list[Release]) -> dict[str, list[Finding]]:
    """Each record rule's findings over ``releases``, in order."""
    out: dict[str, list[Finding]] = {}
    for rule in rules:
        if rule.scope == "project":
            continue
        found: list[Finding] = []
        cancelled_too = rule.cancelled_too  # forty rules times every record: kept light
        for rel in releases:
            if cancelled_too or not rel.cancelled:
                found.extend(_guarded(rule, (project, rel), rel, rel.file))
        out[rule.id] = found
    return out


def _build_shared(project: Project) -> None:
    """Build, before forking, what every record rule shares and builds on first use: else both processes
    would build it, and what the child builds (the SQL analyses' cache entries) would be lost with it."""
    index = project.migrations
    for name in index.files:
        index.analysis(name)
    if project.policy.openapi:
        project.spec  # noqa: B018 - a cached property: built here, once


Reads = tuple[dict[str, str], dict[str, list[str]]]


#: What the child answers: its record rules' findings, the project rules' findings, and what they read.
Answer = tuple[dict[str, list[Finding]], dict[str, list[Finding]], Reads]


def _in_child(project: Project, rules: list[Rule], releases: list[Release]) -> Answer:
    """The child's work: the record rules over ``releases``, the project rules, and every file and listing
    they read."""
    found = _record_rules(project, rules, releases)
    whole = _project_rules(project, rules)
    return found, whole, project.inputs.reads()


def _merged(
    project: Project, answer: Answer | None
) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]] | None:
    if answer is None:
        return None
    found, whole, reads = answer
    project.inputs.add_reads(reads)
    return found, whole


class RecordOwner:
    """Which record a finding belongs to — the one answer waivers, pages and counts all use.

    A finding in a record's own file is that record's. A finding elsewhere (an SQL file, the spec) is
    the record's whose key it names, but only when exactly one record has that key: two files claiming
    one id speak for neither, so neither's waivers touch the other's findings.
    """

    def __init__(self, releases: list[Release]) -> None:
        self._by_file = {rel.file: rel for rel in releases}
        self._by_key: dict[str, list[Release]] = {}
        for rel in releases:
            self._by_key.setdefault(rel.key, []).append(rel)

    def __call__(self, f: Finding) -> Release | None:
        own = self._by_file.get(f.loc.file)
        if own is not None:
            return own
        candidates = self._by_key.get(f.release or "", [])
        return candidates[0] if len(candidates) == 1 else None


class FindingScope:
    """Which files a finding is about — the one answer ``validate --changed-since`` gates on.

    A change to any file a finding is about may have caused it, so a pull request touching any of them
    must see it, wherever the finding is located. A finding is about its own file and its related
    locations' files (:meth:`Finding.about_files`), and this adds:

    * the policy, which shapes every verdict (roles, environments, the migrations folder, the spec);
    * the record it belongs to (:class:`RecordOwner`) and every file that record names: its migrations
      and their undo files, backfill scripts, cited evidence files, the OpenAPI spec and each file the spec
      read (when the record lists endpoints), and the record it re-attempts — by the file names its id
      gives too, so deleting that record counts as a change;
    * for a finding in a migration file, each record claiming that file.

    Names a record gives are taken as written (a missing file is still a name a change can add).
    """

    def __init__(self, project: Project) -> None:
        self._project = project
        self._owner = RecordOwner(project.releases)
        self._named: dict[str, frozenset[str]] = {}
        self._about: dict[tuple[str | None, tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}
        index = project.migrations
        self._claimants: dict[str, set[str]] = {}
        for name, claims in index.claims.items():
            self._claimants.setdefault(index.file_label(name), set()).update(c.release.file for c in claims)

    def named_by(self, rel: Release) -> frozenset[str]:
        """The record's own file and every file it names (see the class docstring)."""
        found = self._named.get(rel.file)
        if found is not None:
            return found
        project, index = self._project, self._project.migrations
        files = {rel.file}
        for ref in rel.migrations:
            if ref.file:
                files.add(index.file_label(ref.file))
                version = index.version_of(ref.file)
                files.update(index.file_label(u) for u in index.undo_by_version.get(version or (), []))
        files.update(b.sql for b in rel.backfills if b.sql)
        files.update(e for item in rel.checklist if (e := evidence_file(item.evidence)) is not None)
        if rel.endpoints and project.policy.openapi:
            files.add(project.policy.openapi)
            files.update(project.spec.files)
        if rel.reattempt_of:
            target = rel.reattempt_of
            files.update(f"{project.releases_dir}/{target}{ext}" for ext in (".yaml", ".yml"))
            files.update(r.file for r in project.releases if r.key == target)
        self._named[rel.file] = frozen = frozenset(files)
        return frozen

    def __call__(self, f: Finding) -> Finding:
        """``f`` with ``about`` filled in."""
        own = (f.loc.file, *(r.file for r in f.related))  # what it says itself; ``about`` it already had is kept
        rel = self._owner(f)
        key = (rel.file if rel is not None else None, own, f.about)
        about = self._about.get(key)  # a record's findings mostly share all three: 40,000 findings, 10,000 answers
        if about is None:
            files = {self._project.policy_file, *f.about}
            if rel is not None:
                files |= self.named_by(rel)
            for file in own:
                files |= self._claimants.get(file, set())
            about = self._about[key] = tuple(sorted(files.difference(own)))
        return f.evolved(about=about)


def apply_waivers(project: Project, findings: list[Finding]) -> list[Finding]:
    """A sound waiver (see :func:`~fes_docs.rules.waivers.waiver_verdicts`) marks its own record's findings
    of that rule — or, naming a fingerprint, its record's one finding with it — as waived; they stay
    visible. Rules that cannot be waived are never credited. The problems of fingerprint waivers, which only
    the fingerprinted findings show (:func:`~fes_docs.rules.waivers.fingerprint_waivers`), are added as
    FES901 findings."""
    owner = RecordOwner(project.releases)
    by_fingerprint: dict[str, dict[str, Finding]] = {}
    for f in findings:
        rel = owner(f)
        if rel is not None and f.fingerprint:
            by_fingerprint.setdefault(rel.file, {}).setdefault(f.fingerprint, f)
    sound = {rel.file: sound_waivers(project, rel) for rel in project.releases}
    one: dict[str, dict[str, Waiver]] = {}
    late: list[Finding] = []
    for rel in project.releases:
        one[rel.file], problems = fingerprint_waivers(project, rel, by_fingerprint.get(rel.file, {}))
        late.extend(_to_finding(CATALOGUE["FES901"], h, rel) for h in problems)
    out = []
    for f in findings:
        rel = owner(f)
        rule = CATALOGUE.get(f.rule)
        waiver = (sound[rel.file].get(f.rule) or one[rel.file].get(f.fingerprint)) if rel is not None else None
        if waiver is not None and rule is not None and rule.can_be_waived:
            f = f.waive(waiver)
        out.append(f)
    return out + late


def apply_baseline(baseline: Baseline, findings: list[Finding]) -> list[Finding]:
    """Each finding a sound baseline entry names (see :func:`~fes_docs.rules.baseline.entry_verdicts` and
    :meth:`~fes_docs.baseline.Entry.names`) is marked baselined, unless a waiver took it; it stays listed.
    Every entry's problems, and every sound entry that names no finding any more (so the baseline only
    shrinks), are added as FES902 findings; a baseline file with problems credits nothing."""
    rule = CATALOGUE["FES902"]
    verdicts = entry_verdicts(baseline) if not baseline.problems else []
    sound = {v.entry.fingerprint: v.entry for v in verdicts if v.sound}
    used: set[str] = set()
    out = []
    for f in findings:
        entry = sound.get(f.fingerprint) if f.fingerprint else None
        if entry is not None and entry.names(f):
            used.add(entry.fingerprint)
            if f.waived is None:
                f = replace(f, baselined=Baselined(entry.reason, entry.by))
        out.append(f)
    for v in verdicts:
        hits = [*v.problems, *([stale_entry(baseline, v.entry)] if v.sound and v.entry.fingerprint not in used else [])]
        out.extend(replace(_to_finding(rule, h, None), about=(v.entry.file,)) for h in hits)
    return out


def checked_findings(project: Project) -> list[Finding]:
    """Every finding of ``project``, sorted and fingerprinted, with waivers and the baseline applied — all
    of them (:func:`check_project` caps what a report shows; ``fes-docs baseline`` records them all)."""
    baseline = read_baseline(project)  # first: its entries count in the records' sign-off digests
    findings = [*project.load_findings, *baseline.problems, *run_rules(project)]
    if project.cache is not None:
        project.cache.save()
    owner = RecordOwner(project.releases)
    findings = [f if f.release else _with_release(f, owner(f)) for f in findings]
    findings = fingerprinted(sort_findings(findings))  # sorted first: duplicates go before they are counted
    findings = apply_baseline(baseline, apply_waivers(project, findings))
    scope = FindingScope(project)
    return fingerprinted(sort_findings([scope(f) for f in findings]))


def check_project(project: Project) -> Result:
    return Result(project, fingerprinted(cap_findings(checked_findings(project))))  # a cap's summary named too


#: Findings of one rule in one file shown in full; the rest are counted in one "and N more" finding, so a
#: crafted file cannot bury a report (or a CI log) under millions of lines.
MAX_PER_RULE_AND_FILE = 50


def cap_findings(findings: list[Finding], limit: int = MAX_PER_RULE_AND_FILE) -> list[Finding]:
    """``findings`` (sorted) with each (rule, file) group cut to ``limit``, plus one finding for the rest.

    The summary finding is blocking when any hidden finding was, so a cap never turns a run green.
    """
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule, f.loc.file), []).append(f)
    if all(len(items) <= limit for items in groups.values()):
        return findings  # nothing to cut: as sorted already
    out: list[Finding] = []
    for (rule, file), items in groups.items():
        out.extend(items[:limit])
        rest = items[limit:]
        if rest:
            blocking = [f for f in rest if f.blocking]
            open_ = [f for f in rest if f.open_warning]
            first = (blocking or open_ or rest)[0]  # the summary stands for the worst of what it hides
            kind = InternalError if any(isinstance(f, InternalError) for f in rest) else Finding
            out.append(
                kind(
                    first.loc,
                    rule,
                    first.severity,
                    f"and {len(rest)} more {rule} finding{'s' * (len(rest) != 1)} in {file} "
                    f"({len(blocking)} blocking), not listed one by one",
                    "fix the ones listed, then run again to see the rest",
                    first.release,
                    first.waived,
                    baselined=first.baselined,
                    about=tuple(sorted(frozenset().union(*(f.about_files() for f in rest)) - {file})),
                )
            )
    return sort_findings(out)


def _with_release(f: Finding, rel: Release | None) -> Finding:
    return f if rel is None else replace(f, release=rel.key)


def check(root: Path, today: str | None = None, use_cache: bool | None = None) -> Result:
    """Load and check a project rooted at ``root`` (raises ConfigError only without a readable policy)."""
    return check_project(load_project(root, today=today, use_cache=use_cache))
