"""What is unchanged is not compared (apidiff/same.py), and that changes nothing: the fast path's report
is the full walk's, byte for byte, on every fixture pair, on real specs with a release's edits, and on
the cases where the shortcut must not apply (a change behind a cycle of $refs, a $ref that cannot be
followed, a $ref into another file). Work is counted, never timed."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fes_docs.apidiff import diff_sides, load_side
from fes_docs.apidiff.engine import Engine
from fes_docs.apidiff.resolve import Side
from fes_docs.apireport import as_json, github, text

FIXTURES = Path(__file__).parents[2] / "fixtures" / "apidiff"
SPECS = Path(__file__).parents[3] / "benchmarks" / "specs"
TODAY = date(2026, 12, 1)


def _sides(root: Path, base: str, head: str) -> tuple[Side, Side]:
    return load_side("base", root, base, base), load_side("head", root, head, head)


def _reports(root: Path, base: str = "base.yaml", head: str = "head.yaml") -> tuple[list[str], list[str]]:
    """The fast and the full report of a pair, in every format (sides loaded afresh for each)."""
    fast = diff_sides(*_sides(root, base, head), TODAY)
    full = diff_sides(*_sides(root, base, head), TODAY, fast=False)
    return [f(fast) for f in (as_json, text, github)], [f(full) for f in (as_json, text, github)]


def _write(root: Path, files: dict[str, Any]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(json.dumps(data, indent=1))
    return root


def _engine(root: Path, base: str, head: str) -> Engine:
    engine = Engine(*_sides(root, base, head), TODAY)
    engine.run()
    return engine


@pytest.mark.parametrize("folder", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_every_fixture_pair_reports_the_same_both_ways(folder: Path) -> None:
    fast, full = _reports(folder)
    assert fast == full


def _spec(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress((SPECS / name).read_bytes()))
    return data


def _release(spec: dict[str, Any]) -> dict[str, Any]:
    """A release's edits on a copy: an operation removed, a required parameter added, one deprecated, a
    property's type changed, a property added (each at a fixed place, so the pair is always the same)."""
    head = copy.deepcopy(spec)
    paths = head["paths"]
    ops = sorted((p, m) for p, item in paths.items() for m in ("get", "post", "delete") if m in item)
    path, method = ops[len(ops) // 3]
    del paths[path][method]
    path, method = ops[len(ops) // 2]
    paths[path][method].setdefault("parameters", []).append(
        {"name": "fesTestFilter", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    path, method = ops[2 * len(ops) // 3]
    paths[path][method]["deprecated"] = True
    schemas = head["components"]["schemas"]
    typed = [
        (n, p)
        for n in sorted(schemas)
        for p, s in sorted((schemas[n].get("properties") or {}).items())
        if isinstance(s, dict) and s.get("type") == "string"
    ]
    name, prop = typed[len(typed) // 2]
    schemas[name]["properties"][prop]["type"] = "integer"
    name, prop = typed[len(typed) // 5]
    schemas[name]["properties"]["fesTestNote"] = {"type": "string"}
    return head


@pytest.mark.parametrize("vendored", ["kubernetes.io.json.gz", "stripe.com.json.gz"])
def test_real_specs_with_a_release_of_edits_report_the_same_both_ways(tmp_path: Path, vendored: str) -> None:
    spec = _spec(vendored)
    root = _write(tmp_path, {"base.json": spec, "head.json": _release(spec)})
    fast, full = _reports(root, "base.json", "head.json")
    assert fast == full
    assert json.loads(fast[0])["summary"]["breaking"] > 0


def test_kubernetes_compares_only_the_operations_a_change_reaches(tmp_path: Path) -> None:
    spec = _spec("kubernetes.io.json.gz")
    root = _write(tmp_path, {"base.json": spec, "head.json": _release(spec)})
    engine = _engine(root, "base.json", "head.json")
    # the type change sits in a schema few operations reach; the other operations are skipped whole
    assert engine.skipped_ops > 800
    assert engine.work < 50


def test_a_spec_diffed_with_a_copy_of_itself_compares_nothing(tmp_path: Path) -> None:
    spec = _spec("kubernetes.io.json.gz")
    root = _write(tmp_path, {"base.json": spec, "head.json": spec})  # two files: no node is shared
    engine = Engine(*_sides(root, "base.json", "head.json"), TODAY)
    bops, hops = engine.run()
    assert engine.changes == [] and engine.notes == []
    assert engine.skipped_ops == len(bops) == len(hops) > 800
    assert engine.work == 0 and not engine.memo  # no schema pair was looked at
    assert not any(op.elaborated for op in (*bops.values(), *hops.values()))
    # no node is looked at twice for its $refs (the spec's own nodes: the base's are walked, never the head's)
    assert 0 < engine.same.walked <= _containers(spec)


def _containers(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + sum(_containers(v) for v in node.values())
    if isinstance(node, list):
        return 1 + sum(_containers(v) for v in node)
    return 0


def _openapi(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _get(schema: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_a_change_behind_a_cycle_of_refs_reaches_every_operation_on_it(tmp_path: Path) -> None:
    # /b reaches B -> A -> B (a cycle) and, from A, C; only C changes. /d reaches D alone.
    def spec(c_type: str) -> dict[str, Any]:
        schemas = {
            "A": {"type": "object", "properties": {"b": _ref("B"), "c": _ref("C")}},
            "B": {"type": "object", "properties": {"a": _ref("A")}},
            "C": {"type": "object", "properties": {"v": {"type": c_type}}},
            "D": {"type": "object", "properties": {"d": _ref("D")}},
        }
        return _openapi({"/b": _get(_ref("B")), "/d": _get(_ref("D"))}, schemas)

    root = _write(tmp_path, {"base.yaml": spec("string"), "head.yaml": spec("integer")})
    fast, full = _reports(root)
    assert fast == full
    changes = json.loads(fast[0])["changes"]
    assert [(c["endpoint"], c["rule"]) for c in changes] == [("GET /b", "FES875")]
    assert "property 'a.c.v'" in changes[0]["message"]
    assert _engine(root, "base.yaml", "head.yaml").skipped_ops == 1  # /d


def test_a_ref_that_is_not_followed_is_noted_the_same_way(tmp_path: Path) -> None:
    remote = {"$ref": "https://example.com/schemas/pet.json"}
    both = _openapi({"/pets": _get(remote), "/dangling": _get(_ref("Missing")), "/ok": _get(_ref("Ok"))}, {"Ok": {}})
    root = _write(tmp_path, {"base.yaml": both, "head.yaml": both})
    fast, full = _reports(root)
    assert fast == full
    problems = json.loads(fast[0])["problems"]
    assert any("example.com" in p for p in problems) and any("Missing" in p for p in problems)
    assert _engine(root, "base.yaml", "head.yaml").skipped_ops == 1  # /ok only: the others are not followed


def test_a_cycle_of_bare_refs_leads_nowhere_the_same_way(tmp_path: Path) -> None:
    # A is B and B is A: following them ends after 64 hops on a $ref, which the full walk notes
    both = _openapi({"/loop": _get(_ref("A")), "/ok": _get(_ref("C"))}, {"A": _ref("B"), "B": _ref("A"), "C": {}})
    root = _write(tmp_path, {"base.yaml": both, "head.yaml": both})
    fast, full = _reports(root)
    assert fast == full
    assert json.loads(fast[0])["problems"]
    assert _engine(root, "base.yaml", "head.yaml").skipped_ops == 1  # /ok


def test_equal_by_python_is_not_unchanged_when_the_types_differ(tmp_path: Path) -> None:
    # 1 == True in Python, but `required: 1` is not required: the parameter became required (FES862)
    def spec(required: Any) -> dict[str, Any]:
        param = {"name": "q", "in": "query", "required": required, "schema": {"type": "string"}}
        return _openapi({"/a": {"get": {**_get({})["get"], "parameters": [param], "deprecated": required}}}, {})

    root = _write(tmp_path, {"base.yaml": spec(1), "head.yaml": spec(True)})
    fast, full = _reports(root)
    assert fast == full
    assert {c["rule"] for c in json.loads(fast[0])["changes"]} == {"FES856", "FES862"}


@pytest.mark.parametrize("changed", [False, True])
def test_refs_into_another_file_are_followed_the_full_way(tmp_path: Path, changed: bool) -> None:
    spec = _openapi({"/pets": _get({"$ref": "common.json#/Pet"})}, {})
    pet = {"type": "object", "properties": {"name": {"type": "string"}}}
    new_pet = {"type": "object", "properties": {"name": {"type": "integer" if changed else "string"}}}
    _write(tmp_path / "base", {"spec.json": spec, "common.json": {"Pet": pet}})
    _write(tmp_path / "head", {"spec.json": spec, "common.json": {"Pet": new_pet}})

    def report(fast: bool) -> str:
        sides = (
            load_side("base", tmp_path / "base", "spec.json", "b"),
            load_side("head", tmp_path / "head", "spec.json", "h"),
        )
        return as_json(diff_sides(*sides, TODAY, fast=fast))

    assert report(True) == report(False)
    assert bool(json.loads(report(True))["changes"]) is changed


# --- random pairs: components that $ref each other (cycles included), edited at random -------------

NAMES = ["S0", "S1", "S2", "S3"]
LEAF = st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "string", "enum": ["a", "b"]}])
PROP = (
    LEAF
    | st.sampled_from([_ref(n) for n in NAMES])
    | st.builds(lambda n: {"type": "array", "items": _ref(n)}, st.sampled_from(NAMES))
)
SCHEMA = st.builds(
    lambda props, req: {"type": "object", "properties": props, "required": sorted(set(req) & set(props))},
    st.dictionaries(st.sampled_from(["id", "name", "next", "kind"]), PROP, max_size=3),
    st.lists(st.sampled_from(["id", "name", "next", "kind"]), max_size=2),
)
OPERATION = st.builds(
    lambda schema, params: {
        "parameters": params,
        "responses": {"200": {"description": "d", "content": {"application/json": {"schema": schema}}}},
    },
    PROP,
    st.lists(
        st.builds(
            lambda n, r: {"name": n, "in": "query", "required": r, "schema": {"type": "string"}},
            st.sampled_from(["q", "p"]),
            st.booleans(),
        ),
        max_size=2,
        unique_by=lambda p: p["name"],
    ),
)
SPEC = st.builds(
    lambda paths, schemas: _openapi(paths, schemas),
    st.dictionaries(
        st.sampled_from(["/a", "/b", "/c/{id}"]),
        st.dictionaries(st.sampled_from(["get", "post"]), OPERATION, min_size=1),
        max_size=3,
    ),
    st.fixed_dictionaries({n: SCHEMA for n in NAMES}),
)


@st.composite
def edited(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    base = draw(SPEC)
    head = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            head["components"]["schemas"][draw(st.sampled_from(NAMES))] = draw(SCHEMA)
        elif head["paths"]:
            path = draw(st.sampled_from(sorted(head["paths"])))
            head["paths"][path][draw(st.sampled_from(["get", "post"]))] = draw(OPERATION)
    return base, head


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edited())
def test_random_pairs_report_the_same_both_ways(tmp_path: Path, pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    root = _write(tmp_path, {"base.json": pair[0], "head.json": pair[1]})
    fast, full = _reports(root, "base.json", "head.json")
    assert fast == full
