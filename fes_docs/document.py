"""What the loader hands on: plain data, and where every value and key of it sits in its file.

Kept apart from :mod:`fes_docs.loader` (which decides *how* untrusted bytes become this) because every
later stage — model, schema, rules, the OpenAPI workspace — reads positions from it, and none of them
needs the parser.
"""

from __future__ import annotations

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

    Positions come in one of two forms. The loader and the cache give the *flat* form: one list of
    1-based lines and columns in the order a depth-first walk of ``data`` meets them — a value's when it is
    entered, a mapping key's just before its value (:meth:`flat`). A clean record never asks where anything
    is, and a record with a finding asks a handful of times, so a lookup in flat form counts its way down the
    one path it needs (each mapping or list on the way is scanned once and remembered) instead of building a
    map of every path. The path maps (``values``, ``keys``: the other form, which callers may also pass in)
    are built only for a caller that wants all of them.
    """

    __slots__ = ("file", "data", "_values", "_keys", "_flat", "_at", "_scanned")

    def __init__(
        self,
        file: str,
        data: Any,
        values: dict[PathKey, Pos] | None = None,
        keys: dict[PathKey, Pos] | None = None,
        flat: list[int] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self._flat = flat
        self._values = values if values is not None or flat is not None else {}
        self._keys = keys if keys is not None or flat is not None else {}
        # flat form: path -> (index of its value's line in _flat, of its key's line or -1, the value itself)
        self._at: dict[PathKey, tuple[int, int, Any]] = {}
        self._scanned: set[PathKey] = set()  # the containers whose children are in _at

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
        self._values, self._keys, self._flat, self._at, self._scanned = values, keys, None, {}, set()

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

    def flat(self) -> list[int]:
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
            self._at, self._scanned = {}, set()

    def _locate(self, path: PathKey) -> tuple[int, int, Any] | None:
        """Flat form: where the value (and key) at ``path`` start in ``_flat``; None when ``data`` has no such path.

        Each container on the way is scanned once — its children's start indexes remembered — so the cost of
        a lookup is the size of what lies before the path, counted, not a map of every path built.
        """
        at = self._at
        if not at:  # the data is set by now (the loader fills it in after the walk)
            at[()] = (0, -1, self.data)
        found = at.get(path)
        if found is not None:
            return found
        for depth in range(len(path)):
            parent, here = path[:depth], path[: depth + 1]
            if here in at:
                continue
            entry = at.get(parent)
            if entry is None or parent in self._scanned:  # not in the data, or scanned already and absent
                return None
            _scan(at, parent, entry)
            self._scanned.add(parent)
            if here not in at:
                return None
        return at.get(path)

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
        return located is not None and self._position(located[1]) is not None

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


def _scan(at: dict[PathKey, tuple[int, int, Any]], parent: PathKey, entry: tuple[int, int, Any]) -> None:
    """Remember where each child of the container at ``parent`` starts."""
    i, _, value = entry
    i += 2
    if isinstance(value, dict):
        for k, v in value.items():
            at[(*parent, k)] = (i + 2, i, v)
            i += 2 + _span(v)
    elif isinstance(value, list):
        for n, v in enumerate(value):
            at[(*parent, n)] = (i, -1, v)
            i += _span(v)
