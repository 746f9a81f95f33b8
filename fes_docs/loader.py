"""Turn untrusted YAML bytes into plain data plus a map of where every value came from.

A release file arrives in a pull request, so this module assumes the worst: it never constructs
arbitrary Python objects, never lets one file exhaust memory or the stack, and turns every problem
into a located :class:`LoadProblem` instead of an exception.

Why an event-driven composer of our own instead of ``yaml.safe_load``:

* positions: every value keeps its line and column (``Document.values``) so a finding from any
  later stage can point at the exact spot;
* duplicate keys are errors (PyYAML silently keeps the last one, hiding a typo'd override);
* timestamps stay strings (the schema checks their format; ``datetime`` objects would fail it);
* libyaml's recursive composer segfaults on ~100,000 nested brackets, and aliases can expand
  exponentially ("billion laughs"); a flat event loop with a depth limit and a node budget
  rejects both in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is ~10x faster; fall back silently where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = tuple[str | int, ...]

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}
# Kept as their source text: the schema checks the format, and JSON has no date type.
_TEXT_TAGS = {_STR, "tag:yaml.org,2002:timestamp"}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", None, "!"}


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based line and column."""

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


@dataclass
class Document:
    """Plain data (dict/list/str/int/float/bool/None) and where each value and key sits."""

    file: str
    data: Any
    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)

    def pos(self, path: PathKey) -> Pos:
        """Where the value at ``path`` is, or its nearest existing ancestor (a missing key's parent)."""
        p = tuple(path)
        while p:
            found = self.values.get(p)
            if found is not None:
                return found
            p = p[:-1]
        return self.values.get((), Pos(1, 1))

    def key_pos(self, path: PathKey) -> Pos:
        """Where the key of the mapping entry at ``path`` is (for unknown keys), else the value."""
        return self.keys.get(tuple(path)) or self.pos(path)


