"""Reading names out of libpg_query's JSON tree, for the reasons the classifier writes.

Kept apart from the classification so that every handler spells an object the same way
(``schema.table``, ``schema.table.column``, "materialized view"), which :func:`fes_docs.sql._model.same_object`
relies on when it matches a create against a later drop.
"""

from __future__ import annotations

from typing import Any

from fes_docs.sql._pgjson import J


def rangevar(rv: Any) -> str:
    if rv is None:
        return "?"
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else str(rv.relname)


def dotted(names: Any) -> str:
    """``(String('s'), String('t'))`` → ``"s.t"``; accepts TypeName, ObjectWithArgs and plain strings."""
    if is_node(names, "String"):
        return str(names.sval)
    if is_node(names, "TypeName"):
        return dotted(names.names)
    if is_node(names, "ObjectWithArgs"):
        return dotted(names.objname)
    if isinstance(names, tuple | list):
        return ".".join(str(n.sval) for n in names if is_node(n, "String"))
    return "?"


def object_word(objtype: Any) -> str:
    """``ObjectType.OBJECT_MATVIEW`` → ``"materialized view"``."""
    name = str(objtype or "")
    special = {
        "OBJECT_MATVIEW": "materialized view",
        "OBJECT_TABCONSTRAINT": "constraint",
        "OBJECT_DOMCONSTRAINT": "constraint",
        "OBJECT_STATISTIC_EXT": "statistics",
    }
    return special.get(name, name.removeprefix("OBJECT_").replace("_", " ").lower())


def is_node(node: Any, tag: str) -> bool:
    """True for a tagged node of type ``tag`` (``"String"``, ``"ColumnDef"`` …)."""
    return isinstance(node, J) and node.tag == tag


def camel_words(name: str) -> str:
    """``"AlterTableSpaceOptions"`` → ``"ALTER TABLE SPACE OPTIONS"``: a node or subtype name as a label."""
    out: list[str] = []
    for ch in name:
        if ch.isupper() and out and not out[-1].isupper():
            out.append(" ")
        out.append(ch)
    return "".join(out).upper()
