"""Match two specs piece by piece and hand each pair to its rules (:mod:`.catalogue`).

Bounded, whatever the specs hold (a pull request may have written them): schemas are compared once
per pair of nodes (memoised by identity: a component used by 300 operations costs one comparison),
a ``$ref`` cycle ends where it closes, nesting stops at :data:`MAX_DEPTH`, and the whole walk at
:data:`MAX_WORK` schema pairs, saying so. What a memoised comparison found is handed up with the
property path it lies at, so each operation's report names the property from its own point of view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..openapi.index import normalise_path
from .catalogue import (
    CHANGE_RULES,
    BodyPair,
    Direction,
    HeaderPair,
    Kind,
    MediaPair,
    OpPair,
    ParamPair,
    SchemaPair,
    StatusPair,
    View,
    rules_of,
)
from .model import Change, Level, PathKey, Where
from .ops import Op, Ref, elaborate, operations
from .resolve import Side, opaque
from .same import Sameness

MAX_DEPTH = 64
MAX_WORK = 500_000
MAX_ALLOF = 32  # parts merged into one view (nested allOf included)
MAX_NOTED = 20  # operations given twice named one by one; the rest counted

#: A finding inside a schema: (rule id, level, property path below the compared node, words, where).
Rel = tuple[str, Level, tuple[str, ...], str, Where]


class Engine:
    """One comparison. ``fast`` (the default) skips what is unchanged, everything it reaches included
    (:mod:`.same`); without it every operation and schema pair is walked: the same report, slower."""

    def __init__(self, base: Side, head: Side, today: date, fast: bool = True) -> None:
        self.base, self.head, self.today, self.fast = base, head, today, fast
        self.same = Sameness(base, head)
        self.skipped_ops = 0  # operations not compared because nothing of them changed
        self._unchanged_ops: set[tuple[str, str]] = set()  # (path, method) found unchanged
        self.memo: dict[tuple[int, int, str], list[Rel]] = {}
        self.active: set[tuple[int, int, str]] = set()
        self.work = 0
        self._refs: dict[int, bool] = {}
        self._kept: list[Any] = []
        self.notes: list[str] = []
        self.unjudged: list[str] = []  # the notes that say something was not compared (see ApiDiff.unjudged)
        self._opaque_pairs = 0  # schema pairs behind a $ref not followed, not compared
        self.changes: list[Change] = []

    # --- operations -----------------------------------------------------------------------------

    def run(self) -> tuple[dict[str, Op], dict[str, Op]]:
        bops, bpaths, bskip, btwice = operations(self.base, self._unchanged_in(self.head, True) if self.fast else None)
        hops, hpaths, hskip, htwice = operations(self.head, self._unchanged_in(self.base, False) if self.fast else None)
        for side, skipped, twice in ((self.base, bskip, btwice), (self.head, hskip, htwice)):
            if skipped:
                self._unjudged(f"{side.label}: {skipped} operation(s) past the first {len(bops)} not compared")
            for pair in twice[:MAX_NOTED]:
                self._unjudged(
                    f"{side.label}: {pair} are one operation (the templates differ only in names); not compared"
                )
            if len(twice) > MAX_NOTED:
                self._unjudged(f"{side.label}: {len(twice) - MAX_NOTED} more operation(s) given twice; not compared")
        unknown = 0
        for key in sorted(set(bops) | set(hops)):
            b, h = bops.get(key), hops.get(key)
            if h is None:
                assert b is not None
                self._hits(b, "op-removed", OpPair(b, h, self.today, normalise_path(b.path) not in hpaths))
            elif b is None:
                self._hits(h, "op-added", OpPair(b, h, self.today))
            elif b.opaque or h.opaque:
                unknown += 1
            elif b.path == h.path and (b.unchanged or h.unchanged):
                self.skipped_ops += 1
            else:
                elaborate(self.base, b)  # one judged unchanged against another template of its path
                elaborate(self.head, h)
                self._operation(h, OpPair(b, h, self.today))
        if unknown:
            self._unjudged(f"{unknown} operation(s) not compared: a $ref they need was not followed")
        if self._opaque_pairs:
            self._unjudged(f"{self._opaque_pairs} schema(s) not compared: a $ref they need was not followed")
        return bops, hops

    def _unjudged(self, note: str) -> None:
        self.notes.append(note)
        self.unjudged.append(note)

    def _unchanged_in(self, other: Side, mine_is_base: bool) -> Callable[[Op], bool]:
        """Whether an operation of one side is equal to ``other``'s at the same path and method, its path
        item's shared parameters and all the two reach included (see :mod:`.same`)."""
        same, judged = self.same, self._unchanged_ops

        def unchanged(op: Op) -> bool:
            if (op.path, op.method) in judged:
                return True  # the pair the other side's pass found unchanged
            paths = other.data.get("paths") if isinstance(other.data, dict) else None
            if not same.spec_wide or not isinstance(paths, dict) or op.path not in paths:
                return False
            found = same.follow(other, other.rel, paths[op.path])
            if found is None or not isinstance(found[1], dict):
                return False
            ifile, item = found
            found = same.follow(other, ifile, item.get(op.method.lower()))
            if found is None or not isinstance(found[1], dict):
                return False
            file, _path, shared = op.item
            pairs = (((file, shared), (ifile, item.get("parameters"))), ((op.file, op.node), found))
            for mine, theirs in pairs:
                (bfile, bnode), (hfile, hnode) = (mine, theirs) if mine_is_base else (theirs, mine)
                if not same.unchanged(bfile, bnode, hfile, hnode):
                    return False
            judged.add((op.path, op.method))
            return True

        return unchanged

    def _hits(self, op: Op, kind: Kind, pair: Any, prefix: str = "") -> None:
        for rule in rules_of(kind):
            for hit in rule.check(pair):
                message = f"{prefix}{hit.message}"
                self.changes.append(
                    Change(rule.id, rule.name, hit.level or rule.level, op.method, op.path, message, hit.where)
                )

    def _operation(self, op: Op, pair: OpPair) -> None:
        b, h = pair.base, pair.head
        assert b is not None and h is not None
        self._hits(op, "op", pair)
        for key in sorted(set(b.params) | set(h.params)):
            pb, ph = b.params.get(key), h.params.get(key)
            ppair = ParamPair(pair, pb, ph)
            if pb is None:
                self._hits(op, "param-added", ppair)
            elif ph is None:
                self._hits(op, "param-removed", ppair)
            else:
                self._hits(op, "param", ppair)
                self._schema(op, pb.schema, ph.schema, "request", f"{ph.loc} parameter {ph.name!r}")
        self._hits(op, "body", BodyPair(pair, b.body, h.body))
        if b.body is not None and h.body is not None:
            self._content(op, "request", "request body", b.body.content, h.body.content, b.body.where, h.body.where)
        for status in sorted(set(b.responses) | set(h.responses)):
            rb, rh = b.responses.get(status), h.responses.get(status)
            if rh is None:
                self._hits(op, "status-removed", StatusPair(rb, None, h.where))
            elif rb is None:
                self._hits(op, "status-added", StatusPair(None, rh, h.where))
            else:
                label = f"response {status}"
                self._content(op, "response", label, rb.content, rh.content, rb.where, rh.where)
                for lower in sorted(rb.headers):
                    name, required, bschema, bwhere = rb.headers[lower]
                    if lower not in rh.headers:
                        self._hits(op, "header-removed", HeaderPair(status, name, required, bwhere, rh.where))
                    else:
                        self._schema(op, bschema, rh.headers[lower][2], "response", f"{label} header {name!r}")

    def _content(
        self,
        op: Op,
        direction: Direction,
        label: str,
        base: dict[str, Ref | None],
        head: dict[str, Ref | None],
        bwhere: Where,
        hwhere: Where,
    ) -> None:
        for media in sorted(base):
            if media not in head:
                self._hits(op, "media-removed", MediaPair(direction, label, media, bwhere, hwhere))
            else:
                shown = label if len(base) == 1 and len(head) == 1 else f"{label} ({media})"
                self._schema(op, base[media], head[media], direction, shown)

    # --- schemas --------------------------------------------------------------------------------

    def _schema(self, op: Op, b: Ref | None, h: Ref | None, direction: Direction, subject: str) -> None:
        if b is None or h is None:
            return
        for rule_id, level, path, words, where in self.compare(b, h, direction, 0):
            rule = CHANGE_RULES[rule_id]
            what = f"{subject} {_dotted(path)}" if path else subject
            self.changes.append(Change(rule.id, rule.name, level, op.method, op.path, f"{what}: {words}", where))

    def compare(self, b: Ref, h: Ref, direction: Direction, depth: int) -> list[Rel]:
        bfile, bpath, bnode = schema_deref(self.base, *_split(b))
        hfile, hpath, hnode = schema_deref(self.head, *_split(h))
        if unknown(self.base, bfile, bnode) or unknown(self.head, hfile, hnode):
            # what an unfollowed $ref stands for is unknown (named among the problems): the same node on
            # both sides, in the same file, is the same unknown; anything else may hide a break
            same_file = bfile == hfile or (bfile, hfile) == (self.base.rel, self.head.rel)
            if not (opaque(bnode) and opaque(hnode) and same_file and bnode == hnode):
                self._opaque_pairs += 1
            return []
        key = (id(bnode), id(hnode), direction)
        found = self.memo.get(key)
        if found is not None:
            return found
        if key in self.active:
            return []  # a $ref cycle closes here; the pair is being compared further up
        if depth > MAX_DEPTH or self.work >= MAX_WORK:
            if not any(n.startswith("comparison stopped") for n in self.notes):
                self._unjudged(f"comparison stopped at {MAX_WORK:,} schema pairs or {MAX_DEPTH} levels of nesting")
            return []
        same = bnode == hnode  # deep, in C: most of two versions of a spec is the same text
        if same and (self.same.reaches_unchanged(bfile, hfile, bnode) if self.fast else not self.refs_inside(bnode)):
            self.memo[key] = []
            return []  # equal, and so is all it reaches: nothing below can differ
        self.work += 1
        self.active.add(key)
        try:
            # equal nodes give equal views unless an allOf part is a $ref (its target may differ)
            judged = not (same and isinstance(bnode, dict) and "allOf" not in bnode)
            bv, hv = view(self.base, bfile, bpath, bnode), view(self.head, hfile, hpath, hnode)
            out = self._compare(bv, hv, direction, depth, judged)
        finally:
            self.active.discard(key)
        self.memo[key] = out
        return out

    def refs_inside(self, node: Any) -> bool:
        """Whether a ``$ref`` stands anywhere inside ``node`` (remembered per node: each is walked once)."""
        found = self._refs.get(id(node))
        if found is None:
            if isinstance(node, dict):
                found = "$ref" in node or any(self.refs_inside(v) for v in node.values() if isinstance(v, dict | list))
            elif isinstance(node, list):
                found = any(self.refs_inside(v) for v in node if isinstance(v, dict | list))
            else:
                found = False
            self._refs[id(node)] = found
            self._kept.append(node)  # ids stay unique while remembered
        return found

    def _compare(self, bv: View, hv: View, direction: Direction, depth: int, judged: bool = True) -> list[Rel]:
        out: list[Rel] = []
        pair = SchemaPair(bv, hv, direction)
        for rule in rules_of("schema") if judged else ():
            for hit in rule.check(pair):
                out.append((rule.id, hit.level or rule.level, hit.sub, hit.message, hit.where))
        for name in sorted(set(bv.props) & set(hv.props)):
            for rid, level, path, words, where in self.compare(bv.props[name], hv.props[name], direction, depth + 1):
                out.append((rid, level, (name, *path), words, where))
        children: list[tuple[str, Ref, Ref]] = []
        bi, hi = bv.get("items"), hv.get("items")
        if isinstance(bi, dict) and isinstance(hi, dict):
            children.append(("[]", _child(bv, "items"), _child(hv, "items")))
        for keyword in ("oneOf", "anyOf"):
            bl, hl = bv.get(keyword), hv.get(keyword)
            if isinstance(bl, list) and isinstance(hl, list) and len(bl) == len(hl):
                children += [
                    (f"<{keyword} {i + 1}>", _child(bv, keyword, i), _child(hv, keyword, i)) for i in range(len(bl))
                ]
        for label, bc, hc in children:
            for rid, level, path, words, where in self.compare(bc, hc, direction, depth + 1):
                out.append((rid, level, (label, *path), words, where))
        return _shortest(out)


