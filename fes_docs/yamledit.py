"""Surgical edits of YAML text: change or add one list item, keep every other byte as it was.

Why not a round-trip library (ruamel.yaml): it re-emits the *whole* document with one global
indentation. On the example records that re-indented every ``validation:`` block, re-folded ``>-``
scalars, collapsed aligned flow mappings and moved end-of-line comments — six of six files changed
outside the sign-off being written, which a reviewer would then have to read as a diff. Here
PyYAML's composer gives each node's exact character span; an edit replaces or inserts text only
there, in the style of the neighbouring items. Callers verify the result parses to the intended data
(see :func:`fes_docs.signing.sign`), so a wrong splice can never be written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import yaml

from .errors import FesDocsError
from .loader import load_text
from .positions import line_column

# Conservative plain-scalar alphabet: no spaces, comments, flow indicators or quotes.
_PLAIN = re.compile(r"[A-Za-z0-9/][A-Za-z0-9_.@+/:-]*")


class EditError(FesDocsError):
    """The file's shape does not allow the edit (e.g. ``signoffs:`` is not a list); where, when known."""

    def __init__(self, message: str, node: yaml.Node | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = node.start_mark.line + 1 if node is not None else None
        self.column = node.start_mark.column + 1 if node is not None else None

    def located(self, file: str) -> str:
        """``file:line:col: message``, so the user goes straight to the spot."""
        return f"{file}:{self.line}:{self.column}: {self.message}" if self.line else f"{file}: {self.message}"


def scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same string in block and flow context."""
    if _PLAIN.fullmatch(value) and not value.endswith(":"):
        doc, problems = load_text(f"[{value}]", "<scalar>")
        if not problems and doc is not None and doc.data == [value]:
            return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def flow_mapping(fields: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in fields.items()) + "}"


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _compose(text: str) -> yaml.MappingNode:
    try:
        # The pure-Python composer: its marks index characters of ``text`` (libyaml's may not).
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise EditError(f"cannot edit: the file is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(root, yaml.MappingNode):
        raise EditError("cannot edit: the file's top level is not a mapping")
    return root


def _value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _content_end(node: yaml.Node) -> int:
    """Index just after a node's last content character (block nodes' end marks run on to the next token)."""
    if isinstance(node, yaml.ScalarNode):
        end = int(node.end_mark.index)
        if node.style in ("|", ">"):  # block scalars own their trailing line breaks
            buffer: str = node.end_mark.buffer or ""
            while end > node.start_mark.index and buffer[end - 1] in " \r\n":
                end -= 1
        return end
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    if isinstance(node, yaml.MappingNode):
        return max(max(_content_end(k), _content_end(v)) for k, v in node.value)
    return max(_content_end(child) for child in node.value)


def _after_line(text: str, index: int) -> int:
    """Index of the start of the line after the one holding ``index - 1`` (past any end-of-line comment)."""
    nl = text.find("\n", max(index - 1, 0))
    return len(text) if nl < 0 else nl + 1


def _column(text: str, index: int) -> int:
    """0-based column of ``index`` (indentation arithmetic), from the one position definition."""
    return line_column(text, index)[1] - 1


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _ensure_final_newline(text: str, at: int) -> tuple[str, int]:
    """Inserting at the end of a file without a final newline needs one first."""
    if at == len(text) and text and not text.endswith("\n"):
        text += _newline(text)
        at = len(text)
    return text, at


def set_item_fields(text: str, list_key: str, index: int, fields: Mapping[str, str]) -> str:
    """Set ``fields`` on the mapping at ``list_key[index]``: replace existing values, add missing keys."""
    root = _compose(text)
    seq = _value(root, list_key)
    if not isinstance(seq, yaml.SequenceNode) or not 0 <= index < len(seq.value):
        raise EditError(f"cannot edit: `{list_key}` has no item {index + 1}")
    item = seq.value[index]
    if not isinstance(item, yaml.MappingNode):
        raise EditError(f"cannot edit: item {index + 1} of `{list_key}` is not a mapping")
    edits: list[tuple[int, int, str]] = []
    present = set()
    for k, v in item.value:
        if isinstance(k, yaml.ScalarNode) and k.value in fields:
            present.add(k.value)
            start = int(v.start_mark.index)
            if isinstance(v, yaml.ScalarNode) and v.value == "" and v.style is None:
                # `key:` with no value: the empty scalar sits right after the colon
                edits.append((start, start, " " + scalar(fields[k.value])))
            else:
                edits.append((start, _content_end(v), scalar(fields[k.value])))
    missing = {k: v for k, v in fields.items() if k not in present}
    if missing:
        if item.flow_style:
            close = int(item.end_mark.index) - 1  # the closing brace
            at = close
            while at > item.start_mark.index + 1 and text[at - 1] in " \t\r\n":
                at -= 1
            sep = "" if not item.value else ", "
            edits.append((at, at, sep + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in missing.items())))
        else:
            nl = _newline(text)
            indent = " " * int(item.value[0][0].start_mark.column)
            at = _after_line(text, _content_end(item))
            text, at = _ensure_final_newline(text, at)
            added = "".join(f"{indent}{scalar(k)}: {scalar(v)}{nl}" for k, v in missing.items())
            edits.append((at, at, added))
    return _splice(text, edits)


def _sequence_indent(root: yaml.MappingNode, text: str) -> int:
    """The dash column of the file's block sequences, so an added list looks like the others."""
    for _, v in root.value:
        if isinstance(v, yaml.SequenceNode) and not v.flow_style and v.value:
            first = v.value[0]
            dash = text.rfind("-", 0, first.start_mark.index)
            if dash >= 0:
                return _column(text, dash)
    return 2


