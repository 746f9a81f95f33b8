"""Read a service's OpenAPI spec, say whether it is valid, and index its operations.

This module knows nothing about release records, MkDocs or the CLI: it answers "is this spec valid,
and where exactly is it not?" and "does ``GET /docs/{id}`` exist in it?".

Validation is openapi-spec-validator's, for Swagger 2.0 and OpenAPI 3.0/3.1/3.2 (the library
supports 3.2, so we do too). Three things are ours, because the library cannot do them for us:

* **Locations.** The library validates plain data, so every error is mapped back to the line and
  column of the offending node with the loader's position map. Its structural errors carry an
  instance path; its semantic errors (unresolved path parameter, duplicate operationId, a bad
  ``default`` ...) carry none, so each keyword validator is wrapped to stamp the path of the node it
  was checking on what it yields; a path that crosses a ``$ref`` is followed into the file and node
  the ``$ref`` points at.
* **$ref safety.** Local files are followed; remote refs (http, https, any other scheme) are reported
  and never fetched, and a ref that leaves the project root (``../../etc/passwd``, absolute paths,
  symlinks out) is refused and never read. The library would fetch remote refs itself, so it is
  given a handler table that answers for *every* scheme and only serves files we already vetted and
  loaded with our own size and depth limits.
* **Speed.** On a 2 MB spec the library takes seconds (measured: benchmarks/openapi_2mb.py). Most of
  it is two pure-Python passes: the JSON Schema check of the whole document against the OAS schema
  (python-jsonschema) and the semantic walk through jsonschema-path. Upstream saw the same:
  openapi-spec-validator PR #478 measured its jsonschema-rs backend at only ~1.7x faster overall on
  GitHub's spec, since the Python walk remains. So:
  - when ``jsonschema_rs`` is importable, the structural pass is first run as a Rust ``is_valid``
    gate and only a failing document is re-checked by python-jsonschema, whose messages (and paths)
    we report: the wording stays the library's default backend's whatever is installed;
  - results are cached by content (the spec and every file it references, plus the library
    versions): in-process always, and on disk when the caller passes ``cache_dir``; an unchanged spec
    then costs one read and hash per file;
  - ``semantic=False`` skips the library's semantic walk for callers that must bound a cold run.

A remote ``$ref`` is an error, not a warning: what it points at is never seen, so the spec cannot be
called valid. Limits shared with the library: the structural pass sees the spec file only; files
reached through ``$ref`` are checked by the semantic walk (schemas, parameters, defaults, path
parameters), not against the OAS schema.

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
import hashlib
import json
import os
import reprlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .loader import Document, LoadProblem, Pos, load_bytes, read_limited

Severity = Literal["error", "warning"]

MAX_BYTES = 20_000_000
MAX_DEPTH = 200
MAX_NODES = 2_000_000
MAX_PROBLEMS = 50  # reported; the rest are summarised in one problem
MAX_RAW_ERRORS = 1_000  # collected from the validator before sorting (bounds a hopeless document)
MAX_REF_FILES = 500
CACHE_VERSION = "1"

_METHODS_V2 = ("get", "put", "post", "delete", "options", "head", "patch")
_METHODS_V3 = (*_METHODS_V2, "trace")
_METHODS_V32 = (*_METHODS_V3, "query")
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


@dataclass(frozen=True)
class SpecProblem:
    """Why the spec cannot be trusted, and where (``file`` relative to the project root)."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity
    hint: str = ""
    kind: str = "invalid"  # missing | unreadable | version | invalid | ref-remote | ref-outside | ref-missing


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


