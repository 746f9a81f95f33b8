"""Surgical edits of YAML text: change or add one list item, keep every other byte as it was.

Why not a round-trip library (ruamel.yaml): it re-emits the *whole* document with one global
indentation. On the example records that re-indented every ``validation:`` block, re-folded ``>-``
scalars, collapsed aligned flow mappings and moved end-of-line comments — six of six files changed
outside the sign-off being written, which a reviewer would then have to read as a diff. Here
PyYAML's composer gives each node's exact character span; an edit replaces or inserts text only
there, in the style of the neighbouring items. Callers verify the result parses to the intended data
(see :func:`fes_docs.signing.sign`), so a wrong splice can never be written.

Every file ``validate`` reads must be editable, whatever its line breaks (``\\n``, ``\\r\\n``, a lone
``\\r``), markers (``---``, ``...``) or style. So the editor reads indentation from the scanner's own
tokens (the ``-`` of each list item) instead of searching the text, finds line ends as YAML does, and
parses with validate's libyaml when the pure-Python parser refuses what libyaml accepts (a tab inside
a flow mapping). What it cannot do alone it refuses with the place: a sign-off shared through a YAML
alias would change every copy at once, so it must be written out first.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import yaml

from .errors import FesDocsError
from .loader import load_text

# Conservative plain-scalar alphabet: no spaces, comments, flow indicators or quotes.
_PLAIN = re.compile(r"[A-Za-z0-9/][A-Za-z0-9_.@+/:-]*")
# What YAML 1.1 (PyYAML, libyaml) ends a line with.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_BREAKS = "\r\n\x85\u2028\u2029"
# A document end marker: `...` alone at the start of a line.
_DOC_END = re.compile(f"(?:^|(?<=[{_BREAKS}]))\\.\\.\\.(?=[ \\t{_BREAKS}]|$)")
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
# Not printable in YAML 1.1 (C1 controls, DEL, non-characters), or a YAML line break JSON leaves raw.
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# The pure-Python parser first: its marks are what the editor was built on. libyaml (validate's) next.
_LOADERS: list[type] = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]


class Mark(Protocol):
    """Where a token or node starts, as either parser gives it (0-based)."""

    @property
    def index(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


class EditError(FesDocsError):
    """The file's shape does not allow the edit (e.g. ``signoffs:`` is not a list); where, when known."""

    def __init__(self, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None

    def located(self, file: str) -> str:
        """``file:line:col: message``, so the user goes straight to the spot."""
        return f"{file}:{self.line}:{self.column}: {self.message}" if self.line else f"{file}: {self.message}"


def scalar(value: str, *, strict: bool = False) -> str:
    """``value`` as a YAML scalar that reads back as the same string in block and flow context.

    Plain where fes-docs' loader reads the plain text back as this string (``2026-04-09`` stays
    plain: the loader keeps dates as text). ``strict`` also quotes what another YAML 1.1 reader would
    type otherwise (a date, a time stamp), for values copied from one record into another.
    """
    if _PLAIN.fullmatch(value) and not value.endswith(":"):
        doc, problems = load_text(f"[{value}]", "<scalar>")
        if not problems and doc is not None and doc.data == [value] and (not strict or _yaml11_str(value)):
            return value
    return quoted(value)


def _yaml11_str(plain: str) -> bool:
    """Whether YAML 1.1's implicit types (any PyYAML-based reader's) leave this plain scalar a string."""
    node = yaml.compose(f"[{plain}]", Loader=yaml.SafeLoader)
    return isinstance(node, yaml.SequenceNode) and [n.tag for n in node.value] == [_STR]


def quoted(value: str) -> str:
    """A double-quoted scalar of exactly ``value``: JSON's escapes, and ``\\u`` escapes for what YAML
    cannot hold raw inside quotes (characters outside its printable set, and the line breaks NEL, LS and
    PS it would fold into spaces)."""
    return _RAW_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def flow_mapping(fields: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in fields.items()) + "}"


@dataclass
class _Tree:
    """The composed document, the marks of its ``-`` list entries, and which nodes aliases share."""

    text: str
    root: yaml.MappingNode
    dashes: list[Mark]
    shared: set[int] = field(default_factory=set)
    aliases: dict[int, Mark] = field(default_factory=dict)  # anchored node's start -> its first alias

    def dash_before(self, index: int) -> Mark | None:
        """The ``-`` of the block list entry whose content starts at ``index``."""
        i = bisect.bisect_left([int(d.index) for d in self.dashes], index)
        return self.dashes[i - 1] if i else None

    def unshared(self, node: yaml.Node, what: str, why: str = "editing it would change every copy") -> None:
        """Refuse to edit a node an alias refers to (or that is one): the edit would reach every copy."""
        if id(node) in self.shared:
            raise EditError(
                f"{what} is shared through a YAML alias (`&anchor` / `*alias`), so {why}; "
                "write it out in full, then sign",
                self.aliases.get(int(node.start_mark.index), node.start_mark),
            )


def _compose(text: str) -> _Tree:
    problem: yaml.YAMLError | None = None
    for loader in _LOADERS:
        try:
            root = yaml.compose(text, Loader=loader)
            dashes = [t.start_mark for t in yaml.scan(text, Loader=loader) if isinstance(t, yaml.BlockEntryToken)]
            events = list(yaml.parse(text, Loader=loader)) if "*" in text else []
            break
        except yaml.YAMLError as exc:
            problem = problem or exc
    else:
        first = str(problem).splitlines()[0] if problem else "unreadable"
        raise EditError(f"the file is not valid YAML ({first})", getattr(problem, "problem_mark", None))
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the file's top level is not a mapping", root.start_mark if root is not None else None)
    tree = _Tree(text, root, dashes)
    if events:
        _note_aliases(tree, events)
    return tree


def _note_aliases(tree: _Tree, events: list[yaml.Event]) -> None:
    anchored: dict[str, int] = {}  # in document order: an anchor may be defined again
    for e in events:
        if isinstance(e, yaml.NodeEvent) and e.start_mark is not None and e.anchor:
            if not isinstance(e, yaml.AliasEvent):
                anchored[e.anchor] = int(e.start_mark.index)
            elif e.anchor in anchored:
                tree.aliases.setdefault(anchored[e.anchor], e.start_mark)
    seen: set[int] = set()
    stack: list[yaml.Node] = [tree.root]
    while stack:  # a node met twice is the same node under an anchor and an alias
        node = stack.pop()
        if id(node) in seen:
            tree.shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _newline(text: str) -> str:
    """The file's own line break (its first one), so an edit never mixes styles."""
    m = _BREAK.search(text)
    return m.group() if m else "\n"


def _value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _content_end(node: yaml.Node, text: str) -> int:
    """Index just after a node's last content character (block nodes' end marks run on to the next token)."""
    if isinstance(node, yaml.ScalarNode):
        end = int(node.end_mark.index)
        if node.style in ("|", ">"):  # block scalars own their trailing line breaks
            while end > node.start_mark.index and text[end - 1] in " " + _BREAKS:
                end -= 1
        return end
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    if isinstance(node, yaml.MappingNode):
        return max(max(_content_end(k, text), _content_end(v, text)) for k, v in node.value)
    return max(_content_end(child, text) for child in node.value)


def _after_line(text: str, index: int) -> int:
    """Index of the start of the line after the one holding ``index - 1`` (past any end-of-line comment)."""
    m = _BREAK.search(text, max(index - 1, 0))
    return len(text) if m is None else m.end()


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _ensure_final_newline(text: str, at: int) -> tuple[str, int]:
    """Inserting at the end of a file without a final line break needs one first."""
    if at == len(text) and text and text[-1] not in _BREAKS:
        text += _newline(text)
        at = len(text)
    return text, at


def _empty(node: yaml.Node | None) -> bool:
    """``key:``, ``key: ~`` or ``key: null``: no value yet, a list may take its place."""
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL and node.style is None


def set_item_fields(text: str, list_key: str, index: int, fields: Mapping[str, str]) -> str:
    """Set ``fields`` on the mapping at ``list_key[index]``: replace existing values, add missing keys."""
    tree = _compose(text)
    seq = _value(tree.root, list_key)
    if not isinstance(seq, yaml.SequenceNode) or not 0 <= index < len(seq.value):
        raise EditError(f"`{list_key}` has no item {index + 1}", seq.start_mark if seq else None)
    item = seq.value[index]
    if not isinstance(item, yaml.MappingNode):
        raise EditError(f"item {index + 1} of `{list_key}` is not a mapping", item.start_mark)
    tree.unshared(seq, f"`{list_key}`")
    tree.unshared(item, f"item {index + 1} of `{list_key}`")
    edits: list[tuple[int, int, str]] = []
    present = set()
    for k, v in item.value:
        if isinstance(k, yaml.ScalarNode) and k.value in fields:
            tree.unshared(v, f"`{k.value}` of item {index + 1} of `{list_key}`")
            present.add(k.value)
            start = int(v.start_mark.index)
            if isinstance(v, yaml.ScalarNode) and v.value == "" and v.style is None:
                # `key:` with no value: the empty scalar sits right after the colon
                edits.append((start, start, " " + scalar(fields[k.value])))
            else:
                edits.append((start, _content_end(v, text), scalar(fields[k.value])))
    missing = {k: v for k, v in fields.items() if k not in present}
    if missing:
        if item.flow_style:
            close = int(item.end_mark.index) - 1  # the closing brace
            at = close
            while at > item.start_mark.index + 1 and text[at - 1] in " \t" + _BREAKS:
                at -= 1
            sep = "" if not item.value else ", "
            edits.append((at, at, sep + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in missing.items())))
        else:
            nl = _newline(text)
            indent = " " * int(item.value[0][0].start_mark.column)
            at = _after_line(text, _content_end(item, text))
            text, at = _ensure_final_newline(text, at)
            added = "".join(f"{indent}{scalar(k)}: {scalar(v)}{nl}" for k, v in missing.items())
            edits.append((at, at, added))
    return _splice(text, edits)