def append_item(text: str, list_key: str, fields: Mapping[str, str]) -> str:
    """Append a mapping to the list ``list_key`` (created at the end of the file when absent)."""
    root = _compose(text)
    nl = _newline(text)
    item = flow_mapping(fields)
    seq = _value(root, list_key)
    if seq is None:
        if root.flow_style:
            close = int(root.end_mark.index) - 1
            return _splice(text, [(close, close, f", {scalar(list_key)}: [{item}]")])
        indent = " " * _sequence_indent(root, text)
        text, at = _ensure_final_newline(text, len(text))
        return text + f"{scalar(list_key)}:{nl}{indent}- {item}{nl}"
    empty_value = isinstance(seq, yaml.ScalarNode) and seq.value == "" and seq.style is None
    empty_flow = isinstance(seq, yaml.SequenceNode) and seq.flow_style and not seq.value
    if (empty_value or empty_flow) and not root.flow_style and seq is not None:
        # `key:` or `key: []` becomes a block list, one item per line (reviewable, blame-able)
        start, end = int(seq.start_mark.index), int(seq.end_mark.index)
        line_end = text.find("\n", end)
        rest = text[end : line_end if line_end >= 0 else len(text)]
        if rest.strip():  # a comment follows: keep its column
            edits = [(start, end, " " * (end - start))]
        else:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
            edits = [(start, end, "")]
        at = _after_line(text, end)
        text, at = _ensure_final_newline(text, at)
        edits.append((at, at, f"{' ' * _sequence_indent(root, text)}- {item}{nl}"))
        return _splice(text, edits)
    if empty_value and seq is not None:
        start = int(seq.start_mark.index)
        return _splice(text, [(start, start, f" [{item}]")])
    if not isinstance(seq, yaml.SequenceNode):
        raise EditError(f"cannot edit: `{list_key}` is not a list")
    if seq.flow_style:
        if not seq.value:
            close = int(seq.end_mark.index) - 1
            return _splice(text, [(close, close, item)])
        at = _content_end(seq.value[-1])
        return _splice(text, [(at, at, f", {item}")])
    last = seq.value[-1]
    dash_at = text.rfind("-", 0, last.start_mark.index)
    dash = " " * _column(text, dash_at)
    gap = " " * (int(last.start_mark.index) - dash_at - 1)
    if isinstance(last, yaml.MappingNode) and not last.flow_style and last.value:
        key_indent = " " * int(last.value[0][0].start_mark.column)
        pairs = [f"{scalar(k)}: {scalar(v)}" for k, v in fields.items()]
        new = f"{dash}-{gap}{pairs[0]}{nl}" + "".join(f"{key_indent}{p}{nl}" for p in pairs[1:])
    else:
        new = f"{dash}-{gap}{item}{nl}"
    at = _after_line(text, _content_end(last))
    text, at = _ensure_final_newline(text, at)
    return _splice(text, [(at, at, new)])
