"""The operations a spec declares, and matching ``METHOD /path`` endpoints against them.

Endpoint matching (:meth:`SpecIndex.find`): methods are case-insensitive; path templates match when
they are equal after every ``{param}`` becomes ``{}`` (``/docs/{id}`` = ``/docs/{documentId}``).
Operations keep the path exactly as the spec writes it; server base paths are not prepended.
A queried path that starts with a declared base path (3.x ``servers[].url`` path, Swagger 2.0
``basePath``) also matches with that prefix removed, so ``GET /api/v1/x`` finds ``/x`` under a server
``https://host/api/v1``. A trailing slash is significant (``/docs`` and ``/docs/`` are different
paths in OpenAPI and in most routers); :meth:`SpecIndex.suggest` proposes the other form.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .problems import SpecProblem
from .refs import deref
from .workspace import Workspace

_METHODS_V2 = ("get", "put", "post", "delete", "options", "head", "patch")
_METHODS_V3 = (*_METHODS_V2, "trace")
_METHODS_V32 = (*_METHODS_V3, "query")


@dataclass(frozen=True, order=True)
class Operation:
    """One operation as the spec writes it: ``("GET", "/documents/{documentId}/pdf")``."""

    method: str
    path: str


def normalise_path(path: str) -> str:
    """``/docs/{documentId}/pdf`` -> ``/docs/{}/pdf``: parameter names never decide a match."""
    out: list[str] = []
    depth = 0
    for ch in path:
        if ch == "{":
            if depth == 0:
                out.append("{}")
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _key(method: str, path: str) -> str:
    return f"{method.upper()} {normalise_path(path)}"


#: Operation indexes (into the sorted operations) by normalised path, by trigram, by segment count; and
#: each operation's clipped ``METHOD path`` key.
_SuggestTables = tuple[dict[str, list[int]], dict[str, list[int]], dict[int, list[int]], list[str]]


@dataclass
class SpecIndex:
    """What :func:`~fes_docs.openapi.load_spec` learnt about one spec file."""

    file: str
    exists: bool
    valid: bool
    version: str | None
    operations: list[Operation] = field(default_factory=list)
    problems: list[SpecProblem] = field(default_factory=list)
    base_paths: list[str] = field(default_factory=list)  # e.g. ["/api/v1"], longest first
    files: list[str] = field(default_factory=list)  # every file read: the spec, then $ref targets
    _table: dict[str, Operation] | None = field(default=None, init=False, repr=False, compare=False)
    _suggest: _SuggestTables | None = field(default=None, init=False, repr=False, compare=False)

    def _lookup(self) -> dict[str, Operation]:
        """Normalised ``METHOD path`` -> operation, built on first use (operations are final then)."""
        if self._table is None:
            self._table = {}
            for op in self.operations:  # sorted, so the first spelling of a duplicate wins
                self._table.setdefault(_key(op.method, op.path), op)
        return self._table

    def _variants(self, path: str) -> list[str]:
        """The queried path, then the path with each declared base path removed."""
        found = [path]
        for base in self.base_paths[:_MAX_BASES]:
            if path.startswith(base + "/"):
                found.append(path[len(base) :])
        return found

    def find(self, method: str, path: str) -> Operation | None:
        """The operation ``method path`` names, matching path parameters regardless of their names."""
        table = self._lookup()
        for variant in self._variants(path):
            op = table.get(_key(method, variant))
            if op is not None:
                return op
        return None

    def suggest(self, method: str, path: str) -> Operation | None:
        """The closest existing operation: the same path with another method, else the most similar
        ``METHOD path`` (difflib ratio >= 0.6) among a bounded set of candidates, else None.

        Bounded work per call, whatever the spec's size or the record's: a record may list thousands of
        endpoints against a spec of thousands of operations, and scoring every pair (what difflib's
        ``get_close_matches`` does) took minutes. Candidates are the operations sharing the query's
        rarest character trigrams, and those with as many segments (at most :data:`_CANDIDATES` per key),
        and strings are scored clipped to :data:`_CLIP` characters. Ties go to the first in sorted order.
        """
        if not self.operations:
            return None
        by_path, _, _, keys = self._suggest_tables()
        variants = [normalise_path(v)[:_CLIP] for v in self._variants(path)]
        for v in variants:
            same_path = by_path.get(v)
            if same_path:
                return self.operations[same_path[0]]
        pool = self._pool(variants)
        # Each candidate's score (difflib's ratio, 2*M/T for M matching characters) is bounded above by
        # the same ratio of its longest common subsequence with the query (difflib's matches are one),
        # which rapidfuzz computes in C. Candidates are scored from the highest bound down, and the
        # scoring stops where no bound can beat the best so far (or tie it from a lower index): the
        # answer is the one full scoring of every candidate would give — the highest score, the lowest
        # index among equals — for a few full scorings per query instead of dozens.
        from rapidfuzz.distance import LCSseq  # lazy: only a missing endpoint asks

        queries = [f"{method.upper()[:16]} {v}" for v in variants]
        floor = 0.6 - 1e-9
        bounds: list[tuple[float, int, int]] = []  # (-bound, candidate, query)
        for i in pool:
            for j, query in enumerate(queries):
                total = len(keys[i]) + len(query)
                bound = 2.0 * LCSseq.similarity(keys[i], query) / total if total else 1.0
                if bound > floor:
                    bounds.append((-bound, i, j))
        bounds.sort()
        best: tuple[float, int] | None = None
        for neg_bound, i, j in bounds:
            if best is not None:
                if -neg_bound < best[0]:
                    break  # no candidate further on can reach the best
                if -neg_bound == best[0] and i > best[1]:
                    continue  # at most a tie, and the best has the lower index
            score = difflib.SequenceMatcher(None, keys[i], queries[j]).ratio()
            if score > floor and (best is None or score > best[0] or (score == best[0] and i < best[1])):
                best = (score, i)
        return self.operations[best[1]] if best is not None and best[0] >= 0.6 else None

    def _pool(self, variants: list[str]) -> list[int]:
        """The candidates worth scoring for these query variants (indexes into the sorted operations)."""
        _, by_gram, by_length, _ = self._suggest_tables()
        pool: set[int] = set()
        for v in variants:
            grams = sorted((g for g in _trigrams(v) if g in by_gram), key=lambda g: (len(by_gram[g]), g))
            for gram in grams[:_RARE_KEYS]:
                pool.update(by_gram[gram][:_CANDIDATES])
            pool.update(by_length.get(len(_segments(v)), [])[:_CANDIDATES])
        return sorted(pool)

    def _suggest_tables(self) -> _SuggestTables:
        """Operation indexes by normalised path, by character trigram and by segment count, and the
        operations' keys: built once."""
        if self._suggest is None:
            by_path: dict[str, list[int]] = {}
            by_gram: dict[str, list[int]] = {}
            by_length: dict[int, list[int]] = {}
            keys = [_key(op.method, op.path)[:_CLIP] for op in self.operations]  # what a query is scored against
            for i, op in enumerate(self.operations):
                norm = normalise_path(op.path)[:_CLIP]
                by_path.setdefault(norm, []).append(i)
                by_length.setdefault(len(_segments(norm)), []).append(i)
                for gram in _trigrams(norm):
                    by_gram.setdefault(gram, []).append(i)
            self._suggest = (by_path, by_gram, by_length, keys)
        return self._suggest


