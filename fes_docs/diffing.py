"""``fes-docs diff``: what changed in substance between two revisions, as Markdown for a pull request.

A text diff of YAML shows that line 31 changed; a reviewer wants to know that the question bank now
reaches 50% of production, that V7 is a destructive migration, that the product sign-off no longer
covers the record and that two new errors came with it. Both trees are checked with the same rules
as ``validate`` and compared as records, not as lines.

Revisions are read with ``git archive`` into temporary folders: nothing touches the user's working
tree, index or refs. The head defaults to the working tree itself, uncommitted edits included.

CI appends the Markdown to the GitHub step summary, and every value in it (ids, titles, flag and
file names, owners, messages) comes from a pull request: each one goes through the site's escaper
(:mod:`fes_docs.render.escape`), text as escaped text, names as code spans, so none of it can
become a link, an image, HTML, a heading or a block on the page a reviewer trusts.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check import Result, check
from .errors import ConfigError, UsageError
from .findings import Finding, fingerprint_of
from .gitutil import git, toplevel
from .model import Flag, Release
from .render.escape import inline_code, md_escape, md_text
from .signoffs import SignOffState, signoff_states

COVERED = ("status", "flags", "migrations", "checklist", "signoffs")


# --- reading a revision -----------------------------------------------------------------------


@contextmanager
def checked_revision(root: Path, rev: str, today: str | None = None) -> Iterator[Result | None]:
    """The project as it was at ``rev``, checked; None when the project did not exist there."""
    root = root.resolve()
    top = toplevel(root)
    if not git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).strip():
        raise UsageError(f"unknown git revision {rev!r}")
    prefix = root.relative_to(top.resolve()).as_posix()
    treeish = rev if prefix == "." else f"{rev}:{prefix}"
    proc = subprocess.run(["git", "archive", "--format=tar", treeish], cwd=top, capture_output=True, check=False)
    with tempfile.TemporaryDirectory(prefix="fes-docs-diff-") as tmp:
        if proc.returncode != 0:  # the project folder did not exist at that revision
            yield None
            return
        try:
            with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
                tar.extractall(tmp, filter=_as_checked_out)
        except (OSError, tarfile.TarError) as exc:
            raise UsageError(f"cannot read the tree of {rev!r}: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            yield check(Path(tmp), today=today, use_cache=False)
        except ConfigError:  # no policy there yet: every release is new
            yield None


def _as_checked_out(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, except that the tree comes out as a checkout has it: a symbolic link that
    leads out of it (absolute, or up past the top) is kept as a link — the project's reader refuses to
    follow it, as in the working tree — and a name no file system takes (over 255 bytes) is left out."""
    if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in member.name.split("/")):
        return None
    try:
        return tarfile.data_filter(member, dest)
    except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError):
        if not member.issym():
            raise
        return member


def diff_revisions(root: Path, base: str, head: str | None = None, today: str | None = None) -> str:
    """Markdown describing the change from ``base`` to ``head`` (default: the working tree)."""
    with checked_revision(root, base, today) as old:
        if head is None:
            return diff_markdown(old, check(root, today=today), base, None)
        with checked_revision(root, head, today) as new:
            return diff_markdown(old, new, base, head)


# --- comparing two checked trees --------------------------------------------------------------


@dataclass
class ReleaseChange:
    key: str
    title: str | None
    kind: str = "changed"  # "new" | "removed" | "changed"
    lines: list[str] = field(default_factory=list)
    introduced: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.kind == "changed" and not (self.lines or self.introduced or self.fixed or self.waived)


def _steps(flag: Flag | None, env: str, prod: str) -> Any:
    if flag is None:
        return [] if env == prod else 0
    return flag.steps(env) if env == prod else flag.percent(env)


def _level(value: Any) -> int:
    return (value[-1] if value else 0) if isinstance(value, list) else int(value)