@dataclass
class SpecIndex:
    """What :func:`load_spec` learnt about one spec file."""

    file: str
    exists: bool
    valid: bool
    version: str | None
    operations: list[Operation] = field(default_factory=list)
    problems: list[SpecProblem] = field(default_factory=list)
    base_paths: list[str] = field(default_factory=list)  # e.g. ["/api/v1"], longest first
    files: list[str] = field(default_factory=list)  # every file read: the spec, then $ref targets
    _table: dict[str, Operation] | None = field(default=None, init=False, repr=False, compare=False)

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
        for base in self.base_paths:
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
        ``METHOD path`` (difflib ratio >= 0.6), else None. Ties go to the first in sorted order."""
        if not self.operations:
            return None
        variants = [normalise_path(v) for v in self._variants(path)]
        same_path = [op for op in self.operations if normalise_path(op.path) in variants]
        if same_path:
            return same_path[0]
        best: tuple[float, Operation] | None = None
        for op in self.operations:
            candidate = _key(op.method, op.path)
            score = max(difflib.SequenceMatcher(None, f"{method.upper()} {v}", candidate).ratio() for v in variants)
            if best is None or score > best[0]:
                best = (score, op)
        return best[1] if best is not None and best[0] >= 0.6 else None


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


# --------------------------------------------------------------------------------------------
# Loading the spec and the files its $refs name


class _RefRefused(Exception):
    """Raised to openapi-spec-validator's resolver for any URI we will not serve."""


@dataclass
class _Ref:
    file: str  # where the $ref is written
    path: tuple[str | int, ...]  # the path of the mapping holding "$ref"
    ref: str


@dataclass
class _Target:
    file: str
    pointer: tuple[str | int, ...]


