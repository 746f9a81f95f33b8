"""The ``$ref``\\ s of a spec: every one checked (:func:`scan_refs`) and followed (:func:`deref`,
:func:`walk`) through :class:`~.workspace.Workspace`, which decides what may be read.

References inside literal values (examples, defaults, extensions) are payloads, not references: they
are neither reported nor followed, and a map of names (``properties``, ``responses`` ...) is told
apart from a map of keywords, where ``default`` is a response and ``example`` a property.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..document import Pos
from .problems import SpecProblem
from .workspace import PathKey, Workspace

# Keywords whose values are literal data (examples, defaults), never references: a "$ref" key in
# them is an example payload, and reporting it would fail a build over documentation.
_LITERAL_KEYS = frozenset({"example", "default", "enum", "const"})
# Keys whose values are maps of user-chosen names, where a name may collide with a keyword.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "securityDefinitions",
        "links",
        "callbacks",
        "pathItems",
        "paths",
        "webhooks",
        "content",
        "encoding",
        "variables",
        "examples",
    }
)


def iter_refs(data: Any, swagger2: bool) -> Iterator[tuple[PathKey, str]]:
    """Every ``{"$ref": "<string>"}`` outside literal values, in document order.

    Literal keywords (``example``, ``default``, ...) are skipped only where keys are keywords: in a
    map of names (``properties``, ``responses`` ...) ``default`` is a response and ``example`` a
    property. An explicit stack, because specs nest deeply.
    """
    # (parent entry, key in it, node, node's keys are names, node is an Example Object): a path is
    # built only for a node that holds a $ref, from the parent entries (most nodes hold none)
    Entry = tuple[Any, Any, Any, bool, bool]
    stack: list[Entry] = [(None, None, data, False, False)]
    while stack:
        entry = stack.pop()
        _parent, _key, node, names, example = entry
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield _path_of(entry), ref
            children = []
            last = _key if isinstance(_key, str) else None
            for k, v in node.items():
                if not isinstance(v, (dict, list)):
                    continue
                if not names:
                    if k in _LITERAL_KEYS or k.startswith("x-") or (example and k == "value"):
                        continue
                    if k == "examples" and (swagger2 or isinstance(v, list)):
                        continue  # 2.0 response examples and 3.1 schema examples are payloads
                child_names = not names and k in _NAME_MAPS
                child_example = names and last == "examples"
                children.append((entry, k, v, child_names, child_example))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(
                reversed([(entry, i, v, False, False) for i, v in enumerate(node) if isinstance(v, (dict, list))])
            )


def _path_of(entry: Any) -> PathKey:
    parts: list[Any] = []
    while entry is not None and entry[0] is not None:
        parts.append(entry[1])
        entry = entry[0]
    return tuple(reversed(parts))


def scan_refs(ws: Workspace, main: str, swagger2: bool) -> None:
    """Check every $ref reachable from the spec, reporting each refused one at its ``$ref``; load
    the files they name (breadth first). Positions are looked up at the end, one pass per file."""
    queue = [main]
    scanned: set[str] = set()
    refused: dict[str, list[tuple[PathKey, SpecProblem]]] = {}
    while queue:
        file = queue.pop(0)
        if file in scanned or file not in ws.data:
            continue
        scanned.add(file)
        for path, ref in iter_refs(ws.data[file], swagger2):
            target, found = ws.resolve(ref, file)
            if found is not None:
                refused.setdefault(file, []).append(((*path, "$ref"), found))
            elif target is not None and target.file not in scanned:
                queue.append(target.file)
    for file, found_here in refused.items():
        where = ws.positions(file, [path for path, _ in found_here])
        for path, found in found_here:
            pos = where.pos(path)
            ws.problems.append(
                SpecProblem(file, pos.line, pos.column, found.message, found.severity, found.hint, found.kind)
            )


def deref(ws: Workspace, file: str, path: PathKey, node: Any) -> tuple[str, PathKey, Any]:
    """Follow a chain of $refs from ``node`` (at ``file``/``path``) to the node it stands for."""
    for _ in range(64):  # a cycle of refs ends here instead of looping
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        target, _refused = ws.resolve(node["$ref"], file)
        if target is None:
            break
        file, path, node = target.file, target.pointer, ws.value(target)
    return file, path, node


def walk(ws: Workspace, main: str, parts: tuple[Any, ...]) -> tuple[str, PathKey, Any]:
    """The file, path and node that ``parts`` (a path from the spec's root, as the validator walks
    it, through $refs) names; stops at the deepest node that exists."""
    file, node = main, ws.data[main]
    path: PathKey = ()
    for part in parts:
        file, path, node = deref(ws, file, path, node)
        inside = (
            part in node
            if isinstance(node, dict)
            else (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        )
        if not inside:
            break
        node = node[part]
        path = (*path, part)
    else:
        file, path, node = deref(ws, file, path, node)
    return file, path, node


def shown_at_key(path: PathKey, node: Any) -> bool:
    """A mapping or list is shown at the key that introduces it (``servers:``), where a reader
    looks; a scalar at the value itself."""
    return isinstance(node, (dict, list)) and bool(path) and isinstance(path[-1], str)


def node_pos(ws: Workspace, file: str, path: PathKey, node: Any) -> Pos:
    """Where a reader looks for ``node`` (see :func:`shown_at_key`); positions of ``file`` are built
    here, on first use."""
    return ws.pos(file, path, key=shown_at_key(path, node))
