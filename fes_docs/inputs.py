"""The one way a project's input files are read: contained in the root, size-limited, and recorded.

Everything a run looks at goes through one :class:`ProjectInputs` (``project.inputs``): a file's bytes
(:meth:`~ProjectInputs.read_bytes`), whether a file is there (:meth:`~ProjectInputs.exists`) and a
folder's listing (:meth:`~ProjectInputs.list_dir`, :meth:`~ProjectInputs.list_tree`). Each outcome is
recorded — the SHA-256 of the bytes, that the file is present, or that it was missing, too large,
unreadable or outside the project — and :meth:`~ProjectInputs.manifest` is the list of them.
:func:`manifest_holds` tells whether a stored manifest still describes the disk, which is how the
unchanged-project fast path (:mod:`fes_docs.rerun`) knows a previous report is still right.

Packages below the project layer (the OpenAPI loader) are handed ``read_bytes`` as a callable, so their
reads land here too: nothing reads a project file around this layer.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .document import LoadProblem
from .loader import MAX_BYTES, read_limited

Reason = Literal["missing", "outside", "unreadable", "too-large"]


class InputError(Exception):
    """A file that could not be read, with why and the problem to report."""

    def __init__(self, reason: Reason, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.reason: Reason = reason
        self.problem = problem


@dataclass(frozen=True)
class _Outcome:
    record: str  # what the manifest keeps: "sha256:<hex>", "missing", "outside", "unreadable", "too-large:<n>"
    # (and, for exists(), "present")
    data: bytes | None
    error: InputError | None


def _outside(rel: str) -> InputError:
    return InputError(
        "outside",
        LoadProblem(
            "FES003",
            f"{rel} leads outside the project (a link or '..'); it was not read",
            1,
            1,
            "commit the file itself inside the project, not a link to somewhere else",
        ),
    )


def _missing(rel: str) -> InputError:
    return InputError("missing", LoadProblem("FES003", f"{rel} does not exist", 1, 1, "check the path"))


LOOP = "a symbolic link on the way loops"


class _Unfollowable(Exception):
    """A path whose symbolic links cannot be followed (a loop); the message says why."""


def _real(path: Path) -> Path:
    """``path`` with every symbolic link followed; raises :class:`_Unfollowable` for a link loop (or a
    name no file can have: a record may spell a NUL as ``"\\0"``)."""
    if "\0" in str(path):
        raise _Unfollowable("a file name cannot hold a NUL character")
    try:
        return path.resolve()
    except RuntimeError:  # Python up to 3.12: "Symlink loop from ..."
        raise _Unfollowable(LOOP) from None
    except OSError as exc:  # Python 3.13 on: ELOOP
        raise _Unfollowable(LOOP if exc.errno == errno.ELOOP else str(exc.strerror or exc)) from None


#: Real paths of the folders files were read from, by the folder as written: see :func:`_real_file`.
Folders = dict[Path, Path]


def _real_file(path: Path, folders: Folders | None) -> Path:
    """:func:`_real` of a file, asking the system about the file alone when its folder was resolved before.

    A name that is not a symbolic link (or not there at all) is its folder's real path and that name, so a
    run reading thousands of files in a few folders follows each folder's links once, not once per file.
    """
    name = path.name
    if folders is None or name in ("", ".", "..") or "\0" in str(path):
        return _real(path)
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        link = False
    except OSError:  # a name too long, a file where a folder should be: let the full walk say so
        return _real(path)
    if link:
        return _real(path)
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = _real(path.parent)
    return folder / name


def _resolve(root: Path, rel: str, folders: Folders | None = None) -> Path | None:
    """``rel`` under ``root``, links followed; None when it leads outside (raises :class:`_Unfollowable`)."""
    candidate = _real_file(root / rel, folders)
    return candidate if _inside(candidate, root) else None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _unreadable(rel: str, why: str) -> _Outcome:
    problem = LoadProblem("FES003", f"cannot read {rel}: {why}; it was not read", 1, 1, "")
    return _Outcome("unreadable", None, InputError("unreadable", problem))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read(root: Path, rel: str, max_bytes: int | None, folders: Folders | None = None) -> _Outcome:
    """Read ``rel``; ``max_bytes=None``: no limit (re-reading a file to check a recorded digest)."""
    if not _encodable(rel):  # a name no file system holds (a lone surrogate): os.stat would raise, not say
        return _unreadable(rel, "the name is not valid text")
    try:
        path = _resolve(root, rel, folders)
    except _Unfollowable as exc:
        return _unreadable(rel, str(exc))
    if path is None:
        return _Outcome("outside", None, _outside(rel))
    try:  # one stat says both whether the file can be looked at and whether it is a regular file
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        regular = False
    except OSError as exc:
        return _unreadable(rel, LOOP if exc.errno == errno.ELOOP else str(exc.strerror or exc))
    if not regular:
        return _Outcome("missing", None, _missing(rel))
    if max_bytes is None:
        try:
            data: bytes | None = path.read_bytes()
            problem = None
        except OSError as exc:
            data, problem = None, LoadProblem("FES003", f"cannot read file: {exc.strerror or exc}", 1, 1, "")
    else:
        data, problem = read_limited(path, max_bytes)
    if data is None:
        problem = problem or LoadProblem("FES003", "cannot read file", 1, 1, "")
        if max_bytes is not None and _size(path) > max_bytes:
            return _Outcome(f"too-large:{max_bytes}", None, InputError("too-large", problem))
        return _Outcome("unreadable", None, InputError("unreadable", problem))
    return _Outcome("sha256:" + hashlib.sha256(data).hexdigest(), data, None)


def _folder(root: Path, folder: str) -> Path | None:
    """``folder`` as a directory inside the project to list, or None (outside, a link loop, not a folder)."""
    try:
        base = _resolve(root, folder)
    except _Unfollowable:
        return None
    return base if base is not None and _is_dir(base) else None


def _list_dir(root: Path, folder: str) -> list[str]:
    base = _folder(root, folder)
    if base is None:
        return []
    try:
        return sorted(p.name for p in base.iterdir())
    except OSError:
        return []


def _entries(root: Path, folder: str) -> list[str]:
    """``name:kind`` for each entry of ``folder``, its kind read with ``lstat`` (the link itself, never its
    target): ``file``, ``dir``, ``link`` or ``other``. Sorted; empty when the folder cannot be listed."""
    base = _folder(root, folder)
    if base is None:
        return []
    out = []
    try:
        for entry in os.scandir(base):
            try:
                kind = (
                    "link"
                    if entry.is_symlink()
                    else "dir"
                    if entry.is_dir(follow_symlinks=False)
                    else "file"
                    if entry.is_file(follow_symlinks=False)
                    else "other"
                )
            except OSError:
                kind = "other"
            out.append(f"{entry.name}:{kind}")
    except OSError:
        return []
    return sorted(out)


def _exists(root: Path, rel: str) -> str:
    """The record of ``rel``'s presence: "present", "missing" (or not a regular file) or "outside"."""
    try:
        path = _resolve(root, rel)
    except _Unfollowable:
        return "missing"
    if path is None:
        return "outside"
    return "present" if _is_file(path) else "missing"


