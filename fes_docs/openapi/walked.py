"""Which mappings openapi-spec-validator's semantic walk checks, and which of them as a whole schema.

The library's walk (``openapi_spec_validator.validation.keywords``) does not visit every schema of a
spec: it goes from ``paths`` to each operation's ``parameters`` and ``responses`` (not its
``requestBody``, not callbacks or webhooks) and from ``components.schemas``, following ``$ref``\\ s;
inside a schema it goes into ``allOf``/``anyOf``/``oneOf``, ``not``, ``items`` and ``properties``.
A schema it reaches from a parameter, a media type or the components is checked as a whole against
the rules for schemas ("top"); the schemas inside it are checked as part of that one, and each
schema is checked once. :mod:`.locate` places an error the walk reported only at a mapping this
walk reaches, so a copy of the same schema in a request body (which the library never looks at)
takes no error that is not there.

This mirrors the library's traversal, not its checks: a mismatch can only make :mod:`.locate` give
up (the numbers of errors and places then differ) and leave the placing to the library's own walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .refs import deref
from .workspace import PathKey, Workspace

_Seen = tuple[set[int], set[int]]  # ids visited, ids checked whole
_OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"})
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")

#: One mapping the walk checks: (file, path, node, visited: its own keywords checked (``default``,
#: ``required``), top: checked as a whole against the rules for schemas). A schema first met inside
#: another and later reached from the components comes twice: visited once, checked whole once.
Walked = tuple[str, PathKey, dict[str, Any], bool, bool]


def walked(ws: Workspace, main: str, family: str) -> Iterator[Walked]:
    """Every mapping the library's semantic walk checks, each once (a node reached twice, through
    two ``$ref``\\ s, is one place)."""
    seen: _Seen = (set(), set())
    data = ws.data[main]
    if not isinstance(data, dict):
        return
    paths = data.get("paths")
    if isinstance(paths, dict):
        for url in paths:
            yield from _path_item(ws, main, ("paths", url), seen, family)
    components = data.get("components")
    if family != "2.0" and isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        for name in components["schemas"]:
            yield from _schema(ws, main, ("components", "schemas", name), True, seen)


def _node(ws: Workspace, file: str, path: PathKey) -> tuple[str, PathKey, Any]:
    node: Any = ws.data[file]
    for part in path:
        node = node[part]
    return deref(ws, file, path, node)


def _path_item(ws: Workspace, file: str, path: PathKey, seen: _Seen, family: str) -> Iterator[Walked]:
    file, path, item = _node(ws, file, path)
    if not isinstance(item, dict):
        return
    yield from _parameters(ws, file, (*path, "parameters"), item.get("parameters"), seen, family)
    for name, operation in item.items():
        if name in _OPERATIONS and isinstance(operation, dict):
            yield from _operation(ws, file, (*path, name), seen, family)
        elif name == "additionalOperations" and isinstance(operation, dict):
            for other in operation:
                yield from _operation(ws, file, (*path, name, other), seen, family)


def _operation(ws: Workspace, file: str, path: PathKey, seen: _Seen, family: str) -> Iterator[Walked]:
    file, path, operation = _node(ws, file, path)
    if not isinstance(operation, dict):
        return
    responses = operation.get("responses")
    if isinstance(responses, dict):
        for code in responses:
            yield from _response(ws, file, (*path, "responses", code), seen, family)
    yield from _parameters(ws, file, (*path, "parameters"), operation.get("parameters"), seen, family)


def _parameters(ws: Workspace, file: str, path: PathKey, parameters: Any, seen: _Seen, family: str) -> Iterator[Walked]:
    if not isinstance(parameters, list):
        return
    for i in range(len(parameters)):
        pfile, ppath, parameter = _node(ws, file, (*path, i))
        if not isinstance(parameter, dict):
            continue
        if family == "2.0" and "default" in parameter:
            yield pfile, ppath, parameter, True, False  # a 2.0 parameter's own default is checked
        if "schema" in parameter:
            yield from _schema(ws, pfile, (*ppath, "schema"), True, seen)


def _response(ws: Workspace, file: str, path: PathKey, seen: _Seen, family: str) -> Iterator[Walked]:
    file, path, response = _node(ws, file, path)
    if not isinstance(response, dict):
        return
    if family == "2.0":
        if "schema" in response:
            yield from _schema(ws, file, (*path, "schema"), True, seen)
        return
    content = response.get("content")
    if isinstance(content, dict):
        for mimetype, media in content.items():
            if isinstance(media, dict) and "schema" in media:
                yield from _schema(ws, file, (*path, "content", mimetype, "schema"), True, seen)


def _schema(ws: Workspace, file: str, path: PathKey, top: bool, seen: _Seen) -> Iterator[Walked]:
    """A schema and the schemas inside it, each once; an explicit stack, because schemas nest deeply."""
    stack: list[tuple[str, PathKey, bool]] = [(file, path, top)]
    while stack:
        file, path, top = stack.pop()
        file, path, node = _node(ws, file, path)
        visited, whole = seen
        if not isinstance(node, dict):
            continue
        checked = top and id(node) not in whole
        if checked:
            whole.add(id(node))
        if id(node) in visited:
            if checked:
                yield file, path, node, False, True
            continue
        visited.add(id(node))
        yield file, path, node, True, checked
        inner: list[PathKey] = []
        for keyword in _SUBSCHEMA_LISTS:
            if isinstance(node.get(keyword), list):
                inner.extend((*path, keyword, i) for i in range(len(node[keyword])))
        inner.extend((*path, keyword) for keyword in ("not", "items") if keyword in node)
        if isinstance(node.get("properties"), dict):
            inner.extend((*path, "properties", name) for name in node["properties"])
        stack.extend((file, p, False) for p in reversed(inner))
