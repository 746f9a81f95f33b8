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

    Positions can also be given in compact form (``flat``: lines and columns in the order a
    depth-first walk of ``data`` meets values and keys, as the cache stores them); the path maps are
    then rebuilt only when a finding actually asks where something is, which a clean run never does.
    """

    __slots__ = ("file", "data", "_values", "_keys", "_flat")

    def __init__(
        self,
        file: str,
        data: Any,
        values: dict[PathKey, Pos] | None = None,
        keys: dict[PathKey, Pos] | None = None,
        flat: tuple[list[int], list[int]] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self._values = values if values is not None or flat is not None else {}
        self._keys = keys if keys is not None or flat is not None else {}
        self._flat = flat

    def _expand(self) -> None:
        vflat, kflat = self._flat or ([], [])
        values: dict[PathKey, Pos] = {}
        keys: dict[PathKey, Pos] = {}
        vi = ki = 0
        stack: list[tuple[PathKey, Any]] = [((), self.data)]
        while stack:
            path, value = stack.pop()
            if vi + 1 < len(vflat):
                values[path] = Pos(vflat[vi], vflat[vi + 1])
            vi += 2
            children: list[tuple[PathKey, Any]] = []
            if isinstance(value, dict):
                for k, v in value.items():
                    if ki + 1 < len(kflat):
                        keys[(*path, k)] = Pos(kflat[ki], kflat[ki + 1])
                    ki += 2
                    children.append(((*path, k), v))
            elif isinstance(value, list):
                children = [((*path, i), v) for i, v in enumerate(value)]
            stack.extend(reversed(children))
        self._values, self._keys, self._flat = values, keys, None

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

    def flat(self) -> tuple[list[int], list[int]]:
        """Positions in depth-first order (values pre-order; keys as each mapping is entered)."""
        if self._flat is not None:
            return self._flat
        vflat: list[int] = []
        kflat: list[int] = []
        stack: list[tuple[PathKey, Any]] = [((), self.data)]
        while stack:
            path, value = stack.pop()
            p = self.values.get(path, Pos(0, 0))
            vflat += (p.line, p.column)
            children: list[tuple[PathKey, Any]] = []
            if isinstance(value, dict):
                for k, v in value.items():
                    kp = self.keys.get((*path, k), Pos(0, 0))
                    kflat += (kp.line, kp.column)
                    children.append(((*path, k), v))
            elif isinstance(value, list):
                children = [((*path, i), v) for i, v in enumerate(value)]
            stack.extend(reversed(children))
        return vflat, kflat

    def compact(self) -> None:
        """Keep positions in flat form until a finding asks for one: 10x less memory for a clean record."""
        if self._flat is None:
            self._flat = self.flat()
            self._values = self._keys = None

    def pos(self, path: PathKey) -> Pos:
        """Where the value at ``path`` is, or its nearest existing ancestor (a missing key's parent)."""
        values = self.values
        p = tuple(path)
        while p:
            found = values.get(p)
            if found is not None and found.line:
                return found
            p = p[:-1]
        found = values.get(())
        return found if found is not None and found.line else Pos(1, 1)

    def key_pos(self, path: PathKey) -> Pos:
        """Where the key of the mapping entry at ``path`` is (for unknown keys), else the value."""
        found = self.keys.get(tuple(path))
        return found if found is not None and found.line else self.pos(path)
