"""``fes-docs gate``: may this release deploy to this environment at this moment?

A record is approved in a pull request days before its window; what matters is what holds when the deploy
job runs. :func:`gate` answers from the checked project and the moment alone (no clock is read here: the
shell passes ``now`` or ``--at``), as a list of :class:`Check` — every one is evaluated, so a failing gate
gives every reason at once, each at the record field or policy freeze it is about:

* ``findings`` — no blocking finding (:attr:`~fes_docs.findings.Finding.blocking`, so waived and
  baselined findings do not block) of this release, nor of no release at all: the policy, a migration no
  record claims (Flyway applies it with this deploy), a record that does not parse;
* ``status`` — approved or later; rolled back is not (a new attempt is a new record, §6.6), nor cancelled;
* ``signoffs`` — every owner role signed, and every sign-off bound to the record as it stands
  (:mod:`fes_docs.signoffs`, the one sign-off state);
* ``window`` — the moment is inside the release's window (``[start, end)``);
* ``freeze`` — and outside every freeze of the environment (:mod:`fes_docs.change_calendar`), unless the
  record's FES021 finding for that freeze is waived (the waiver names its approver); a freeze nobody can
  read refuses the deploy;
* ``rollout`` — every environment before this one in the policy's promotion order (§2) is recorded as
  done in the record's ``progress:`` by then (``gate --record`` writes those entries);
* ``artifact`` — the record names its ``artifact.version``, and ``--artifact`` (when given) is it;
* ``incidents`` — for a re-attempt (a record with incidents, or ``reattempt_of``), every action item is done.

Usage errors (an unknown release or environment, a moment without a zone) raise
:class:`~fes_docs.errors.UsageError`, exit code 2, as ``validate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from .change_calendar import aware, freezes_at, unreadable_freezes, window_span
from .errors import UsageError
from .findings import Finding, Loc, did_you_mean
from .model import PROGRESS_STEPS, Release
from .schema_check import excerpt
from .signing import find_release
from .signoffs import SignOffState, release_digest, role_states, signoff_states

if TYPE_CHECKING:
    from .check import Result

CheckResult = Literal["pass", "fail", "skipped", "waived"]
#: The checks, in the order every report lists them; the names are the change record's contract.
CHECKS = ("findings", "status", "signoffs", "window", "freeze", "rollout", "artifact", "incidents")
DEPLOYABLE = ("approved", "in-progress", "released")


@dataclass(frozen=True)
class Problem:
    """One reason a check fails (or was waived), where it is; ``rule`` when it is a finding of that rule."""

    loc: Loc
    message: str
    rule: str | None = None


@dataclass(frozen=True)
class Check:
    name: str
    result: CheckResult
    reason: str  # one line: what was found
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.result != "fail"


@dataclass(frozen=True)
class Gate:
    """The verdict for one release, environment and moment, with what it was judged on."""

    result: Result
    release: Release
    environment: str
    at: datetime
    artifact: str | None
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    @property
    def digest(self) -> str:
        return release_digest(self.release)

    @property
    def signoffs(self) -> list[SignOffState]:
        return signoff_states(self.release)


def moment(text: str | None, now: datetime) -> datetime:
    """``--at`` as an aware moment (``now`` when not given), to the second; a time without a zone is refused."""
    when = now if text is None else aware(text) if len(text) <= 64 else None
    if when is None:
        raise UsageError(f"--at {excerpt(text)} is not an ISO 8601 date-time with a zone (e.g. 2026-12-08T18:30:00Z)")
    return when.astimezone(UTC).replace(microsecond=0)


def stamp(when: datetime) -> str:
    """A moment as the change record and ``progress:`` write it: UTC, to the second, ``Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gate(result: Result, release: str, environment: str, at: datetime, artifact: str | None = None) -> Gate:
    """Judge ``release`` for ``environment`` at ``at`` (aware) on the checked project ``result``."""
    project = result.project
    rel = find_release(project, release)
    envs = project.policy.environments
    if environment not in envs:
        raise UsageError(
            f"unknown environment {environment!r}; the policy's are {', '.join(envs) or 'none'}"
            f"{did_you_mean(environment, envs)}"
        )
    checks = (
        _findings(result, rel),
        _status(rel),
        _signoffs(result, rel),
        _window(rel, at),
        _freeze(result, rel, environment, at),
        _rollout(result, rel, environment, at),
        _artifact(rel, artifact),
        _incidents(rel),
    )
    return Gate(result, rel, environment, at, artifact, checks)


def _check(name: str, problems: list[Problem], passed: str, failed: str | None = None) -> Check:
    if not problems:
        return Check(name, "pass", passed)
    return Check(name, "fail", failed or problems[0].message, tuple(problems))


def _findings(result: Result, rel: Release) -> Check:
    blocking = [f for f in result.findings if f.blocking and f.release in (rel.key, None)]
    problems = [Problem(f.loc, f.message, f.rule) for f in blocking]
    n = len(blocking)
    return _check(
        "findings",
        problems,
        "no blocking finding for this release or the project",
        f"{n} blocking finding{'s' * (n != 1)} (`fes-docs validate` lists them)",
    )


def _status(rel: Release) -> Check:
    status = rel.status or "?"
    if status in DEPLOYABLE:
        return Check("status", "pass", status)
    why = {
        "rolled-back": "it was rolled back: a new attempt is a new record with `reattempt_of` (§6.6)",
        "cancelled": "it was cancelled",
    }.get(status, "it is not approved yet: every owner signs, then the status becomes approved")
    return _check("status", [Problem(rel.loc("status"), f"status is {excerpt(status)}: {why}")], status)


