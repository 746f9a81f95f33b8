"""Text made inert for every output: one definition of what may not reach a terminal as itself.

A module of its own (re-exported by :mod:`fes_docs.report`) so that what escapes text without reporting
findings — ``api-diff``, the gate, CODEOWNERS — does not import the rule catalogue with the reporters.
"""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1), line and paragraph separators, the bidirectional overrides of
# "Trojan source", and lone surrogates (a JSON spec may write "\ud800"; no UTF-8 output can hold one, so
# writing it crashed the command): none may reach a terminal, a CI log, an XML parser or a code-scanning
# UI as itself.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def inert(s: str, keep: str = "") -> str:
    """``s`` with every control character written out (``\\x1b``, ``\\u202e``): output is never steered by
    what a record, an SQL file or a spec contains, and XML stays well-formed."""
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _written_out(m.group()), s)


def is_inert(s: str) -> bool:
    """Whether ``s`` holds nothing :func:`inert` would write out (nearly every text: it is then used as is)."""
    return _CONTROL.search(s) is None


def _written_out(c: str) -> str:
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