def _flag_lines(old: Release | None, new: Release | None, envs: list[str], prod: str) -> list[str]:
    before = {f.name: f for f in (old.flags if old else []) if f.name}
    after = {f.name: f for f in (new.flags if new else []) if f.name}
    out = []
    for name in sorted(set(before) | set(after)):
        moves = []
        for env in envs:
            a, b = _steps(before.get(name), env, prod), _steps(after.get(name), env, prod)
            if a == b:
                continue
            verb = "raised" if _level(b) > _level(a) else "lowered" if _level(b) < _level(a) else "re-stepped"
            moves.append(f"{verb} in {md_escape(env)} {md_escape(a)} → {md_escape(b)}")
        if moves:
            out.append(f"**Flag** {inline_code(name)}: " + "; ".join(moves))
    return out


def _sql_kind(result: Result, file: str) -> str | None:
    try:
        return result.project.migrations.sql_class(file)
    except Exception:  # noqa: BLE001 - the SQL class is a courtesy; validate reports SQL problems
        return None


def _migration_lines(old: Release | None, new: Release | None, head: Result | None) -> list[str]:
    before = {m.file: m for m in (old.migrations if old else []) if m.file}
    after = {m.file: m for m in (new.migrations if new else []) if m.file}
    out = []
    for name in sorted(set(after) - set(before)):
        sql = _sql_kind(head, name) if head else None
        out.append(
            f"**Migration added:** {inline_code(name)} — declared {inline_code(after[name].change)}"
            + (f", SQL reads as {inline_code(sql)}" if sql else "")
        )
    for name in sorted(set(before) & set(after)):
        if before[name].change != after[name].change:
            was, now = inline_code(before[name].change), inline_code(after[name].change)
            out.append(f"**Migration** {inline_code(name)}: change {was} → {now}")
    out += [f"**Migration removed:** {inline_code(name)}" for name in sorted(set(before) - set(after))]
    return out


def _checklist_lines(old: Release | None, new: Release | None, titles: dict[str, str]) -> list[str]:
    before = {c.id: c.done for c in (old.checklist if old else []) if c.id}
    after = {c.id: c.done for c in (new.checklist if new else []) if c.id}
    ticked = [i for i in after if after[i] is True and before.get(i) is not True]
    unticked = [i for i in before if before[i] is True and after.get(i) is not True]

    def names(ids: list[str]) -> str:
        return ", ".join(f"{inline_code(i)} ({md_escape(titles.get(i, i))})" for i in ids)

    return ([f"**Checklist ticked:** {names(ticked)}"] if ticked else []) + (
        [f"**Checklist unticked:** {names(unticked)}"] if unticked else []
    )


def _who(st: SignOffState) -> str:
    return f"{md_escape(st.signoff.role or '?')} by {md_escape(st.signoff.by or '?')}"


def _redated(was: SignOffState, now: SignOffState) -> str:
    """`` (dated 2026-03-08 → 2026-12-01)`` when a sign-off's date changed, else nothing."""
    if was.signoff.date == now.signoff.date:
        return ""
    return f" (dated {md_escape(was.signoff.date or 'undated')} → {md_escape(now.signoff.date or 'undated')})"