def _signoffs(result: Result, rel: Release) -> Check:
    problems = []
    roles = result.project.policy.owner_roles
    for role, state in role_states(roles, rel).items():
        if state == "missing":
            problems.append(Problem(rel.missing_loc("signoffs"), f"no sign-off for {role}"))
    for st in signoff_states(rel):
        s = st.signoff
        if st.state == "bound":
            continue
        who = f"{excerpt(s.role)} sign-off by {excerpt(s.by)}"
        why = {
            "stale": f"is stale since {s.date}: the record changed after it was signed",
            "unbound": "has no digest: nothing tells what it approved",
            "malformed": "has a digest fes-docs did not write",
        }[st.state]
        problems.append(Problem(rel.loc(*s.path), f"{who} {why}"))
    return _check("signoffs", problems, f"every sign-off bound to the record ({', '.join(roles)})")


def _window(rel: Release, at: datetime) -> Check:
    span = window_span(rel)
    if span is None:
        where = rel.loc("window") if rel.doc.has_key(("window",)) else rel.missing_loc("window")
        return _check("window", [Problem(where, "the record has no window readable as two times with a zone")], "")
    when = f"{stamp(span.start)} → {stamp(span.end)}"
    if span.holds(at):
        return Check("window", "pass", f"inside the window {when}")
    if at < span.start:
        problem = Problem(rel.loc("window", "start"), f"{stamp(at)} is before the window opens ({when})")
    else:
        problem = Problem(rel.loc("window", "end"), f"{stamp(at)} is after the window closed ({when})")
    return _check("window", [problem], "")


def _freeze(result: Result, rel: Release, environment: str, at: datetime) -> Check:
    project = result.project
    waived = {
        f.related[0]: f
        for f in result.findings
        if f.rule == "FES021" and f.release == rel.key and f.waived is not None and f.related
    }
    problems, excused = [], []
    for freeze in unreadable_freezes(project.policy, environment):
        loc = project.policy_loc("freezes", freeze.index)
        problems.append(Problem(loc, f"freeze {freeze.index + 1} cannot be read (FES021): it may hold now"))
    for freeze in freezes_at(project.policy, environment, at):
        loc = project.policy_loc("freezes", freeze.index)
        what = f"{stamp(at)} is in freeze {freeze.index + 1} of {environment}"
        what += f" ({excerpt(freeze.reason)})" if freeze.reason else ""
        finding: Finding | None = waived.get(loc)
        if finding is not None and finding.waived is not None:
            w = finding.waived
            excused.append(Problem(loc, f"{what}; waived: {w.reason}, approved by {w.approved_by}", "FES021"))
        else:
            problems.append(Problem(loc, what))
    if problems:
        return _check("freeze", problems, "")
    if excused:
        return Check("freeze", "waived", excused[0].message, tuple(excused))
    return Check("freeze", "pass", f"no freeze of {environment} holds")


def _rollout(result: Result, rel: Release, environment: str, at: datetime) -> Check:
    envs = result.project.policy.environments
    earlier = envs[: envs.index(environment)]
    done = {
        p.environment
        for p in rel.progress
        if p.step in PROGRESS_STEPS and (when := aware(p.at)) is not None and when <= at
    }
    problems = [
        Problem(
            rel.missing_loc("progress"),
            f"{env} is not recorded as done: no `progress:` entry for it by {stamp(at)} "
            f"(`fes-docs gate {rel.key} --env {env} --record --by NAME` writes one)",
        )
        for env in earlier
        if env not in done
    ]
    passed = f"{', '.join(earlier)} done" if earlier else f"{environment} is the first environment"
    missing = [env for env in earlier if env not in done]
    return _check("rollout", problems, passed, f"not recorded as done before {environment}: {', '.join(missing)}")


def _artifact(rel: Release, artifact: str | None) -> Check:
    version = rel.artifact_version
    if version is None:
        where = rel.missing_loc("artifact")
        return _check("artifact", [Problem(where, "the record names no `artifact.version` to deploy")], "")
    if artifact is None:
        return Check("artifact", "skipped", f"no --artifact given; the record deploys {excerpt(version)}")
    if artifact == version:
        return Check("artifact", "pass", f"{excerpt(version)} as the record says")
    problem = Problem(
        rel.loc("artifact", "version"),
        f"--artifact {excerpt(artifact)} is not the record's artifact.version {excerpt(version)}",
    )
    return _check("artifact", [problem], "")


def _incidents(rel: Release) -> Check:
    if not rel.incidents and not rel.reattempt_of:
        return Check("incidents", "pass", "not a re-attempt: no incidents")
    problems = []
    if not rel.incidents:
        problems.append(Problem(rel.loc("reattempt_of"), "a re-attempt without the incident it follows (FES501)"))
    for inc in rel.incidents:
        for action in inc.actions:
            if action.status != "done":
                where = rel.loc(*action.path, "status") if action.status is not None else rel.loc(*action.path)
                state = f"is {excerpt(action.status)}" if action.status is not None else "has no status"
                title = excerpt(action.title) if action.title else "(untitled)"
                problems.append(Problem(where, f"incident {excerpt(inc.id)} action {title} {state}, not done"))
    n = sum(len(i.actions) for i in rel.incidents)
    return _check("incidents", problems, f"re-attempt: all {n} action item{'s' * (n != 1)} done")
