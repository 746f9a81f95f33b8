"""The unchanged-project fast path: when no input of a previous run changed, reuse its whole report.

CI and pre-commit re-run ``validate`` on trees that mostly did not change. The per-file cache
(:mod:`fes_docs.cache`) already skips parsing; this layer also skips the rules, by remembering which
files a run read (the manifest) and the report it produced. A hit requires that:

* every file of the manifest still has the same SHA-256 (absent files must still be absent);
* the folders a run enumerates (``releases/`` recursively, the migrations folder) list the same files;
* the tool version and the date used for waiver expiry are the same.

Anything else is a miss and the full check runs. The entry lives in the same out-of-project cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__
from .cache import Cache, finding_from_json, finding_to_json
from .check import Result, check_project
from .findings import Finding
from .project import Project, load_project
from .summary import migrations_json

NAMESPACE = "runs"


@dataclass
class Report:
    """What `validate` prints: the findings, the number of files checked, and the migrations table."""

    findings: list[Finding]
    files: int
    migrations: list[dict[str, Any]]
    result: Result | None = None  # the full result, when the rules ran


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _listing(root: Path, folder: str | None, pattern: str) -> list[str]:
    if not folder:
        return []
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in base.rglob(pattern) if p.is_file())


def _folders(project_root: Path, releases_dir: str, migrations_dir: str | None) -> list[str]:
    return _listing(project_root, releases_dir, "*") + _listing(project_root, migrations_dir, "*.sql")


def _manifest(root: Path, files: list[str]) -> dict[str, str | None]:
    return {f: _sha(root / f) for f in sorted(set(files))}


def _key(root: Path, today: str) -> str:
    return hashlib.sha256(f"{__version__}\0{root}\0{today}".encode()).hexdigest()


def _inputs(project: Project) -> list[str]:
    """Every file the full check read or looked for."""
    root = project.root
    files = _folders(root, project.releases_dir, project.policy.migrations_dir)
    spec = project.spec
    for f in [spec.file, *getattr(spec, "files", [])]:
        p = Path(f)
        files.append((p.relative_to(root) if p.is_absolute() and root in p.parents else p).as_posix())
    for rel in project.releases:
        files += [b.sql for b in rel.backfills if b.sql]
        files += [c.evidence for c in rel.checklist if c.evidence and c.evidence.endswith(".json")]
    return [f for f in files if f and not f.startswith("/") and ".." not in f.split("/")]


def validate_report(root: Path, today: str | None = None, use_cache: bool | None = None) -> Report:
    """The report for ``root``: from the previous run when nothing it read has changed, else a full check."""
    root = root.resolve()
    day = today or date.today().isoformat()
    cache = Cache(root, use_cache)
    key = _key(root, day)
    entry = cache.get(NAMESPACE, key) if cache.enabled else None
    if isinstance(entry, dict):
        try:
            stored = entry["manifest"]
            listing = _folders(root, entry["releases_dir"], entry["migrations_dir"])
            if listing == entry["listing"] and _manifest(root, list(stored)) == stored:
                return Report([finding_from_json(f) for f in entry["findings"]], entry["files"], entry["migrations"])
        except (KeyError, TypeError, ValueError):
            pass
    project = load_project(root, today=today, use_cache=use_cache, parallel_spec=True)
    result = check_project(project)
    report = Report(result.findings, 1 + len(project.releases), migrations_json(project), result)
    if cache.enabled:
        listing = _folders(root, project.releases_dir, project.policy.migrations_dir)
        cache.put(
            NAMESPACE,
            key,
            {
                "manifest": _manifest(root, [*listing, project.policy_file, *_inputs(project)]),
                "listing": listing,
                "releases_dir": project.releases_dir,
                "migrations_dir": project.policy.migrations_dir,
                "findings": [finding_to_json(f) for f in report.findings],
                "files": report.files,
                "migrations": report.migrations,
            },
        )
        cache.save()
    return report
