"""The change-rule catalogue: one small function per rule, registered with a stable id, a name, a
title and a level, as the validation rules are (:mod:`fes_docs.rules`).

The engine (:mod:`.engine`) matches the two specs' pieces — operations, parameters, bodies, statuses,
media types, schemas — and hands each matched (or unmatched) pair to the rules of its *kind*; a rule
says what, if anything, a client would notice. Ids are ``FES850``–``FES899`` (the ``FES8xx`` range is
the OpenAPI spec's); names are oasdiff's check ids where one fits. The catalogue is read by
``fes-docs rules`` and the site; nothing else keeps a list of them. The package's ``__init__``
imports the rule modules, which fills it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from .model import Level, Where
from .ops import Body, Op, Param, Response

Kind = Literal[
    "op-removed", "op-added", "op", "param-added", "param-removed", "param", "body", "media-removed",
    "status-removed", "status-added", "header-removed", "schema",
]  # fmt: skip
Direction = Literal["request", "response"]


@dataclass(frozen=True)
class Hit:
    """What a rule yields: the words after the subject, where, and a level other than the rule's."""

    message: str
    where: Where
    level: Level | None = None
    sub: tuple[str, ...] = ()  # a property below the compared schema that the hit is about


@dataclass(frozen=True)
class ChangeRule:
    id: str
    name: str
    title: str
    level: Level
    kind: Kind
    doc: str
    check: Callable[..., Iterable[Hit]] = field(compare=False)


CHANGE_RULES: dict[str, ChangeRule] = {}


def change_rule(id: str, name: str, title: str, level: Level, kind: Kind) -> Callable[[Any], Any]:
    """Register ``func(pair) -> Iterable[Hit]`` for pairs of ``kind``; its docstring is the doc line."""

    def deco(func: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if id in CHANGE_RULES or any(r.name == name for r in CHANGE_RULES.values()):
            raise RuntimeError(f"change rule {id} {name} registered twice")
        doc = " ".join((func.__doc__ or "").split())
        CHANGE_RULES[id] = ChangeRule(id, name, title, level, kind, doc, func)
        return func

    return deco


@cache
def rules_of(kind: Kind) -> tuple[ChangeRule, ...]:
    return tuple(r for _, r in sorted(CHANGE_RULES.items()) if r.kind == kind)


def rule_named(text: str) -> ChangeRule | None:
    """The rule ``text`` names, by id (``FES851``) or by name (``api-removed-without-deprecation``)."""
    found = CHANGE_RULES.get(text.strip().upper())
    return found or next((r for r in CHANGE_RULES.values() if r.name == text.strip().lower()), None)


# --- the pairs rules are handed ---------------------------------------------------------------------


@dataclass
class OpPair:
    base: Op | None
    head: Op | None
    today: date
    path_gone: bool = False  # the base's whole path is gone from the head


@dataclass
class ParamPair:
    op: OpPair
    base: Param | None
    head: Param | None


@dataclass
class BodyPair:
    op: OpPair
    base: Body | None
    head: Body | None


@dataclass
class MediaPair:
    direction: Direction
    label: str  # "request body", "response 200"
    media: str
    base: Where
    head: Where


@dataclass
class StatusPair:
    base: Response | None
    head: Response | None
    head_op: Where


@dataclass
class HeaderPair:
    status: str
    name: str
    required: bool
    base: Where
    head: Where


@dataclass
class View:
    """A schema as compared: ``$ref``\\ s followed, ``allOf`` merged, ``nullable`` folded into the types.

    ``at`` says where each keyword was found (an ``allOf`` part may hold it), ``props`` where each
    property's schema is (unfollowed: the engine follows it when it compares the two).
    """

    node: dict[str, Any]
    where: Where
    at: dict[str, Where]
    types: frozenset[str] | None
    props: dict[str, tuple[Any, str, tuple[str | int, ...]]]
    required: frozenset[str]

    def get(self, keyword: str) -> Any:
        return self.node.get(keyword)

    def loc(self, keyword: str) -> Where:
        return self.at.get(keyword, self.where)

    def prop_where(self, name: str) -> Where:
        _node, file, path = self.props[name]
        return Where(self.where.side, file, path)

    def flag(self, name: str, keyword: str) -> bool:
        node = self.props[name][0]
        return isinstance(node, dict) and node.get(keyword) is True


@dataclass
class SchemaPair:
    base: View
    head: View
    direction: Direction
