"""Change rules about schemas: properties, required lists, types, enums and constraints.

Direction decides: a request schema is what clients *send*, so narrowing it (a new required property,
an enum value removed, a lower ``maxLength``) breaks them; a response schema is what they *read*, so
widening it (a property removed or made optional, an enum value added, a bound lifted) may. A
``readOnly`` property never travels in a request and a ``writeOnly`` one never in a response, so
neither counts there (as oasdiff decided in v1.31).

Types are compared as sets, ``nullable`` (3.0) and ``x-nullable`` (2.0) folded in as ``"null"`` (3.1's
way), and ``integer`` counts as a kind of ``number``. A schema that declares no type is not compared
by type: specs leave it out for objects all the time, and "any" → "object" is no news to a client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .catalogue import Hit, SchemaPair, View, change_rule

_MAX_KEYS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_MIN_KEYS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_SHOWN = 5  # enum values named in one message


def _skipped(pair: SchemaPair, view: View, name: str) -> bool:
    """A property that never travels in this direction."""
    return view.flag(name, "readOnly" if pair.direction == "request" else "writeOnly")


def _added(pair: SchemaPair) -> list[str]:
    return sorted(n for n in pair.head.props if n not in pair.base.props and not _skipped(pair, pair.head, n))


def _removed(pair: SchemaPair) -> list[str]:
    return sorted(n for n in pair.base.props if n not in pair.head.props and not _skipped(pair, pair.base, n))


def _common(pair: SchemaPair) -> list[str]:
    both = set(pair.base.props) & set(pair.head.props)
    return sorted(n for n in both if not _skipped(pair, pair.base, n) and not _skipped(pair, pair.head, n))


@change_rule("FES867", "new-required-request-property", "Required request property added", "error", "schema")
def new_required_property(pair: SchemaPair) -> Iterator[Hit]:
    """A request schema gains a required property: today's clients do not send it."""
    if pair.direction == "request":
        for name in _added(pair):
            if name in pair.head.required:
                yield Hit("added as required", pair.head.prop_where(name), sub=(name,))


@change_rule("FES868", "request-property-became-required", "Request property became required", "error", "schema")
def property_required(pair: SchemaPair) -> Iterator[Hit]:
    """An optional request property becomes required."""
    if pair.direction == "request":
        for name in _common(pair):
            if name in pair.head.required and name not in pair.base.required:
                yield Hit("became required", pair.head.prop_where(name), sub=(name,))


@change_rule("FES869", "new-optional-request-property", "Optional request property added", "info", "schema")
def new_optional_property(pair: SchemaPair) -> Iterator[Hit]:
    """A request schema gains an optional property."""
    if pair.direction == "request":
        for name in _added(pair):
            if name not in pair.head.required:
                yield Hit("added (optional)", pair.head.prop_where(name), sub=(name,))


@change_rule("FES870", "request-property-removed", "Request property removed", "warning", "schema")
def request_property_removed(pair: SchemaPair) -> Iterator[Hit]:
    """A request property is removed: clients still sending it may be refused or silently ignored."""
    if pair.direction == "request":
        for name in _removed(pair):
            yield Hit("removed", pair.base.prop_where(name), sub=(name,))


@change_rule("FES877", "response-required-property-removed", "Response property removed", "error", "schema")
def response_required_removed(pair: SchemaPair) -> Iterator[Hit]:
    """A required response property is removed: clients reading it break."""
    if pair.direction == "response":
        for name in _removed(pair):
            if name in pair.base.required:
                yield Hit("removed (it was required)", pair.base.prop_where(name), sub=(name,))


@change_rule("FES878", "response-optional-property-removed", "Optional response property removed", "warning", "schema")
def response_optional_removed(pair: SchemaPair) -> Iterator[Hit]:
    """An optional response property is removed: clients that use it when present lose it."""
    if pair.direction == "response":
        for name in _removed(pair):
            if name not in pair.base.required:
                yield Hit("removed (it was optional)", pair.base.prop_where(name), sub=(name,))


@change_rule("FES879", "response-property-became-optional", "Response property became optional", "error", "schema")
def response_optional(pair: SchemaPair) -> Iterator[Hit]:
    """A required response property becomes optional: clients that rely on it being there break."""
    if pair.direction == "response":
        for name in _common(pair):
            if name in pair.base.required and name not in pair.head.required:
                yield Hit("became optional", pair.head.prop_where(name), sub=(name,))


@change_rule("FES887", "response-property-added", "Response property added", "info", "schema")
def response_property_added(pair: SchemaPair) -> Iterator[Hit]:
    """A response schema gains a property."""
    if pair.direction == "response":
        for name in _added(pair):
            yield Hit("added", pair.head.prop_where(name), sub=(name,))


def _within(narrow: frozenset[str], wide: frozenset[str]) -> bool:
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _types(view: View) -> str:
    return "|".join(sorted(view.types or ())) or "any"


def _type_hits(pair: SchemaPair) -> Iterator[Hit]:
    b, h = pair.base.types, pair.head.types
    if b is None or h is None:
        return
    narrow, wide = (b, h) if pair.direction == "request" else (h, b)
    if not _within(narrow, wide):
        yield Hit(f"type changed from {_types(pair.base)} to {_types(pair.head)}", pair.head.loc("type"))
        return
    bf, hf = pair.base.get("format"), pair.head.get("format")
    if isinstance(bf, str) and isinstance(hf, str) and bf != hf and b == h:
        yield Hit(f"format changed from {bf!r} to {hf!r}", pair.head.loc("format"), "warning")


@change_rule("FES874", "request-type-changed", "Request type changed", "error", "schema")
def request_type(pair: SchemaPair) -> Iterator[Hit]:
    """A request value's type changes to one that refuses what clients send today (widening, as
    `integer` → `number`, is not reported); a changed `format` is a warning."""
    if pair.direction == "request":
        yield from _type_hits(pair)


