"""Properties of the API change report: a spec diffed with itself reports nothing, and the report of
any two specs is identical run to run (order, locations, words)."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs.apidiff import diff_sides, load_side
from fes_docs.apireport import as_json

NAMES = st.sampled_from(["id", "name", "tag", "owner", "status", "kind", "x"])
SCALAR = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
    optional={
        "enum": st.lists(st.sampled_from(["a", "b", "c", 1, 2]), min_size=1, max_size=3, unique=True),
        "maxLength": st.integers(0, 50),
        "minimum": st.integers(-5, 5),
        "nullable": st.booleans(),
        "readOnly": st.booleans(),
        "pattern": st.sampled_from(["^a", "^[0-9]+$"]),
    },
)


def _object(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.builds(
        lambda props, req: {"type": "object", "properties": props, "required": sorted(set(req) & set(props))},
        st.dictionaries(NAMES, children, max_size=4),
        st.lists(NAMES, max_size=3),
    )


SCHEMA = st.recursive(
    SCALAR | st.just({"$ref": "#/components/schemas/Shared"}),
    lambda kids: _object(kids) | st.builds(lambda i: {"type": "array", "items": i}, kids),
    max_leaves=8,
)
PARAM = st.builds(
    lambda name, where, req, schema: {"name": name, "in": where, "required": req, "schema": schema},
    NAMES,
    st.sampled_from(["query", "header"]),
    st.booleans(),
    SCALAR,
)
OPERATION = st.fixed_dictionaries(
    {
        "parameters": st.lists(PARAM, max_size=3, unique_by=lambda p: (p["in"], p["name"])),
        "responses": st.dictionaries(
            st.sampled_from(["200", "201", "404"]),
            st.builds(lambda s: {"description": "d", "content": {"application/json": {"schema": s}}}, SCHEMA),
            min_size=1,
            max_size=2,
        ),
    },
    optional={
        "deprecated": st.booleans(),
        "x-sunset": st.sampled_from(["2020-01-01", "2099-01-01"]),
        "operationId": NAMES,
        "security": st.lists(st.dictionaries(st.sampled_from(["k", "o"]), st.just([]), max_size=2), max_size=2),
        "requestBody": st.builds(
            lambda r, s: {"required": r, "content": {"application/json": {"schema": s}}}, st.booleans(), SCHEMA
        ),
    },
)
SPEC = st.builds(
    lambda paths, shared: {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Shared": shared}},
    },
    st.dictionaries(
        st.sampled_from(["/a", "/a/{id}", "/b", "/c/{x}/d"]),
        st.dictionaries(st.sampled_from(["get", "post", "delete"]), OPERATION, min_size=1, max_size=2),
        max_size=3,
    ),
    _object(SCALAR),
)


def _report(base: dict[str, Any], head: dict[str, Any]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "base.json").write_text(json.dumps(base, indent=1))
        (root / "head.json").write_text(json.dumps(head, indent=1))
        sides = load_side("base", root, "base.json", "b"), load_side("head", root, "head.json", "h")
        return as_json(diff_sides(*sides, date(2026, 12, 1)))


@settings(max_examples=60, deadline=None)
@given(SPEC)
def test_a_spec_diffed_with_itself_reports_nothing(spec: dict[str, Any]) -> None:
    doc = json.loads(_report(spec, spec))
    assert doc["changes"] == [] and doc["operations"] == {"added": [], "removed": [], "changed": []}


@settings(max_examples=60, deadline=None)
@given(SPEC, SPEC)
def test_the_report_is_identical_run_to_run(base: dict[str, Any], head: dict[str, Any]) -> None:
    first = _report(base, head)
    assert _report(base, head) == first
    for change in json.loads(first)["changes"]:
        assert change["line"] >= 1 and change["level"] in ("error", "warning", "info")