def _shortest(found: list[Rel]) -> list[Rel]:
    """One finding per change: a node reached along several property paths (Stripe's expandable objects
    reach one enum through thousands) is reported once, at its shortest path (then the first in order)."""
    best: dict[tuple[str, str, Where], Rel] = {}
    for rel in found:
        key = (rel[0], rel[3], rel[4])
        kept = best.get(key)
        if kept is None or (len(rel[2]), rel[2]) < (len(kept[2]), kept[2]):
            best[key] = rel
    return list(best.values())


def _split(ref: Ref) -> tuple[str, tuple[str | int, ...], Any]:
    node, file, path = ref
    return file, path, node


def _child(v: View, keyword: str, index: int | None = None) -> Ref:
    where = v.loc(keyword)
    node = v.get(keyword)
    return (node, where.file, where.path) if index is None else (node[index], where.file, (*where.path, index))


def _dotted(path: tuple[str, ...]) -> str:
    text = ""
    for part in path:
        text += part if part == "[]" or not text else f".{part}"
    if text.startswith("[]"):
        return "items" + text[2:]
    return f"property {text!r}"


def view(side: Side, file: str, path: tuple[str | int, ...], node: Any) -> View:
    """The schema at ``node`` as compared: ``allOf`` parts merged in (properties and keywords first
    found win, ``required`` united), ``nullable`` folded into the types."""
    where = side.where(file, path)
    if not isinstance(node, dict):
        return View({}, where, {}, None, {}, frozenset())
    merged: dict[str, Any] = {}
    at: dict[str, Where] = {}
    props: dict[str, tuple[Any, str, tuple[str | int, ...]]] = {}
    required: set[str] = set()
    queue: list[tuple[str, tuple[str | int, ...], Any]] = [(file, path, node)]
    seen: set[int] = set()
    while queue and len(seen) < MAX_ALLOF:
        pfile, ppath, part = queue.pop(0)
        if not isinstance(part, dict) or id(part) in seen:
            continue
        seen.add(id(part))
        for keyword, value in part.items():
            if keyword == "allOf" and isinstance(value, list):
                for i, sub in enumerate(value):
                    queue.append(schema_deref(side, pfile, (*ppath, "allOf", i), sub))
            elif keyword == "$ref" and (target := _applied(side, pfile, ppath, value)) is not None:
                queue.append(target)  # beside keywords that apply (see schema_deref): its target is a part
            elif keyword == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    if isinstance(name, str) and name not in props:
                        props[name] = _as_ref(schema_deref(side, pfile, (*ppath, "properties", name), prop))
            elif keyword == "required" and isinstance(value, list):
                required.update(r for r in value if isinstance(r, str))
            elif keyword not in merged:
                merged[keyword] = value
                at[keyword] = side.where(pfile, (*ppath, keyword))
    return View(merged, where, at, _types(merged), props, frozenset(required))