#: How many candidates one lookup key may contribute to a suggestion, and how many of the query's rarest
#: trigrams are looked up: together they bound a suggestion's work (see :meth:`SpecIndex.suggest`).
_CANDIDATES = 32
_RARE_KEYS = 8
#: Strings are compared clipped to this many characters (difflib's ratio is quadratic in length).
_CLIP = 200
#: At most this many declared base paths are tried per lookup.
_MAX_BASES = 32


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/")[:64]


def _trigrams(path: str) -> set[str]:
    """The three-character pieces of a (clipped) path: a typo leaves most of them intact, and the rare
    ones ("e42" of "resourse42") lead to the operations worth scoring."""
    return {path[i : i + 3] for i in range(max(len(path) - 2, 1))}


def parse_endpoint(text: str) -> tuple[str, str] | None:
    """``"GET /api/v1/x/{id}"`` -> ``("GET", "/api/v1/x/{id}")``; None when it is not ``METHOD /path``.

    The method is any alphabetic token (upper-cased), so a typo such as ``GTE`` still parses and
    then fails :meth:`SpecIndex.find` with a suggestion. The path must start with ``/``, carry no
    query or fragment and have balanced, non-nested braces.
    """
    parts = text.split()
    if len(parts) != 2:
        return None
    method, path = parts
    if not method.isascii() or not method.isalpha() or not path.startswith("/"):
        return None
    if "?" in path or "#" in path:
        return None
    depth = 0
    for ch in path:
        if ch == "{":
            depth += 1
            if depth > 1:
                return None
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return None
    if depth:
        return None
    return method.upper(), path


