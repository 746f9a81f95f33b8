"""The one cache layer: every cache file fes-docs reads or writes goes through :class:`Cache`.

What is cached, by namespace:

* ``releases`` — a release file's parsed document and schema findings (key: its bytes + the policy);
* ``sql`` — a migration's SQL analysis (key: its text + the dialect);
* ``runs`` — a whole ``validate`` report with the manifest of every input it read (see
  :mod:`fes_docs.rerun`, which decides whether the manifest still holds);
* any namespace handed out by :meth:`Cache.store` — one file per key, written through at once (the
  OpenAPI spec results; a forked worker hands its result to the parent this way).

Why it is safe:

* entries are keyed by the SHA-256 of the input's bytes *and* of everything else the result depends on
  (the policy for schema findings, the dialect for SQL), so a stale entry can never be hit;
* every file name carries :func:`code_digest`, a digest of the bytes of the package's own code and
  schemas: after a change to a rule or to the SQL classifier nothing cached by the old code is read
  (the version string would not change for an edit in a checkout);
* it is JSON, not pickle: a cache folder smuggled into a pull request cannot execute code, and a
  corrupt or hand-edited file is simply ignored; files are replaced atomically (:mod:`fes_docs.atomic`);
* it lives *outside* the project, in ``$FES_DOCS_CACHE_DIR`` or ``$XDG_CACHE_HOME/fes-docs`` (default
  ``~/.cache/fes-docs``), one folder per project path: a merge gate must never trust results that a
  pull request could have committed next to the records. It is invisible to git, safe to delete at any
  time, and ``FES_DOCS_NO_CACHE=1`` turns it off.

This module is infrastructure: it knows JSON values and bytes, nothing about records, findings or
projects (callers convert), so it imports nothing of fes-docs but :mod:`fes_docs.atomic` and
:mod:`fes_docs.jsontext`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from .atomic import create_bytes, write_pieces, write_text
from .jsontext import compact

FORMAT = 4  # bump when the shape of a cache file changes

RELEASES = "releases"
SQL = "sql"
RUNS = "runs"
OPENAPI = "openapi"

PACKAGE = Path(__file__).resolve().parent
_SAFE_KEY = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


@functools.cache
def code_digest(package: Path = PACKAGE) -> str:
    """SHA-256 over the bytes of every ``*.py`` and packaged schema file of the package (sorted paths).

    Memoised: computed once per process (about half a megabyte of source). A change to any rule, to
    the SQL classifier or to a schema gives a new digest, so results cached by other code are not read.
    """
    files = sorted([*package.rglob("*.py"), *(package / "schemas").glob("*.json")])
    h = hashlib.sha256()
    for path in files:
        rel = path.relative_to(package).as_posix()
        if "__pycache__" in rel.split("/"):
            continue
        h.update(rel.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def cache_home() -> Path:
    explicit = os.environ.get("FES_DOCS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fes-docs"


class RawJSON:
    """A value given as JSON text — the text, or a function making its pieces when the cache is saved —
    kept and written as it is.

    Thousands of SQL analyses and findings cost several times the memory as dicts and lists that they cost as
    text, and a cold run at 10,000 records keeps them until :meth:`Cache.save` (issue 14); the run's own entry
    is written finding by finding, never held as one text at all. Reading one back in the same run parses it
    (:meth:`Cache.get` answers JSON values either way).
    """

    __slots__ = ("_text", "_pieces")

    def __init__(self, text: str = "", pieces: Callable[[], Iterable[str]] | None = None) -> None:
        self._text = text
        self._pieces = pieces

    def pieces(self) -> Iterable[str]:
        return self._pieces() if self._pieces is not None else (self._text,)


def _file_json(entries: dict[str, Any], used: set[str]) -> Iterator[str]:
    """A namespace's file, ``{"code": ..., "entries": {...}}`` with the ``used`` entries, entry by entry: the
    same JSON as one ``json.dumps`` of it all, a RawJSON value as written, and never all of it in memory."""
    yield f'{{"code":{json.dumps(code_digest())},"entries":{{'
    first = True
    for key, value in entries.items():
        if key in used:
            yield f"{'' if first else ','}{json.dumps(key)}:"
            if isinstance(value, RawJSON):
                yield from value.pieces()
            else:
                yield compact(value)
            first = False
    yield "}}"


class KeyValueStore(Protocol):
    """What a component with its own keys (the OpenAPI loader) is given to keep results in."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class Cache:
    """One JSON file per namespace; loaded on first use, written once at the end (atomically)."""

    def __init__(self, root: Path, enabled: bool | None = None) -> None:
        self.folder = cache_home() / digest(str(root.resolve()))[:24]
        self.enabled = (os.environ.get("FES_DOCS_NO_CACHE", "") in ("", "0")) if enabled is None else enabled
        self._data: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._used: dict[str, set[str]] = {}

    @staticmethod
    def tag() -> str:
        """What every cache file name carries: the code digest and the entry format."""
        return f"{code_digest()[:20]}-f{FORMAT}"

    def _file(self, namespace: str) -> Path:
        return self.folder / f"{namespace}-{self.tag()}.json"

    def _load(self, namespace: str) -> dict[str, Any]:
        if namespace not in self._data:
            entries: dict[str, Any] = {}
            if self.enabled:
                try:
                    raw = json.loads(self._file(namespace).read_text(encoding="utf-8"))
                    if isinstance(raw, dict) and raw.get("code") == code_digest():
                        stored = raw.get("entries")
                        entries = stored if isinstance(stored, dict) else {}
                except (OSError, ValueError):
                    entries = {}
            self._data[namespace] = entries
        return self._data[namespace]

    def get(self, namespace: str, key: str) -> Any:
        """The JSON value stored under ``key``, or None (also when caching is off)."""
        if not self.enabled:
            return None
        value = self._load(namespace).get(key)
        if value is not None:
            self._used.setdefault(namespace, set()).add(key)
        return json.loads("".join(value.pieces())) if isinstance(value, RawJSON) else value

    def put(self, namespace: str, key: str, value: Any) -> None:
        """Remember a JSON value (dicts, lists, strings, numbers, or :class:`RawJSON`); written by :meth:`save`."""
        if not self.enabled:
            return
        self._load(namespace)[key] = value
        self._used.setdefault(namespace, set()).add(key)
        self._dirty.add(namespace)

    def store(self, namespace: str) -> FileStore:
        """A get/put store for ``namespace`` whose entries are written at once, one file per key."""
        return FileStore(self, namespace)

    def ensure_folder(self) -> Path | None:
        """The cache folder, created with a README; None when caching is off or impossible."""
        if not self.enabled:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                create_bytes(
                    self.folder.parent / "README",
                    b"fes-docs cache: one folder per project path; safe to delete at any time.\n",
                )
        except OSError:
            return None
        return self.folder

    def prune(self) -> None:
        """Delete the files other code wrote in this project's folder (they can never be read again)."""
        tag = self.tag()
        try:
            stale = [
                p
                for p in self.folder.iterdir()
                if not p.name.startswith(".")  # another process's file being written
                and not p.name.removesuffix(".json").endswith(f"-{tag}")
            ]
        except OSError:
            return
        for path in stale:
            with contextlib.suppress(OSError):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()

    def save(self) -> None:
        """Write what changed, dropping entries this run did not use (the cache never grows without bound)."""
        if not self.enabled or not self._dirty:
            return
        if self.ensure_folder() is None:
            return
        try:
            for namespace in sorted(self._dirty):
                used = self._used.get(namespace, set())
                write_pieces(self._file(namespace), _file_json(self._data[namespace], used))
            self.prune()
        except OSError:
            return  # a read-only checkout still validates; it just is not faster next time
        self._dirty.clear()


class FileStore:
    """:class:`KeyValueStore` over one folder of the cache: ``<namespace>-<tag>/<key>.json``.

    Written through (atomically) on every ``put``, so a forked process can hand a result to its parent.
    """

    def __init__(self, cache: Cache, namespace: str) -> None:
        self.cache = cache
        self.namespace = namespace
        self._pruned = False

    def _path(self, key: str) -> Path:
        name = key if _SAFE_KEY.fullmatch(key) and not key.startswith(".") else digest(key)
        return self.cache.folder / f"{self.namespace}-{self.cache.tag()}" / f"{name}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.cache.enabled:
            return None
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or raw.get("code") != code_digest() or raw.get("key") != key:
            return None
        value = raw.get("value")
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.cache.ensure_folder() is None:
            return
        path = self._path(key)
        try:
            if not self._pruned:
                self.cache.prune()
                self._pruned = True
            path.parent.mkdir(exist_ok=True)
            write_text(path, compact({"code": code_digest(), "key": key, "value": value}))
        except OSError:
            pass  # a read-only or full disk only costs speed
