"""The entry point: :func:`load_spec` loads, validates and indexes one spec, asking a store first.

Every file — the spec, each ``$ref`` target (also one that is missing), and each file a remembered
result depended on — is read through the one ``read`` callable (see :mod:`.workspace`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .index import SpecIndex, base_paths, collect_operations, from_json, normalise_path, to_json
from .locate import locate
from .problems import SpecProblem, from_load, problem, worded
from .refs import scan_refs
from .rust import rust_errors, unplaced
from .store import Store, cache_key, memo_get, remember
from .validate import Collector, validate, version_of, version_problem
from .workspace import MAX_BYTES, MAX_DEPTH, MAX_NODES, Read, ReadFailed, Workspace, followed

MAX_PROBLEMS = 50  # reported; the rest are summarised in one problem


def _finish(index: SpecIndex) -> SpecIndex:
    problems = sorted(
        index.problems, key=lambda p: (p.file != index.file, p.file, p.line, p.column, p.message, p.severity)
    )
    if len(problems) > MAX_PROBLEMS:
        hidden = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [
            problem(
                index.file,
                f"{hidden} more problem(s) in the spec are not shown",
                "invalid",
                "fix the ones above and run again",
            )
        ]
    index.problems = problems
    index.valid = index.valid and not any(p.severity == "error" for p in problems)
    return index


def _not_there(rel: str, message: str, hint: str) -> SpecIndex:
    return _finish(SpecIndex(rel, False, False, None, problems=[problem(rel, message, "missing", hint)]))


def _deps_unchanged(ws: Workspace, deps: Mapping[str, Any], known: Mapping[str, str]) -> bool:
    """Every file a result depended on still has the digest it had (None: still cannot be read);
    ``known``: digests just taken (the spec itself, megabytes not read and hashed twice)."""
    for rel, digest in deps.items():
        if rel in known:
            if known[rel] != digest:
                return False
            continue
        try:
            data = ws.read(rel)
        except ReadFailed:
            if digest is None:
                continue
            return False
        if digest is None or hashlib.sha256(data).hexdigest() != digest:
            return False
    return True


def _cached(key: str, ws: Workspace, store: Store | None, known: Mapping[str, str]) -> SpecIndex | None:
    """The remembered result for ``key`` (memo, then store) if every file it read is unchanged."""
    entry = memo_get(key)
    if entry is None and store is not None:
        entry = store.get(key)
    if entry is None:
        return None
    try:
        deps: dict[str, Any] = dict(entry["deps"])
        if not _deps_unchanged(ws, deps, known):
            return None
        index = from_json(entry["index"])
    except (KeyError, TypeError, ValueError):  # a store holding garbage is a miss
        return None
    remember(key, entry)
    return index


def load_spec(
    root: Path,
    rel: str,
    *,
    semantic: bool = True,
    store: Store | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    read: Read | None = None,
) -> SpecIndex:
    """Load, validate and index the spec at ``root/rel``; never raises for a user mistake.

    ``semantic=False`` runs only the structural check against the official OAS schema (plus our
    $ref checks), skipping openapi-spec-validator's semantic walk. Results are remembered in-process
    and, given a ``store``, asked of it before and handed to it after a check (content-addressed
    JSON).

    ``read``: how a file is read (project-relative path -> bytes, raising
    :class:`~.workspace.ReadFailed`); default: straight from disk under ``root``. Paths are checked
    (inside ``root``, no link out) before it is asked, and ``max_bytes`` holds whatever it returns.
    """
    limits = {"max_bytes": max_bytes, "max_depth": max_depth, "max_nodes": max_nodes}
    ws = Workspace(root, limits, read, validating=semantic)
    target = followed(ws.root / rel)
    if ws.rel_of(target) is None:
        return _not_there(
            rel,
            f"the OpenAPI spec path {rel!r} points outside the project root; it is not read",
            "give the spec path relative to the project root",
        )
    try:
        raw = ws.read(rel)
    except ReadFailed as exc:
        if exc.missing:
            return _not_there(
                rel,
                f"OpenAPI spec {rel} does not exist",
                "create it, or fix the 'openapi' path in the policy (relative to the project root)",
            )
        return _finish(SpecIndex(rel, True, False, None, problems=[from_load(rel, exc.problem, "unreadable")]))
    digest = hashlib.sha256(raw).hexdigest()
    key = cache_key(root, rel, digest, f"{semantic}:{max_bytes}:{max_depth}:{max_nodes}")
    # Internally the spec goes by its canonical project-relative name, so a $ref back to it from
    # another file finds the same document; findings use the name the caller gave.
    canonical = ws.rel_of(target) or rel
    cached = _cached(key, ws, store, {canonical: digest})
    if cached is not None:
        return cached

    ws.digests[canonical] = digest
    index = SpecIndex(rel, True, False, None)
    if ws.add(canonical, raw) is not None:
        index = _check(ws, canonical, semantic)
        index.file = rel
    index.problems = [p if p.file != canonical else replace(p, file=rel) for p in (*index.problems, *ws.problems)]
    index.files = [rel, *sorted(f for f, d in ws.digests.items() if d is not None and f != canonical)]
    _finish(index)
    entry = {"deps": dict(sorted(ws.digests.items())), "index": to_json(index)}
    remember(key, entry)
    if store is not None:
        store.put(key, entry)
    return index


def _twin_templates(ws: Workspace, rel: str, data: dict[str, Any]) -> list[SpecProblem]:
    """Path templates alike but for their parameters' names (``/a/{id}`` beside ``/a/{a}``): one path to a
    client, which OpenAPI forbids and the validator lets be. The endpoint index and api-diff each take the
    first (sorted) and cannot judge the other, so it is an error at the second's key."""
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return []
    first: dict[str, str] = {}
    out: list[SpecProblem] = []
    for template in sorted(k for k in paths if isinstance(k, str) and k.startswith("/")):
        seen = first.setdefault(normalise_path(template), template)
        if seen != template and len(out) < MAX_PROBLEMS:
            out.append(
                problem(
                    rel,
                    f"path {template!r} is {seen!r} again: templates that differ only in parameter names are one path",
                    "invalid",
                    "merge the two into one path item",
                    pos=ws.pos(rel, ("paths", template), key=True),
                )
            )
    return out


