"""`validate --verify-git`: every line of each sign-off was last changed by its signer.

**Git.** ``verify_git`` asks ``git blame`` which commits last changed *every* line of each sign-off entry
— its ``role:``, ``by:``, ``date:`` and ``digest:`` alike, up to where the next entry or key begins — and
checks each one's author e-mail is one of the signer's addresses in the policy's ``people:``: someone
else re-dating a sign-off or pasting in a fresh digest is not the signer approving the record. When a
commit touched those lines without changing the sign-off itself (a comment appended, re-indented, the
entries reordered), the search follows them back to the commit that did.

What git is asked cannot be steered from the repository: authors are read from the commit objects
themselves (``git blame`` would apply a committed ``.mailmap``, letting a pull request re-address anyone's
commits), replace refs are ignored, and so is any ``blame.ignoreRevsFile`` the checkout configures.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .findings import Finding, sort_findings
from .gitutil import git, git_bytes, prefix_in_repository, toplevel, unquote_path
from .inputs import InputError
from .loader import MAX_BYTES, load_bytes
from .model import Release
from .signoffs import FES706_HINT

if TYPE_CHECKING:
    from .check import Result

UNCOMMITTED = "0" * 40

#: Earlier versions of one record the search may open (each a ``git cat-file`` and a ``git blame``): bounds
#: the work a long or crafted history of cosmetic commits can cause; past it, a commit is judged as found.
MAX_VERSIONS = 64
_NO_REPLACE = "--no-replace-objects"
#: The YAML parser's line breaks; git's lines end at ``\n`` only, so positions are mapped (see _git_lines).
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class _Line:
    """What blame says of one line: the commit that last changed it and, unless it added the file, the
    commit before and the file's path there."""

    sha: str
    previous: tuple[str, str] | None


@dataclass(frozen=True)
class _Commit:
    sha: str
    author: str
    mail: str
    summary: str


@dataclass
class _Version:
    """One version of a record: its sign-off entries, the git lines each spans, who last changed each line."""

    entries: list[Any]
    spans: dict[int, tuple[int, int]]
    fields: dict[int, dict[int, list[str]]]  # entry -> git line -> the entry's keys on that line
    blame: dict[int, _Line]


def _parse_porcelain(out: str) -> dict[int, _Line]:
    """Final line number -> commit and what was before it; ``previous`` is given once per group of lines."""
    lines: dict[int, _Line] = {}
    header: list[str] | None = None
    before: dict[str, tuple[str, str]] = {}  # sha -> (parent, path there); the same for all its lines
    for line in out.splitlines():
        if line.startswith("\t"):
            if header is not None and len(header) >= 3 and header[2].isdigit():
                lines[int(header[2])] = _Line(header[0], before.get(header[0]))
            header = None
        elif header is None:
            header = line.split(" ")
        elif line.startswith("previous "):
            parent, _, path = line[len("previous ") :].partition(" ")
            if parent and path:
                before[header[0]] = (parent, unquote_path(path))
    return lines


def _git_lines(text: str) -> list[int]:
    """``out[n]``: the git line (``\n``-separated) on which the YAML parser's line ``n`` (1-based) starts."""
    out = [1, 1]
    git_line = 1
    for m in _YAML_BREAK.finditer(text):
        git_line += "\n" in m.group()
        out.append(git_line)
    return out


def _version(data: bytes, file: str, blame: dict[int, _Line]) -> _Version | None:
    doc, _problems = load_bytes(data, file)
    entries = doc.data.get("signoffs") if doc is not None and isinstance(doc.data, dict) else None
    if doc is None or not isinstance(entries, list):
        return None
    to_git = _git_lines(data.decode("utf-8", "replace"))
    own: dict[int, list[int]] = {}
    fields: dict[int, dict[int, list[str]]] = {}
    starts: set[int] = set()
    for table in (doc.values, doc.keys):
        for path, pos in table.items():
            line = to_git[min(pos.line, len(to_git) - 1)] if pos.line else 0
            if not line:
                continue
            starts.add(line)
            if len(path) >= 2 and path[0] == "signoffs" and isinstance(path[1], int):
                own.setdefault(path[1], []).append(line)
                if table is doc.keys and len(path) == 3:
                    fields.setdefault(path[1], {}).setdefault(line, []).append(str(path[2]))
    ordered = sorted(starts)
    last_line = max([*blame, *ordered])
    spans = {}
    for i, lines in own.items():
        after = bisect_right(ordered, max(lines))  # the entry runs up to where the next thing starts
        spans[i] = (min(lines), ordered[after] - 1 if after < len(ordered) else last_line)
    return _Version(entries, spans, fields, blame)


