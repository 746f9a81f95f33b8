"""Whether a piece of the base is unchanged in the head, everything it reaches included: then there is
nothing to compare, and the engine skips it (an operation, or a pair of schemas).

Why: two versions of a spec are mostly the same text, comparing parsed data runs in C, and the rules
find nothing in equal input. A pair of nodes is *unchanged* when the two are equal (types included:
:func:`identical`) and every ``$ref`` inside them leads, on both sides, to equal nodes that are
unchanged in turn. Equal nodes hold the same ``$ref``\\ s, so only the base's are walked (once per
node), and each ``$ref`` is judged once per pair of files; a cycle of ``$ref``\\ s is judged as a whole
(Tarjan's strongly connected components), so a difference anywhere on it reaches every node that can
get there.

Deciding has no side effect on the report: a ``$ref`` is resolved only where that needs no file read
(a pointer into a loaded file, or a ``$ref`` the side has followed already), and one that cannot be
resolved so, or not at all, makes the pair "changed" — the engine then compares it the full way, which
reads, notes and counts as it always did. So the report is the same as without this shortcut
(``Engine(fast=False)``; ``tests/unit/apidiff/test_fast_path.py`` compares the two).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from typing import Any

from .model import PathKey
from .resolve import Side, opaque

#: A ``$ref`` as met in a pair of equal nodes: (base file, head file, the ref's text).
Key = tuple[str, str, str]
#: Top-level fields an operation's shape depends on besides its own node (``ops.operations``).
SPEC_WIDE = ("security", "consumes", "produces")


class Sameness:
    """The unchanged pieces of one comparison (remembered: each node is walked once, each ref judged once)."""

    def __init__(self, base: Side, head: Side) -> None:
        self.base, self.head = base, head
        self._refs: dict[int, list[str] | None] = {}  # id(node) -> the $refs inside it (ref targets)
        self._reach: dict[tuple[str, str], dict[int, bool]] = {}  # files -> id(node) -> reaches unchanged
        self._kept: list[Any] = []  # nodes whose id is remembered stay alive, so ids stay unique
        self._done: dict[Key, bool] = {}  # ref -> whether all it reaches is unchanged
        self._identical: dict[tuple[int, int], bool] = {}  # both passes over the operations ask
        self.collected = 0  # ref targets walked for their $refs (tests count the work)
        bdata = base.data if isinstance(base.data, dict) else {}
        hdata = head.data if isinstance(head.data, dict) else {}
        self.spec_wide = base.family == head.family and all(identical(bdata.get(k), hdata.get(k)) for k in SPEC_WIDE)

    def unchanged(self, bfile: str, bnode: Any, hfile: str, hnode: Any) -> bool:
        """``bnode`` (in the base's ``bfile``) and ``hnode`` (in the head's ``hfile``) are equal, and so is
        everything their ``$ref``\\ s reach."""
        key = (id(bnode), id(hnode))
        equal = self._identical.get(key)
        if equal is None:
            equal = self._identical[key] = identical(bnode, hnode)
            self._kept.append((bnode, hnode))
        return equal and self.reaches_unchanged(bfile, hfile, bnode)

    @property
    def walked(self) -> int:
        """Nodes looked at for their $refs so far (tests count the work)."""
        return self.collected + sum(len(m) for m in self._reach.values())

    def reaches_unchanged(self, bfile: str, hfile: str, node: Any) -> bool:
        """Every ``$ref`` inside ``node`` (equal on both sides) leads to unchanged nodes.

        Remembered for every node below it too, as the walk stops at the first ``$ref`` that does not:
        the engine asks about an operation, then about the schemas inside it, and each is walked once.
        The walk recurses (several times faster than an explicit stack), and may: the Workspace refused
        every document nesting deeper than its ``max_depth`` (200).
        """
        if not isinstance(node, (dict, list)):  # noqa: UP038
            return True
        memo = self._reach.setdefault((bfile, hfile), {})
        found = memo.get(id(node))
        if found is None:
            self._kept.append(node)  # and with it every node below
            try:
                found = self._walk(node, memo, bfile, hfile)
            except RecursionError:
                found = False
        return found

    def _walk(self, node: Any, memo: dict[int, bool], bfile: str, hfile: str) -> bool:
        found = memo.get(id(node))
        if found is not None:
            return found
        ok = True
        if isinstance(node, dict):
            ref = node.get("$ref")
            ok = not isinstance(ref, str) or self._closed((bfile, hfile, ref))
            values: Any = node.values()
        else:
            values = node
        if ok:
            for v in values:
                if isinstance(v, (dict, list)) and not self._walk(v, memo, bfile, hfile):  # noqa: UP038
                    ok = False
                    break
        memo[id(node)] = ok
        return ok

    def refs_in(self, node: Any) -> list[str] | None:
        """The ``$ref`` texts anywhere inside ``node`` (a ``$ref`` that is not text is followed by no one);
        None when it nests too deeply to tell (then nothing is taken as unchanged).

        Remembered per node asked about (what a ``$ref`` leads to); the walk recurses, as above.
        """
        if not isinstance(node, dict | list):
            return []
        if id(node) in self._refs:
            return self._refs[id(node)]
        refs: list[str] = []
        found: list[str] | None
        try:
            _collect(node, refs)
            self.collected += 1
            found = list(dict.fromkeys(refs))  # each once
        except RecursionError:
            found = None
        self._refs[id(node)] = found
        self._kept.append(node)
        return found

    def target(self, side: Side, file: str, ref: str) -> tuple[str, PathKey, Any] | None:
        """Where ``ref`` (written in ``file``) leads, its chain of ``$ref``\\ s followed as
        :meth:`Side.deref` follows it (at most 64 hops: a cycle of bare ``$ref``\\ s leads nowhere),
        found without reading a file or noting a problem; None when it cannot be told so, or leads
        nowhere (the full comparison then decides, and says why)."""
        cached = side.followed_already(file, ref)
        if cached is not None:
            return None if opaque(cached[2]) else cached
        path: PathKey = ()
        node: Any = {"$ref": ref}
        for _ in range(64):
            ref = node["$ref"]
            if not ref.startswith("#"):
                return None  # another file's node: only once the side has followed it
            target, _problem = side.ws.resolve(ref, file)  # a pointer into a loaded file: pure
            if target is None:
                return None
            file, path, node = target.file, target.pointer, side.ws.value(target)
            if not opaque(node):
                return file, path, node
        return None

    def follow(self, side: Side, file: str, node: Any) -> tuple[str, Any] | None:
        """``node`` with its chain of ``$ref``\\ s followed as :meth:`target` follows it."""
        if not opaque(node):
            return file, node
        found = self.target(side, file, node["$ref"])
        return None if found is None else (found[0], found[2])

    def _successors(self, key: Key) -> list[Key] | None:
        """The refs inside what ``key`` leads to; None when it leads nowhere known or to unequal nodes."""
        bfile, hfile, ref = key
        b, h = self.target(self.base, bfile, ref), self.target(self.head, hfile, ref)
        if b is None or h is None or not identical(b[2], h[2]):
            return None
        refs = self.refs_in(b[2])
        return None if refs is None else [(b[0], h[0], r) for r in refs]

    def _closed(self, start: Key) -> bool:
        """Whether everything ``start`` reaches is unchanged: Tarjan's algorithm over the graph of refs,
        iterative (a chain of refs may be long), each strongly connected component judged as one."""
        done = self._done
        if start in done:
            return done[start]
        index: dict[Key, int] = {}
        low: dict[Key, int] = {}
        good: dict[Key, bool] = {}
        stack: list[Key] = []
        on_stack: set[Key] = set()
        todo: list[tuple[Key, Iterator[Key]]] = []

        def enter(key: Key) -> None:
            index[key] = low[key] = len(index)
            stack.append(key)
            on_stack.add(key)
            nxt = self._successors(key)
            good[key] = nxt is not None
            todo.append((key, iter(nxt or ())))

        enter(start)
        while todo:
            key, successors = todo[-1]
            for s in successors:
                if s in done:
                    good[key] = good[key] and done[s]
                elif s not in index:
                    enter(s)
                    break
                elif s in on_stack:
                    low[key] = min(low[key], index[s])
            else:
                todo.pop()
                if low[key] == index[key]:  # the root of a component: all of it is decided now
                    part = []
                    while True:
                        x = stack.pop()
                        on_stack.discard(x)
                        part.append(x)
                        if x == key:
                            break
                    value = all(good[x] for x in part)
                    for x in part:
                        done[x] = value
                if todo:
                    parent = todo[-1][0]
                    low[parent] = min(low[parent], low[key])
                    if key in done:
                        good[parent] = good[parent] and done[key]
        return done[start]


def _collect(node: Any, out: list[str]) -> None:
    """Append the ``$ref`` texts inside ``node`` to ``out`` (``isinstance`` with a tuple: faster than with ``|``)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.append(ref)
        for v in node.values():
            if isinstance(v, (dict, list)):  # noqa: UP038
                _collect(v, out)
    else:
        for v in node:
            if isinstance(v, (dict, list)):  # noqa: UP038
                _collect(v, out)


def identical(a: Any, b: Any) -> bool:
    """``a == b``, and the same types throughout: ``==`` takes ``true`` for ``1`` and ``1`` for ``1.0``,
    which the rules tell apart (``required: 1`` is not required; an enum of ``[1]`` is not ``[true]``).

    Both compared in C: ``==`` first (it fails fast), then marshal's bytes, which name each value's type.
    Version 2 writes no back-references and no interning, so equal data gives equal bytes whatever its
    objects' sharing; what marshal cannot write (a YAML date) counts as different (then compared in full).
    """
    if a != b:
        return False
    try:
        return marshal.dumps(a, 2) == marshal.dumps(b, 2)
    except ValueError:
        return False
