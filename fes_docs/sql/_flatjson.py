"""``json.loads`` without recursion, for syntax trees nested deeper than Python's JSON decoder follows.

200 nested subqueries are about 1,400 JSON levels in libpg_query's tree; PostgreSQL accepts them (and
libpg_query itself stops at about 10,000), but the C decoder stops at Python's recursion limit. No
well-kept library decodes without a depth limit (orjson, for one, stops at 1024 levels), hence this small
decoder: scalars are decoded by the standard library, only the nesting is walked with an explicit stack.
"""

from __future__ import annotations

import json
import re
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_SCALARS = json.JSONDecoder()  # strings, numbers, true/false/null: each decoded without recursion


def loads_flat(s: str) -> Any:
    """``json.loads`` with an explicit stack instead of recursion, for trees nested deeper than the C
    decoder goes (it stops at Python's recursion limit). Raises ``ValueError`` on malformed JSON."""
    stack: list[Any] = []  # the open containers, innermost last
    keys: list[str] = []  # the pending key of each open object
    pos = 0

    def key_at(p: int) -> int:
        p = _ws(s, p)
        if s[p : p + 1] != '"':
            raise ValueError(f"expected a key at {p}")
        key, p = _SCALARS.raw_decode(s, p)
        p = _ws(s, p)
        if s[p : p + 1] != ":":
            raise ValueError(f"expected ':' at {p}")
        keys.append(key)
        return p + 1

    while True:
        pos = _ws(s, pos)
        ch = s[pos : pos + 1]
        value: Any
        if ch in ("{", "["):
            pos = _ws(s, pos + 1)
            if s[pos : pos + 1] == ("}" if ch == "{" else "]"):
                value, pos = ({} if ch == "{" else []), pos + 1
            else:
                stack.append({} if ch == "{" else [])
                if ch == "{":
                    pos = key_at(pos)
                continue
        else:
            value, pos = _SCALARS.raw_decode(s, pos)
        while True:  # hand the value to its container, closing every container that ends here
            if not stack:
                if _ws(s, pos) != len(s):
                    raise ValueError(f"extra data at {pos}")
                return value
            top = stack[-1]
            if isinstance(top, list):
                top.append(value)
            else:
                top[keys.pop()] = value
            pos = _ws(s, pos)
            ch = s[pos : pos + 1]
            if ch == ",":
                pos = key_at(pos + 1) if isinstance(top, dict) else pos + 1
                break
            if ch != ("]" if isinstance(top, list) else "}"):
                raise ValueError(f"expected ',' or a closing bracket at {pos}")
            value, pos = stack.pop(), pos + 1


def _ws(s: str, pos: int) -> int:
    m = _WS.match(s, pos)
    return m.end() if m else pos
