"""A spec's values are bounded before any parser builds one: a 20 MB ``[{},{},…]`` is six million
dictionaries (two gigabytes), and a pull request may hand over hundreds of such files. Counted, not timed:
the parsers are spied on, and must never be called for a document over the bound."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fes_docs.openapi import workspace as ws_module
from fes_docs.openapi.parse import node_bound
from fes_docs.openapi.workspace import Workspace

LIMITS = {"max_bytes": 20_000_000, "max_depth": 200, "max_nodes": 1000}


def _nodes(data: Any) -> int:
    stack, count = [data], 0
    while stack:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            count += len(value)  # the keys
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count


_LEAF = st.none() | st.booleans() | st.integers() | st.text(alphabet="ab,:[]{}-?\n #'\"", max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        _LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    st.sampled_from([None, True, False]),
)
def test_the_bound_is_never_below_the_values_built(data: Any, flow: bool | None) -> None:
    """Sound for both formats, whatever the strings hold (delimiters inside them only raise it)."""
    as_json = json.dumps(data).encode()
    assert node_bound(as_json, "spec.json", 10**9) >= _nodes(json.loads(as_json))
    as_yaml = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True).encode()
    assert node_bound(as_yaml, "spec.yaml", 10**9) >= _nodes(yaml.safe_load(as_yaml))
    assert node_bound(as_yaml, "spec.yaml", 0) >= _nodes(yaml.safe_load(as_yaml))  # the exact count too


@pytest.mark.parametrize("name", ["spec.json", "spec.yaml"])
def test_a_document_over_the_bound_is_refused_unparsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(ws_module, "parse_surveyed", lambda *a, **k: calls.append("plain"))
    monkeypatch.setattr(ws_module, "load_bytes", lambda *a, **k: calls.append("located"))
    body = b"[" + b",".join([b"{}"] * 5000) + b"]"
    ws = Workspace(tmp_path, LIMITS)
    assert ws.add(name, b"x: " + body if name.endswith(".yaml") else body) is None
    assert calls == [] and "more than 1,000 values" in ws.problems[0].message


def test_the_files_of_one_spec_are_bounded_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ws_module, "MAX_TOTAL_NODES", 2500)
    ws = Workspace(tmp_path, LIMITS)
    part = b"[" + b",".join([b"1"] * 900) + b"]"
    assert ws.add("a.json", part) is not None and ws.add("b.json", part) is not None
    assert ws.add("c.json", part) is None
    assert "hold more than 2,500 values together" in ws.problems[-1].message


def test_libyaml_never_counts_a_run_of_brackets(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml's time is quadratic in a bracket run: the exact count is never asked of one (a million
    brackets held a test for minutes when it was); the loose bound stands, and the loader refuses the run."""
    from fes_docs.openapi import parse

    calls: list[int] = []
    monkeypatch.setattr(parse, "event_count", lambda data: calls.append(len(data)))
    bomb = b"a: " + b"[" * 5000 + b"]" * 5000
    assert node_bound(bomb, "spec.yaml", 10) > 10 and calls == []
    assert node_bound(b"a: [1, 2, 3]\n", "spec.yaml", 1) >= 0 and calls == [13]
