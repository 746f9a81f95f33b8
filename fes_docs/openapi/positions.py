"""Where given paths are in a spec file, found without building positions for the whole document.

A located load of a 5 MB spec (every node's line and column kept) costs seconds, many times the
validator's own run; a spec with a few dozen errors needs a few dozen positions. So the paths a
report needs are gathered first and looked up in one streaming pass over the file's bytes:

* YAML (and JSON that libyaml reads) through libyaml's event stream, which carries each event's mark;
* ``.json`` through the json module's own scanner: a valid JSON spec is valid whatever libyaml
  thinks of it (surrogate-pair escapes, control characters), so it must not depend on libyaml.

Only the subtrees leading to a wanted path are followed key by key (a trie of the wanted paths); the
rest is skipped by depth. Each path's nearest existing ancestor is known too, which is where
:meth:`~fes_docs.document.Document.pos` puts a path that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..document import Pos

PathKey = tuple[str | int, ...]


class Found:
    """The positions one pass found: ``values[path]`` and ``keys[path]`` (the key that introduces a
    mapping entry), 1-based."""

    def __init__(self) -> None:
        self.values: dict[PathKey, Pos] = {}
        self.keys: dict[PathKey, Pos] = {}

    def key_pos(self, path: PathKey) -> Pos:
        """Where the key of the mapping entry at ``path`` is, else as :meth:`pos`."""
        return self.keys.get(path) or self.pos(path)

    def pos(self, path: PathKey) -> Pos:
        """Where ``path`` is, else its nearest found ancestor, else the top."""
        p = path
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), Pos(1, 1))


def _trie(paths: Iterable[PathKey]) -> dict[Any, Any]:
    """Nested dicts of the wanted paths; mapping keys are compared as text (YAML's ``200:`` is the
    number 200 in the data and the scalar "200" in the event stream)."""
    root: dict[Any, Any] = {}
    for path in paths:
        node = root
        for part in path:
            node = node.setdefault(part if isinstance(part, int) else ("k", part), {})
            if isinstance(part, int):
                node.setdefault(("k", str(part)), node)  # the same number as a mapping key
    return root


def _child(trie: dict[Any, Any] | None, part: str | int, in_mapping: bool) -> dict[Any, Any] | None:
    if trie is None:
        return None
    return trie.get(("k", part)) if in_mapping else trie.get(part)


def find(raw: bytes, rel: str, paths: Iterable[PathKey]) -> Found:
    """The positions of ``paths`` (and of their ancestors) in the file ``rel`` holding ``raw``."""
    wanted = _trie(paths)
    found = Found()
    if not wanted:
        return found
    if rel.lower().endswith(".json"):
        _json_pass(raw, wanted, found)
    else:
        _yaml_pass(raw, wanted, found)
    return found


class _Frame:
    """One open collection: its path, its trie node (None: nothing wanted below), and the state of
    the walk inside it (the next index; the pending key of a mapping)."""

    __slots__ = ("index", "key", "mapping", "path", "trie")

    def __init__(self, path: PathKey, trie: dict[Any, Any] | None, mapping: bool) -> None:
        self.path, self.trie, self.mapping = path, trie, mapping
        self.index = 0
        self.key: tuple[str, Pos] | None = None


def _enter(frame: _Frame | None, pos: Pos, found: Found) -> tuple[PathKey, dict[Any, Any] | None] | None:
    """The path and trie node of a value starting at ``pos`` inside ``frame`` (recorded when
    wanted); None when it is a mapping's key (the caller keeps it as the pending key)."""
    if frame is None:
        return (), None
    if frame.mapping:
        if frame.key is None:
            return None
        (name, key_pos), frame.key = frame.key, None
        part: str | int = name
    else:
        part, key_pos = frame.index, pos
        frame.index += 1
    trie = _child(frame.trie, part, frame.mapping)
    path = (*frame.path, part)
    if trie is not None:
        found.values[path] = pos
        if frame.mapping:
            found.keys[path] = key_pos
    return path, trie