@change_rule("FES875", "response-type-changed", "Response type changed", "error", "schema")
def response_type(pair: SchemaPair) -> Iterator[Hit]:
    """A response value's type changes to one clients do not expect (`null` included: newly nullable);
    narrowing is not reported; a changed `format` is a warning."""
    if pair.direction == "response":
        yield from _type_hits(pair)


def _enum(view: View) -> dict[str, Any] | None:
    values = view.get("enum")
    if not isinstance(values, list):
        return None
    return {json.dumps(v, sort_keys=True, ensure_ascii=False, default=str): v for v in values}


def _listed(keys: list[str]) -> str:
    shown = ", ".join(k[:60] for k in keys[:_SHOWN])
    return shown + (f" and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else "")


@change_rule("FES871", "request-enum-value-removed", "Request enum value removed", "error", "schema")
def request_enum_removed(pair: SchemaPair) -> Iterator[Hit]:
    """A request value loses an allowed enum value (or gains an enum where any value was allowed)."""
    if pair.direction != "request":
        return
    b, h = _enum(pair.base), _enum(pair.head)
    if h is None:
        return
    if b is None:
        if pair.base.types is not None or pair.base.node:
            yield Hit(f"restricted to the enum {_listed(sorted(h))}", pair.head.loc("enum"))
        return
    gone = sorted(set(b) - set(h))
    if gone:
        yield Hit(f"enum value{'s' if len(gone) > 1 else ''} {_listed(gone)} removed", pair.head.loc("enum"))


@change_rule("FES876", "response-enum-value-added", "Response enum value added", "warning", "schema")
def response_enum_added(pair: SchemaPair) -> Iterator[Hit]:
    """A response value gains an enum value (or loses its enum): clients that switch over the values may
    not handle it (oasdiff: use `x-extensible-enum` where values will grow)."""
    if pair.direction != "response":
        return
    b, h = _enum(pair.base), _enum(pair.head)
    if b is None:
        return
    if h is None:
        yield Hit("enum removed: any value may now be returned", pair.head.where)
        return
    new = sorted(set(h) - set(b))
    if new:
        yield Hit(f"enum value{'s' if len(new) > 1 else ''} {_listed(new)} added", pair.head.loc("enum"))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bounds(pair: SchemaPair, tighter: bool) -> Iterator[Hit]:
    """Bounds that got tighter (``tighter``) or looser from base to head."""
    for keys, smaller_is_tighter in ((_MAX_KEYS, True), (_MIN_KEYS, False)):
        for key in keys:
            b, h = _num(pair.base.get(key)), _num(pair.head.get(key))
            old, new = pair.base.get(key), pair.head.get(key)
            if tighter and h is not None and (b is None or (h < b if smaller_is_tighter else h > b)):
                verb = "set to" if b is None else "decreased from" if smaller_is_tighter else "increased from"
                text = f"{key} {verb} {new}" if b is None else f"{key} {verb} {old} to {new}"
                yield Hit(text, pair.head.loc(key))
            elif not tighter and b is not None and (h is None or (h > b if smaller_is_tighter else h < b)):
                text = f"{key} {old} removed" if h is None else f"{key} changed from {old} to {new}"
                yield Hit(text, pair.head.loc(key) if h is not None else pair.head.where)


@change_rule("FES872", "request-constraint-narrowed", "Request constraint narrowed", "error", "schema")
def request_narrowed(pair: SchemaPair) -> Iterator[Hit]:
    """A request bound gets tighter or is set where there was none (`maxLength`, `maximum`, `minLength`,
    `minimum`, `maxItems`, `minItems`, `multipleOf`, `uniqueItems`, a new `pattern`): values clients send
    today may be refused."""
    if pair.direction != "request":
        return
    yield from _bounds(pair, tighter=True)
    b, h = _num(pair.base.get("multipleOf")), _num(pair.head.get("multipleOf"))
    if h is not None and (b is None or (h != b and (h == 0 or (b / h) % 1 != 0))):
        yield Hit(f"multipleOf set to {pair.head.get('multipleOf')}", pair.head.loc("multipleOf"))
    if pair.head.get("uniqueItems") is True and pair.base.get("uniqueItems") is not True:
        yield Hit("uniqueItems set", pair.head.loc("uniqueItems"))
    if isinstance(pair.head.get("pattern"), str) and not isinstance(pair.base.get("pattern"), str):
        yield Hit(f"pattern {pair.head.get('pattern')[:80]!r} added", pair.head.loc("pattern"))


@change_rule("FES873", "request-pattern-changed", "Request pattern changed", "warning", "schema")
def request_pattern(pair: SchemaPair) -> Iterator[Hit]:
    """A request value's `pattern` changes: whether the new one accepts all the old one did cannot be told."""
    b, h = pair.base.get("pattern"), pair.head.get("pattern")
    if pair.direction == "request" and isinstance(b, str) and isinstance(h, str) and b != h:
        yield Hit(f"pattern changed from {b[:80]!r} to {h[:80]!r}", pair.head.loc("pattern"))


@change_rule("FES885", "response-constraint-widened", "Response constraint widened", "warning", "schema")
def response_widened(pair: SchemaPair) -> Iterator[Hit]:
    """A response bound gets looser or is lifted (`maxLength`, `maximum`, `minItems` …, `pattern`): the
    server may return values old clients never had to handle."""
    if pair.direction != "response":
        return
    yield from _bounds(pair, tighter=False)
    b, h = pair.base.get("pattern"), pair.head.get("pattern")
    if isinstance(b, str) and b != h:
        yield Hit("pattern removed" if h is None else "pattern changed", pair.head.loc("pattern"))
