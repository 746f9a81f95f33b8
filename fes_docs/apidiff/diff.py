"""The comparison of two sides as a report: changes sorted, capped, located.

Deterministic: the same two specs give the same report, byte for byte (sorted throughout, no clock
but the ``today`` the caller fixes for sunset dates). Bounded: at most :data:`MAX_CHANGES` changes are
kept (breaking ones first), the rest counted by level. Located with one pass per file over the bytes
(:func:`fes_docs.openapi.positions.find`) for just the paths reported: no located load of a whole spec
(and a big YAML file's pass beside the other's, :mod:`.aside`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .aside import find_all
from .engine import Engine
from .model import LEVEL_RANK, ApiDiff, Change, PathKey, Spot
from .resolve import Side

MAX_CHANGES = 1000


def diff_sides(base: Side, head: Side, today: date, max_changes: int = MAX_CHANGES, fast: bool = True) -> ApiDiff:
    """What changed from ``base`` to ``head``, each change classified and located. ``fast=False`` compares
    even what is unchanged (the same report; tests compare the two)."""
    out = ApiDiff(base.label, head.label, base.rel, head.rel)
    out.problems = [*base.problems, *head.problems]
    unreadable = [s for s in (base, head) if s.exists and s.family is None]
    if unreadable:
        out.failed = True
        return out
    engine = Engine(base, head, today, fast)
    bops, hops = engine.run()
    out.problems = [*base.problems, *head.problems, *engine.notes]  # refs met while comparing included
    out.unjudged = list(engine.unjudged)
    unique = sorted(set(engine.changes), key=lambda c: (LEVEL_RANK[c.level], *c.sort_key()))
    kept = unique[:max_changes]
    for c in unique[max_changes:]:
        out.omitted[c.level] = out.omitted.get(c.level, 0) + 1
    out.added = sorted(hops[k].endpoint_text for k in set(hops) - set(bops))
    out.removed = sorted(bops[k].endpoint_text for k in set(bops) - set(hops))
    touched = {f"{c.method} {c.path}" for c in unique}
    out.changed = sorted(hops[k].endpoint_text for k in set(hops) & set(bops) if hops[k].endpoint_text in touched)
    out.changes = sorted(_located(kept, base, head), key=_shown_order)
    return out


def _shown_order(c: Change) -> tuple[str, str, int, int, int, str, str]:
    return (c.path, c.method, LEVEL_RANK[c.level], c.spot.line, c.spot.column, c.rule, c.message)


def _located(changes: list[Change], base: Side, head: Side) -> list[Change]:
    """Each change with its spot, and its spot in the head (a removal: its nearest surviving ancestor)."""
    wanted: dict[tuple[str, str], set[PathKey]] = {}
    for c in changes:
        wanted.setdefault((c.where.side, c.where.file), set()).add(c.where.path)
        if c.where.side == "base":
            wanted.setdefault(("head", _head_file(head, c.where.file)), set()).add(c.where.path)
    sides = {"base": base, "head": head}
    found = find_all(
        [
            ((which, file), file, sides[which].raw(file) or b"", sorted(paths, key=repr))
            for (which, file), paths in sorted(wanted.items())
        ]
    )
    out = []
    for c in changes:
        pos = found[(c.where.side, c.where.file)].key_pos(c.where.path)
        spot = Spot(c.where.file, pos.line, pos.column)
        head_spot = spot
        if c.where.side == "base":
            hfile = _head_file(head, c.where.file)
            hpos = found[("head", hfile)].pos(c.where.path)
            head_spot = Spot(hfile, hpos.line, hpos.column)
        out.append(_with(c, spot, head_spot))
    return out


def _head_file(head: Side, file: str) -> str:
    return file if head.raw(file) is not None else head.rel


def _with(c: Change, spot: Spot, head_spot: Spot) -> Change:
    return replace(c, spot=spot, head_spot=head_spot)
