"""Writing sign-offs (`fes-docs sign`) and checking who committed them (`validate --verify-git`).

What a sign-off covers and when it is current is :mod:`fes_docs.signoffs`; this module only writes one
(through the YAML editor, atomically) and asks git about it.

**Git.** ``verify_git`` asks ``git blame`` which commit added each sign-off's ``by:`` line and checks
its author's e-mail is one of the signer's addresses in the policy's ``people:``. When the line was
last touched by a commit that did not change the sign-off itself (a comment appended, re-indented),
the search follows the line back to the commit that did.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .atomic import write_bytes
from .document import Document
from .errors import FesDocsError, UsageError
from .findings import Finding, Severity, sort_findings
from .gitutil import git, toplevel
from .loader import load_bytes
from .model import ROLLBACK_ROLE, Release, SignOff, parse_date
from .project import Project, load_project
from .signoffs import FES706_HINT, digest_of
from .yamledit import EditError, append_item, set_item_fields

if TYPE_CHECKING:
    from .check import Result

UNCOMMITTED = "0" * 40


# --- fes-docs sign ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    file: str
    role: str
    by: str
    date: str
    digest: str
    action: Literal["added", "updated"]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name longer than the file system allows: no such record
        return False


def find_release(project: Project, name: str) -> Release:
    """A release by id, file stem or path (``releases/x.yaml``)."""
    wanted = Path(name).name.rsplit(".", 1)[0] if name.endswith((".yaml", ".yml")) else name
    for rel in project.releases:
        if wanted in (rel.key, rel.stem):
            return rel
    for ext in (".yaml", ".yml"):
        file = f"{project.releases_dir}/{wanted}{ext}"
        if _is_file(project.root / file):  # there, but it did not load as a record
            problem = next((f for f in project.load_findings if f.loc.file == file), None)
            where = f" ({file}:{problem.loc.line}:{problem.loc.column}: {problem.message})" if problem else ""
            raise UsageError(f"{file} does not parse{where}; fix it first")
    known = ", ".join(sorted(r.key for r in project.releases)) or "none"
    raise UsageError(f"no release {name!r} in {project.releases_dir}/ (known: {known})")


def _check_signer(project: Project, rel: Release, role: str, by: str) -> None:
    roles = [*project.policy.owner_roles, ROLLBACK_ROLE]
    if role not in roles:
        raise UsageError(f"unknown role {role!r}; the policy's roles are {', '.join(roles)}")
    owner = rel.owners.get(role)
    if owner is None:
        raise UsageError(f"{rel.key} names no {role} owner; add `{role}: {by}` under owners first")
    if owner != by:
        raise UsageError(f"the {role} owner of {rel.key} is {owner!r}, not {by!r}; only the owner signs")


def _parse(data: bytes, file: str) -> Document:
    doc, problems = load_bytes(data, file)
    if doc is None or not isinstance(doc.data, dict):
        p = problems[0] if problems else None
        where = f" ({file}:{p.line}:{p.column}: {p.message})" if p else ""
        raise UsageError(f"cannot sign {file}: it does not parse{where}; fix it first")
    return doc


def sign(root: Path, release: str, role: str, by: str, on: str | None = None) -> Signed:
    """Write (or renew) ``role``'s sign-off by ``by`` with the record's current digest, in place.

    Only the sign-off's own text changes; the result is re-parsed and compared with the intended
    data before the atomic write, so a faulty edit can never reach the file.
    """
    when = on or date.today().isoformat()
    if parse_date(when) is None:
        raise UsageError(f"--date {when!r} is not a real YYYY-MM-DD date")
    project = load_project(root)
    rel = find_release(project, release)
    _check_signer(project, rel, role, by)
    path = project.root / rel.file
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    before = _parse(raw, rel.file).data
    digest = digest_of(before)
    fields = {"role": role, "by": by, "date": when, "digest": digest}

    items = before.get("signoffs") if isinstance(before.get("signoffs"), list) else []
    same_role = [i for i, s in enumerate(items) if isinstance(s, dict) and s.get("role") == role]
    index = next((i for i in same_role if items[i].get("by") == by), same_role[0] if same_role else None)
    try:
        if index is None:
            new_text = append_item(text, "signoffs", fields)
        else:
            renewed = {k: v for k, v in fields.items() if k != "role"}
            new_text = set_item_fields(text, "signoffs", index, renewed)
    except EditError as exc:
        raise UsageError(f"cannot sign {rel.file}: {exc}") from None

    expected = copy.deepcopy(before)
    if not isinstance(expected.get("signoffs"), list):
        expected["signoffs"] = []
    if index is None:
        expected["signoffs"].append(fields)
    else:
        expected["signoffs"][index].update(fields)
    after = _parse(bom + new_text.encode("utf-8"), rel.file).data
    if after != expected or digest_of(after) != digest:
        raise FesDocsError(
            f"internal error: signing {rel.file} would change more than the sign-off; "
            "the file was left unchanged (please report this with the file)"
        )
    write_bytes(path, bom + new_text.encode("utf-8"))
    return Signed(rel.file, role, by, when, digest, "added" if index is None else "updated")


# --- fes-docs validate --verify-git -----------------------------------------------------------


@dataclass(frozen=True)
class _Blame:
    sha: str
    author: str
    mail: str
    summary: str
    orig_line: int
    filename: str
    previous: tuple[str, str] | None  # (parent sha, path there)


def _parse_porcelain(out: str) -> dict[int, _Blame]:
    commits: dict[str, dict[str, str]] = {}
    lines: dict[int, _Blame] = {}
    header: list[str] | None = None
    meta: dict[str, str] = {}
    for line in out.splitlines():
        if line.startswith("\t"):
            if header is not None:
                sha = header[0]
                info = commits.setdefault(sha, {})
                info.update(meta)
                prev = info.get("previous", "").split(" ", 1)
                lines[int(header[2])] = _Blame(
                    sha,
                    info.get("author", ""),
                    info.get("author-mail", "").strip("<>"),
                    info.get("summary", ""),
                    int(header[1]),
                    info.get("filename", ""),
                    (prev[0], prev[1]) if len(prev) == 2 else None,
                )
            header, meta = None, {}
        elif header is None:
            header = line.split(" ")
        else:
            key, _, value = line.partition(" ")
            meta[key] = value
    return lines


def _blame(root: Path, file: str, rev: str | None = None, line: int | None = None) -> dict[int, _Blame] | None:
    args = ["blame", "--porcelain"]
    if line is not None:
        args += ["-L", f"{line},{line}"]
    if rev is not None:
        args.append(rev)
    out = git(root, *args, "--", file, check=False)
    return _parse_porcelain(out) if out else None


def _by_line(doc: Document, index: int) -> int:
    return doc.pos(("signoffs", index, "by")).line


def _same_signoff(a: dict[str, Any], b: Any) -> bool:
    return isinstance(b, dict) and all(a.get(k) == b.get(k) for k in ("role", "by", "date", "digest"))


def _introducing_commit(top: Path, blame: _Blame, item: dict[str, Any]) -> _Blame:
    """Follow the line back past commits that touched it without changing the sign-off itself.

    ``top`` is the repository's top level: blame's ``previous`` paths are relative to it.
    """
    for _ in range(50):
        if blame.previous is None:
            return blame
        parent, path = blame.previous
        shown = git(top, "show", f"{parent}:{path}", check=False)
        doc, _problems = load_bytes(shown.encode("utf-8"), path) if shown else (None, [])
        data = doc.data if doc is not None else None
        items = data.get("signoffs") if isinstance(data, dict) else None
        j = next((j for j, s in enumerate(items or []) if _same_signoff(item, s)), None)
        if doc is None or j is None:
            return blame
        earlier = _blame(top, path, parent, _by_line(doc, j))
        found = earlier.get(_by_line(doc, j)) if earlier else None
        if found is None:
            return blame
        blame = found
    return blame


def verify_git(result: Result) -> list[Finding]:
    """The result's findings plus FES706 for each sign-off not committed by its signer (sorted).

    Raises UsageError when the policy has no ``people:`` map or the project is not in a git work tree.
    """
    project = result.project
    people = {name: {m.lower() for m in mails} for name, mails in project.policy.people.items()}
    if not people:
        raise UsageError(f"--verify-git needs a `people:` map (name: [e-mail, ...]) in {project.policy_file}")
    if git(project.root, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise UsageError(f"--verify-git: {project.root} is not inside a git work tree")
    top = toplevel(project.root)
    out = list(result.findings)
    for rel in project.releases:
        if not rel.signoffs:
            continue
        blame = _blame(project.root, rel.file)
        for s in rel.signoffs:
            out.extend(_verify_one(top, rel, s, blame, people))
    return sort_findings(out)


def _finding(rel: Release, s: SignOff, message: str, severity: Severity = "error") -> Finding:
    return Finding(rel.loc(*s.path, "by"), "FES706", severity, message, FES706_HINT, rel.key)


def _verify_one(
    top: Path, rel: Release, s: SignOff, blame: dict[int, _Blame] | None, people: dict[str, set[str]]
) -> list[Finding]:
    if s.by is None:
        return []
    who = f"{s.role} sign-off by {s.by}"
    mails = people.get(s.by)
    if not mails:
        return [
            _finding(
                rel,
                s,
                f"{who}: {s.by!r} has no e-mail under `people:` in the policy, so git cannot confirm who committed it",
            )
        ]
    index = int(s.path[1])
    line = _by_line(rel.doc, index)
    hit = blame.get(line) if blame else None
    if hit is None or hit.sha == UNCOMMITTED:
        return [_finding(rel, s, f"{who} is not committed yet, so git cannot confirm who added it", "warning")]
    intro = _introducing_commit(top, hit, rel.doc.data["signoffs"][index])
    if intro.mail.lower() in mails:
        return []
    return [
        _finding(
            rel,
            s,
            f"{who} was committed by {intro.author} <{intro.mail}> in commit "
            f"{intro.sha[:12]} ({intro.summary}), not by {s.by} "
            f"({', '.join(sorted(mails))})",
        )
    ]
