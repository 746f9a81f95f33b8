"""Plain parsing of spec documents: the data only, no positions, as fast as it is safe.

Positions cost more than the parse (a located libyaml load of a 2 MB spec takes seconds), and a
valid spec never needs one, so every document is first parsed *plain*:

* ``.json`` files as JSON (:func:`json.loads`): a valid JSON spec is valid whatever YAML thinks of
  it (libyaml refuses surrogate-pair escapes such as ``"\\ud83d\\ude00"``, which ``json.dumps``
  writes for every character outside the BMP);
* YAML with openapi-spec-validator-rs's parser (unsafe-libyaml: libyaml's rules, several times faster
  than PyYAML's binding), which must not be trusted blindly: it expands aliases without a bound (an
  alias bomb costs it minutes) and keeps the last of two equal keys silently (a second ``/a:`` would
  hide the first path's operations from the gate). So a document where an alias could be resolved
  (:func:`fes_docs.yaml_guards.may_alias`, sound: libyaml's scanner rules, and an anchor of its name) is
  first read by :func:`yaml_screen`, libyaml's event stream, and goes to our own guarded loader if it
  holds an alias or a key twice; any other document is parsed at once, and its data must have as many
  nodes as libyaml counts events in it (:attr:`Plain.events`, checked by :func:`survey`), else the
  guarded loader reads it. The count is taken in C, in a forked child for a big document (where the
  validator can run too: :mod:`.early`).

Either way the result is checked against ``max_depth`` by :func:`survey`. When a plain parse fails,
:func:`parse_plain` returns no data and the caller asks the located loader, whose problem says where
the syntax error is. :func:`survey` also finds every reference-like keyword whose URI has a scheme
other than http(s) (``file:`` above all), which the validator would otherwise read by itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..workers import Forked, deadline, may_fork
from ..yaml_guards import brackets_within_bound, may_alias
from .early import Early, event_count, screen

#: A YAML document at least this big is screened in a forked child while it is parsed (see _aside).
SCREEN_ASIDE_BYTES = 512 * 1024

#: Keywords whose values are URIs the validator's resolver acts on.
_URI_KEYS = frozenset({"$ref", "$id", "$schema", "$dynamicRef", "$recursiveRef", "jsonSchemaDialect"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class Plain:
    """A plain parse: the data, and what must hold of it before it is trusted — ``events``, libyaml's
    count of the YAML document's events, which :func:`survey` checks the data against (None: nothing to
    check) — and the validator's verdict when a child reached one (:mod:`.early`)."""

    data: Any
    events: int | None = None
    early: Early | None = None


#: Every byte but what may come before a JSON value or key (``[ { , :``), for :func:`node_bound` to delete.
_NOT_JSON_STARTS = bytes(b for b in range(256) if b not in b"[{,:")
#: The same for YAML, whose block nodes start after a line break, ``- ``, ``: `` or ``? `` too.
_NOT_YAML_STARTS = bytes(b for b in range(256) if b not in b"[{,:-?\n\r")


def node_bound(data: bytes, rel: str, limit: int) -> int:
    """At least as many as the values (keys, scalars, collections) the document holds, measured on the
    bytes in C before any parser builds one: a 20 MB ``[{},{},…]`` is six million dictionaries, two
    gigabytes built, and a pull request may hand over hundreds of such files.

    JSON: every value but the first and every key follows one of ``[ { , :``, so one more than their
    count (those inside strings only raise it). YAML: a node also starts after a line break, ``-`` or
    ``?``, and two may start at one place (a block mapping and its first key), so twice that; only when
    this loose bound passes ``limit`` is libyaml's event count taken (in C, building nothing: at least
    one event per value), and a document libyaml cannot read keeps the loose bound."""
    if rel.lower().endswith(".json"):
        return 1 + len(data.translate(None, _NOT_JSON_STARTS))
    bound = 2 * (1 + len(data.translate(None, _NOT_YAML_STARTS)))
    if bound <= limit or not brackets_within_bound(data):  # libyaml is quadratic in a run of brackets
        return bound  # (the Workspace refuses such a run for itself, before asking)
    events = event_count(data)
    return bound if events is None else min(bound, events)


def parse_plain(data: bytes, rel: str, *, validate: bool = False) -> Plain | None:
    """The document's data, or None when the plain parse cannot be trusted or fails (the caller then
    uses the located loader, for its limits and its located syntax error).

    ``validate``: a big YAML document's child also runs the validator on it (see :mod:`.early`).
    """
    if rel.lower().endswith(".json"):
        try:
            loaded = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_unique_keys)
        except (ValueError, RecursionError):  # also UnicodeDecodeError and a duplicate key: the loader says where
            return None
        if _SURROGATE_ESCAPE.search(data) is not None and not _text_throughout(loaded):
            return None  # "\ud800" alone is no character (libyaml's loader says where); a pair is one
        return Plain(loaded)
    if not brackets_within_bound(data):  # libyaml's time, and the fast parser's stack: the loader refuses it
        return None
    if may_alias(data):  # the fast parser must not meet an alias: the exact screen decides first
        events = yaml_screen(data)
        loaded = _fast_load(data, rel) if events is not None else None
        return Plain(loaded, events) if loaded is not None else None  # counted too: 0xC8 beside 200
    child = _aside(data, rel, validate)
    loaded = _fast_load(data, rel)
    early = child.result(deadline(len(data))) if child is not None else None
    if early is None:
        early = Early(event_count(data))
    if loaded is None or early.events is None:
        return None
    return Plain(loaded, early.events, early if early.errors is not None else None)