class _Workspace:
    """Every document of one spec, loaded once with our limits, keyed by project-relative path."""

    def __init__(self, root: Path, limits: Mapping[str, int]) -> None:
        self.root = root.resolve()
        self.limits = dict(limits)
        self.docs: dict[str, Document] = {}
        self.digests: dict[str, str | None] = {}  # file -> sha256, None when it does not exist
        self.problems: list[SpecProblem] = []
        self.failed: set[str] = set()  # could not be loaded (problems already reported)
        self.missing: set[str] = set()  # named by a $ref, not there

    def rel_of(self, path: Path) -> str | None:
        """The project-relative posix path of an absolute path, or None outside the root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def load(self, rel: str) -> Document | None:
        if rel in self.docs:
            return self.docs[rel]
        if rel in self.failed:
            return None
        path = self.root / rel
        data, problem = read_limited(path, self.limits["max_bytes"])
        if data is None:
            self.failed.add(rel)
            self.digests[rel] = None
            if problem is not None:
                self.problems.append(_from_load(rel, problem, "unreadable"))
            return None
        self.digests[rel] = hashlib.sha256(data).hexdigest()
        doc, problems = load_bytes(data, rel, max_depth=self.limits["max_depth"], max_nodes=self.limits["max_nodes"])
        self.problems.extend(_from_load(rel, p, "unreadable") for p in problems)
        if doc is None:
            self.failed.add(rel)
            return None
        self.docs[rel] = doc
        return doc

    def resolve(self, ref: str, from_file: str) -> tuple[_Target | None, SpecProblem | None]:
        """Where ``ref`` (written in ``from_file``) points, or why it may not be followed.

        The problem's location is left at 1:1 of ``from_file``; the caller knows the $ref's spot.
        """
        uri, _, fragment = ref.partition("#")
        target_file = from_file
        if uri:
            parts = urlsplit(uri)
            if parts.scheme in ("http", "https") or uri.startswith("//"):
                return None, _problem(
                    from_file,
                    f"remote $ref {ref!r} is not fetched: the spec cannot be verified offline",
                    "ref-remote",
                    "copy the referenced document into the project and $ref it by relative path",
                )
            if len(parts.scheme) > 1:
                return None, _problem(
                    from_file,
                    f"$ref {ref!r} uses the {parts.scheme!r} scheme; only relative file paths are followed",
                    "ref-outside",
                    "write the $ref as a path relative to this file",
                )
            local = unquote(uri)
            if os.path.isabs(local):
                return None, _problem(
                    from_file,
                    f"$ref {ref!r} is an absolute path; it is not read",
                    "ref-outside",
                    "write the $ref as a path relative to this file",
                )
            candidate = (self.root / from_file).parent / local
            resolved = candidate.resolve()
            rel = self.rel_of(resolved)
            if rel is None:
                return None, _problem(
                    from_file,
                    f"$ref {ref!r} points outside the project root; it is not read",
                    "ref-outside",
                    "keep referenced files inside the project",
                )
            target_file = rel
            if rel not in self.docs and (rel in self.missing or rel not in self.failed):
                if rel in self.missing or not resolved.is_file():
                    self.missing.add(rel)
                    self.failed.add(rel)
                    self.digests[rel] = None
                    what = "does not exist" if not resolved.exists() else "is not a file"
                    return None, _problem(
                        from_file,
                        f"$ref {ref!r}: {rel} {what}",
                        "ref-missing",
                        "fix the path; it is relative to the file that holds the $ref",
                    )
                if len(self.docs) >= MAX_REF_FILES:
                    return None, _problem(
                        from_file, f"more than {MAX_REF_FILES} files referenced; {ref!r} is not followed", "ref-missing"
                    )
            if self.load(rel) is None:
                return None, _problem(
                    from_file,
                    f"$ref {ref!r}: file {rel} cannot be loaded (see the problems reported for it)",
                    "ref-missing",
                )
        doc = self.docs.get(target_file)
        if doc is None:
            return None, None  # the referring document itself failed to load: already reported
        if not fragment:
            return _Target(target_file, ()), None
        if not fragment.startswith("/"):
            return None, _problem(
                from_file, f"$ref {ref!r}: plain-name fragments are not checked", "ref-missing", "", "warning"
            )
        pointer = _pointer(doc.data, fragment)
        if pointer is None:
            where = "in this file" if target_file == from_file else f"in {target_file}"
            return None, _problem(
                from_file,
                f"$ref {ref!r} points to nothing: no such node {where}",
                "ref-missing",
                "check the spelling of the JSON pointer after '#'",
            )
        return _Target(target_file, pointer), None

    def value(self, target: _Target) -> Any:
        node: Any = self.docs[target.file].data
        for part in target.pointer:
            node = node[part]
        return node


def _pointer(data: Any, fragment: str) -> tuple[str | int, ...] | None:
    """Walk an RFC 6901 JSON pointer (percent-decoded, ``~1``/``~0`` unescaped); None if it misses."""
    node = data
    out: list[str | int] = []
    for raw in unquote(fragment).split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
            out.append(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            out.append(int(token))
        else:
            return None
    return tuple(out)


_TOP = Pos(1, 1)


def _problem(
    file: str, message: str, kind: str, hint: str = "", severity: Severity = "error", pos: Pos = _TOP
) -> SpecProblem:
    return SpecProblem(file, pos.line, pos.column, message, severity, hint, kind)


def _from_load(file: str, p: LoadProblem, kind: str) -> SpecProblem:
    return SpecProblem(file, p.line, p.column, p.message, "error", p.hint, kind)


def _iter_refs(data: Any, swagger2: bool) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every ``{"$ref": "<string>"}`` outside literal values, in document order.

    Literal keywords (``example``, ``default``, ...) are skipped only where keys are keywords: in a
    map of names (``properties``, ``responses`` ...) ``default`` is a response and ``example`` a
    property. An explicit stack, because specs nest deeply.
    """
    # (path, node, node's keys are names, node is an Example Object)
    stack: list[tuple[tuple[str | int, ...], Any, bool, bool]] = [((), data, False, False)]
    while stack:
        path, node, names, example = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield path, ref
            children = []
            for k, v in node.items():
                if not names:
                    if k in _LITERAL_KEYS or k.startswith("x-") or (example and k == "value"):
                        continue
                    if k == "examples" and (swagger2 or isinstance(v, list)):
                        continue  # 2.0 response examples and 3.1 schema examples are payloads
                child_names = not names and k in _NAME_MAPS
                child_example = names and bool(path) and path[-1] == "examples"
                children.append(((*path, k), v, child_names, child_example))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([((*path, i), v, False, False) for i, v in enumerate(node)]))


