"""Schema validation turned into located findings: the schemas :mod:`fes_docs.schema` builds, checked
against a parsed document.

Two checkers, one verdict: fastjsonschema answers yes or no for the common, valid file, and jsonschema
runs only when it says no, to produce every located message. Numbers are what they look like (no
``5000000.0`` as an integer), in both. Messages quote a record's value only as a short, escaped
:func:`excerpt`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import fastjsonschema

from .document import Document
from .findings import Finding, Loc, did_you_mean, key_path

if TYPE_CHECKING:  # jsonschema runs only for a file the fast check rejects: not imported before then
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


def _python_anchors(schema: Any) -> Any:
    """``schema`` with each ``pattern``'s final ``$`` made ``\\Z``, for the two Python checkers.

    A schema's patterns are ECMA 262 regular expressions, where ``$`` is the end of the text; both
    checkers run them with Python's ``re``, where ``$`` also matches before a final newline. So an ``id:
    "x\\n"`` passed ``^[A-Za-z0-9][A-Za-z0-9._-]*$``, and the newline broke an admonition on the pages.
    The published schema keeps ``$`` (editors run ECMA); only what Python runs is rewritten."""
    if isinstance(schema, dict):
        out = {k: _python_anchors(v) for k, v in schema.items()}
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and pattern.endswith("$") and _unescaped_end(pattern):
            out["pattern"] = pattern[:-1] + "\\Z"
        return out
    if isinstance(schema, list):
        return [_python_anchors(v) for v in schema]
    return schema


def _unescaped_end(pattern: str) -> bool:
    """Whether the final ``$`` is the anchor, not an escaped dollar (an even run of backslashes before it)."""
    run = len(pattern) - 1 - len(pattern[:-1].rstrip("\\"))
    return run % 2 == 0


@lru_cache(maxsize=8)
def _fast(schema_json: str) -> Callable[[Any], Any]:
    """A compiled yes/no check: ~20x faster than jsonschema on the common, valid file.

    fastjsonschema implements draft-07; our schemas use only keywords whose meaning is the same in
    draft-07 and 2020-12 (type, properties, additionalProperties, required, enum, pattern, items,
    minimum/maximum, minItems, uniqueItems, allOf/if/then), so its verdict is the same. Only when it says
    "invalid" does jsonschema run, to produce every located message.
    """
    schema = _python_anchors(json.loads(schema_json))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


#: Integers a record may hold: what a 64-bit column, a Java ``long`` and every JSON reader agree on.
INT_LIMIT = 2**63


def _is_integer(_checker: Any, value: Any) -> bool:
    """Numbers are what they look like: ``5000000.0``, ``true`` or a 4,000-digit number is not an integer.

    JSON Schema counts ``5000000.0`` as an integer; the typed model does not, so without this a record
    could switch a rule off (``estimated_rows: 5000000.0`` read as "no estimate").
    """
    return isinstance(value, int) and not isinstance(value, bool) and -INT_LIMIT < value < INT_LIMIT


def _is_number(_checker: Any, value: Any) -> bool:
    """``.inf``, ``.nan`` and integers beyond ±2**63 are not numbers a release can mean (nor strict JSON)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return _is_integer(_checker, value)  # an int beyond ±2**63 is no number a record can mean either


@lru_cache(maxsize=1)
def _strict_validator() -> Any:
    """Draft 2020-12 with :func:`_is_integer` and :func:`_is_number` (jsonschema imported on first use)."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number}),
    )


def _odd_number(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer() or not math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool) and not -INT_LIMIT < value < INT_LIMIT


def _odd_numbers(data: Any) -> bool:
    """Whether ``data`` holds a number the fast check would judge more leniently than :func:`_is_integer`."""
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)  # loaded data holds exactly these types: compared first, as the common case
        if kind is str or kind is bool or value is None:
            continue
        if kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif isinstance(value, dict | list):
            stack.extend(value.values() if isinstance(value, dict) else value)
        elif _odd_number(value):
            return True
    return False


@lru_cache(maxsize=8)
def _validator(schema_json: str) -> Draft202012Validator:
    """Validators are built once per schema: building one per file costs ~10x the validation itself."""
    validator: Draft202012Validator = _strict_validator()(_python_anchors(json.loads(schema_json)))
    return validator


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    return _validator(json.dumps(schema, sort_keys=True))


def _where(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[") or "top level"


def _type_name(value: Any) -> str:
    """The value's type in the schema's own words, with its article ("an array", "a string", "null"), so a
    message reads "must be an object, got an array", never mixing JSON and Python names."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }.get(type(value), f"a {type(value).__name__}")


