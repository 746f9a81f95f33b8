"""What the loader hands on: plain data, and where every value and key of it sits in its file.

Kept apart from :mod:`fes_docs.loader` (which decides *how* untrusted bytes become this) because every
later stage — model, schema, rules, the OpenAPI workspace — reads positions from it, and none of them
needs the parser.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

PathKey = tuple[str | int, ...]


class Pos(NamedTuple):
    """A 1-based line and column (a tuple: hundreds of thousands are made per run)."""

    line: int
    column: int


@dataclass(frozen=True)
class LoadProblem:
    """Why a file could not be read, and where."""

    rule: str
    message: str
    line: int
    column: int
    hint: str = ""


class Document:
    """Plain data (dict/list/str/int/float/bool/None) and where each value and key sits.

    Positions come in one of two forms. The loader and the cache give the *flat* form: one sequence of
    1-based lines and columns in the order a depth-first walk of ``data`` meets them — a value's when it is
    entered, a mapping key's just before its value (:meth:`flat`). A clean record never asks where anything
    is, and a record with a finding asks a handful of times, so a lookup in flat form counts its way down the
    one path it needs (each mapping or list on the way is scanned once, its children's starts kept in four
    bytes each) instead of building a map of every path. The path maps (``values``, ``keys``: the other form,
    which callers may also pass in) are built only for a caller that wants all of them.
    """

    __slots__ = ("file", "data", "_values", "_keys", "_flat", "_starts", "_ordinals", "_top")

    def __init__(
        self,
        file: str,
        data: Any,
        values: dict[PathKey, Pos] | None = None,
        keys: dict[PathKey, Pos] | None = None,
        flat: Sequence[int] | None = None,
        top: array[int] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self._flat = flat
        self._values = values if values is not None or flat is not None else {}
        self._keys = keys if keys is not None or flat is not None else {}
        # flat form: a scanned container's path -> where each of its children's values starts in _flat
        self._starts: dict[PathKey, array[int]] = {}
        self._top = top  # the top-level mapping's starts, when the loader counted them as it went
        self._ordinals: dict[PathKey, dict[str, int]] = {}  # a large mapping's path -> each key's place

    def _expand(self) -> None:
        """The path maps of every value and key, from the flat form."""
        flat = self._flat or []
        values: dict[PathKey, Pos] = {}
        keys: dict[PathKey, Pos] = {}
        size = len(flat)

        def walk(path: PathKey, value: Any, i: int) -> int:
            if i + 1 < size:
                values[path] = Pos(flat[i], flat[i + 1])
            i += 2
            if isinstance(value, dict):
                for k, v in value.items():
                    if i + 1 < size:
                        keys[(*path, k)] = Pos(flat[i], flat[i + 1])
                    i = walk((*path, k), v, i + 2)
            elif isinstance(value, list):
                for n, v in enumerate(value):
                    i = walk((*path, n), v, i)
            return i

        walk((), self.data, 0)
        self._values, self._keys, self._flat = values, keys, None
        self._starts, self._ordinals = {}, {}

    @property
    def values(self) -> dict[PathKey, Pos]:
        if self._flat is not None:
            self._expand()
        assert self._values is not None
        return self._values

    @property
    def keys(self) -> dict[PathKey, Pos]:
        if self._flat is not None:
            self._expand()
        assert self._keys is not None
        return self._keys

    def flat(self) -> Sequence[int]:
        """Positions in depth-first order (see the class docstring); ``0, 0`` where a map has none."""
        if self._flat is not None:
            return self._flat
        out: list[int] = []
        values, keys, none = self.values, self.keys, Pos(0, 0)

        def walk(path: PathKey, value: Any) -> None:
            out.extend(values.get(path, none))
            if isinstance(value, dict):
                for k, v in value.items():
                    out.extend(keys.get((*path, k), none))
                    walk((*path, k), v)
            elif isinstance(value, list):
                for n, v in enumerate(value):
                    walk((*path, n), v)

        walk((), self.data)
        return out

    def compact(self) -> None:
        """Keep positions in flat form until a finding asks for one: 10x less memory for a clean record."""
        if self._flat is None:
            self._flat = self.flat()
            self._values = self._keys = None
            self._starts, self._ordinals = {}, {}

    @property
    def top(self) -> array[int] | None:
        """Where each value of the top-level mapping starts in the flat form, if known without a scan."""
        top = self._top
        return top if top is not None and isinstance(self.data, dict) and len(top) == len(self.data) else None

    def _locate(self, path: PathKey) -> tuple[int, int] | None:
        """Flat form: where the value at ``path`` (and its key, or -1) start in ``_flat``; None when ``data`` has
        no such path.

        Each container on the way is scanned once — where its children start is kept — so the cost of a lookup
        is the size of what lies before the path, counted, not a map of every path built.
        """
        node, at, key = self.data, 0, -1
        for depth, step in enumerate(path):
            if isinstance(node, dict):
                n = self._ordinal(path[:depth], node, step)
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                n = int(step)
            else:
                return None
            if n is None:
                return None
            starts = self._starts.get(path[:depth])
            if starts is None:
                starts = self._starts[path[:depth]] = (depth == 0 and self.top) or _child_starts(node, at)
            at = starts[n]
            key = at - 2 if isinstance(node, dict) else -1
            node = node[step] if isinstance(node, dict) else node[n]
        return at, key

    def _ordinal(self, path: PathKey, mapping: dict[str, Any], key: str | int) -> int | None:
        """The place of ``key`` among the mapping's keys (a large mapping's places are kept, once counted)."""
        if key not in mapping:
            return None
        if len(mapping) <= _COUNTED:
            return next(n for n, k in enumerate(mapping) if k == key)
        places = self._ordinals.get(path)
        if places is None:
            places = self._ordinals[path] = {k: n for n, k in enumerate(mapping)}
        return places[key]

    def _position(self, i: int) -> Pos | None:
        flat = self._flat
        assert flat is not None
        return Pos(flat[i], flat[i + 1]) if i >= 0 and i + 1 < len(flat) else None

    def pos(self, path: PathKey) -> Pos:
        """Where the value at ``path`` is, or its nearest existing ancestor (a missing key's parent)."""
        p = tuple(path)
        if self._flat is not None:
            while True:
                located = self._locate(p)
                found = self._position(located[0]) if located is not None else None
                if found is not None and found.line:
                    return found
                if not p:
                    return Pos(1, 1)
                p = p[:-1]
        values = self.values
        while p:
            got = values.get(p)
            if got is not None and got.line:
                return got
            p = p[:-1]
        got = values.get(())
        return got if got is not None and got.line else Pos(1, 1)

    def has_key(self, path: PathKey) -> bool:
        """Whether ``path`` names a mapping entry of ``data`` (whose key has a position)."""
        if self._flat is None:
            return tuple(path) in self.keys
        located = self._locate(tuple(path))
        return located is not None and located[1] >= 0 and self._position(located[1]) is not None

    def key_pos(self, path: PathKey) -> Pos:
        """Where the key of the mapping entry at ``path`` is (for unknown keys), else the value."""
        if self._flat is None:
            found = self.keys.get(tuple(path))
        else:
            located = self._locate(tuple(path))
            found = self._position(located[1]) if located is not None else None
        return found if found is not None and found.line else self.pos(path)


def _span(value: Any) -> int:
    """How many numbers the flat form holds for ``value`` and everything under it: two per value, two per key."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        total += 2
        if isinstance(item, dict):
            total += 2 * len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total


#: Mappings of up to this many keys find a key's place by counting; larger ones keep every key's place.
_COUNTED = 32


def _child_starts(container: Any, at: int) -> array[int]:
    """Where each child of the container whose value starts at ``at`` starts (its key two numbers earlier)."""
    out = array("I")
    at += 2
    if isinstance(container, dict):
        for v in container.values():
            out.append(at + 2)
            at += 2 + _span(v)
    else:
        for v in container:
            out.append(at)
            at += _span(v)
    return out
