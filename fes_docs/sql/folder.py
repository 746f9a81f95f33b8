"""A Flyway folder read straight from disk, for tools and tests outside a validate run.

A run reads the folder through the project's one I/O layer (:class:`fes_docs.artefacts.MigrationIndex` over
:class:`fes_docs.inputs.ProjectInputs`); this reader serves the real-data tests and benchmarks, which look
at folders that are no project. Links leading out of ``root_guard`` are not followed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fes_docs.loader import read_limited
from fes_docs.sql.flyway import (
    MAX_SQL_BYTES,
    Kind,
    MigrationFile,
    format_version,
    migration_from_bytes,
    unreadable_migration,
    version_key,
)


@dataclass(frozen=True)
class ScanReport:
    """What :func:`scan_dir_report` found and what it deliberately left out (with the reason)."""

    files: tuple[MigrationFile, ...]
    skipped: tuple[tuple[str, str], ...]


def scan_dir(root: Path, *, root_guard: Path | None = None) -> list[MigrationFile]:
    """Every ``*.sql`` file under ``root`` (recursive, like a Flyway location), sorted by relpath."""
    return list(scan_dir_report(root, root_guard=root_guard).files)


def scan_dir_report(root: Path, *, root_guard: Path | None = None) -> ScanReport:
    """Like :func:`scan_dir`, also listing what was skipped: symlinks leaving ``root_guard`` (default:
    ``root`` itself), symlink loops and unreadable folders. A missing ``root`` gives an empty report;
    whether that is an error is the caller's call."""
    guard = (root_guard or root).resolve()
    found: list[MigrationFile] = []
    skipped: list[tuple[str, str]] = []
    real_root = root.resolve()
    if not _inside(real_root, guard):
        return ScanReport((), ((".", f"{root} resolves outside {guard}"),))
    if not real_root.is_dir():
        return ScanReport((), ())
    seen_dirs = {real_root}
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append((rel or ".", f"cannot list folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not _inside(target, guard):
                    skipped.append((relpath, f"symbolic link to {target}, outside {guard}"))
                    continue
                if target.is_dir():
                    if target in seen_dirs:
                        skipped.append((relpath, "symbolic link loop"))
                        continue
                    seen_dirs.add(target)
                    stack.append((path, relpath))
                    continue
            elif entry.is_dir(follow_symlinks=False):
                seen_dirs.add(path.resolve())
                stack.append((path, relpath))
                continue
            if entry.name.endswith(".sql") and path.is_file():
                found.append(_load(path, relpath))
    found.sort(key=lambda f: f.relpath)
    skipped.sort()
    return ScanReport(tuple(found), tuple(skipped))


@dataclass(frozen=True)
class Conflict:
    """Files Flyway refuses to load together ("Found more than one migration with version 1.2")."""

    kind: Kind
    #: Dotted version for versioned/undo migrations, the description for repeatables.
    key: str
    relpaths: tuple[str, ...]


def find_conflicts(files: list[MigrationFile] | tuple[MigrationFile, ...]) -> list[Conflict]:
    """Versions used twice (``1.0`` and ``1`` are the same version) and repeatables sharing a description.

    Versioned and undo migrations are separate namespaces in Flyway (``U3`` undoes ``V3``).
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for f in files:
        n = f.name
        if n.kind in ("versioned", "undo") and n.version is not None:
            key = format_version(version_key(n.version))
        elif n.kind == "repeatable":
            key = n.description or ""
        else:
            continue
        groups.setdefault((str(n.kind), key), []).append(f.relpath)
    return [
        Conflict(kind, key, tuple(sorted(paths)))  # type: ignore[arg-type]
        for (kind, key), paths in sorted(groups.items())
        if len(paths) > 1
    ]


def _inside(path: Path, guard: Path) -> bool:
    return path == guard or guard in path.parents


def _load(path: Path, relpath: str) -> MigrationFile:
    data, problem = read_limited(path, MAX_SQL_BYTES)
    if data is None:
        return unreadable_migration(relpath, problem.message if problem else "cannot read file", path)
    return migration_from_bytes(relpath, data, path)