def _scan_refs(ws: _Workspace, main: str, swagger2: bool) -> list[_Ref]:
    """Check every $ref reachable from the spec; load the files they name (breadth first)."""
    seen: list[_Ref] = []
    queue = [main]
    scanned: set[str] = set()
    while queue:
        file = queue.pop(0)
        if file in scanned or file not in ws.docs:
            continue
        scanned.add(file)
        doc = ws.docs[file]
        for path, ref in _iter_refs(doc.data, swagger2):
            seen.append(_Ref(file, path, ref))
            target, problem = ws.resolve(ref, file)
            if problem is not None:
                pos = doc.pos((*path, "$ref"))
                ws.problems.append(
                    SpecProblem(
                        file, pos.line, pos.column, problem.message, problem.severity, problem.hint, problem.kind
                    )
                )
            elif target is not None and target.file not in scanned:
                queue.append(target.file)
    return seen


def _deref(
    ws: _Workspace,
    file: str,
    path: tuple[str | int, ...],
    node: Any,
) -> tuple[str, tuple[str | int, ...], Any]:
    """Follow a chain of $refs from ``node`` (at ``file``/``path``) to the node it stands for."""
    for _ in range(64):  # a cycle of refs ends here instead of looping
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        target, _problem_ = ws.resolve(node["$ref"], file)
        if target is None:
            break
        file, path, node = target.file, target.pointer, ws.value(target)
    return file, path, node


# --------------------------------------------------------------------------------------------
# Validation