def _findings(doc: Document, err: ValidationError) -> Iterator[Finding]:
    path = tuple(err.absolute_path)
    where = _where(path)
    if err.context and err.validator in ("oneOf", "anyOf"):
        from jsonschema.exceptions import best_match

        inner = best_match(err.context)
        inner_path = tuple(err.absolute_path) + tuple(inner.relative_path)
        err, path, where = inner, inner_path, _where(inner_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(err.schema.get("properties", {}))
        for key in sorted(set(err.instance) - set(allowed)):
            p = doc.key_pos((*path, key))
            yield Finding(
                Loc(doc.file, p.line, p.column, key_path(doc.data, (*path, key))),
                "FES011",
                "error",
                f"unknown key {key!r} in {where}{did_you_mean(key, allowed)}",
                f"allowed here: {', '.join(allowed)}" if allowed else "remove the key",
            )
        return
    p = doc.pos(path)
    loc = Loc(doc.file, p.line, p.column, key_path(doc.data, path))
    v = err.validator
    if v == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else err.message
        yield Finding(loc, "FES010", "error", f"missing required key {missing!r} in {where}", f"add `{missing}:` here")
    elif v == "enum":
        options = [str(o) for o in err.validator_value]
        yield Finding(
            loc,
            "FES010",
            "error",
            f"{excerpt(err.instance)} is not allowed in {where}{did_you_mean(str(err.instance)[:200], options)}",
            f"use one of: {', '.join(options)}",
        )
    elif v == "type":
        want = err.validator_value
        wanted = want if isinstance(want, str) else " or ".join(want)
        article = "an" if wanted[:1] in "aeiou" else "a"
        hint = "quote the value" if want == "string" else f"write {article} {wanted}"
        if _odd_number(err.instance) and isinstance(err.instance, int):
            # never printed: a 5,000-digit number is not worth a screen (nor str()'s digit limit)
            got = f"a number outside ±2**63 ({err.instance.bit_length()} bits)"
            hint = "write a whole number a 64-bit column can hold"
        elif not err.absolute_path or err.instance is None:
            # the file is not a record at all: say what it is, never quote what it holds (null is its own quote)
            got = _type_name(err.instance)
        else:
            got = f"{_type_name(err.instance)} {excerpt(err.instance)}"
        if isinstance(err.instance, float) and err.instance.is_integer() and "integer" in wanted:
            hint = f"write {int(err.instance)} (a whole number, without a decimal point)"
        yield Finding(loc, "FES010", "error", f"{where} must be {article} {wanted}, got {got}", hint)
    elif v == "pattern":
        yield Finding(
            loc,
            "FES010",
            "error",
            f"{where}: {excerpt(err.instance)} has the wrong format",
            f"expected a value matching {err.validator_value}",
        )
    else:
        message = str(err.message)
        full = repr(err.instance)
        if len(full) > _EXCERPT and full in message:
            message = message.replace(full, excerpt(err.instance), 1)
        yield Finding(loc, "FES010", "error", f"{where}: {message}", "see the schema for this field")


_EXCERPT = 60


def excerpt(value: Any) -> str:
    """A record's own value as a message may quote it: JSON-escaped (no control characters, no newlines)
    and at most ``_EXCERPT`` characters, so no message carries a file's contents."""
    try:
        text = json.dumps(value, default=str, ensure_ascii=True)
    except ValueError:  # an integer past str()'s digit limit, or a nesting too deep to print
        return "(a value too large to quote)"
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def schema_findings(doc: Document, schema: dict[str, Any]) -> list[Finding]:
    """Every schema violation of one document, located at the offending key or value."""
    return _check(doc, json.dumps(schema, sort_keys=True))


def schema_checker(schema: dict[str, Any]) -> Callable[[Document], list[Finding]]:
    """:func:`schema_findings` against one schema, serialised once for the many documents checked with it."""
    key = json.dumps(schema, sort_keys=True)
    return lambda doc: _check(doc, key)


def _check(doc: Document, key: str) -> list[Finding]:
    if not _odd_numbers(doc.data):  # the fast check counts 5000000.0 as an integer; the strict one does not
        try:
            _fast(key)(doc.data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
    out: list[Finding] = []
    for err in _validator(key).iter_errors(doc.data):
        out.extend(_findings(doc, err))
    return out