def _check(ws: Workspace, rel: str, semantic: bool) -> SpecIndex:
    """Version, $refs, operations (from the plain data) and the validator's verdict, located."""
    data = ws.data[rel]
    declared, family = version_of(data) if isinstance(data, dict) else (None, None)
    index = SpecIndex(rel, True, False, declared if family else None)
    found = version_problem(ws, rel)
    if found is not None:
        index.problems.append(found)
    refs_before = len(ws.problems)
    scan_refs(ws, rel, family == "2.0")
    refs_ok = not any(p.severity == "error" for p in ws.problems[refs_before:])
    if isinstance(data, dict):
        index.base_paths = base_paths(data, family)
        index.operations = collect_operations(ws, rel, family)
        index.problems.extend(_twin_templates(ws, rel, data))
    if family is None:
        return index
    index.problems.extend(_verdict(ws, rel, family, semantic, refs_ok))
    index.valid = True  # _finish clears it when any error-severity problem remains
    return index


def _quoted(message: str) -> str:
    """The validator's own message, as a report may quote it: not what it found in a document (it writes a
    missing pointer's whole target, "... does not exist within {...}"), at most 200 characters."""
    head = message.split(" within ", 1)[0]
    return head if len(head) <= 200 else head[:199] + "…"


def _verdict(ws: Workspace, rel: str, family: str, semantic: bool, refs_ok: bool) -> list[SpecProblem]:
    """openapi-spec-validator-rs's errors, each located from the error and the plain data
    (:mod:`.locate`), else by the Python walk (run once, only then); none is dropped."""
    collector = Collector(ws, rel)
    if not semantic:  # the schema check only, as the caller asked (the Python pass: Rust runs both)
        validate(ws, rel, family, False, refs_ok, collector)
        return list(collector.problems.values())
    errors, stopped = rust_errors(ws, rel, family)
    if stopped is not None:
        # A refused $ref stops the validator where it meets it; the structure is still checked
        validate(ws, rel, family, False, refs_ok, collector)
        if refs_ok:
            collector.add(problem(rel, f"openapi-spec-validator stopped: {_quoted(stopped)}", "invalid"))
        return list(collector.problems.values())
    located = locate(ws, rel, family, errors)
    if located is not None:
        return located
    validate(ws, rel, family, semantic, refs_ok, collector)
    walked = list(collector.problems.values())
    found = {p.message for p in walked}
    return [*walked, *(unplaced(rel, e) for e in errors if worded(e.message) not in found)]