def _version_of(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(declared version, family "2.0"/"3.0"/"3.1"/"3.2") of an OpenAPI document."""
    for keyword in ("openapi", "swagger"):
        value = data.get(keyword)
        if isinstance(value, str):
            head = value.split(".")
            family = ".".join(head[:2])
            if keyword == "swagger" and value == "2.0":
                return value, "2.0"
            if keyword == "openapi" and family in ("3.0", "3.1", "3.2") and len(head) >= 2:
                return value, family
            return value, None
    return None, None


def _version_problem(doc: Document) -> SpecProblem | None:
    data = doc.data
    if not isinstance(data, dict):
        return _problem(
            doc.file,
            "not an OpenAPI document: the top level must be a mapping",
            "version",
            "start the file with 'openapi: \"3.1.0\"' (or 'swagger: \"2.0\"') and 'info:'",
        )
    for keyword in ("openapi", "swagger"):
        if keyword in data:
            value = data[keyword]
            pos = doc.pos((keyword,))
            if not isinstance(value, str):
                example = "2.0" if keyword == "swagger" else (f"{value}.0" if isinstance(value, float) else "3.1.0")
                return _problem(
                    doc.file,
                    f"'{keyword}' must be a string, not {value!r}",
                    "version",
                    f'quote the full version: {keyword}: "{example}" (YAML reads an unquoted 3.0 as a number)',
                    pos=pos,
                )
            if _version_of(data)[1] is None:
                return _problem(
                    doc.file,
                    f"unsupported {keyword} version {value!r}: supported are "
                    "Swagger 2.0 and OpenAPI 3.0.x, 3.1.x, 3.2.x",
                    "version",
                    pos=pos,
                )
            return None
    return _problem(
        doc.file,
        "not an OpenAPI document: neither an 'openapi' (3.x) nor a 'swagger' (2.0) field",
        "version",
        "add 'openapi: \"3.1.0\"' at the top",
        pos=doc.pos(()),
    )


def _validator_class(family: str) -> Any:
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
        OpenAPIV32SpecValidator,
    )

    return {
        "2.0": OpenAPIV2SpecValidator,
        "3.0": OpenAPIV30SpecValidator,
        "3.1": OpenAPIV31SpecValidator,
        "3.2": OpenAPIV32SpecValidator,
    }[family]


@cache
def _python_schema_validator(family: str) -> Any:
    """python-jsonschema against the library's OAS schema: the library's default backend, pinned so
    that installing jsonschema-rs never changes our messages."""
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas.utils import get_schema_content

    schema = get_schema_content(family)
    return validator_for(schema)(schema)


@cache
def _rust_gate(family: str) -> Any | None:
    """A jsonschema-rs validator for the OAS schema, or None when jsonschema-rs is not installed."""
    try:
        import jsonschema_rs
        from openapi_spec_validator.schemas.utils import get_schema_content

        schema = dict(get_schema_content(family))
        return jsonschema_rs.validator_cls_for(schema)(schema)
    except Exception:  # not installed, or cannot compile this schema: python-jsonschema alone decides
        return None


@cache
def _located_validator_class(family: str) -> Any:
    """The library's validator for ``family`` with every keyword validator stamping its location."""
    from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError, OpenAPIValidationError
    from openapi_spec_validator.validation.keywords import ValueValidator

    def located(kw_cls: type[Any]) -> type[Any]:
        extra: tuple[str, ...] = ("default",) if issubclass(kw_cls, ValueValidator) else ()

        def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            base = next((a for a in args if hasattr(a, "parts") and hasattr(a, "accessor")), None)
            for err in kw_cls.__call__(self, *args, **kwargs):
                if base is not None and not hasattr(err, "fes_parts"):
                    if not isinstance(err, OpenAPIValidationError):
                        err = OpenAPIValidationError.create_from(err)
                    tail = ("operationId",) if isinstance(err, DuplicateOperationIDError) else ()
                    err.fes_parts = (*base.parts, *extra, *err.absolute_path, *tail)
                yield err

        return type(f"Located{kw_cls.__name__}", (kw_cls,), {"__call__": __call__})

    base_cls = _validator_class(family)
    keywords = {name: located(kw) for name, kw in base_cls.keyword_validators.items()}
    return type(f"Located{base_cls.__name__}", (base_cls,), {"keyword_validators": keywords})


class _GuardedHandlers(dict[str, Callable[[str], Any]]):
    """A resolver handler table that claims every URI scheme, so jsonschema-path never falls back
    to its own urllib/requests fetch; the one handler serves only files inside the project root,
    read once with our limits."""

    def __init__(self, ws: _Workspace) -> None:
        super().__init__()
        self.ws = ws

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self.serve

    def get(self, scheme: str, default: Any = None) -> Callable[[str], Any]:
        return self.serve

    def serve(self, uri: str) -> Any:
        parts = urlsplit(uri)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise _RefRefused(f"not fetched: {uri}")
        rel = self.ws.rel_of(Path(url2pathname(parts.path)).resolve())
        if rel is None:
            raise _RefRefused(f"outside the project root: {uri}")
        doc = self.ws.load(rel)  # inside the root: read with our limits, once
        if doc is None:
            raise _RefRefused(f"cannot be loaded: {uri}")
        return doc.data


_SHORT = reprlib.Repr()
_SHORT.maxdict = _SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlevel = 2


def _short_message(err: Any) -> str:
    """The validator's message, with a huge instance (the whole document, for a root ``anyOf``)
    abbreviated so a report line stays readable."""
    message: str = err.message
    if len(message) > 300:
        full = repr(err.instance)
        if full in message:
            message = message.replace(full, _SHORT.repr(err.instance), 1)
    return message


def _extra_key(err: Any) -> str | None:
    """For "Additional/Unevaluated properties are not allowed ('x' was unexpected)": the first
    offending key in document order, so the problem points at it rather than at its parent."""
    if err.validator not in ("additionalProperties", "unevaluatedProperties") or not isinstance(err.instance, dict):
        return None
    message: str = err.message
    # "'2000' does not match any of the regexes: ..." names the keys first; the rest quotes patterns
    head = message.split(" not match any of the regexes")[0] if "regexes" in message else message
    for key in err.instance:  # document order: the first offending key is shown
        if repr(key) in head:
            return str(key)
    return None


def _hint(err: Any) -> str:
    if err.validator in ("anyOf", "oneOf") and err.context:
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        if best is not None:
            where = "/".join(str(p) for p in best.relative_path)
            return f"closest match: {_short_message(best)}" + (f" (at {where})" if where else "")
    return ""


def _node_pos(doc: Document, path: tuple[str | int, ...], node: Any) -> Pos:
    """A mapping or list is shown at the key that introduces it (``servers:``), where a reader
    looks; a scalar at the value itself."""
    if isinstance(node, (dict, list)) and path and isinstance(path[-1], str):
        return doc.key_pos(path)
    return doc.pos(path)


class _Collector:
    """Turns validator errors into located, de-duplicated problems."""

    def __init__(self, ws: _Workspace, main: str) -> None:
        self.ws = ws
        self.main = main
        self.problems: dict[tuple[str, int, int, str], SpecProblem] = {}
        self.raw = 0

    def add(self, problem: SpecProblem) -> None:
        self.problems.setdefault((problem.file, problem.line, problem.column, problem.message), problem)

    def structural(self, err: Any) -> None:
        """An error of the whole-document schema pass: its path is into the spec file itself."""
        self.raw += 1
        doc = self.ws.docs[self.main]
        path = tuple(err.absolute_path)
        extra = _extra_key(err)
        pos = doc.key_pos((*path, extra)) if extra is not None else _node_pos(doc, path, err.instance)
        self.add(SpecProblem(self.main, pos.line, pos.column, _short_message(err), "error", _hint(err)))

    def semantic(self, err: Any) -> None:
        """An error of the library's semantic walk: located through its stamped path, following
        $refs into whichever file holds the node."""
        self.raw += 1
        parts: tuple[Any, ...] = getattr(err, "fes_parts", ())
        file, path, node = self._walk(parts)
        pos = _node_pos(self.ws.docs[file], path, node)
        self.add(SpecProblem(file, pos.line, pos.column, _short_message(err), "error", _hint(err)))

    def _walk(self, parts: tuple[Any, ...]) -> tuple[str, tuple[str | int, ...], Any]:
        file, node = self.main, self.ws.docs[self.main].data
        path: tuple[str | int, ...] = ()
        for part in parts:
            file, path, node = _deref(self.ws, file, path, node)
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
            file, path, node = _deref(self.ws, file, path, node)
        return file, path, node


def _validate(ws: _Workspace, main: str, family: str, semantic: bool, refs_ok: bool, collector: _Collector) -> None:
    doc = ws.docs[main]
    gate = _rust_gate(family)
    if gate is None or not gate.is_valid(doc.data):
        for err in _python_schema_validator(family).iter_errors(doc.data):
            collector.structural(err)
            if collector.raw >= MAX_RAW_ERRORS:
                return
    if not semantic:
        return
    structural_errors = bool(collector.problems)

    from jsonschema_path import SchemaPath

    base_uri = (ws.root / main).as_uri()
    schema_path = SchemaPath.from_dict(
        doc.data, base_uri=base_uri, handlers=_GuardedHandlers(ws), resolved_cache_maxsize=1024
    )
    validator = _located_validator_class(family)(schema_path)
    try:
        for err in validator.root_validator(validator.schema_path):
            collector.semantic(err)
            if collector.raw >= MAX_RAW_ERRORS:
                return
    except Exception as exc:  # third-party code on untrusted input: a crash is a finding, not a traceback
        if structural_errors or not refs_ok:
            return  # a consequence of what is already reported (malformed structure, bad $ref)
        collector.add(_problem(main, f"openapi-spec-validator stopped: {type(exc).__name__}: {exc}", "invalid"))


# --------------------------------------------------------------------------------------------
# Indexing


def _base_paths(data: dict[str, Any], family: str | None) -> list[str]:
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


def _index(ws: _Workspace, main: str, family: str | None) -> list[Operation]:
    data = ws.docs[main].data
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict):
        return []
    methods = {"2.0": _METHODS_V2, "3.2": _METHODS_V32}.get(family or "", _METHODS_V3)
    ops: set[Operation] = set()
    for template, item in paths.items():
        if not isinstance(template, str) or not template.startswith("/"):
            continue
        _file, _path, item = _deref(ws, main, ("paths", template), item)
        if not isinstance(item, dict):
            continue
        for method in methods:
            if isinstance(item.get(method), dict):
                ops.add(Operation(method.upper(), template))
        extra = item.get("additionalOperations") if family == "3.2" else None
        if isinstance(extra, dict):
            ops.update(Operation(str(m).upper(), template) for m, op in extra.items() if isinstance(op, dict))
    return sorted(ops)