#: What a folder's walk found: each file (or link loop) as (its path relative to the folder, its name).
Tree = list[tuple[str, str]]


def _list_tree(root: Path, folder: str, suffix: str, trees: dict[str, Tree] | None = None) -> list[str]:
    """Files under ``folder`` ending in ``suffix``, relative to it, sorted. ``trees``: walks already made,
    by folder (a run lists the migrations folder for ``.sql`` and for ``.sql.conf``: walked once)."""
    tree = trees.get(folder) if trees is not None else None
    if tree is None:
        tree = _walk_tree(root, folder)
        if trees is not None:
            trees[folder] = tree
    return sorted(rel for rel, name in tree if name.endswith(suffix))


def _walk_tree(root: Path, folder: str) -> Tree:
    """Every file under ``folder``. Symbolic links are followed while they stay inside ``root`` (a link out
    is not listed; a link back to a folder already walked is a loop, walked once), as a Flyway location is
    scanned; a link that loops is listed, so that reading it reports it as unreadable."""
    try:
        base = _resolve(root, folder)
    except _Unfollowable:
        return []
    if base is None or not _is_dir(base):
        return []
    found: Tree = []
    seen = {base}
    # (folder as listed, its real path, its path relative to ``folder``); only symbolic links are resolved:
    # a plain entry's real path is its folder's real path and its name (no system call per file)
    stack: list[tuple[Path, Path, str]] = [(root / folder, base, "")]
    while stack:
        current, current_real, rel = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            path = Path(entry.path)
            try:
                link = entry.is_symlink()
                target = _real(path) if link else current_real / entry.name
            except _Unfollowable:  # a link loop: listed, so that reading it reports it as unreadable
                found.append((relpath, entry.name))
                continue
            except OSError:
                continue
            if link and not _inside(target, root):
                continue  # leads outside the project: never listed, never read
            is_dir = _is_dir(target) if link else _entry_is(entry, dir_=True)
            if is_dir:
                if target not in seen:
                    seen.add(target)
                    stack.append((path, target, relpath))
            elif _is_file(target) if link else _entry_is(entry, dir_=False):
                found.append((relpath, entry.name))
    return found


