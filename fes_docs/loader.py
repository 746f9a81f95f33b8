"""Turn untrusted YAML bytes into plain data plus a map of where every value came from.

A release file arrives in a pull request, so this module assumes the worst: it never constructs
arbitrary Python objects, never lets one file exhaust memory or the stack, and turns every problem
into a located :class:`LoadProblem` instead of an exception.

Why our own walk over composed nodes instead of ``yaml.safe_load``:

* positions: every value and key keeps its line and column (:meth:`Document.pos`) so a finding from
  any later stage can point at the exact spot;
* duplicate keys are errors (PyYAML silently keeps the last one, hiding a typo'd override);
* timestamps stay strings (the schema checks their format; ``datetime`` objects would fail it);
* libyaml's recursive composer segfaults on ~100,000 nested brackets, and aliases can expand
  exponentially ("billion laughs"): a bracket pre-scan and a depth limit reject the first, the alias
  bomb is measured on the composed node graph before anything is expanded (both in
  :mod:`fes_docs.yaml_guards`), and a node budget on the walk itself stays as a backstop.

libyaml composes (C, fast); the walk over its nodes into plain data is ours. What it hands on
(:class:`Document`, :class:`Pos`, :class:`LoadProblem`) is defined in :mod:`fes_docs.document`.
"""

from __future__ import annotations

import os
import re
from array import array
from pathlib import Path
from typing import Any

import yaml

from .document import Document, LoadProblem
from .positions import line_column
from .yaml_guards import Refused, alias_guard, bracket_guard, mark_pos, may_alias

try:  # the C parser is ~10x faster; fall back silently where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment,unused-ignore]


MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_ALIAS_NODES = 10_000  # values that alias references may add in total; real records use a handful

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TRUE = frozenset({"yes", "true", "on"})
_SCALAR_TAGS = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}
# Kept as their source text: the schema checks the format, and JSON has no date type.
_TEXT_TAGS = {_STR, "tag:yaml.org,2002:timestamp"}


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as an editor shows them) of a byte offset in undecoded input."""
    before = data[:offset].decode("utf-8", "replace")
    return line_column(before, len(before))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(
            LoadProblem(
                "FES003", "file is UTF-16 encoded; release files must be UTF-8", 1, 1, "re-save the file as UTF-8"
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        raise Refused(
            LoadProblem(
                "FES003",
                "file contains a NUL byte (binary data?)",
                line,
                col,
                "remove the NUL byte; release files are plain UTF-8 text",
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        raise Refused(
            LoadProblem(
                "FES003", f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", line, col, "re-save the file as UTF-8"
            )
        ) from None


_TAB_RE = re.compile(r"\t")


def _syntax_problem(text: str, exc: yaml.YAMLError) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    pos = mark_pos(mark)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = "check the indentation and quoting around this spot"
    lines = text.splitlines()
    if "\t" in problem or (0 < pos.line <= len(lines) and _TAB_RE.match(lines[pos.line - 1].lstrip(" "))):
        message = "YAML syntax error: a tab character is used for indentation"
        hint = "YAML indents with spaces only; replace the tab with spaces"
    return LoadProblem("FES001", message, pos.line, pos.column, hint)


class _Walker:
    """Turns composed nodes into plain data, recording positions in flat form; bounded depth and size.

    Positions go straight into :class:`Document`'s flat form (a value's line and column as it is entered, a
    key's just before its value): no path is built for a value nobody will ask about.
    """

    def __init__(self, file: str, max_depth: int, max_nodes: int) -> None:
        self.flat = array("I")  # four bytes a number: a list of ints took twice that, at 10,000 records 28 MB
        self.top = array("I")  # where each value of a top-level mapping starts: what a lookup scans first
        self.doc = Document(file, None, flat=self.flat, top=self.top)
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.nodes = 0

    def _fail(self, node: Any, rule: str, message: str, hint: str) -> Refused:
        pos = mark_pos(node.start_mark)
        return Refused(LoadProblem(rule, message, pos.line, pos.column, hint))

    def walk(self, node: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self._fail(
                node,
                "FES003",
                f"document expands to more than {self.max_nodes} values (an alias bomb?)",
                "write the values out; do not nest aliases",
            )
        mark = node.start_mark
        flat = self.flat
        flat.append(mark.line + 1)
        flat.append(mark.column + 1)
        kind = type(node)
        if kind is _ScalarNode:
            return self._scalar(node)
        if depth >= self.max_depth:
            raise self._fail(node, "FES003", f"nesting deeper than {self.max_depth} levels", "flatten the structure")
        if node.tag not in _COLLECTION_NODE_TAGS:
            raise self._fail(
                node,
                "FES001",
                f"unsupported YAML tag {node.tag!r}",
                "remove the tag; release files hold plain lists and maps",
            )
        depth += 1
        if kind is _SequenceNode:
            return [self.walk(child, depth) for child in node.value]
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode:
                raise self._fail(
                    key_node, "FES001", "a mapping key must be a plain scalar", "use a simple word as the key"
                )
            tag = key_node.tag
            if tag == _STR:
                key = key_node.value
            elif tag == "tag:yaml.org,2002:merge":
                raise self._fail(
                    key_node, "FES001", "YAML merge keys ('<<') are not supported", "write the keys out explicitly"
                )
            else:
                raw = self._scalar(key_node)
                key = "null" if raw is None else (str(raw).lower() if isinstance(raw, bool) else str(raw))
            kmark = key_node.start_mark
            if key in out:
                first = self._key_line(node, key)
                raise Refused(
                    LoadProblem(
                        "FES002",
                        f"duplicate key {key!r} (first defined at line {first})",
                        kmark.line + 1,
                        kmark.column + 1,
                        "remove one of the two entries; YAML would silently keep only the last",
                    )
                )
            flat.append(kmark.line + 1)
            flat.append(kmark.column + 1)
            if depth == 1:
                self.top.append(len(flat))
            out[key] = self.walk(value_node, depth)
        return out

    def _key_line(self, node: Any, key: str) -> int:
        """The line of the first entry of mapping ``node`` whose key reads as ``key`` (for a duplicate)."""
        for key_node, _ in node.value:
            raw = key_node.value if key_node.tag == _STR else self._scalar(key_node)
            name = "null" if raw is None else (str(raw).lower() if isinstance(raw, bool) else str(raw))
            if name == key:
                return int(key_node.start_mark.line) + 1
        return 1  # pragma: no cover - the duplicate's first entry is always there

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag in _TEXT_TAGS:
            return node.value
        if tag == _BOOL:
            return node.value.lower() in _TRUE
        if tag == _NULL:
            return None
        ctor = _SCALAR_TAGS.get(tag)
        if ctor is None:
            raise self._fail(
                node,
                "FES001",
                f"unsupported YAML tag {tag!r}",
                "remove the tag; release files hold plain strings, numbers, lists and maps",
            )
        try:
            return ctor(node)
        except (ValueError, OverflowError):  # a number past Python's 4300-digit limit, a malformed one
            raise self._fail(
                node,
                "FES001",
                f"this number cannot be read ({len(node.value):,} characters)",
                "write a number of at most a few digits, or quote it if it is text",
            ) from None


_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode
_COLLECTION_NODE_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def load_text(
    text: str,
    file: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    max_alias_nodes: int = MAX_ALIAS_NODES,
) -> tuple[Document | None, list[LoadProblem]]:
    """Parse YAML (or JSON, a YAML subset) text into a located :class:`Document`."""
    walker = _Walker(file, max_depth, max_nodes)
    loader = _Loader(text)
    try:
        bracket_guard(text)
        node = loader.get_single_node()
        if node is not None and may_alias(text):  # no alias token, nothing to measure
            alias_guard(node, max_nodes, max_alias_nodes)
        if node is not None:
            walker.doc.data = walker.walk(node, 0)
    except Refused as fail:
        return None, [fail.problem]
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc):
            pos = mark_pos(exc.problem_mark)
            return None, [
                LoadProblem(
                    "FES001",
                    "more than one YAML document in the file",
                    pos.line,
                    pos.column,
                    "remove the '---' separator and the second document",
                )
            ]
        return None, [_syntax_problem(text, exc)]
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(text, exc)]
    except (ValueError, OverflowError) as exc:  # e.g. a malformed number the resolver accepted
        return None, [LoadProblem("FES001", f"unreadable value: {exc}", 1, 1, "quote the value")]
    except RecursionError:
        return None, [LoadProblem("FES003", "nesting too deep to read", 1, 1, "flatten the structure")]
    finally:
        loader.dispose()
    return walker.doc, []


def load_bytes(data: bytes, file: str, **limits: int) -> tuple[Document | None, list[LoadProblem]]:
    """Decode (UTF-8 only, BOM tolerated) and parse."""
    try:
        text = _decode(data)
    except Refused as fail:
        return None, [fail.problem]
    return load_text(text, file, **limits)


def read_limited(path: Path, max_bytes: int) -> tuple[bytes | None, LoadProblem | None]:
    """Read at most ``max_bytes`` (+1 to notice excess) so a 50 MB file costs nothing.

    The first read asks for what the file says its size is (+1), not the limit: ``read(n)`` allocates ``n``
    bytes, and a 5 MB buffer per migration made reading 10,000 small ones take seconds. A file that turns out
    longer than it said (one still being written, a pipe) is read on, up to the limit, as before."""
    try:
        with path.open("rb") as fh:
            try:
                size = os.fstat(fh.fileno()).st_size
            except OSError:
                size = max_bytes
            want = min(size, max_bytes) + 1
            data = fh.read(want)
            if len(data) == want and want <= max_bytes:
                data += fh.read(max_bytes + 1 - want)
    except OSError as exc:
        return None, LoadProblem(
            "FES003", f"cannot read file: {exc.strerror or exc}", 1, 1, "check the file exists and is readable"
        )
    if len(data) > max_bytes:
        return None, LoadProblem(
            "FES003",
            f"file is larger than the {max_bytes:,} byte limit",
            1,
            1,
            "split the content or raise the limit in the policy (max_file_bytes)",
        )
    return data, None


def load_file(
    path: Path, file: str, *, max_bytes: int = MAX_BYTES, **limits: int
) -> tuple[Document | None, list[LoadProblem]]:
    """Read and parse one YAML file; ``file`` is the name findings report (relative to the root)."""
    data, problem = read_limited(path, max_bytes)
    if problem is not None or data is None:
        return None, [problem] if problem else []
    return load_bytes(data, file, **limits)