# --------------------------------------------------------------------------------------------
# Cache


def _library_versions() -> str:
    found = []
    for dist in ("openapi-spec-validator", "jsonschema", "jsonschema-path", "openapi-schema-validator"):
        try:
            found.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist}=?")
    return ",".join(found)


_MEMO: dict[str, tuple[dict[str, str | None], dict[str, Any]]] = {}
_MEMO_SIZE = 16


def _cache_key(root: Path, rel: str, digest: str, options: str) -> str:
    raw = "\0".join([CACHE_VERSION, _library_versions(), str(root.resolve()), rel, digest, options])
    return hashlib.sha256(raw.encode()).hexdigest()


def _deps_unchanged(root: Path, deps: Mapping[str, str | None], max_bytes: int) -> bool:
    for rel, digest in deps.items():
        path = root / rel
        if digest is None:
            if path.exists():
                return False
            continue
        data, _ = read_limited(path, max_bytes)
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            return False
    return True


def _to_json(index: SpecIndex) -> dict[str, Any]:
    return {
        "file": index.file,
        "exists": index.exists,
        "valid": index.valid,
        "version": index.version,
        "operations": [[o.method, o.path] for o in index.operations],
        "problems": [[p.file, p.line, p.column, p.message, p.severity, p.hint, p.kind] for p in index.problems],
        "base_paths": index.base_paths,
        "files": index.files,
    }


