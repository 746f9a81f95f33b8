"""The operations of one side, in one shape whatever the spec's version.

Swagger 2.0, OpenAPI 3.0 and 3.1 say the same things differently (a ``body`` parameter or a
``requestBody``; ``produces`` or ``content``; ``nullable`` or ``type: [.., "null"]``), and a change
rule should be written once. So each operation becomes an :class:`Op`: parameters by ``(in, name)``
(path parameters by their place in the template, so a renamed one is the same parameter), a request
body and responses by media type, and the security that applies (the operation's, else the spec's).
Every piece keeps its raw node and where it is, for the rules and for locating what they report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..openapi.index import normalise_path
from .model import PathKey, Where
from .resolve import Side

_METHODS = {
    "2.0": ("get", "put", "post", "delete", "options", "head", "patch"),
    "3.2": ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query"),
}
_DEFAULT_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAM = re.compile(r"\{([^{}]*)\}")
#: A spec with more operations than this is compared on its first ones (sorted); the rest are counted.
MAX_OPERATIONS = 20_000

#: (raw node, file, path): a schema (or anything) as found, before $refs are followed.
Ref = tuple[Any, str, PathKey]
#: Security: alternatives (any one suffices), each a mapping scheme -> scopes (all needed).
Security = list[dict[str, frozenset[str]]]


@dataclass
class Param:
    name: str
    loc: str  # query, header, path, cookie, formData
    required: bool
    schema: Ref | None
    where: Where


@dataclass
class Body:
    required: bool
    content: dict[str, Ref | None]  # media type -> schema
    where: Where


@dataclass
class Response:
    status: str
    content: dict[str, Ref | None]
    headers: dict[str, tuple[str, bool, Ref | None, Where]]  # lower-cased -> (name, required, schema, where)
    where: Where


@dataclass
class Op:
    method: str  # upper case
    path: str  # the template as written
    node: dict[str, Any]
    where: Where
    params: dict[tuple[str, str], Param] = field(default_factory=dict)
    body: Body | None = None
    responses: dict[str, Response] = field(default_factory=dict)
    security: Security = field(default_factory=list)
    file: str = ""
    key: str = ""  # normalised ``METHOD /path``: how the two sides' operations are matched
    opaque: bool = False  # a $ref it needs was not followed: it is not compared
    #: Where it came from, for :func:`elaborate`: the path item's file and path, its shared parameters.
    item: tuple[str, PathKey, Any] = ("", (), None)
    #: Params, body, responses and security are filled in (see :func:`operations`).
    elaborated: bool = False
    #: Equal to the other side's operation at the same path, with all it reaches (see :mod:`.same`).
    unchanged: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            self.key = f"{self.method} {normalise_path(self.path)}"

    @property
    def endpoint_text(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def deprecated(self) -> bool:
        return self.node.get("deprecated") is True

    @property
    def sunset(self) -> str | None:
        value = self.node.get("x-sunset")
        return str(value) if isinstance(value, str | int) or hasattr(value, "isoformat") else None

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None


def operations(
    side: Side, unchanged: Callable[[Op], bool] | None = None
) -> tuple[dict[str, Op], set[str], int, list[str]]:
    """(normalised ``METHOD /path`` -> operation, the normalised paths, how many were left out, the
    operations two templates of one path gave: ``/a/{x}`` and ``/a/{y}`` are one path, which OpenAPI
    forbids; the first (sorted) stands, as in the endpoint index, and the other is named, not compared).

    An operation ``unchanged`` says is equal to the other side's, with all it reaches, is not
    elaborated (its parameters, body and responses are what costs): nothing of it is compared.
    """
    data = side.data if isinstance(side.data, dict) else {}
    paths = data.get("paths")
    if not isinstance(paths, dict) or side.family is None:
        return {}, set(), 0, []
    methods = _METHODS.get(side.family, _DEFAULT_METHODS)
    out: dict[str, Op] = {}
    norm_paths: set[str] = set()
    skipped = 0
    twice: list[str] = []
    for template in sorted(k for k in paths if isinstance(k, str) and k.startswith("/")):
        file, ipath, item = side.deref(side.rel, ("paths", template), paths[template])
        if not isinstance(item, dict):
            continue
        normalised = normalise_path(template)
        norm_paths.add(normalised)
        shared = item.get("parameters")
        for method, raw, rpath in _item_operations(item, ipath, methods, side.family):
            if len(out) >= MAX_OPERATIONS:
                skipped += 1
                continue
            # an operation may itself be a $ref (DigitalOcean keeps each in a file of its own)
            refusals = side.refusals
            ofile, opath, node = side.deref(file, rpath, raw)
            if not isinstance(node, dict):
                continue
            op = Op(
                method.upper(),
                template,
                node,
                side.where(ofile, opath),
                file=ofile,
                key=f"{method.upper()} {normalised}",
            )
            if op.key in out:
                twice.append(f"{op.method} {out[op.key].path} and {op.method} {template}")
                continue
            op.item = (file, ipath, shared)
            op.opaque = side.refusals > refusals
            if op.opaque or unchanged is None or not unchanged(op):
                elaborate(side, op)
                op.opaque = side.refusals > refusals
            else:
                op.unchanged = True
            out[op.key] = op
    return out, norm_paths, skipped, twice


def _item_operations(
    item: dict[str, Any], ipath: PathKey, methods: tuple[str, ...], family: str
) -> list[tuple[str, Any, PathKey]]:
    """(method, node, where it is) of each operation of a path item: the family's fixed methods, and for
    OpenAPI 3.2 those under ``additionalOperations`` (``PURGE``, ``QUERY`` …), which the endpoint index
    lists too (removing one is a removal like any other)."""
    out = [(m, item[m], (*ipath, m)) for m in methods if isinstance(item.get(m), dict)]
    extra = item.get("additionalOperations") if family == "3.2" else None
    if isinstance(extra, dict):
        taken = {m for m, _, _ in out}
        for name in sorted(k for k in extra if isinstance(k, str)):
            if isinstance(extra[name], dict) and name.lower() not in taken:
                out.append((name.lower(), extra[name], (*ipath, "additionalOperations", name)))
    return out


def elaborate(side: Side, op: Op) -> None:
    """Fill in the operation's parameters (the path item's, then its own), body, responses and security."""
    if op.elaborated:
        return
    op.elaborated = True
    data = side.data if isinstance(side.data, dict) else {}
    file, ipath, shared = op.item
    ofile, opath = op.where.file, op.where.path
    _params(side, op, file, (*ipath, "parameters"), shared)
    _params(side, op, ofile, (*opath, "parameters"), op.node.get("parameters"))
    if side.family == "2.0":
        _swagger2(side, op, data, ofile, opath)
    else:
        _openapi3(side, op, ofile, opath)
    op.security = _security(op.node.get("security") if "security" in op.node else data.get("security"))


def _params(side: Side, op: Op, file: str, path: PathKey, raw: Any) -> None:
    """Parameters from one list (path item's, then operation's: the later one overrides)."""
    if not isinstance(raw, list):
        return
    places = [m.group(1) for m in _TEMPLATE_PARAM.finditer(op.path)]
    here: set[tuple[str, str]] = set()  # the keys this list gave already
    for i, entry in enumerate(raw):
        pfile, ppath, p = side.deref(file, (*path, i), entry)
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not isinstance(p.get("in"), str):
            continue
        name, loc = p["name"], p["in"]
        if loc == "body":
            schema = (p.get("schema"), pfile, (*ppath, "schema"))
            consumes = _media_list(op.node.get("consumes"), side.data.get("consumes"))
            op.body = Body(p.get("required") is True, {m: schema for m in consumes}, side.where(pfile, ppath))
            continue
        if loc == "path" and name in places:
            key = ("path", str(places.index(name)))
        else:
            key = (loc, name.lower() if loc == "header" else name)
        if side.family == "2.0":
            schema_ref: Ref | None = (p, pfile, ppath)
        elif "schema" in p:
            schema_ref = (p["schema"], pfile, (*ppath, "schema"))
        else:
            schema_ref = _first_media_schema(p.get("content"), pfile, (*ppath, "content"))
        required = p.get("required") is True or loc == "path"
        if key in here:
            # one list naming a header twice (X-Token, x-token: one header to HTTP) is ambiguous, and the
            # validator lets it be: the stricter reading stands, so a required one is never hidden by the other
            first = op.params[key]
            op.params[key] = Param(first.name, loc, first.required or required, first.schema, first.where)
            continue
        here.add(key)
        op.params[key] = Param(name, loc, required, schema_ref, side.where(pfile, ppath))


def _first_media_schema(content: Any, file: str, path: PathKey) -> Ref | None:
    if isinstance(content, dict):
        for media in sorted(k for k in content if isinstance(k, str)):
            entry = content[media]
            if isinstance(entry, dict) and "schema" in entry:
                return (entry["schema"], file, (*path, media, "schema"))
    return None


def _media_list(*candidates: Any) -> list[str]:
    for value in candidates:
        if isinstance(value, list) and value:
            return [m for m in value if isinstance(m, str)]
    return ["application/json"]


def _content(side: Side, file: str, path: PathKey, content: Any) -> dict[str, Ref | None]:
    out: dict[str, Ref | None] = {}
    if isinstance(content, dict):
        for media, entry in content.items():
            if isinstance(media, str):
                schema = entry.get("schema") if isinstance(entry, dict) else None
                out[media] = (schema, file, (*path, media, "schema")) if schema is not None else None
    return out


def _openapi3(side: Side, op: Op, file: str, path: PathKey) -> None:
    if "requestBody" in op.node:
        bfile, bpath, body = side.deref(file, (*path, "requestBody"), op.node["requestBody"])
        if isinstance(body, dict):
            content = _content(side, bfile, (*bpath, "content"), body.get("content"))
            op.body = Body(body.get("required") is True, content, side.where(bfile, bpath))
    responses = op.node.get("responses")
    if not isinstance(responses, dict):
        return
    for status, entry in responses.items():
        rfile, rpath, resp = side.deref(file, (*path, "responses", status), entry)
        if not isinstance(resp, dict):
            continue
        headers: dict[str, tuple[str, bool, Ref | None, Where]] = {}
        raw_headers = resp.get("headers")
        for name, h in raw_headers.items() if isinstance(raw_headers, dict) else ():
            hfile, hpath, header = side.deref(rfile, (*rpath, "headers", name), h)
            if isinstance(header, dict) and isinstance(name, str):
                schema = header.get("schema")
                ref = (schema, hfile, (*hpath, "schema")) if schema is not None else None
                headers[name.lower()] = (name, header.get("required") is True, ref, side.where(hfile, hpath))
        content = _content(side, rfile, (*rpath, "content"), resp.get("content"))
        op.responses[str(status)] = Response(str(status), content, headers, side.where(rfile, rpath))


def _swagger2(side: Side, op: Op, data: dict[str, Any], file: str, path: PathKey) -> None:
    responses = op.node.get("responses")
    if not isinstance(responses, dict):
        return
    produces = _media_list(op.node.get("produces"), data.get("produces"))
    for status, entry in responses.items():
        rfile, rpath, resp = side.deref(file, (*path, "responses", status), entry)
        if not isinstance(resp, dict):
            continue
        content: dict[str, Ref | None] = {}
        if "schema" in resp:
            content = {m: (resp["schema"], rfile, (*rpath, "schema")) for m in produces}
        headers: dict[str, tuple[str, bool, Ref | None, Where]] = {}
        raw_headers = resp.get("headers")
        for name, h in raw_headers.items() if isinstance(raw_headers, dict) else ():
            if isinstance(h, dict) and isinstance(name, str):
                where = side.where(rfile, (*rpath, "headers", name))
                headers[name.lower()] = (name, False, (h, rfile, (*rpath, "headers", name)), where)
        op.responses[str(status)] = Response(str(status), content, headers, side.where(rfile, rpath))


def _security(raw: Any) -> Security:
    """The alternatives of a ``security`` list; none (absent or ``[]``) means anyone may call."""
    out: Security = []
    for alt in raw if isinstance(raw, list) else []:
        if isinstance(alt, dict):
            out.append(
                {
                    str(k): frozenset(s for s in v if isinstance(s, str)) if isinstance(v, list) else frozenset()
                    for k, v in alt.items()
                }
            )
    return out