def parse_surveyed(data: bytes, rel: str, max_depth: int, *, validate: bool = False) -> tuple[Plain, Survey] | None:
    """:func:`parse_plain` and :func:`survey` of its data, or None when the data cannot be trusted: the
    parse failed, or the data lacks a node of its document (see :func:`survey`). Data too deep to count
    is given back, for the caller to report as such."""
    plain = parse_plain(data, rel, validate=validate)
    if plain is None:
        return None
    surveyed = survey(plain.data, max_depth)
    if plain.events is not None and not surveyed.too_deep and plain.events != surveyed.events:
        return None  # the parser dropped a node (a key twice): the guarded loader says where
    return plain, surveyed


def _fast_load(data: bytes, rel: str) -> Any | None:
    # imported here: the extension loads in milliseconds, but only a cold check needs it
    from openapi_spec_validator_rs import _core
    from openapi_spec_validator_rs.exceptions import SpecReadError

    try:
        return _core.load(data, rel)
    except (SpecReadError, RecursionError, ValueError, TypeError):
        return None


def _aside(data: bytes, rel: str, validate: bool) -> Forked[Early] | None:
    """For a big YAML document that cannot hold an alias: :func:`.early.screen` started in a sealed,
    forked child, so the screen (and the validator) and the fast parse use both cores; None when it is
    to run inline. A process with threads is never forked (a live-reload server); nor where there is no
    fork.
    """
    if len(data) < SCREEN_ASIDE_BYTES or not may_fork():
        return None
    # imported before the fork: the child never takes the import lock
    import yaml._yaml  # noqa: F401
    from openapi_spec_validator_rs import _core  # noqa: F401

    child = Forked(lambda: screen(data, rel, validate), sealed=True)
    return child if child.started else None


def yaml_screen(data: bytes) -> int | None:
    """libyaml's count of the document's events when the fast parser may read it (see :class:`Plain`);
    None when it may not: an alias (an alias bomb), or a mapping holding a scalar key twice as written (a
    second ``/a:`` would hide the first path's operations from the gate; the located loader reports it at
    its line). Keys written differently that the parser makes one (``200`` and ``0xC8``, ``on`` and
    ``yes``, a ``<<:`` merge) are left to the count, as on the other branch. Read from libyaml's event
    stream (C): no values are built, no positions, no alias expanded."""
    import yaml

    stack: list[tuple[set[str], list[bool]] | None] = []  # per open collection: (keys, [expecting a key])
    events = 0
    try:
        for event in yaml.parse(data, Loader=yaml.CSafeLoader):
            events += 1
            top = stack[-1] if stack else None
            if isinstance(event, yaml.ScalarEvent):
                if top is not None:
                    keys, expecting = top
                    if expecting[0]:
                        if event.value in keys:
                            return None
                        keys.add(event.value)
                    expecting[0] = not expecting[0]
            elif isinstance(event, yaml.AliasEvent):
                return None
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
        return None  # the located loader says what is wrong, and where
    return events


#: A JSON escape of a UTF-16 surrogate: half of a pair (one character), or a lone one (none).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _text_throughout(data: Any) -> bool:
    """Whether every string in ``data`` is text (no lone surrogate, which no file name, report or page can
    hold: a ``$ref`` of one crashed the spec's rule). Asked only of a document that escapes a surrogate."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError):
        return False
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


class Survey(NamedTuple):
    """What :func:`survey` found."""

    too_deep: bool  # deeper than max_depth (the rest is then not surveyed)
    foreign: list[tuple[Any, str]]  # (mapping, key) of every URI keyword with a foreign scheme
    events: int  # the events a YAML document of exactly this data has (see Plain.events)


def survey(data: Any, max_depth: int) -> Survey:
    """Depth, foreign URIs and size of the parsed data, in one walk.

    Every node is visited, literal values (examples, defaults, extensions) included: the resolver is
    not ours, so we do not rely on it skipping them. An explicit stack, because specs nest deeply.

    The size is counted as libyaml counts a document's events: four for the stream and the document,
    one per scalar (a mapping's keys included), two per mapping or sequence (its start and end). Built
    from a document with no alias, the data has exactly that many unless the parser dropped something:
    the first of two equal keys (``/a:`` twice, or ``1:`` beside ``"1":``, which the parser makes one
    string), a merged ``<<:`` key, a mapping as a key. It never adds any, so an equal count means the
    data holds every node of the document.
    """
    foreign: list[tuple[Any, str]] = []
    scalars = collections = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return Survey(True, foreign, 0)
        if isinstance(node, dict):
            collections += 1
            scalars += len(node)  # the keys
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
                else:
                    scalars += 1
                    if key in _URI_KEYS and isinstance(value, str) and foreign_uri(value):
                        foreign.append((node, key))
        elif isinstance(node, list):
            collections += 1
            inner = [(v, depth + 1) for v in node if isinstance(v, (dict, list))]
            scalars += len(node) - len(inner)
            stack.extend(inner)
        else:
            scalars += 1
    return Survey(False, foreign, 4 + scalars + 2 * collections)