#: Keywords beside a ``$ref`` that only annotate: the ``$ref`` alone decides the schema.
ANNOTATIONS = frozenset({"description", "summary", "title", "$comment", "example", "examples"})
#: The families whose schemas are JSON Schema 2020-12, where keywords beside a ``$ref`` apply too.
SIBLINGS_APPLY = frozenset({"3.1", "3.2"})


def _beside_keywords(side: Side, node: Any) -> bool:
    """Whether ``node`` is a ``$ref`` with keywords beside it that apply (not mere annotations), in a
    family where they do."""
    return (
        side.family in SIBLINGS_APPLY
        and isinstance(node, dict)
        and isinstance(node.get("$ref"), str)
        and any(k != "$ref" and k not in ANNOTATIONS for k in node)
    )


def schema_deref(side: Side, file: str, path: PathKey, node: Any) -> tuple[str, PathKey, Any]:
    """A schema node with its ``$ref`` followed, as :meth:`Side.deref` does, except where keywords beside
    the ``$ref`` apply (OpenAPI 3.1 and 3.2: ``{$ref: A, required: [name]}`` is A and the requirement,
    as allOf would be): then the node itself, whose view takes the ``$ref``'s target in as a part. Before,
    the keywords were dropped, and a breaking change written beside a ``$ref`` was not seen."""
    if _beside_keywords(side, node):
        side.deref(file, path, {"$ref": node["$ref"]})  # noted among the problems if it cannot be followed
        return file, path, node
    return side.deref(file, path, node)


def _applied(side: Side, file: str, path: PathKey, ref: Any) -> tuple[str, PathKey, Any] | None:
    """The target of a ``$ref`` that stands beside keywords which apply, when it can be followed."""
    if side.family not in SIBLINGS_APPLY or not isinstance(ref, str):
        return None
    found = side.deref(file, path, {"$ref": ref})
    return None if opaque(found[2]) else found


def unknown(side: Side, file: str, node: Any) -> bool:
    """Whether what ``node`` stands for is unknown: an unfollowed ``$ref``, alone or beside keywords."""
    if not opaque(node):
        return False
    if _beside_keywords(side, node):
        found = side.followed_already(file, node["$ref"])
        return found is None or opaque(found[2])
    return True


def _as_ref(found: tuple[str, tuple[str | int, ...], Any]) -> Ref:
    file, path, node = found
    return (node, file, path)


def _types(node: dict[str, Any]) -> frozenset[str] | None:
    raw = node.get("type")
    if isinstance(raw, str):
        types = {raw}
    elif isinstance(raw, list) and all(isinstance(t, str) for t in raw) and raw:
        types = set(raw)
    else:
        return None
    if node.get("nullable") is True or node.get("x-nullable") is True:
        types.add("null")
    return frozenset(types)
