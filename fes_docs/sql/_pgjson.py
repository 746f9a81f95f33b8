"""libpg_query's JSON syntax tree with attribute access, and statement offsets in characters.

``pglast.parse_sql`` builds a Python object per node and validates every attribute; on a folder of
migrations that was two thirds of the analysis time. ``pglast.parser.parse_sql_json`` returns the same
tree as JSON straight from C (about 4.5 times faster on a 110 kB pg_dump), so the classifier reads that
through the thin :class:`J` wrapper instead. Two JSON details it hides:

* a node is ``{"NodeType": {fields}}`` where the field is a generic node, but a bare ``{fields}`` where
  the field has a fixed type (``relation``, ``typeName`` …); both become a :class:`J` (``tag`` is the
  node type or ``None``), and ``{"List": {"items": [...]}}`` becomes a tuple;
* protobuf JSON leaves out default values, so a missing field reads as ``None`` (false, empty, zero).

The JSON reports ``stmt_location``/``stmt_len`` in **bytes** of the UTF-8 text; :func:`parse` converts
them to character offsets (pglast does so for its ``ParseError`` itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pglast.parser import parse_sql_json

from fes_docs.sql._flatjson import loads_flat


class J:
    """One node (or fixed-type struct) of the JSON tree; unknown/missing fields are ``None``."""

    __slots__ = ("tag", "_d")

    def __init__(self, tag: str | None, d: dict[str, Any]) -> None:
        self.tag = tag
        self._d = d

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return wrap(self._d.get(name))

    def get(self, name: str) -> Any:
        """For fields whose name is a Python keyword (``def``)."""
        return wrap(self._d.get(name))

    def values(self) -> Iterator[Any]:
        for v in self._d.values():
            yield wrap(v)

    def items(self) -> Iterator[tuple[str, Any]]:
        for k, v in self._d.items():
            yield k, wrap(v)

    def __repr__(self) -> str:
        return f"J({self.tag!r}, {self._d!r})"


def wrap(v: Any) -> Any:
    if isinstance(v, dict):
        if len(v) == 1:
            ((key, inner),) = v.items()
            if key[:1].isupper() and isinstance(inner, dict):
                if key == "List":
                    return tuple(wrap(x) for x in inner.get("items", ()))
                return J(key, inner)
        return J(None, v)
    if isinstance(v, list):
        return tuple(wrap(x) for x in v)
    return v


def walk(node: Any) -> Iterator[J]:
    """Every tagged node below ``node`` (inclusive)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, J):
            if n.tag is not None:
                yield n
            stack.extend(n.values())
        elif isinstance(n, tuple):
            stack.extend(n)


def parse(text: str) -> list[tuple[J, int, int]]:
    """``(statement, start, end)`` per statement, in characters; raises ``pglast.parser.ParseError``."""
    raw_json = parse_sql_json(text)
    try:
        tree = json.loads(raw_json)
    except RecursionError:  # nested deeper than the C decoder follows: decoded with an explicit stack
        tree = loads_flat(raw_json)
    raws = tree.get("stmts", [])
    data = None if text.isascii() else text.encode("utf-8")
    size = len(data) if data is not None else len(text)
    spans: list[tuple[int, int]] = []
    for raw in raws:
        start = int(raw.get("stmt_location", 0))
        length = int(raw.get("stmt_len", 0))
        spans.append((start, start + length if length else size))
    if data is not None:
        spans = _to_chars(data, spans)
    return [(wrap(raw.get("stmt")), s, e) for raw, (s, e) in zip(raws, spans, strict=True)]


def _to_chars(data: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte offsets → character offsets, decoding each stretch once (offsets only grow)."""
    points = sorted({p for span in spans for p in span})
    chars: dict[int, int] = {}
    prev_b = prev_c = 0
    for b in points:
        prev_c += len(data[prev_b:b].decode("utf-8", errors="replace"))
        chars[b] = prev_c
        prev_b = b
    return [(chars[s], chars[e]) for s, e in spans]