class _Fail(Exception):
    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _mark_pos(mark: Any) -> Pos:
    return Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Fail(LoadProblem("FES003", "file is UTF-16 encoded; release files must be UTF-8", 1, 1,
                                "re-save the file as UTF-8"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise _Fail(LoadProblem("FES003", "file contains a NUL byte (binary data?)", line, col,
                                "remove the NUL byte; release files are plain UTF-8 text"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Fail(LoadProblem("FES003", f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", line, col,
                                "re-save the file as UTF-8")) from None


_TAB_RE = re.compile(r"\t")


def _syntax_problem(text: str, exc: yaml.YAMLError) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    pos = _mark_pos(mark)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = "check the indentation and quoting around this spot"
    lines = text.splitlines()
    if "\t" in problem or (0 < pos.line <= len(lines) and _TAB_RE.match(lines[pos.line - 1].lstrip(" "))):
        message = "YAML syntax error: a tab character is used for indentation"
        hint = "YAML indents with spaces only; replace the tab with spaces"
    return LoadProblem("FES001", message, pos.line, pos.column, hint)


def _scalar(ev: Any) -> Any:
    tag = ev.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, ev.value, ev.implicit)
    if tag in _TEXT_TAGS:
        return ev.value
    ctor = _SCALAR_TAGS.get(tag)
    if ctor is None:
        pos = _mark_pos(ev.start_mark)
        raise _Fail(LoadProblem("FES001", f"unsupported YAML tag {ev.tag!r}", pos.line, pos.column,
                                "remove the tag; release files hold plain strings, numbers, lists and maps"))
    return ctor(yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark))


class _Builder:
    """An explicit-stack composer: no recursion, bounded depth and size."""

    def __init__(self, file: str, max_depth: int, max_nodes: int) -> None:
        self.doc = Document(file, None)
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.nodes = 0
        # anchor -> (value, node count) so an alias costs as much as what it expands to
        self.anchors: dict[str, tuple[Any, int]] = {}
        # frames: [container, path, pending_key, key_pos, anchor, nodes_at_start, first-key-positions]
        self.stack: list[list[Any]] = []
        self.done = False

    def _count(self, n: int, mark: Any) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            pos = _mark_pos(mark)
            raise _Fail(LoadProblem(
                "FES003", f"document expands to more than {self.max_nodes} values (an alias bomb?)",
                pos.line, pos.column, "write the values out; do not nest aliases"))

    def _child_path(self, mark: Any) -> PathKey | None:
        """Path for the next value, or None when the value is a mapping key."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            return (*path, len(container))
        if frame[2] is _NO_KEY:
            return None
        return (*path, frame[2])

    def _attach(self, value: Any, mark: Any, key_allowed: bool = True) -> None:
        if not self.stack:
            self.doc.data = value
            self.done = True
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
            return
        if frame[2] is _NO_KEY:
            pos = _mark_pos(mark)
            if not key_allowed or isinstance(value, (dict, list)):
                raise _Fail(LoadProblem("FES001", "a mapping key must be a plain scalar", pos.line, pos.column,
                                        "use a simple word as the key"))
            key = "null" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
            if key in container:
                first = frame[6][key]
                raise _Fail(LoadProblem(
                    "FES002", f"duplicate key {key!r} (first defined at line {first.line})",
                    pos.line, pos.column, "remove one of the two entries; YAML would silently keep only the last"))
            if key == "<<":
                raise _Fail(LoadProblem("FES001", "YAML merge keys ('<<') are not supported", pos.line,
                                        pos.column, "write the keys out explicitly"))
            frame[6][key] = pos
            self.doc.keys[(*frame[1], key)] = pos
            frame[2] = key
            container[key] = _PENDING
            return
        container[frame[2]] = value
        frame[2] = _NO_KEY

    def event(self, ev: Any) -> None:
        if isinstance(ev, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(ev, yaml.DocumentStartEvent):
            if self.done:
                pos = _mark_pos(ev.start_mark)
                raise _Fail(LoadProblem("FES001", "more than one YAML document in the file", pos.line,
                                        pos.column, "remove the '---' separator and the second document"))
            return
        if isinstance(ev, yaml.AliasEvent):
            anchored = self.anchors.get(ev.anchor)
            pos = _mark_pos(ev.start_mark)
            if anchored is None:
                raise _Fail(LoadProblem("FES001", f"unknown alias *{ev.anchor}", pos.line, pos.column,
                                        "define the anchor before using it"))
            self._count(anchored[1], ev.start_mark)
            path = self._child_path(ev.start_mark)
            if path is not None:
                self.doc.values[path] = pos
            self._attach(anchored[0], ev.start_mark)
            return
        if isinstance(ev, yaml.ScalarEvent):
            self._count(1, ev.start_mark)
            value = _scalar(ev)
            path = self._child_path(ev.start_mark)
            if path is not None:
                self.doc.values[path] = _mark_pos(ev.start_mark)
            if ev.anchor:
                self.anchors[ev.anchor] = (value, 1)
            self._attach(value, ev.start_mark)
            return
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if ev.tag not in _COLLECTION_TAGS:
                pos = _mark_pos(ev.start_mark)
                raise _Fail(LoadProblem("FES001", f"unsupported YAML tag {ev.tag!r}", pos.line, pos.column,
                                        "remove the tag; release files hold plain lists and maps"))
            self._count(1, ev.start_mark)
            path = self._child_path(ev.start_mark)
            if path is None:
                pos = _mark_pos(ev.start_mark)
                raise _Fail(LoadProblem("FES001", "a mapping key must be a plain scalar", pos.line, pos.column,
                                        "use a simple word as the key"))
            if len(self.stack) >= self.max_depth:
                pos = _mark_pos(ev.start_mark)
                raise _Fail(LoadProblem("FES003", f"nesting deeper than {self.max_depth} levels", pos.line,
                                        pos.column, "flatten the structure"))
            self.doc.values[path] = _mark_pos(ev.start_mark)
            container: Any = {} if isinstance(ev, yaml.MappingStartEvent) else []
            self.stack.append([container, path, _NO_KEY, None, ev.anchor, self.nodes, {}])
            return
        if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame[4]:
                self.anchors[frame[4]] = (frame[0], self.nodes - frame[5] + 1)
            self._attach(frame[0], ev.start_mark)
            return


class _Sentinel:
    pass


_NO_KEY: Any = _Sentinel()
_PENDING: Any = _Sentinel()


def load_text(text: str, file: str, *, max_depth: int = MAX_DEPTH,
              max_nodes: int = MAX_NODES) -> tuple[Document | None, list[LoadProblem]]:
    """Parse YAML (or JSON, a YAML subset) text into a located :class:`Document`."""
    builder = _Builder(file, max_depth, max_nodes)
    loader = _Loader(text)
    try:
        while loader.check_event():
            builder.event(loader.get_event())
    except _Fail as fail:
        return None, [fail.problem]
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(text, exc)]
    except (ValueError, OverflowError) as exc:  # e.g. a malformed number the resolver accepted
        return None, [LoadProblem("FES001", f"unreadable value: {exc}", 1, 1, "quote the value")]
    finally:
        loader.dispose()
    return builder.doc, []


def load_bytes(data: bytes, file: str, **limits: int) -> tuple[Document | None, list[LoadProblem]]:
    """Decode (UTF-8 only, BOM tolerated) and parse."""
    try:
        text = _decode(data)
    except _Fail as fail:
        return None, [fail.problem]
    return load_text(text, file, **limits)


def read_limited(path: Path, max_bytes: int) -> tuple[bytes | None, LoadProblem | None]:
    """Read at most ``max_bytes`` (+1 to notice excess) so a 50 MB file costs nothing."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return None, LoadProblem("FES003", f"cannot read file: {exc.strerror or exc}", 1, 1,
                                 "check the file exists and is readable")
    if len(data) > max_bytes:
        return None, LoadProblem("FES003", f"file is larger than the {max_bytes:,} byte limit", 1, 1,
                                 "split the content or raise the limit in the policy (max_file_bytes)")
    return data, None


def load_file(path: Path, file: str, *, max_bytes: int = MAX_BYTES,
              **limits: int) -> tuple[Document | None, list[LoadProblem]]:
    """Read and parse one YAML file; ``file`` is the name findings report (relative to the root)."""
    data, problem = read_limited(path, max_bytes)
    if problem is not None or data is None:
        return None, [problem] if problem else []
    return load_bytes(data, file, **limits)