@dataclass
class _History:
    """One record's history as far as its sign-offs need it, each version and commit asked once."""

    top: Path
    versions: dict[tuple[str, str], _Version | None] = field(default_factory=dict)
    commits: dict[str, _Commit] = field(default_factory=dict)
    exhausted: bool = False  # MAX_VERSIONS were opened and one more was needed

    def blame(self, path: str, rev: str | None = None) -> dict[int, _Line]:
        args = [_NO_REPLACE, "blame", "--porcelain", "--ignore-revs-file", "", *([rev] if rev else []), "--", path]
        return _parse_porcelain(git(self.top, *args, check=False))

    def version(self, rev: str, path: str) -> _Version | None:
        """The record as commit ``rev`` had it at ``path`` (relative to the top level)."""
        key = (rev, path)
        if key not in self.versions:
            if len(self.versions) >= MAX_VERSIONS:
                self.exhausted = True
                return None
            spec = f"{rev}:{path}"
            size = git(self.top, _NO_REPLACE, "cat-file", "-s", spec, check=False).strip()
            ok = size.isdigit() and int(size) <= MAX_BYTES
            data = git_bytes(self.top, _NO_REPLACE, "cat-file", "blob", spec, check=False) if ok else b""
            self.versions[key] = _version(data, path, self.blame(path, rev)) if data else None
        return self.versions[key]

    def commit(self, sha: str) -> _Commit:
        """Author and subject from the commit object itself (no ``.mailmap``, no replace refs)."""
        if sha not in self.commits:
            raw = git_bytes(self.top, _NO_REPLACE, "cat-file", "commit", sha, check=False)
            head, _, message = raw.partition(b"\n\n")
            author = next((x[7:] for x in head.split(b"\n") if x.startswith(b"author ")), b"")
            text = author.decode("utf-8", "replace")
            lt, gt = text.rfind("<"), text.rfind(">")
            name, mail = (text[:lt].strip(), text[lt + 1 : gt]) if 0 <= lt < gt else (text, "")
            summary = message.decode("utf-8", "replace").strip().split("\n", 1)[0]
            self.commits[sha] = _Commit(sha, name, mail, summary)
        return self.commits[sha]

    def changed_by_other(self, version: _Version, index: int, mails: set[str]) -> tuple[_Commit, str] | str | None:
        """The first commit by someone not in ``mails`` that changed entry ``index`` (and which of its lines),
        ``"uncommitted"`` if only the working tree changed it, ``"too-deep"`` if finding out needs more than
        MAX_VERSIONS earlier versions, else None."""
        work = [(version, index)]
        visited: set[tuple[int, int]] = set()
        uncommitted = False
        while work:
            v, i = work.pop()
            if (id(v), i) in visited:
                continue
            visited.add((id(v), i))
            first, last = v.spans[i]
            if not v.blame:
                uncommitted = True  # git does not know the file: nothing confirms it
            groups: dict[tuple[str, tuple[str, str] | None], int] = {}
            for n in range(first, min(last, max(v.blame, default=0)) + 1):  # a mark past the last line
                hit = v.blame.get(n)
                if hit is None:
                    uncommitted = True
                else:
                    groups.setdefault((hit.sha, hit.previous), n)
            for (sha, previous), n in groups.items():
                committed = sha != UNCOMMITTED
                if committed and self.commit(sha).mail.lower() in mails:
                    continue  # the signer's own change
                earlier = self.version(*previous) if previous else None
                same = [j for j, e in enumerate(earlier.entries if earlier else []) if e == v.entries[i]]
                if earlier is not None and same:  # the commit left the sign-off as it was: look further back
                    work.append((earlier, i if i in same else same[0]))
                elif previous and self.exhausted:
                    return "too-deep"
                elif committed:
                    return self.commit(sha), _what(v, i, n)
                else:
                    uncommitted = True
        return "uncommitted" if uncommitted else None


def _what(v: _Version, index: int, line: int) -> str:
    """Which part of the entry ``line`` is, for the message ("" when the whole entry sits on that line)."""
    by_line = v.fields.get(index, {})
    keys = by_line.get(line)
    if not keys:
        return "a line of it"
    return "" if len(by_line) == 1 else f"its {', '.join(f'`{k}:`' for k in keys)} line"


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
    top, prefix = toplevel(project.root), prefix_in_repository(project.root)
    out = list(result.findings)
    for rel in project.releases:
        if not rel.signoffs:
            continue
        history = _History(top)
        try:
            data = project.inputs.read_bytes(rel.file)
        except InputError:
            data = b""
        path = (prefix / rel.file).as_posix()
        current = _version(data, path, history.blame(path)) if data else None
        for index in range(len(rel.signoffs)):
            found = _verify_one(history, rel, index, current, people)
            if found is not None:
                out.append(found)
    return sort_findings(out)


def _verify_one(
    history: _History, rel: Release, index: int, current: _Version | None, people: dict[str, set[str]]
) -> Finding | None:
    s = rel.signoffs[index]
    if s.by is None:
        return None
    who = f"{s.role} sign-off by {s.by}"
    loc = rel.loc(*s.path, "by")
    mails = people.get(s.by)
    if not mails:
        message = f"{who}: {s.by!r} has no e-mail under `people:` in the policy, so git cannot confirm who committed it"
        return Finding(loc, "FES706", "error", message, FES706_HINT, rel.key)
    entry = int(s.path[1])
    found = (
        history.changed_by_other(current, entry, mails)
        if current is not None and entry in current.spans and entry < len(current.entries)
        else "uncommitted"
    )
    if found is None:
        return None
    if found == "too-deep":  # fail closed: an unreadably long history confirms nothing
        message = (
            f"{who}: finding who last changed it takes more than {MAX_VERSIONS} earlier versions of "
            f"{rel.file}, so git cannot confirm the signer did"
        )
        return Finding(loc, "FES706", "error", message, FES706_HINT, rel.key)
    if isinstance(found, str):
        message = f"{who} is not committed yet, so git cannot confirm who added it"
        return Finding(loc, "FES706", "warning", message, FES706_HINT, rel.key)
    commit, what = found
    mailing = f"{commit.author} <{commit.mail}> in commit {commit.sha[:12]} ({commit.summary}), not by {s.by}"
    message = (
        f"{who} was committed by {mailing}" if not what else f"{who}: {what} was last changed by {mailing}"
    ) + f" ({', '.join(sorted(mails))})"
    return Finding(loc, "FES706", "error", message, FES706_HINT, rel.key)
