"""Plain parsing of spec documents: the data only, no positions, as fast as it is safe.

Positions cost more than the parse (a located libyaml load of a 2 MB spec takes seconds), and a
valid spec never needs one, so every document is first parsed *plain*:

* ``.json`` files as JSON (:func:`json.loads`): a valid JSON spec is valid whatever YAML thinks of
  it (libyaml refuses surrogate-pair escapes such as ``"\\ud83d\\ude00"``, which ``json.dumps``
  writes for every character outside the BMP);
* YAML with openapi-spec-validator-rs's parser (PyYAML's rules, several times faster than libyaml),
  but only after :func:`yaml_screen` read libyaml's event stream and found no alias and no key twice
  in one mapping: that parser expands aliases without a bound (an alias bomb costs it minutes) and
  keeps the last of two equal keys silently, so such a document goes to our own guarded loader.
  The screen is exact (an ``&`` or ``*`` in a description is text, not an anchor or an alias).

Either way the result is checked against ``max_depth`` by :func:`survey`. When a plain parse fails,
:func:`parse_plain` returns no data and the caller asks the located loader, whose problem says where
the syntax error is. :func:`survey` also finds every reference-like keyword whose URI has a scheme
other than http(s) (``file:`` above all), which the validator would otherwise read by itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Keywords whose values are URIs the validator's resolver acts on.
_URI_KEYS = frozenset({"$ref", "$id", "$schema", "$dynamicRef", "$recursiveRef", "jsonSchemaDialect"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def parse_plain(data: bytes, rel: str) -> Any | None:
    """The document's data, or None when the plain parse cannot be trusted or fails (the caller then
    uses the located loader, for its limits and its located syntax error)."""
    if rel.lower().endswith(".json"):
        try:
            return json.loads(data.decode("utf-8-sig"), object_pairs_hook=_unique_keys)
        except (ValueError, RecursionError):  # also UnicodeDecodeError and a duplicate key: the loader says where
            return None
    if not yaml_screen(data):
        return None
    # imported here: the extension loads in milliseconds, but only a cold check needs it
    from openapi_spec_validator_rs import _core
    from openapi_spec_validator_rs.exceptions import SpecReadError

    try:
        loaded = _core.load(data, rel)
    except (SpecReadError, RecursionError, ValueError, TypeError):
        return None
    return loaded


def yaml_screen(data: bytes) -> bool:
    """Whether the fast parser may read this YAML: no alias (an alias bomb) and no mapping holding a
    scalar key twice (a second ``/a:`` would hide the first path's operations from the gate; the
    located loader reports it at its line). Read from libyaml's event stream (C): no values are
    built, no positions, no alias expanded."""
    import yaml

    stack: list[tuple[set[str], list[bool]] | None] = []  # per open collection: (keys, [expecting a key])
    try:
        for event in yaml.parse(data, Loader=yaml.CSafeLoader):
            top = stack[-1] if stack else None
            if isinstance(event, yaml.ScalarEvent):
                if top is not None:
                    keys, expecting = top
                    if expecting[0]:
                        if event.value in keys:
                            return False
                        keys.add(event.value)
                    expecting[0] = not expecting[0]
            elif isinstance(event, yaml.AliasEvent):
                return False
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if top is not None:
                    top[1][0] = not top[1][0]  # a collection fills a key or value slot
                if isinstance(event, yaml.MappingStartEvent):
                    stack.append((set(), [True]))
                elif isinstance(event, yaml.SequenceStartEvent):
                    stack.append(None)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()
    except yaml.YAMLError:
        return False  # the located loader says what is wrong, and where
    return True


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` keeps the last of two equal keys; a spec must not hide a path that way."""
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return out


def foreign_uri(value: str) -> bool:
    """A URI with a scheme the validator would read by itself (anything but http and https, which
    reach our retriever)."""
    found = _SCHEME.match(value)
    return found is not None and found.group(1).lower() not in ("http", "https")


def survey(data: Any, max_depth: int) -> tuple[bool, list[tuple[Any, str]]]:
    """(deeper than ``max_depth``, [(mapping, key) of every URI keyword with a foreign scheme]).

    Every node is visited, literal values (examples, defaults, extensions) included: the resolver is
    not ours, so we do not rely on it skipping them. An explicit stack, because specs nest deeply.
    """
    foreign: list[tuple[Any, str]] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True, foreign
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
                elif key in _URI_KEYS and isinstance(value, str) and foreign_uri(value):
                    foreign.append((node, key))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return False, foreign