def _yaml_pass(raw: bytes, wanted: dict[Any, Any], found: Found) -> None:
    import yaml

    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    stack: list[_Frame] = []
    skipped = 0  # depth inside a subtree where nothing is wanted
    try:
        for event in yaml.parse(raw, Loader=yaml.CSafeLoader):
            if isinstance(event, ends):
                if skipped:
                    skipped -= 1
                else:
                    stack.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue  # stream and document events
            if skipped:
                skipped += isinstance(event, starts)
                continue
            mark = event.start_mark
            pos = Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)
            frame = stack[-1] if stack else None
            if frame is not None and frame.mapping and frame.key is None:  # a key
                frame.key = (event.value if isinstance(event, yaml.ScalarEvent) else "", pos)
                skipped = int(isinstance(event, starts))  # a complex key: never on a path we look for
                continue
            entered = _enter(frame, pos, found)
            assert entered is not None  # not a key, so a value
            path, trie = entered
            if frame is None:
                found.values[()] = pos
                trie = wanted
            if isinstance(event, starts):
                if trie is None:
                    skipped = 1
                else:
                    stack.append(_Frame(path, trie, isinstance(event, yaml.MappingStartEvent)))
    except yaml.YAMLError:
        return  # what was found stands; the rest falls back to an ancestor


def _json_pass(raw: bytes, wanted: dict[Any, Any], found: Found) -> None:
    """Walk down only the wanted paths, with the json module's own C scanner doing the rest: a key is
    read by ``scanstring``, and a value nothing is wanted inside is skipped whole by ``raw_decode``
    (the same grammar ``json.loads`` accepted). Offsets are characters; lines and columns are
    counted at the end, for the few recorded."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    try:
        start = _space(text, 0)
        found.values[()] = Pos(start, 0)
        _json_value(text, start, (), wanted, found, json.JSONDecoder())
    except (ValueError, IndexError, RecursionError):
        pass  # what was found stands; the rest falls back to an ancestor
    _to_lines(text, found)


_SPACE = re.compile(r"[ \t\n\r]*")


def _space(text: str, i: int) -> int:
    found = _SPACE.match(text, i)
    return found.end() if found is not None else i


def _json_value(text: str, i: int, path: PathKey, trie: dict[Any, Any], found: Found, decoder: json.JSONDecoder) -> int:
    """Read the value at ``text[i]`` (a wanted one: ``trie`` says what is wanted below it); the end."""
    opener = text[i]
    if opener not in "{[":
        return decoder.raw_decode(text, i)[1]
    i = _space(text, i + 1)
    if text[i] in "}]":
        return i + 1
    index = 0
    while True:
        if opener == "{":
            key_at = i
            name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
            i = _space(text, i)
            i = _space(text, i + 1)  # past the ':'
            part: str | int = name
            child = trie.get(("k", name))
        else:
            part, key_at = index, i
            child = trie.get(index)
            index += 1
        if child is None:
            i = decoder.raw_decode(text, i)[1]
        else:
            here = (*path, part)
            found.values[here] = Pos(i, 0)
            if opener == "{":
                found.keys[here] = Pos(key_at, 0)
            i = _json_value(text, i, here, child, found, decoder)
        i = _space(text, i)
        if text[i] != ",":
            return i + 1
        i = _space(text, i + 1)


def _to_lines(text: str, found: Found) -> None:
    """Character offsets (see :func:`_json_pass`) to 1-based lines and columns."""
    offsets = sorted({p.line for p in (*found.values.values(), *found.keys.values())})
    at: dict[int, Pos] = {}
    line, last = 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        last = offset
        at[offset] = Pos(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    found.values = {path: at[p.line] for path, p in found.values.items()}
    found.keys = {path: at[p.line] for path, p in found.keys.items()}