def _from_json(raw: dict[str, Any]) -> SpecIndex:
    return SpecIndex(
        file=str(raw["file"]),
        exists=bool(raw["exists"]),
        valid=bool(raw["valid"]),
        version=raw["version"] if isinstance(raw["version"], str) else None,
        operations=[Operation(str(m), str(p)) for m, p in raw["operations"]],
        problems=[
            SpecProblem(str(f), int(ln), int(c), str(m), "warning" if s == "warning" else "error", str(h), str(k))
            for f, ln, c, m, s, h, k in raw["problems"]
        ],
        base_paths=[str(p) for p in raw["base_paths"]],
        files=[str(f) for f in raw["files"]],
    )


def _cache_get(key: str, root: Path, cache_dir: Path | None, max_bytes: int) -> SpecIndex | None:
    entry = _MEMO.get(key)
    if entry is None and cache_dir is not None:
        try:
            stored = json.loads((cache_dir / f"openapi-{key}.json").read_text(encoding="utf-8"))
            entry = (dict(stored["deps"]), dict(stored["index"]))
        except (OSError, ValueError, KeyError, TypeError):
            entry = None
    if entry is None or not _deps_unchanged(root, entry[0], max_bytes):
        return None
    try:
        index = _from_json(entry[1])
    except (KeyError, TypeError, ValueError):
        return None
    _remember(key, entry)
    if cache_dir is not None and not (cache_dir / f"openapi-{key}.json").exists():
        _write_disk(key, entry, cache_dir)
    return index


def _remember(key: str, entry: tuple[dict[str, str | None], dict[str, Any]]) -> None:
    _MEMO.pop(key, None)
    _MEMO[key] = entry
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))


def _cache_put(key: str, deps: dict[str, str | None], index: SpecIndex, cache_dir: Path | None) -> None:
    entry = (deps, _to_json(index))
    _remember(key, entry)
    if cache_dir is not None:
        _write_disk(key, entry, cache_dir)


def _write_disk(key: str, entry: tuple[dict[str, str | None], dict[str, Any]], cache_dir: Path) -> None:
    deps = entry[0]
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".openapi-{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"deps": deps, "index": entry[1]}, sort_keys=True), encoding="utf-8")
        os.replace(tmp, cache_dir / f"openapi-{key}.json")
    except OSError:
        pass  # a read-only or full disk only costs speed


def clear_cache() -> None:
    """Forget in-process results (tests; a long-running server that wants a cold re-check)."""
    _MEMO.clear()


# --------------------------------------------------------------------------------------------
# Entry point