def _signoff_lines(old: Release | None, new: Release | None) -> list[str]:
    before = {(s.signoff.role, s.signoff.by): s for s in (signoff_states(old) if old else [])}
    after = {(s.signoff.role, s.signoff.by): s for s in (signoff_states(new) if new else [])}
    added, renewed, redated, stale, removed = [], [], [], [], []
    for key, st in sorted(after.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        was = before.get(key)
        if was is None:
            added.append(f"{_who(st)} ({'bound to the content' if st.state == 'bound' else st.state})")
        elif st.state == "stale" and was.state != "stale":
            stale.append(f"{_who(st)} (signed {md_escape(st.signoff.date or 'undated')})")
        elif st.signoff.digest != was.signoff.digest and st.state == "bound":
            renewed.append(_who(st) + _redated(was, st))
        elif st.signoff.date != was.signoff.date:
            redated.append(_who(st) + _redated(was, st))
    for key, st in sorted(before.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        if key not in after:
            removed.append(_who(st))
    out = []
    for label, items in (
        ("Sign-off added", added),
        ("Sign-off renewed", renewed),
        ("Sign-off re-dated", redated),
        ("Sign-off gone stale", stale),
        ("Sign-off removed", removed),
    ):
        if items:
            out.append(f"**{label}:** " + "; ".join(items))
    return out


_MISSING = object()


def _leaf_changes(a: Any, b: Any, path: str, out: list[str]) -> None:
    """Dotted paths of changed values, with old → new for short scalars."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k, _MISSING) != b.get(k, _MISSING):
                _leaf_changes(a.get(k, _MISSING), b.get(k, _MISSING), f"{path}.{k}" if path else str(k), out)
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                _leaf_changes(x, y, f"{path}[{i}]", out)
        return
    scalars = all(v is _MISSING or isinstance(v, (str, int, float, bool)) for v in (a, b))
    shown = [("—" if v is _MISSING else json.dumps(v, ensure_ascii=False)) for v in (a, b)]
    if scalars and all(len(s) <= 40 for s in shown):
        out.append(f"{inline_code(path)} {md_escape(shown[0])} → {md_escape(shown[1])}")
    else:
        out.append(inline_code(path))


def _other_keys(old: Release | None, new: Release | None) -> list[str]:
    if old is None or new is None:
        return []
    a = {k: v for k, v in (old.doc.data or {}).items() if k not in COVERED}
    b = {k: v for k, v in (new.doc.data or {}).items() if k not in COVERED}
    changes: list[str] = []
    _leaf_changes(a, b, "", changes)
    if len(changes) > 8:
        changes = [*changes[:8], f"and {len(changes) - 8} more"]
    return [f"**Also changed:** {'; '.join(changes)}"] if changes else []


def _fkey(f: Finding) -> tuple[str, str, str]:
    """What makes two findings of two revisions the same one: its fingerprint (rule, file, what it is about:
    never its line, so a finding that only moved is not news) and its severity (a warning that became an
    error is)."""
    return (f.rule, f.severity, f.fingerprint or fingerprint_of(f.rule, f.loc.file, f.loc.subject, f.message))


def _compare_findings(change: ReleaseChange, before: list[Finding], after: list[Finding]) -> None:
    a, b = Counter(map(_fkey, before)), Counter(map(_fkey, after))
    new_keys, gone_keys = b - a, a - b
    for f in after:
        if new_keys[_fkey(f)] > 0:
            new_keys[_fkey(f)] -= 1
            change.introduced.append(f)
    for f in before:
        if gone_keys[_fkey(f)] > 0:
            gone_keys[_fkey(f)] -= 1
            change.fixed.append(f)
    was_waived = Counter(_fkey(f) for f in before if f.waived)
    for f in after:
        if f.waived and was_waived[_fkey(f)] == 0 and a[_fkey(f)] > 0:
            change.waived.append(f)
        elif f.waived:
            was_waived[_fkey(f)] -= 1


def _by_key(result: Result | None) -> dict[str, Release]:
    return result.project.by_id() if result else {}


def _findings_of(result: Result | None, key: str | None) -> list[Finding]:
    if result is None:
        return []
    return [f for f in result.findings if f.release == key]


def compare(base: Result | None, head: Result | None) -> list[ReleaseChange]:
    """Per release (sorted by id), what changed; the project-wide part last under the key ``""``."""
    old_rels, new_rels = _by_key(base), _by_key(head)
    either = head or base
    policy = either.project.policy if either is not None else None
    envs = policy.environments if policy else []
    prod = policy.production if policy else "production"
    titles = {c.id: c.title for c in policy.checklist} if policy else {}
    out = []
    for key in sorted(set(old_rels) | set(new_rels)):
        old, new = old_rels.get(key), new_rels.get(key)
        kind = "new" if old is None else "removed" if new is None else "changed"
        change = ReleaseChange(key, new.title if new else old.title if old else None, kind)
        if old is None or new is None or old.status != new.status:
            was, now = old.status if old else "—", new.status if new else "—"
            change.lines.append(f"**Status:** {inline_code(was)} → {inline_code(now)}")
        change.lines += _flag_lines(old, new, envs, prod)
        change.lines += _migration_lines(old, new, head)
        change.lines += _checklist_lines(old, new, titles)
        change.lines += _signoff_lines(old, new)
        change.lines += _other_keys(old, new)
        _compare_findings(change, _findings_of(base, key), _findings_of(head, key))
        if not change.empty:
            out.append(change)
    known = set(old_rels) | set(new_rels)
    project = ReleaseChange("", None)
    _compare_findings(
        project,
        [f for f in (base.findings if base else []) if f.release not in known],
        [f for f in (head.findings if head else []) if f.release not in known],
    )
    if not project.empty:
        out.append(project)
    return out


def policy_lines(base: Result | None, head: Result | None) -> list[str]:
    """What changed in the policy, key by key (every key: a policy change is substantive wherever it is)."""
    a = _policy_data(base)
    b = _policy_data(head)
    if a == b:
        return []
    changes: list[str] = []
    _leaf_changes(a, b, "", changes)
    return changes[:40] + ([f"and {len(changes) - 40} more"] if len(changes) > 40 else [])


def _policy_data(result: Result | None) -> Any:
    doc = result.project.policy.doc if result is not None else None
    return doc.data if doc is not None else {}


def _finding_line(f: Finding, hint: bool) -> str:
    label = "waived " + f.severity if f.waived else f.severity
    where = md_escape(f"{f.loc.file}:{f.loc.line}:{f.loc.column}")
    text = f"- **{label}** {inline_code(f.rule)} {where} — {md_text(f.message)}"
    if hint and f.hint and not f.waived:
        text += f"  \n  _hint:_ {md_text(f.hint)}"
    return text


def diff_markdown(base: Result | None, head: Result | None, base_label: str, head_label: str | None) -> str:
    changes = compare(base, head)
    target = inline_code(head_label) if head_label else "the working tree"
    out = [f"## fes-docs: changes from {inline_code(base_label)} to {target}", ""]
    introduced = sum(len(c.introduced) for c in changes)
    fixed = sum(len(c.fixed) for c in changes)
    releases = [c for c in changes if c.key]
    errors = len(head.errors) if head else 0
    warnings = len(head.warnings) if head else 0
    policy = policy_lines(base, head)
    if policy:
        # first: the rules every record is judged by are part of this change
        out += [
            "### Policy changed (`releases/policy.yaml`)",
            "",
            "The rules every record is judged by changed in this pull request: review it with the policy's "
            "owners (protect the file with CODEOWNERS).",
            "",
            *(f"- {line}" for line in policy),
            "",
        ]
    if not changes and not policy:
        out.append("No release changed in substance.")
    elif changes:
        out.append(
            f"**{len(releases)} release{'s' if len(releases) != 1 else ''} changed**; findings: "
            f"{introduced} introduced, {fixed} fixed. Now: {errors} error(s), {warnings} warning(s)."
        )
    for c in changes:
        heading = inline_code(c.key) + (f" — {md_escape(c.title)}" if c.title else "") if c.key else "Project-wide"
        suffix = {"new": " (new release)", "removed": " (removed)"}.get(c.kind, "")
        out += ["", f"### {heading}{suffix}", ""]
        out += [f"- {line}" for line in c.lines]
        for label, items, hint in (
            ("Findings introduced", c.introduced, True),
            ("Findings fixed", c.fixed, False),
            ("Findings newly waived", c.waived, False),
        ):
            if items:
                out += ["", f"**{label}:**", ""] + [_finding_line(f, hint) for f in items]
    out += _api_changes(base, head, base_label, head_label)
    return "\n".join(out) + "\n"


def _api_changes(base: Result | None, head: Result | None, base_label: str, head_label: str | None) -> list[str]:
    """The "API changes" section (:mod:`fes_docs.apireport`) whenever the spec changed between the two trees."""
    if head is None:
        return []
    from .apireport import spec_section  # start-up: only a diff compares specs

    old = base.project if base is not None else None
    section = spec_section(
        old.root if old else None,
        old.policy.openapi if old else None,
        head.project.root,
        head.project.policy.openapi,
        base_label,
        head_label or "the working tree",
    )
    return ["", *section] if section else []
