"""Where each of openapi-spec-validator-rs's errors is, found from the error and the plain data.

The Rust validator runs the library's two passes and says what is wrong, in the library's order:

* **structural** errors (the document against the OAS schema) come first; their instance path is a
  path into the spec file, so they are placed directly;
* **semantic** errors (the library's walk over operations and schemas) say what is wrong but not
  where: a ``default`` that does not fit its schema, a schema whose ``pattern`` is no regex, a
  ``required`` name no ``allOf`` branch defines. Each is placed by what it quotes: the schema it
  failed on (:meth:`CoreError.schema`), the value at fault (:meth:`CoreError.instance`) and its path
  inside that schema. One walk over the documents finds every mapping that holds exactly that; the
  library checks each schema object once, so when the errors of one kind and the mappings that match
  them are as many, each error has its place.

Anything else (a kind we do not know, matches and errors not as many) returns None, and the caller
runs the Python walk (:mod:`.validate`), which knows where each error is but costs seconds on a big
spec. The differential tests hold this module to the walk's answers on every invalid spec we have.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from .problems import SpecProblem, json_pointer, worded
from .refs import shown_at_key, walk
from .validate import short_repr
from .walked import walked
from .workspace import PathKey, Workspace

_DUPLICATE_ID = re.compile(r"Operation ID '.*' for '(?P<method>\w+)' in '(?P<path>.*)' is not unique")
_UNRESOLVED = re.compile(r"Path parameter '.*' for '(?P<method>\w+)' operation in '(?P<path>.*)' was not resolved")
_EXTRA = re.compile(r"Required list has not defined properties: (?P<names>\[.*\])")
#: The ``id``/``$id`` of the OAS schemas: an error on the whole document quotes one of them.
_OAS_IDS = ("https://spec.openapis.org/oas/", "http://swagger.io/v2/schema.json")
#: The library's checks of the top-level ``tags`` list (3.2's tag hierarchy): shown at ``tags:``.
_TAGS = re.compile(r"Duplicate tag name '.*'|Tag '.*' references unknown parent tag '.*'|Circular tag hierarchy .*")
_EXTRA_KEYWORDS = ("additionalProperties", "unevaluatedProperties")
_NOT_THERE = object()

#: A placed error: (file, path, shown at its key, message, hint).
Claim = tuple[str, PathKey, bool, str, str]


def locate(ws: Workspace, main: str, family: str, errors: list[Any]) -> list[SpecProblem] | None:
    """Every error of ``errors`` located, or None when one of them cannot be placed this way."""
    claims: list[Claim] = []
    groups: dict[tuple[Any, ...], list[tuple[Any, tuple[Any, ...]]]] = {}  # errors with what they quote
    semantic = False
    for err in errors:
        if err.kind in ("DuplicateOperationIDError", "UnresolvableParameterError"):
            semantic = True
            claim = _from_message(ws, main, err)
            if claim is None:
                return None
            claims.append(claim)
        elif err.kind == "OpenAPIValidationError" and not semantic and _structural(ws, main, err):
            claims.append(_structural_claim(ws, main, err))
        elif err.kind == "OpenAPIValidationError" and not err.instance_path and _TAGS.fullmatch(err.message):
            semantic = True
            claims.append((main, ("tags",), True, worded(err.message), ""))
        else:
            semantic = True
            quoted = (err.instance(), err.schema()) if err.kind == "OpenAPIValidationError" else ()
            signature = (err.kind, err.message, tuple(err.instance_path), tuple(err.schema_path))
            signature = (*signature, *(_canonical(q) for q in quoted))
            groups.setdefault(signature, []).append((err, quoted))
    if groups:
        placed = _semantic_claims(ws, main, family, groups)
        if placed is None:
            return None
        claims.extend(placed)
    return _problems(ws, claims)


def _at(node: Any, path: Any) -> Any:
    """The value at ``path`` below ``node`` in plain data (no ``$ref`` followed), or _NOT_THERE."""
    for part in path:
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return _NOT_THERE
    return node


def _same(a: Any, b: Any) -> bool:
    """Equal as data, types included (``1 == True`` in Python, not in a spec)."""
    if type(a) is not type(b):
        return isinstance(a, float) and isinstance(b, float)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _structural(ws: Workspace, main: str, err: Any) -> bool:
    """Whether ``err`` is of the schema pass: its path leads into the spec's own data, and an error
    on the whole document was found against the OAS schema itself (whose ``id`` it quotes)."""
    if err.instance_path:
        return _at(ws.data[main], err.instance_path) is not _NOT_THERE
    schema = err.schema()
    ident = schema.get("$id", schema.get("id")) if isinstance(schema, dict) else None
    return isinstance(ident, str) and ident.startswith(_OAS_IDS)


def _message(err: Any, node: Any) -> str:
    """The validator's message for a person, a huge quoted node abbreviated."""
    message: str = err.message
    if len(message) > 300 and node is not _NOT_THERE:
        full = repr(node)
        if full in message:
            message = message.replace(full, short_repr(node), 1)
    return worded(message)


