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
import os
import re
import threading
from typing import Any

#: Keywords whose values are URIs the validator's resolver acts on.
#: Where an alias could stand (see :func:`_may_hold_alias`): a node's start, the alias, a node's end.
_ALIAS = re.compile(
    rb"(?:^[ \t]*(?:-[ \t]+)*|:[ \t]*|---[ \t]+|[\[{,][ \t]*|\?[ \t]+)\*[^\s\[\]{},]+"
    rb"(?:[ \t]+:|[ \t]*(?:$|[,\]}#\r]))",  # a ':' right after the name is part of it
    re.MULTILINE,
)
#: A YAML document at least this big is screened in a forked child while it is parsed (see _screen_aside).
SCREEN_ASIDE_BYTES = 512 * 1024

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
    screen = _screen_aside(data)
    if screen is None and not yaml_screen(data):
        return None
    loaded = _fast_load(data, rel)
    if screen is not None and not _screened(screen):
        return None
    return loaded


def _fast_load(data: bytes, rel: str) -> Any | None:
    # imported here: the extension loads in milliseconds, but only a cold check needs it
    from openapi_spec_validator_rs import _core
    from openapi_spec_validator_rs.exceptions import SpecReadError

    try:
        return _core.load(data, rel)
    except (SpecReadError, RecursionError, ValueError, TypeError):
        return None


def _screen_aside(data: bytes) -> int | None:
    """For a big YAML document that cannot hold an alias: :func:`yaml_screen` started in a forked
    child (its pid), so the screen and the fast parse use both cores; None when it is to run inline.

    Only an alias makes the fast parse itself dangerous (the bomb), and :data:`_ALIAS` finds every
    place one could stand; the duplicate-key verdict is only needed before the result is trusted.
    A process with threads is never forked (a live-reload server); nor where there is no fork.
    """
    if len(data) < SCREEN_ASIDE_BYTES or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    if _may_hold_alias(data):
        return None
    import yaml  # noqa: F401  imported before the fork: the child never takes the import lock

    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: the verdict is its exit status, nothing else
        code = 1
        try:
            code = 0 if yaml_screen(data) else 1
        finally:
            os._exit(code)
    return pid


def _screened(pid: int) -> bool:
    """The forked screen's verdict (a child that died any other way is a "no")."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0


def _may_hold_alias(data: bytes) -> bool:
    """Whether an alias (``*name``) could stand somewhere in ``data``: a ``*`` where a node may start
    (a line's start, after ``- ``, ``: ``, ``? ``, ``---`` or a flow indicator) and ending where a
    node may end. Sound, not exact: a ``**bold**`` line start counts, and only costs the overlap."""
    start = 0
    while (star := data.find(b"*", start)) >= 0:
        line_start = data.rfind(b"\n", 0, star) + 1
        line_end = data.find(b"\n", star)
        line_end = len(data) if line_end < 0 else line_end
        if _ALIAS.search(data, line_start, line_end):
            return True
        start = line_end + 1
    return False


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