def _sequence_indent(tree: _Tree) -> int:
    """The dash column of the file's block sequences, so an added list looks like the others."""
    for _, v in tree.root.value:
        if isinstance(v, yaml.SequenceNode) and not v.flow_style and v.value:
            dash = tree.dash_before(int(v.value[0].start_mark.index))
            if dash is not None:
                return int(dash.column)
    return 2


def _new_key_at(tree: _Tree) -> int:
    """Where a key is added to a block document: the end, or before a closing ``...`` marker."""
    end = _DOC_END.search(tree.text, _content_end(tree.root, tree.text))
    return end.start() if end else len(tree.text)


def append_item(text: str, list_key: str, fields: Mapping[str, str]) -> str:
    """Append a mapping to the list ``list_key`` (created at the end of the file when absent)."""
    tree = _compose(text)
    root = tree.root
    nl = _newline(text)
    item = flow_mapping(fields)
    seq = _value(root, list_key)
    if seq is None:
        if root.flow_style:
            close = int(root.end_mark.index) - 1
            return _splice(text, [(close, close, f", {scalar(list_key)}: [{item}]")])
        indent = " " * _sequence_indent(tree)
        text, at = _ensure_final_newline(text, _new_key_at(tree))
        return _splice(text, [(at, at, f"{scalar(list_key)}:{nl}{indent}- {item}{nl}")])
    tree.unshared(seq, f"`{list_key}`")
    empty_flow = isinstance(seq, yaml.SequenceNode) and seq.flow_style and not seq.value
    if (_empty(seq) or empty_flow) and not root.flow_style:
        # `key:`, `key: null` or `key: []` becomes a block list, one item per line (reviewable, blame-able)
        start, end = int(seq.start_mark.index), int(seq.end_mark.index)
        rest = text[end : _after_line(text, end + 1)]
        if rest.strip():  # a comment follows: keep its column
            edits = [(start, end, " " * (end - start))]
        else:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
            edits = [(start, end, "")]
        at = _after_line(text, end)
        text, at = _ensure_final_newline(text, at)
        edits.append((at, at, f"{' ' * _sequence_indent(tree)}- {item}{nl}"))
        return _splice(text, edits)
    if _empty(seq):  # in a flow document
        start, end = int(seq.start_mark.index), int(seq.end_mark.index)
        return _splice(text, [(start, end, f"{' ' if start == end else ''}[{item}]")])
    if not isinstance(seq, yaml.SequenceNode):
        raise EditError(f"`{list_key}` is not a list (write `{list_key}: []` to start one)", seq.start_mark)
    if seq.value:  # a new entry goes after the last one's own text, which an alias does not have
        tree.unshared(seq.value[-1], f"the last item of `{list_key}`", "no text of its own ends where a new one goes")
    if seq.flow_style:
        if not seq.value:
            close = int(seq.end_mark.index) - 1
            return _splice(text, [(close, close, item)])
        at = _content_end(seq.value[-1], text)
        return _splice(text, [(at, at, f", {item}")])
    return _append_block(tree, seq, fields, item)