def _finish(index: SpecIndex) -> SpecIndex:
    problems = sorted(
        index.problems, key=lambda p: (p.file != index.file, p.file, p.line, p.column, p.message, p.severity)
    )
    if len(problems) > MAX_PROBLEMS:
        hidden = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [
            _problem(
                index.file,
                f"{hidden} more problem(s) in the spec are not shown",
                "invalid",
                "fix the ones above and run again",
            )
        ]
    index.problems = problems
    index.valid = index.valid and not any(p.severity == "error" for p in problems)
    return index


def load_spec(
    root: Path,
    rel: str,
    *,
    semantic: bool = True,
    cache_dir: Path | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> SpecIndex:
    """Load, validate and index the spec at ``root/rel``; never raises for a user mistake.

    ``semantic=False`` runs only the structural check against the official OAS schema (plus our
    $ref checks), skipping openapi-spec-validator's semantic walk; ``cache_dir`` keeps results on
    disk between runs (content-addressed, JSON, safe to delete).
    """
    ws = _Workspace(root, {"max_bytes": max_bytes, "max_depth": max_depth, "max_nodes": max_nodes})
    target = (ws.root / rel).resolve()
    if ws.rel_of(target) is None:
        return _finish(
            SpecIndex(
                rel,
                False,
                False,
                None,
                problems=[
                    _problem(
                        rel,
                        f"the OpenAPI spec path {rel!r} points outside the project root; it is not read",
                        "missing",
                        "give the spec path relative to the project root",
                    )
                ],
            )
        )
    if not target.is_file():
        return _finish(
            SpecIndex(
                rel,
                False,
                False,
                None,
                problems=[
                    _problem(
                        rel,
                        f"OpenAPI spec {rel} does not exist",
                        "missing",
                        "create it, or fix the 'openapi' path in the policy (relative to the project root)",
                    )
                ],
            )
        )

    raw, problem = read_limited(target, max_bytes)
    if raw is None:
        found = [_from_load(rel, problem, "unreadable")] if problem else []
        return _finish(SpecIndex(rel, True, False, None, problems=found))
    digest = hashlib.sha256(raw).hexdigest()
    key = _cache_key(root, rel, digest, f"{semantic}:{max_bytes}:{max_depth}:{max_nodes}")
    cached = _cache_get(key, root, cache_dir, max_bytes)
    if cached is not None:
        return cached

    # Internally the spec goes by its canonical project-relative name, so a $ref back to it from
    # another file finds the same document; findings use the name the caller gave.
    canonical = ws.rel_of(target) or rel
    ws.digests[canonical] = digest
    doc, load_problems = load_bytes(raw, canonical, max_depth=max_depth, max_nodes=max_nodes)
    ws.problems.extend(_from_load(canonical, p, "unreadable") for p in load_problems)
    index = SpecIndex(rel, True, False, None)
    if doc is not None:
        ws.docs[canonical] = doc
        index = _check(ws, canonical, doc, semantic)
        index.file = rel
    index.problems = [p if p.file != canonical else replace(p, file=rel) for p in (*index.problems, *ws.problems)]
    index.files = [rel, *sorted(f for f, d in ws.digests.items() if d is not None and f != canonical)]
    _finish(index)
    _cache_put(key, dict(sorted(ws.digests.items())), index, cache_dir)
    return index


def _check(ws: _Workspace, rel: str, doc: Document, semantic: bool) -> SpecIndex:
    data = doc.data
    declared, family = _version_of(data) if isinstance(data, dict) else (None, None)
    index = SpecIndex(rel, True, False, declared if family else None)
    version_problem = _version_problem(doc)
    if version_problem is not None:
        index.problems.append(version_problem)
    refs_before = len(ws.problems)
    _scan_refs(ws, rel, family == "2.0")
    refs_ok = not any(p.severity == "error" for p in ws.problems[refs_before:])
    if isinstance(data, dict):
        index.base_paths = _base_paths(data, family)
        index.operations = _index(ws, rel, family)
    if family is None:
        return index
    collector = _Collector(ws, rel)
    _validate(ws, rel, family, semantic, refs_ok, collector)
    index.problems.extend(collector.problems.values())
    index.valid = True  # _finish clears it when any error-severity problem remains
    return index