def base_paths(data: dict[str, Any], family: str | None) -> list[str]:
    """The path parts of the declared servers (2.0: ``basePath``), longest first."""
    found: set[str] = set()
    if family == "2.0":
        base = data.get("basePath")
        if isinstance(base, str) and base.startswith("/"):
            found.add(base.rstrip("/"))
    else:
        for server in data.get("servers") or []:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            url: str = server["url"]
            variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
            for name, var in (variables or {}).items():
                if isinstance(var, dict) and isinstance(var.get("default"), str):
                    url = url.replace("{" + name + "}", var["default"])
            path = urlsplit(url).path if "://" in url else url.split("?")[0]
            if path.startswith("/"):
                found.add(path.rstrip("/"))
    return sorted((p for p in found if p), key=lambda p: (-len(p), p))


def collect_operations(ws: Workspace, main: str, family: str | None) -> list[Operation]:
    """Every operation under ``paths``, following path items that live in other files."""
    data = ws.data[main]  # plain parsed data: no positions are built for the index
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict):
        return []
    methods = {"2.0": _METHODS_V2, "3.2": _METHODS_V32}.get(family or "", _METHODS_V3)
    ops: set[Operation] = set()
    for template, item in paths.items():
        if not isinstance(template, str) or not template.startswith("/"):
            continue
        _file, _path, item = deref(ws, main, ("paths", template), item)
        if not isinstance(item, dict):
            continue
        for method in methods:
            if isinstance(item.get(method), dict):
                ops.add(Operation(method.upper(), template))
        extra = item.get("additionalOperations") if family == "3.2" else None
        if isinstance(extra, dict):
            ops.update(Operation(str(m).upper(), template) for m, op in extra.items() if isinstance(op, dict))
    return sorted(ops)


def to_json(index: SpecIndex) -> dict[str, Any]:
    """A :class:`SpecIndex` as plain JSON data (for a store); :func:`from_json` reads it back."""
    return {
        "file": index.file,
        "exists": index.exists,
        "valid": index.valid,
        "version": index.version,
        "operations": [[o.method, o.path] for o in index.operations],
        "problems": [
            [p.file, p.line, p.column, p.message, p.severity, p.hint, p.kind, p.pointer] for p in index.problems
        ],
        "base_paths": index.base_paths,
        "files": index.files,
    }


def from_json(raw: dict[str, Any]) -> SpecIndex:
    """Raises KeyError, TypeError or ValueError when ``raw`` is not what :func:`to_json` wrote."""
    return SpecIndex(
        file=str(raw["file"]),
        exists=bool(raw["exists"]),
        valid=bool(raw["valid"]),
        version=raw["version"] if isinstance(raw["version"], str) else None,
        operations=[Operation(str(m), str(p)) for m, p in raw["operations"]],
        problems=[
            SpecProblem(
                str(f), int(ln), int(c), str(m), "warning" if s == "warning" else "error", str(h), str(k), str(j)
            )
            for f, ln, c, m, s, h, k, j in raw["problems"]
        ],
        base_paths=[str(p) for p in raw["base_paths"]],
        files=[str(f) for f in raw["files"]],
    )