def _entry_is(entry: os.DirEntry[str], *, dir_: bool) -> bool:
    """A plain (not linked) entry's kind, from the listing itself."""
    try:
        return entry.is_dir(follow_symlinks=False) if dir_ else entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or under it; both absolute and normalised, so compared as text (asked of
    every file a run reads: ``root in path.parents`` built a path object per ancestor)."""
    p, r = str(path), str(root)
    return p == r or p.startswith(r if r.endswith(os.sep) else r + os.sep)


class ProjectInputs:
    """Reads files of the project rooted at ``root``, remembering every outcome for the manifest."""

    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self._files: dict[str, str] = {}
        self._listings: dict[str, list[str]] = {}
        self._folders: Folders = {}
        self._trees: dict[str, Tree] = {}

    def inside(self, rel_path: str) -> Path | None:
        """Resolve a user-given path, refusing anything that leaves the project root (not recorded). A path
        whose links loop is given as written (lexically), for looking at, never for reading."""
        try:
            return _resolve(self.root, rel_path)
        except _Unfollowable:
            if "\0" in rel_path:  # no such file can exist, inside or out
                return None
            lexical = Path(os.path.normpath(self.root / rel_path))
            return lexical if _inside(lexical, self.root) else None

    def read_bytes(self, rel_path: str, max_bytes: int | None = None) -> bytes:
        """The bytes of ``rel_path`` (relative to the root); raises :class:`InputError` with a reason."""
        outcome = _read(self.root, rel_path, self.max_bytes if max_bytes is None else max_bytes, self._folders)
        self._files[rel_path] = outcome.record
        if outcome.error is not None:
            raise outcome.error
        assert outcome.data is not None
        return outcome.data

    def exists(self, rel_path: str) -> bool:
        """Whether ``rel_path`` is a regular file inside the project; recorded as present or absent, so a
        file that appears (or goes) later is a changed input. The bytes are not read."""
        record = _exists(self.root, rel_path)
        known = self._files.get(rel_path)
        if known is None or known in ("present", "missing", "outside"):  # a digest already says more
            self._files[rel_path] = record
        return record == "present"

    def list_dir(self, folder: str) -> list[str]:
        """The names in ``folder`` (not recursive, sorted); recorded, so an added file is noticed."""
        names = _list_dir(self.root, folder)
        self._listings[f"dir:{folder}"] = names
        return names

    def list_entries(self, folder: str) -> dict[str, str]:
        """Each name in ``folder`` with what it is itself — ``file``, ``dir``, ``link`` (a symbolic link,
        whatever it points at) or ``other`` — recorded, so a file later replaced by a link is a change."""
        entries = _entries(self.root, folder)
        self._listings[f"entries:{folder}"] = entries
        return dict(e.rsplit(":", 1) for e in entries)

    def list_tree(self, folder: str, suffix: str) -> list[str]:
        """Every file under ``folder`` whose name ends with ``suffix``, relative to it; recorded."""
        names = _list_tree(self.root, folder, suffix, self._trees)
        self._listings[f"tree:{suffix}:{folder}"] = names
        return names

    def reads(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """What was read so far (files, listings), for :meth:`add_reads` in the process that forked this one."""
        return self._files, self._listings

    def add_reads(self, reads: tuple[dict[str, str], dict[str, list[str]]]) -> None:
        """Record what a forked copy of this run read too (what it knew already stays as it is)."""
        files, listings = reads
        for name, record in files.items():
            self._files.setdefault(name, record)
        for name, names in listings.items():
            self._listings.setdefault(name, names)

    def manifest(self) -> dict[str, Any]:
        """Every file and listing read so far, as JSON: what a cached result depends on."""
        return {"files": dict(sorted(self._files.items())), "listings": dict(sorted(self._listings.items()))}


def manifest_holds(root: Path, manifest: Any) -> bool:
    """Whether every file and listing of ``manifest`` still reads the same under ``root``."""
    root = root.resolve()
    folders: Folders = {}
    trees: dict[str, Tree] = {}
    try:
        files: dict[str, str] = manifest["files"]
        listings: dict[str, list[str]] = manifest["listings"]
        for key, names in listings.items():
            kind, _, rest = key.partition(":")
            if kind == "dir":
                current = _list_dir(root, rest)
            elif kind == "entries":
                current = _entries(root, rest)
            elif kind == "tree":
                suffix, _, folder = rest.partition(":")
                current = _list_tree(root, folder, suffix, trees)
            else:
                return False
            if current != names:
                return False
        for rel, record in files.items():
            if record == "present":
                if _exists(root, rel) != "present":
                    return False
                continue
            limit = int(record.split(":", 1)[1]) if record.startswith("too-large:") else None
            if _read(root, rel, limit, folders).record != record:
                return False
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True
