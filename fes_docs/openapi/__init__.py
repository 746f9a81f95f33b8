"""Read a service's OpenAPI spec, say whether it is valid, and index its operations.

This package knows nothing about release records, MkDocs or the CLI: it answers "is this spec valid,
and where exactly is it not?" and "does ``GET /docs/{id}`` exist in it?". One module per job:

* ``parse`` — plain parsing (JSON as JSON; YAML by openapi-spec-validator-rs's parser, trusted only when
  no alias can stand and the data has as many nodes as libyaml counts events), no positions.
* ``early`` — a big YAML spec's screen in a sealed, forked child, which validates its bytes meanwhile.
* ``workspace`` — every document of the spec, read once through one reader, bounded; ``$ref`` safety
  (remote refs reported and never fetched; nothing outside the project root read).
* ``refs`` — every ``$ref`` checked (:func:`~.refs.scan_refs`) and followed.
* ``rust`` — the verdict: openapi-spec-validator-rs, every error collected.
* ``locate`` and ``walked`` — each error placed from what it quotes, over the mappings the library's
  walk checks; ``positions`` — the line and column of a few paths, in one pass over the bytes.
* ``validate`` — the library's Python walk: only when an error cannot be placed otherwise.
* ``index`` — the operations (:class:`SpecIndex`, :class:`Operation`) and endpoint matching
  (:func:`normalise_path`, :func:`parse_endpoint`, :meth:`SpecIndex.find`).
* ``store`` — the cache key, the in-process memo and the :class:`Store` protocol a caller may hand
  in to keep results between runs; this package writes nothing itself.
* ``spec`` — :func:`load_spec`, tying them together.

A remote ``$ref`` is an error, not a warning: what it points at is never seen, so the spec cannot be
called valid. ``semantic=False`` checks the structure only (the Python schema pass), for callers
that ask for no more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .index import Operation, SpecIndex, from_json, normalise_path, parse_endpoint, to_json
from .problems import Severity, SpecProblem
from .store import Store, clear_cache
from .workspace import MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_REF_FILES

if TYPE_CHECKING:
    from .spec import MAX_PROBLEMS, load_spec


def __getattr__(name: str) -> Any:
    """``load_spec`` and ``MAX_PROBLEMS`` on first use: ``spec`` imports the validator stack (the Rust
    verdict, the Python walk, error placing), which reading a spec's operations alone (``api-diff``, the
    index) never needs."""
    if name in ("load_spec", "MAX_PROBLEMS"):
        from . import spec

        return getattr(spec, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_PROBLEMS",
    "MAX_REF_FILES",
    "Operation",
    "Severity",
    "SpecIndex",
    "SpecProblem",
    "Store",
    "clear_cache",
    "from_json",
    "load_spec",
    "normalise_path",
    "parse_endpoint",
    "to_json",
]
