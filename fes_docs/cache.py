"""A content-hash cache so a second ``validate`` (or a ``mkdocs serve`` rebuild) skips unchanged files.

Why it is safe:

* entries are keyed by the SHA-256 of the file's bytes *and* of everything else the result depends on
  (the policy for schema findings, the dialect for SQL), so a stale entry can never be hit;
* the cache file names the tool version; another version ignores it (never trusted across versions);
* it is JSON, not pickle: a cache folder smuggled into a pull request cannot execute code, and a
  corrupt or hand-edited file is simply ignored;
* it lives *outside* the project, in ``$FES_DOCS_CACHE_DIR`` or ``$XDG_CACHE_HOME/fes-docs`` (default
  ``~/.cache/fes-docs``), one folder per project path: a merge gate must never trust results that a
  pull request could have committed next to the records. It is invisible to git, safe to delete at any
  time, and ``FES_DOCS_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .findings import Finding, Loc, Waiver
from .loader import Document
from .model import Policy, Release

FORMAT = 2  # bump when the shape of an entry changes


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def cache_home() -> Path:
    explicit = os.environ.get("FES_DOCS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fes-docs"


class Cache:
    """One JSON file per namespace; loaded on first use, written once at the end (atomically)."""

    def __init__(self, root: Path, enabled: bool | None = None) -> None:
        self.folder = cache_home() / digest(str(root.resolve()))[:24]
        self.enabled = (os.environ.get("FES_DOCS_NO_CACHE", "") in ("", "0")) if enabled is None else enabled
        self._data: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._used: dict[str, set[str]] = {}

    def _file(self, namespace: str) -> Path:
        return self.folder / f"{namespace}-{__version__}-f{FORMAT}.json"

    def _load(self, namespace: str) -> dict[str, Any]:
        if namespace not in self._data:
            entries: dict[str, Any] = {}
            if self.enabled:
                try:
                    raw = json.loads(self._file(namespace).read_text(encoding="utf-8"))
                    if isinstance(raw, dict) and raw.get("version") == __version__:
                        entries = raw.get("entries") or {}
                except (OSError, ValueError):
                    entries = {}
            self._data[namespace] = entries
        return self._data[namespace]

    def get(self, namespace: str, key: str) -> Any:
        value = self._load(namespace).get(key)
        if value is not None:
            self._used.setdefault(namespace, set()).add(key)
        return value

    def put(self, namespace: str, key: str, value: Any) -> None:
        self._load(namespace)[key] = value
        self._used.setdefault(namespace, set()).add(key)
        self._dirty.add(namespace)

    def ensure_folder(self) -> Path | None:
        """The cache folder, created with its ``.gitignore``; None when caching is off or impossible."""
        if not self.enabled:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            readme = self.folder.parent / "README"
            if not readme.exists():
                readme.write_text("fes-docs cache: one folder per project path; safe to delete at any time.\n")
        except OSError:
            return None
        return self.folder

    def save(self) -> None:
        """Write what changed, dropping entries this run did not use (the cache never grows without bound)."""
        if not self.enabled or not self._dirty:
            return
        from .atomic import write_text

        if self.ensure_folder() is None:
            return
        try:
            for namespace in sorted(self._dirty):
                used = self._used.get(namespace, set())
                entries = {k: v for k, v in self._data[namespace].items() if k in used}
                write_text(
                    self._file(namespace),
                    json.dumps({"version": __version__, "entries": entries}, separators=(",", ":")),
                )
        except OSError:
            return  # a read-only checkout still validates; it just is not faster next time
        self._dirty.clear()


# -- release documents ---------------------------------------------------------------------------


def _doc_to_json(doc: Document) -> dict[str, Any]:
    values, keys = doc.flat()
    return {"data": doc.data, "v": values, "k": keys}


def _doc_from_json(file: str, raw: dict[str, Any]) -> Document:
    return Document(file, raw["data"], flat=(raw["v"], raw["k"]))


def finding_to_json(f: Finding) -> dict[str, Any]:
    out = asdict(f)
    out["related"] = [asdict(r) for r in f.related]
    return out


def finding_from_json(raw: dict[str, Any]) -> Finding:
    return Finding(
        Loc(**raw["loc"]),
        raw["rule"],
        raw["severity"],
        raw["message"],
        raw["hint"],
        raw["release"],
        Waiver(**raw["waived"]) if raw.get("waived") else None,
        tuple(Loc(**r) for r in raw.get("related", ())),
    )


def policy_digest(policy: Policy) -> str:
    return digest(
        json.dumps(
            {"e": policy.environments, "o": policy.owner_roles, "c": policy.checklist_ids, "f": policy.flags},
            sort_keys=True,
        )
    )


def load_releases_cached(
    root: Path, releases_dir: str, policy: Policy, cache: Cache | None = None
) -> tuple[list[Release], list[Finding]]:
    """Load every release file, reusing parsed documents and schema findings of unchanged files."""
    from .loader import MAX_BYTES, read_limited
    from .project import load_release_bytes, problem_finding, release_files

    pol = policy_digest(policy)
    releases: list[Release] = []
    findings: list[Finding] = []
    real_root = root.resolve()
    for path in release_files(root, releases_dir):
        rel_name = f"{releases_dir}/{path.name}"
        target = path.resolve()
        if target != real_root and real_root not in target.parents:
            findings.append(
                Finding(
                    Loc(rel_name),
                    "FES003",
                    "error",
                    "this file is a link to somewhere outside the project; it was not read",
                    "commit the record itself, not a symlink",
                )
            )
            continue
        data, problem = read_limited(path, MAX_BYTES)
        if data is None:
            findings.append(
                problem_finding(rel_name, problem)
                if problem
                else Finding(Loc(rel_name), "FES003", "error", "cannot read file", "")
            )
            continue
        key = digest(rel_name, pol, data)
        hit = cache.get("releases", key) if cache else None
        try:
            if hit is None:
                raise KeyError(key)
            doc = _doc_from_json(rel_name, hit["doc"]) if hit["doc"] is not None else None
            found = [finding_from_json(f) for f in hit["findings"]]
            release = Release.from_doc(doc) if doc is not None and isinstance(doc.data, dict) else None
        except (KeyError, TypeError, ValueError):  # a miss, or an entry this code cannot read: recompute
            release, found, doc = load_release_bytes(data, rel_name, policy)
            if doc is not None:
                doc.compact()
            if cache:
                cache.put(
                    "releases",
                    key,
                    {
                        "doc": _doc_to_json(doc) if doc is not None else None,
                        "findings": [finding_to_json(f) for f in found],
                    },
                )
        findings.extend(found)
        if release is not None:
            releases.append(release)
    return releases, findings