def _append_block(tree: _Tree, seq: yaml.SequenceNode, fields: Mapping[str, str], item: str) -> str:
    """A new ``-`` entry after the last one, with its dash, gap and key indentation."""
    text, nl = tree.text, _newline(tree.text)
    last = seq.value[-1]
    mark = tree.dash_before(int(last.start_mark.index))
    if mark is None:  # pragma: no cover - a block list's items always follow a dash token
        raise EditError("cannot find the `-` of the last sign-off", last.start_mark)
    dash = " " * int(mark.column)
    block = isinstance(last, yaml.MappingNode) and not last.flow_style and last.value
    if last.start_mark.line == mark.line:  # `-   role: x`: keep the gap after the dash
        gap = " " * (int(last.start_mark.index) - int(mark.index) - 1)
    elif block:  # `-` alone, the keys below it: the new first key goes where theirs are
        gap = " " * max(1, int(last.value[0][0].start_mark.column) - int(mark.column) - 1)
    else:
        gap = " "
    if block:
        key_indent = " " * int(last.value[0][0].start_mark.column)
        pairs = [f"{scalar(k)}: {scalar(v)}" for k, v in fields.items()]
        new = f"{dash}-{gap}{pairs[0]}{nl}" + "".join(f"{key_indent}{p}{nl}" for p in pairs[1:])
    else:
        new = f"{dash}-{gap}{item}{nl}"
    at = _after_line(text, _content_end(last, text))
    text, at = _ensure_final_newline(text, at)
    return _splice(text, [(at, at, new)])
