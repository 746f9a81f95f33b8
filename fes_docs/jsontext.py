"""JSON text, written fast: orjson (in Rust) where it writes what the json module would, the json module
where it cannot.

Why: at 10,000 records a report holds 40,000 findings, and the json module's indenting encoder is pure
Python — half a second for the report, as much again for the cache's entries. orjson writes the same bytes
as ``json.dumps(doc, indent=2, ensure_ascii=False)`` (two-space indent, ``": "``, non-ASCII as is, the
same escapes), checked by the tests on real reports. It refuses what the json module would write anyway
— a lone surrogate (a YAML ``"\\ud800"`` escape), an integer beyond 64 bits, a key that is not a string —
and then the json module writes it, so nothing a record holds can fail a report. One difference is left:
orjson writes a float that is not finite as ``null`` where the json module writes ``NaN`` (which is not
JSON); no report carries floats.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# A dataclass, a datetime or a subclass of str/int/dict/list goes to the json module, which decides as before.
_PASS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def indented(doc: Any) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False)``, byte for byte."""
    try:
        return orjson.dumps(doc, default=_refuse, option=orjson.OPT_INDENT_2 | _PASS).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(doc, indent=2, ensure_ascii=False)


def compact(value: Any) -> str:
    """Compact JSON that ``json.loads`` reads back as ``value`` (non-ASCII written as is)."""
    try:
        return orjson.dumps(value, default=_refuse, option=_PASS).decode("utf-8")
    except TypeError:
        return json.dumps(value, separators=(",", ":"))