def _structural_claim(ws: Workspace, main: str, err: Any) -> Claim:
    path: PathKey = tuple(err.instance_path)
    node = _at(ws.data[main], path)
    if err.keyword in _EXTRA_KEYWORDS and isinstance(node, dict):
        message: str = err.message
        head = message.split(" not match any of the regexes")[0] if "regexes" in message else message
        extra = next((str(k) for k in node if repr(k) in head), None)  # the first, in document order
        if extra is not None:
            return main, (*path, extra), True, _message(err, node), ""
    return main, path, shown_at_key(path, node), _message(err, node), _hint(err)


class _Relevance:
    """A :class:`CoreError` as jsonschema's ``best_match`` reads an error, so the hint for a failing
    ``anyOf``/``oneOf`` is the library's own choice, as the Python pass made it."""

    def __init__(self, err: Any) -> None:
        self.err = err
        self.validator = err.keyword
        self.path = tuple(err.instance_path)
        self.context = [_Relevance(c) for c in err.context()]

    def _matches_type(self) -> bool:
        schema = self.err.schema()
        expected = schema.get("type") if isinstance(schema, dict) else None
        if expected is None:
            return False
        # imported here: only a failing anyOf/oneOf needs it
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import UndefinedTypeCheck

        instance = self.err.instance()
        for name in [expected] if isinstance(expected, str) else expected:
            try:
                if Draft202012Validator.TYPE_CHECKER.is_type(instance, name):
                    return True
            except (UndefinedTypeCheck, TypeError):
                continue
        return False


def _hint(err: Any) -> str:
    if err.keyword not in ("anyOf", "oneOf"):
        return ""
    # imported here: only a failing anyOf/oneOf needs it
    from jsonschema.exceptions import best_match

    context = [_Relevance(c) for c in err.context()]
    if not context:
        return ""
    best = best_match(context)
    if best is None:
        return ""
    relative = best.path[len(err.instance_path) :]
    where = "/".join(str(p) for p in relative)
    return f"closest match: {worded(best.err.message)}" + (f" (at {where})" if where else "")


def _from_message(ws: Workspace, main: str, err: Any) -> Claim | None:
    """A duplicate operationId or an unresolved path parameter: the message names the operation."""
    pattern = _DUPLICATE_ID if err.kind == "DuplicateOperationIDError" else _UNRESOLVED
    found = pattern.fullmatch(err.message)
    if found is None:
        return None
    item = ("paths", found["path"])
    file, path, node = walk(ws, main, item)
    # a 3.2 path item holds other methods under additionalOperations
    extra = isinstance(node, dict) and found["method"] not in node and "additionalOperations" in node
    parts: tuple[Any, ...] = (*item, *(("additionalOperations",) if extra else ()), found["method"])
    if err.kind == "DuplicateOperationIDError":
        parts = (*parts, "operationId")
    file, path, node = walk(ws, main, parts)
    return file, path, shown_at_key(path, node), worded(err.message), ""


def _canonical(value: Any) -> str:
    """A text for ``value`` equal for equal data: errors that quote different schemas are grouped apart."""
    try:
        return json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


