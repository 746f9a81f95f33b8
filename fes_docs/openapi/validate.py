"""Where exactly is the spec invalid? openapi-spec-validator's Python walk, run to locate errors.

The verdict is openapi-spec-validator-rs's (:mod:`.rust`): a spec it finds valid never comes here.
This Python path is kept for one reason: the Rust validator's semantic errors (``default`` values,
``required`` without properties, errors inside files reached through ``$ref``) carry no path into
the spec, and the errors it gives together do not say which is which. So when the Rust validator
reports an error :mod:`.rust` cannot place by itself, this walk runs once, and its located errors
are reported instead (the same library rules, so the same messages).

Validation is openapi-spec-validator's, for Swagger 2.0 and OpenAPI 3.0/3.1/3.2, through its public
per-version validator classes; two passes, as the library runs them:

* **Structural**: the document against the official OAS schema, by python-jsonschema (the library's
  default backend, whose messages and instance paths we report). An error's instance path is a path into the spec file.
* **Semantic** (the validator's ``root_validator``: path parameters, duplicate operationIds,
  ``default`` values, schemas). Its errors carry no path into the spec, so while the walk is
  suspended at each error we read, from the standard generator introspection of the suspended
  ``yield from`` chain (``gi_yieldfrom``, :func:`inspect.getgeneratorlocals`), the ``SchemaPath``
  the innermost keyword check was given; its parts, plus the error's own path, are followed (through
  ``$ref``\\ s, into other files) by :func:`~.workspace.walk`. Nothing of the library is subclassed
  or patched: a library that stops walking with generators only makes our locations coarser.

The semantic walk resolves ``$ref``\\ s through a ``referencing`` registry whose only retrieve
function is :meth:`~.workspace.Workspace.retrieve`: nothing but files inside the project root, read
with our limits, is ever served; remote URIs are refused, never fetched.

Limits shared with the library: the structural pass sees the spec file only; files reached through
``$ref`` are checked by the semantic walk, not against the OAS schema.
"""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Iterator
from functools import cache
from typing import Any

from .early import family_of
from .problems import SpecProblem, json_pointer, problem, worded
from .refs import node_pos, walk
from .workspace import PathKey, Workspace

MAX_RAW_ERRORS = 1_000  # collected from the validator before sorting (bounds a hopeless document)
_RESOLVED_CACHE = 1024


def version_of(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(declared version, family "2.0"/"3.0"/"3.1"/"3.2") of an OpenAPI document."""
    for keyword in ("openapi", "swagger"):
        value = data.get(keyword)
        if isinstance(value, str):
            return value, family_of(keyword, value)
    return None, None


def version_problem(ws: Workspace, rel: str) -> SpecProblem | None:
    """Why ``rel`` is not a document of a supported version, located at the version field."""
    data = ws.data[rel]
    if not isinstance(data, dict):
        return problem(
            rel,
            "not an OpenAPI document: the top level must be a mapping",
            "version",
            "start the file with 'openapi: \"3.1.0\"' (or 'swagger: \"2.0\"') and 'info:'",
        )
    for keyword in ("openapi", "swagger"):
        if keyword in data:
            value = data[keyword]
            if not isinstance(value, str):
                example = "2.0" if keyword == "swagger" else (f"{value}.0" if isinstance(value, float) else "3.1.0")
                return problem(
                    rel,
                    f"'{keyword}' must be a string, not {value!r}",
                    "version",
                    f'quote the full version: {keyword}: "{example}" (YAML reads an unquoted 3.0 as a number)',
                    pos=ws.pos(rel, (keyword,)),
                )
            if version_of(data)[1] is None:
                return problem(
                    rel,
                    f"unsupported {keyword} version {value!r}: supported are "
                    "Swagger 2.0 and OpenAPI 3.0.x, 3.1.x, 3.2.x",
                    "version",
                    pos=ws.pos(rel, (keyword,)),
                )
            return None
    return problem(
        rel,
        "not an OpenAPI document: neither an 'openapi' (3.x) nor a 'swagger' (2.0) field",
        "version",
        "add 'openapi: \"3.1.0\"' at the top",
        pos=ws.pos(rel, ()),
    )


def validator_class(family: str) -> Any:
    """openapi-spec-validator's public validator class for ``family``."""
    # imported here: openapi-spec-validator loads in ~0.3 s, and a cached spec never needs it
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
def python_schema_validator(family: str) -> Any:
    """python-jsonschema against the library's OAS schema: the library's default backend, pinned so
    that installing jsonschema-rs never changes our messages."""
    # imported here: jsonschema and the OAS schemas load only when a spec is really checked
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas.utils import get_schema_content

    schema = get_schema_content(family)
    return validator_for(schema)(schema)


_SHORT = reprlib.Repr()
_SHORT.maxdict = _SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlevel = 2


def short_repr(node: Any) -> str:
    """A node quoted in a message, abbreviated (a whole path item is no message)."""
    return _SHORT.repr(node)


def _short_message(err: Any) -> str:
    """The validator's message, with a huge instance (the whole document, for a root ``anyOf``)
    abbreviated so a report line stays readable."""
    message: str = err.message
    if len(message) > 300:
        full = repr(err.instance)
        if full in message:
            message = message.replace(full, short_repr(err.instance), 1)
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
        # imported here: only a failing anyOf/oneOf needs it
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        if best is not None:
            where = "/".join(str(p) for p in best.relative_path)
            return f"closest match: {_short_message(best)}" + (f" (at {where})" if where else "")
    return ""


class Collector:
    """Turns validator errors into located, de-duplicated problems."""

    def __init__(self, ws: Workspace, main: str) -> None:
        self.ws = ws
        self.main = main
        self.problems: dict[tuple[str, int, int, str], SpecProblem] = {}
        self.raw = 0

    def add(self, found: SpecProblem) -> None:
        self.problems.setdefault((found.file, found.line, found.column, found.message), found)

    def structural(self, err: Any) -> None:
        """An error of the whole-document schema pass: its path is into the spec file itself."""
        self.raw += 1
        path: PathKey = tuple(err.absolute_path)
        extra = _extra_key(err)
        if extra is not None:
            pos = self.ws.pos(self.main, (*path, extra), key=True)
            path = (*path, extra)
        else:
            pos = node_pos(self.ws, self.main, path, err.instance)
        message = worded(_short_message(err))
        self.add(SpecProblem(self.main, pos.line, pos.column, message, "error", _hint(err), pointer=json_pointer(path)))

    def semantic(self, err: Any, parts: tuple[Any, ...]) -> None:
        """An error of the library's semantic walk at ``parts`` (from the spec's root, through $refs)."""
        self.raw += 1
        file, path, node = walk(self.ws, self.main, parts)
        pos = node_pos(self.ws, file, path, node)
        message = worded(_short_message(err))
        self.add(SpecProblem(file, pos.line, pos.column, message, "error", _hint(err), pointer=json_pointer(path)))


def _schema_path(ws: Workspace, main: str) -> Any:
    """The spec as a ``SchemaPath`` whose resolver retrieves through ``ws.retrieve`` and nothing else."""
    # imported here: jsonschema-path and referencing are needed by the semantic walk only
    from jsonschema_path import SchemaPath
    from jsonschema_path.accessors import SchemaAccessor
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str) -> Resource[Any]:
        return DRAFT202012.create_resource(ws.retrieve(uri))  # raises RefRefused: referencing reports it

    data = ws.data[main]
    base_uri = (ws.root / main).as_uri()
    registry: Registry[Any] = Registry(retrieve=retrieve).with_resource(  # type: ignore[call-arg]
        base_uri, DRAFT202012.create_resource(data)
    )
    accessor = SchemaAccessor(data, registry.resolver(base_uri=base_uri), resolved_cache_maxsize=_RESOLVED_CACHE)
    return SchemaPath(accessor)


