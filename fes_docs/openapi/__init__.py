"""Read a service's OpenAPI spec, say whether it is valid, and index its operations.

This package knows nothing about release records, MkDocs or the CLI: it answers "is this spec valid,
and where exactly is it not?" and "does ``GET /docs/{id}`` exist in it?". One module per job:

* ``workspace`` — load the spec and the files its ``$ref``\\ s name, bounded, keeping positions;
  ``$ref`` safety (remote refs reported and never fetched; nothing outside the project root read).
* ``validate`` — openapi-spec-validator's verdict (Swagger 2.0, OpenAPI 3.0/3.1/3.2), every error
  located at a line and column, following ``$ref``\\ s into the file that holds the node.
* ``index`` — the operations (:class:`SpecIndex`, :class:`Operation`) and endpoint matching
  (:func:`normalise_path`, :func:`parse_endpoint`, :meth:`SpecIndex.find`).
* ``store`` — the cache key, the in-process memo and the :class:`Store` protocol a caller may hand
  in to keep results between runs; this package writes nothing itself.
* ``spec`` — :func:`load_spec`, tying them together.

A remote ``$ref`` is an error, not a warning: what it points at is never seen, so the spec cannot be
called valid. ``semantic=False`` skips the library's (slow, pure-Python) semantic walk for callers
that must bound a cold run.
"""

from __future__ import annotations

from .index import Operation, SpecIndex, from_json, normalise_path, parse_endpoint, to_json
from .problems import Severity, SpecProblem
from .spec import MAX_PROBLEMS, load_spec
from .store import Store, clear_cache
from .workspace import MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_REF_FILES

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