class _Matcher:
    """Which mappings one group of equal semantic errors can be about, and the path inside each.

    ``keys``: a mapping must hold one of them to be worth asking (so each mapping is asked only by
    the matchers it may fit, not by all of them).
    """

    def __init__(self, err: Any, quoted: tuple[Any, ...]) -> None:
        self.kind = err.kind
        self.path: PathKey = tuple(err.instance_path)
        self.names: set[Any] = set()
        if err.kind == "ExtraParametersError":
            found = _EXTRA.fullmatch(err.message)
            names = ast.literal_eval(found["names"]) if found is not None else None
            self.names = set(names) if isinstance(names, list) and all(isinstance(n, str) for n in names) else set()
            self.keys: tuple[str, ...] = ("allOf",) if self.names else ()
            return
        self.instance, self.schema = quoted
        self.within: PathKey = tuple(err.schema_path[:-1])
        head = (
            self.path[0] if self.path else next(iter(self.instance), None) if isinstance(self.instance, dict) else None
        )
        self.keys = ("default", *((head,) if isinstance(head, str) else ()))

    def __call__(self, d: dict[str, Any], visited: bool, top: bool) -> PathKey | None:
        if self.kind == "ExtraParametersError":
            if not top:
                return None  # the library asks only of a whole schema that its required names exist
            required, own = d.get("required"), d.get("properties")
            if not isinstance(required, list) or not self.names.issubset(required):
                return None
            return () if not (isinstance(own, dict) and self.names & own.keys()) else None
        if (
            "default" in d
            and _same(_at(d["default"], self.path), self.instance)
            and _same(_at(d, self.within), self.schema)
        ):
            return ("default", *self.path)  # the default does not fit its schema
        if top and _same(_at(d, self.path), self.instance):
            return self.path  # the schema breaks the rules for schemas (a pattern that is no regex)
        return None


def _semantic_claims(
    ws: Workspace, main: str, family: str, groups: dict[tuple[Any, ...], list[tuple[Any, tuple[Any, ...]]]]
) -> list[Claim] | None:
    """Each group's errors, one per mapping that fits it; None when they are not as many."""
    by_key: dict[str, list[tuple[_Matcher, list[tuple[str, PathKey]]]]] = {}
    found: list[tuple[list[Any], list[tuple[str, PathKey]]]] = []
    for errs in groups.values():
        first, quoted = errs[0]
        if first.kind not in ("ExtraParametersError", "OpenAPIValidationError"):
            return None
        matcher, hits = _Matcher(first, quoted), list[tuple[str, PathKey]]()
        if not matcher.keys:
            return None
        for key in matcher.keys:
            by_key.setdefault(key, []).append((matcher, hits))
        found.append((errs, hits))
    for file, path, node, visited, top in walked(ws, main, family):
        asked: set[int] = set()
        for key, matchers in by_key.items():
            if key in node:
                for matcher, hits in matchers:
                    if id(matcher) not in asked:
                        asked.add(id(matcher))
                        inside = matcher(node, visited, top)
                        if inside is not None:
                            hits.append((file, (*path, *inside)))
    claims: list[Claim] = []
    for errs, hits in found:
        if len(hits) != len(errs):
            return None  # not one place per error: the walk decides
        for (err, _quoted), (file, path) in zip(errs, hits, strict=True):
            node = _at(ws.data[file], path)
            claims.append((file, path, shown_at_key(path, node), _message(err, node), ""))
    return claims


def _problems(ws: Workspace, claims: list[Claim]) -> list[SpecProblem]:
    """The claims as problems, positions found in one pass per file, duplicates merged."""
    by_file: dict[str, list[PathKey]] = {}
    for file, path, *_ in claims:
        by_file.setdefault(file, []).append(path)
    where = {file: ws.positions(file, paths) for file, paths in by_file.items()}
    out: dict[tuple[str, int, int, str], SpecProblem] = {}
    for file, path, key, message, hint in claims:
        pos = where[file].key_pos(path) if key else where[file].pos(path)
        out.setdefault(
            (file, pos.line, pos.column, message),
            SpecProblem(file, pos.line, pos.column, message, "error", hint, pointer=json_pointer(path)),
        )
    return list(out.values())
