"""Remembering results: the :class:`Store` a caller may hand in, the cache key, the in-process memo.

A result is keyed by content: the spec, every file it references, the options and the versions of
the validating libraries. An unchanged spec then costs one read and hash per file. This package
writes nothing to disk; persisting is the caller's store's job (:class:`Store`).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Protocol

CACHE_VERSION = "1"
_MEMO_SIZE = 16

Entry = dict[str, Any]  # {"deps": {file: sha256 | None}, "index": to_json(SpecIndex)}


class Store(Protocol):
    """Where results outlive the process: JSON-able values by key. A store may forget anything."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


@functools.cache
def library_versions() -> str:
    """The versions of the libraries whose verdicts a result holds: openapi-spec-validator-rs gives it, and
    the Python walk that places what it cannot (openapi-spec-validator and its schema stack)."""
    from importlib import metadata  # lazy: 12 ms of imports that only a cold spec check needs; asked once

    found = []
    dists = ("openapi-spec-validator-rs", "openapi-spec-validator", "jsonschema", "jsonschema-path")
    for dist in (*dists, "openapi-schema-validator"):
        try:
            found.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist}=?")
    return ",".join(found)


def cache_key(root: Path, rel: str, digest: str, options: str) -> str:
    """The key of the spec ``rel`` whose bytes hash to ``digest``; its references are checked on
    read (``spec._deps_unchanged``, through the reader), since they are only known after loading."""
    raw = "\0".join([CACHE_VERSION, library_versions(), str(root.resolve()), rel, digest, options])
    return hashlib.sha256(raw.encode()).hexdigest()


_MEMO: dict[str, Entry] = {}


def memo_get(key: str) -> Entry | None:
    return _MEMO.get(key)


def remember(key: str, entry: Entry) -> None:
    _MEMO.pop(key, None)
    _MEMO[key] = entry
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))


def clear_cache() -> None:
    """Forget in-process results (tests; a long-running server that wants a cold re-check)."""
    _MEMO.clear()