def _located_parts(walk_gen: Iterator[Any], err: Any) -> tuple[Any, ...]:
    """Where the suspended semantic walk found ``err``: the parts of the ``SchemaPath`` argument of
    the innermost check in the ``yield from`` chain, plus the error's own path.

    When that check handed a value on to a further validator (jsonschema checking a ``default``
    against its schema), the error's path is inside that value: ``default`` is the node's only value
    the library checks this way.
    """
    # imported here: as in _schema_path
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError

    chain: list[Any] = []
    gen: Any = walk_gen
    while inspect.isgenerator(gen):
        chain.append(gen)
        gen = gen.gi_yieldfrom
    for depth in range(len(chain) - 1, -1, -1):
        code = chain[depth].gi_code
        local = inspect.getgeneratorlocals(chain[depth])
        args = (local.get(name) for name in code.co_varnames[: code.co_argcount])
        base = next((a for a in args if isinstance(a, SchemaPath)), None)
        if base is None:
            continue
        extra = ("default",) if depth < len(chain) - 1 else ()
        tail = ("operationId",) if isinstance(err, DuplicateOperationIDError) else ()
        return (*base.parts, *extra, *err.absolute_path, *tail)
    return ()


def validate(ws: Workspace, main: str, family: str, semantic: bool, refs_ok: bool, collector: Collector) -> None:
    """Run both passes of the Python library over the spec ``main`` of ``family`` into ``collector``
    (only to locate errors the Rust validator found: see the module's docstring)."""
    for err in python_schema_validator(family).iter_errors(ws.data[main]):
        collector.structural(err)
        if collector.raw >= MAX_RAW_ERRORS:
            return
    if not semantic:
        return
    structural_errors = bool(collector.problems)
    try:
        validator = validator_class(family)(_schema_path(ws, main))
        walk_gen = validator.root_validator(validator.schema_path)
        for err in walk_gen:
            collector.semantic(err, _located_parts(walk_gen, err))
            if collector.raw >= MAX_RAW_ERRORS:
                return
    except Exception as exc:  # third-party code on untrusted input: a crash is a finding, not a traceback
        if structural_errors or not refs_ok:
            return  # a consequence of what is already reported (malformed structure, bad $ref)
        collector.add(problem(main, f"openapi-spec-validator stopped: {type(exc).__name__}: {exc}", "invalid"))
