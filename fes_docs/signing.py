"""Writing sign-offs (`fes-docs sign`).

What a sign-off covers and when it is current is :mod:`fes_docs.signoffs`; this module only writes one
(through the YAML editor, atomically). Who committed it is :mod:`fes_docs.verifygit`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .atomic import update_bytes
from .baseline import read_baseline
from .dates import parse_date
from .document import Document
from .errors import FesDocsError, UsageError
from .loader import load_bytes
from .model import ROLLBACK_ROLE, Release
from .project import Project, load_project
from .signoffs import digest_of
from .yamledit import EditError, append_item, set_item_fields


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
    unknown = project.policy.unknown_person(by)
    if unknown is not None:  # the record names them, but nobody the policy knows (FES106)
        raise UsageError(f"--by: {unknown}")


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
    data before the atomic write, so a faulty edit can never reach the file. The file is read, edited
    and replaced under a lock (:func:`~fes_docs.atomic.update_bytes`): owners signing one record at
    once each add their own sign-off to what the others wrote, none is lost.
    """
    when = on or date.today().isoformat()
    if parse_date(when) is None:
        raise UsageError(f"--date {when!r} is not a real YYYY-MM-DD date")
    project = load_project(root)
    rel = find_release(project, release)
    _check_signer(project, rel, role, by)
    read_baseline(project)  # the entries naming the record count in what is signed
    baseline = rel.baseline
    done: list[Signed] = []

    def edit(raw: bytes) -> bytes:
        current = _parse(raw, rel.file)  # as it is now, under the lock: someone may have signed meanwhile
        _check_signer(project, Release.from_doc(current), role, by)
        new, signed = _signed(raw, current.data, rel.file, {"role": role, "by": by, "date": when}, baseline)
        done.append(signed)
        return new

    try:
        update_bytes(project.root / rel.file, edit)
    except OSError as exc:
        raise UsageError(f"cannot sign {rel.file}: {exc.strerror or exc}") from None
    return done[-1]


def _signed(
    raw: bytes, before: Any, file: str, who: dict[str, str], baseline: list[Any] | None = None
) -> tuple[bytes, Signed]:
    """The file's bytes with the sign-off written, verified to change nothing else; ``baseline``: the
    baseline entries naming the record, which its digest covers."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")  # it parsed, so it is UTF-8
    digest = digest_of(before, baseline or ())
    fields = {**who, "digest": digest}
    role, by = who["role"], who["by"]
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
        raise UsageError(f"cannot sign {exc.located(file)}") from None

    expected = copy.deepcopy(before)
    if not isinstance(expected.get("signoffs"), list):
        expected["signoffs"] = []
    if index is None:
        expected["signoffs"].append(fields)
    else:
        expected["signoffs"][index].update(fields)
    new = bom + new_text.encode("utf-8")
    after, _problems = load_bytes(new, file)
    if after is None or after.data != expected or digest_of(after.data, baseline or ()) != digest:
        raise FesDocsError(
            f"internal error: signing {file} would change more than the sign-off; "
            "the file was left unchanged (please report this with the file)"
        )
    return new, Signed(file, role, by, who["date"], digest, "added" if index is None else "updated")
