"""One side of a comparison: a spec and the files its ``$ref``\\ s name, loaded through the openapi
package's :class:`~fes_docs.openapi.workspace.Workspace`, and ``$ref``\\ s followed through it.

Why the Workspace and not a loader of our own: it already decides what may be read (inside the project
root, no link out, nothing remote, at most ``MAX_REF_FILES`` files of ``MAX_BYTES`` each) and parses the
way ``validate`` does, so a spec a pull request wrote is read by the same rules whichever command reads
it. A side at a git revision hands the Workspace a reader that takes blobs from git (:func:`git_reader`):
regular files only (a symbolic link in the tree is not followed), bounded before they are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..document import LoadProblem
from ..gitutil import git_bytes, prefix_in_repository
from ..openapi.refs import deref
from ..openapi.validate import version_of
from ..openapi.workspace import MAX_BYTES, MAX_DEPTH, MAX_NODES, Read, ReadFailed, Workspace, followed
from .model import PathKey, Where
from .model import Side as SideName

#: ``validate``'s limits, but more files: a comparison reads a file only when it meets a $ref to it, and
#: real specs are split into thousands (DigitalOcean's public spec: about 2,900).
LIMITS = {"max_bytes": MAX_BYTES, "max_depth": MAX_DEPTH, "max_nodes": MAX_NODES, "max_ref_files": 5000}
#: At most this many refused or dangling ``$ref``\\ s are named in a report; the rest are counted.
MAX_REF_NOTES = 20


@dataclass
class Side:
    """A loaded spec: ``family`` is "2.0", "3.0", "3.1" or "3.2"; None when it is not one (or absent)."""

    which: SideName
    label: str
    rel: str
    ws: Workspace
    data: Any = None
    family: str | None = None
    exists: bool = False
    problems: list[str] = field(default_factory=list)
    _refused: set[str] = field(default_factory=set)
    _followed: dict[tuple[str, str], tuple[str, PathKey, Any]] = field(default_factory=dict)
    #: How many times a $ref was met that could not be followed: what depends on one is not compared.
    refusals: int = 0

    def where(self, file: str, path: PathKey) -> Where:
        return Where(self.which, file, path)

    def deref(self, file: str, path: PathKey, node: Any) -> tuple[str, PathKey, Any]:
        """``node`` with its chain of ``$ref``\\ s followed (at most 64 hops: a cycle ends there). A ref
        that may not be followed (remote, outside the project, dangling) stays a ``{"$ref"}`` node,
        compared as its text, and is named once among the side's problems."""
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return file, path, node
        key = (file, node["$ref"])
        found = self._followed.get(key)
        if found is None:
            found = self._followed[key] = deref(self.ws, file, path, node)
        file, path, node = found
        if opaque(node):
            self.refusals += 1
            ref = node["$ref"]
            if ref not in self._refused:
                self._refused.add(ref)
                if len(self._refused) <= MAX_REF_NOTES:
                    self.problems.append(f"{self.label}: $ref {ref[:200]!r} in {file} is not followed")
                elif len(self._refused) == MAX_REF_NOTES + 1:
                    self.problems.append(f"{self.label}: more $refs are not followed")
        return file, path, node

    def followed_already(self, file: str, ref: str) -> tuple[str, PathKey, Any] | None:
        """What :meth:`deref` found for ``ref`` written in ``file``, if it was asked already (no side effect)."""
        return self._followed.get((file, ref))

    def raw(self, file: str) -> bytes | None:
        return self.ws.raw.get(file)


def opaque(node: Any) -> bool:
    """A ``$ref`` left unfollowed (refused, dangling, past a limit): what it stands for is unknown."""
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def load_side(which: SideName, root: Path, rel: str, label: str, read: Read | None = None) -> Side:
    """The spec ``rel`` (project-relative) as ``read`` gives it (default: the working tree under ``root``).

    Never raises for what the files hold: an absent spec is a side without operations (every operation
    of the other side is added or removed), an unreadable or foreign one says why in ``problems``.
    """
    ws = Workspace(root, LIMITS, read)
    side = Side(which, label, rel, ws)
    if ws.rel_of(followed(ws.root / rel)) is None:
        side.problems.append(f"{label}: the spec path {rel!r} points outside the project; it is not read")
        return side
    try:
        raw = ws.read(rel)
    except ReadFailed as exc:
        if not exc.missing:
            side.problems.append(f"{label}: {rel}: {exc.problem.message}")
        return side
    side.exists = True
    data = ws.add(rel, raw)
    if data is None:
        first = ws.problems[0].message if ws.problems else "cannot be parsed"
        side.problems.append(f"{label}: {rel} cannot be read: {first}")
        return side
    side.data = data
    if isinstance(data, dict):
        side.family = version_of(data)[1]
    if side.family is None:
        side.problems.append(f"{label}: {rel} is not an OpenAPI 2.0, 3.0, 3.1 or 3.2 document")
    return side


def absent_side(which: SideName, root: Path, rel: str, label: str) -> Side:
    """A side where the spec does not exist (a project that had none yet): every operation is new."""
    return Side(which, label, rel, Workspace(root, LIMITS))


def git_reader(root: Path, rev: str, max_bytes: int = MAX_BYTES) -> Read:
    """A :data:`~fes_docs.openapi.workspace.Read` of the files at git revision ``rev``.

    Only a regular file (mode 100644/100755) is handed over; a symbolic link, a submodule or a folder
    in the tree reads as missing, as would a path through a link. The size is asked before the blob
    is read, so a huge blob costs nothing.
    """
    prefix = prefix_in_repository(root)

    def read(rel: str) -> bytes:
        name = (prefix / PurePosixPath(rel)).as_posix() if str(prefix) != "." else rel
        listing = git_bytes(root, "ls-tree", "-z", "-l", rev, "--", name, check=False)
        entry = listing.split(b"\0", 1)[0]
        meta, _, path = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) != 4 or path.decode("utf-8", "surrogateescape") != name or fields[1] != b"blob":
            raise ReadFailed(LoadProblem("FES003", f"{rel} does not exist at {rev}", 1, 1, ""), missing=True)
        if fields[0] not in (b"100644", b"100755"):
            raise ReadFailed(LoadProblem("FES003", f"{rel} is not a regular file at {rev}", 1, 1, ""), missing=True)
        if not fields[3].isdigit() or int(fields[3]) > max_bytes:
            raise ReadFailed(LoadProblem("FES003", f"{rel} is larger than the {max_bytes:,} byte limit", 1, 1, ""))
        return git_bytes(root, "cat-file", "blob", fields[2].decode())

    return read
