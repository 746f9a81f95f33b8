"""What stops a hostile YAML text before its values are built: too many nested brackets, alias bombs.

libyaml composes recursively in C (about 100,000 nested flow brackets crash the interpreter), and aliases can
expand exponentially ("billion laughs"). :func:`bracket_guard` bounds the brackets before libyaml sees the
text; :func:`alias_guard` measures the composed node graph *before* anything is expanded — each distinct
node sized once, every alias reference costing the size of the subtree it would copy — so a 342-byte bomb is
rejected after a few dozen nodes; :func:`may_alias` tells when there is no alias to measure at all. Each
refusal is a located :class:`~fes_docs.document.LoadProblem`, raised as :class:`Refused`. Used by
:mod:`fes_docs.loader`, whose walk keeps a node budget as a backstop.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .document import LoadProblem, Pos
from .positions import line_column


class Refused(Exception):
    """A text or document the loader will not read, with the located reason."""

    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def mark_pos(mark: Any) -> Pos:
    """A libyaml mark as a 1-based position (the start of the text when there is none)."""
    return Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)


# Where an alias could be resolved, as libyaml's scanner reads one (the fast parser of spec documents is
# libyaml too, translated to Rust: unsafe-libyaml). A '*' starts an alias token where a token may start:
# after a blank, a line break, a byte-order mark (libyaml skips one at any line's start), a flow
# indicator, ':' or '?' (indicators in flow context even without a blank after them), or a quoted
# scalar's closing quote; at the text's very start no anchor can stand before it. Its name is
# [0-9A-Za-z_-]+, and the scanner refuses the token unless a blank, a line break, the end or one of
# ?:,]}%@` follows. YAML's line breaks are \r, \n, NEL, LS and PS, not only \n. An alias is only
# expanded when an anchor of its name stands before it, written '&name' in the text, so a candidate
# without one is harmless: the parser fails on it, expanding nothing. In bytes, \x85, \xa8, \xa9 and
# \xbf stand for the last bytes of NEL, LS, PS and the byte-order mark (any character ending so counts:
# a false alarm at worst).
#: What may follow an alias's name (libyaml's scanner), besides NEL, LS and PS.
_NAME_END = r"[ \t\r\n\x00?:,\]}%@`]|\Z"
_ALIAS_TEXT = re.compile(
    r"\*(?<=[ \t\r\n\[\]{},:?"
    + "\"'\x85\u2028\u2029\ufeff"
    + r"]\*)([0-9A-Za-z_-]+)(?=["
    + "\x85\u2028\u2029"
    + "]|"
    + _NAME_END
    + ")"
)
_ALIAS_BYTES = re.compile(
    rb"\*(?<=[ \t\r\n\[\]{},:?\"'\x85\xa8\xa9\xbf]\*)([0-9A-Za-z_-]+)(?=\xc2\x85|\xe2\x80[\xa8\xa9]|"
    + _NAME_END.encode()
    + rb")"
)
_ANCHOR_TEXT = re.compile(r"&([0-9A-Za-z_-]+)")
_ANCHOR_BYTES = re.compile(rb"&([0-9A-Za-z_-]+)")


def may_alias(text: str | bytes) -> bool:
    """Whether ``text`` (a YAML document, as text or as the bytes a parser is handed) may hold an alias
    that resolves: an alias token by libyaml's scanner rules whose name some ``&name`` in the text also
    bears (see above). Sound, not exact: a ``*Note:`` line in a description counts only where the text
    also holds ``&Note``. Both passes are regular-expression scans in C. Used by the records' loader
    (whether to measure the node graph) and by the spec parser (whether the fast parser, which expands
    aliases without a bound, may read the bytes at all): one rule for both.
    """
    if isinstance(text, bytes):
        if text[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, which libyaml reads too: not scanned as bytes
            return True
        aliases = {m.group(1) for m in _ALIAS_BYTES.finditer(text)}
        return bool(aliases) and not aliases.isdisjoint(m.group(1) for m in _ANCHOR_BYTES.finditer(text))
    names = {m.group(1) for m in _ALIAS_TEXT.finditer(text)}
    return bool(names) and not names.isdisjoint(m.group(1) for m in _ANCHOR_TEXT.finditer(text))


_BRACKETS = re.compile(r"[\[\]{}]")
# libyaml composes recursively in C: ~100,000 nested flow brackets crash the interpreter. Block
# nesting costs at least one column per level, so a size-limited file cannot nest deep that way;
# flow brackets cost one byte per level and are bounded here before libyaml sees them. The count
# includes brackets inside strings and comments, so the bound is generous (the exact limit, in
# real nesting levels, is enforced while walking the composed nodes).
MAX_BRACKET_RUN = 1000


#: Every byte but the four brackets, for :func:`brackets_within_bound` to delete.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def brackets_within_bound(data: bytes) -> bool:
    """:func:`bracket_guard`'s rule on raw UTF-8 bytes, as a yes or no, before a parser that is not ours
    sees them (libyaml also takes time quadratic in the run: 100,000 brackets, half a minute). The
    brackets are picked out in C, so a spec of megabytes costs milliseconds."""
    only = data.translate(None, _NOT_BRACKETS)
    if only.count(b"[") + only.count(b"{") <= MAX_BRACKET_RUN:
        return True
    depth = 0
    for byte in only:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_BRACKET_RUN:
                return False
        elif depth:
            depth -= 1
    return True


def bracket_guard(text: str) -> None:
    depth = 0
    for m in _BRACKETS.finditer(text):
        if m.group() in "[{":
            depth += 1
            if depth > MAX_BRACKET_RUN:
                line, col = line_column(text, m.start())
                raise Refused(
                    LoadProblem(
                        "FES003", f"nesting deeper than {MAX_BRACKET_RUN} brackets", line, col, "flatten the structure"
                    )
                )
        elif depth:
            depth -= 1


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [value for _key, value in node.value]
    return []


def alias_guard(root: Any, max_nodes: int, max_alias_nodes: int) -> int:
    """Reject alias bombs on the composed graph, before any value is built; returns the nodes sized.

    An alias composes to the very node its anchor made, so a node met a second time in document
    order is an alias reference: it costs the size its subtree would expand to, known because its
    anchor (met first) is already sized. A node met again while it is still being sized is an alias
    inside its own anchor (a cycle). Iterative, each distinct node visited once.
    """
    size: dict[int, int] = {}
    open_: set[int] = set()
    alias_values = 0
    visited = 0
    stack: list[tuple[Any, Any, bool]] = [(root, root, False)]
    while stack:
        node, parent, done = stack.pop()
        key = id(node)
        if done:
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            open_.discard(key)
            continue
        if key in size or key in open_:
            alias_values += size.get(key, max_alias_nodes + 1)
            if alias_values > max_alias_nodes:
                pos = mark_pos(parent.start_mark)
                raise Refused(
                    LoadProblem(
                        "FES003",
                        f"aliases expand to more than {max_alias_nodes} values (an alias bomb?)"
                        if key in size
                        else "an alias refers to its own anchor (an endless expansion)",
                        pos.line,
                        pos.column,
                        "write the values out; do not nest aliases",
                    )
                )
            continue
        visited += 1
        open_.add(key)
        stack.append((node, parent, True))
        stack.extend((child, node, False) for child in reversed(_children(node)))
    if size[id(root)] > max_nodes:
        pos = mark_pos(root.start_mark)
        raise Refused(
            LoadProblem(
                "FES003",
                f"document expands to more than {max_nodes} values (an alias bomb?)",
                pos.line,
                pos.column,
                "write the values out; do not nest aliases",
            )
        )
    return visited
