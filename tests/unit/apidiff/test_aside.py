"""A big YAML file's positions are found in a forked child (apidiff/aside.py): the same positions as
inline, and inline whenever the child cannot give them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fes_docs.apidiff import aside, diff_sides, load_side
from fes_docs.apireport import as_json, github

FIXTURES = Path(__file__).parents[2] / "fixtures" / "apidiff"
TODAY = date(2026, 12, 1)


def _report(folder: Path) -> str:
    d = diff_sides(load_side("base", folder, "base.yaml", "b"), load_side("head", folder, "head.yaml", "h"), TODAY)
    return as_json(d) + github(d)


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every YAML file counts as big and forking is allowed; the children started are recorded."""
    started: list[Any] = []
    start = aside._start

    def recorded(job: aside.Job) -> Any:
        child = start(job)
        started.append(child)
        return child

    monkeypatch.setattr(aside, "ASIDE_BYTES", 0)
    monkeypatch.setattr(aside, "may_fork", lambda: hasattr(os, "fork"))
    monkeypatch.setattr(aside, "_start", recorded)
    return started


# removals: located in the base, and at their nearest surviving ancestor in the head (two files)
PAIRS = ["api-removed-without-deprecation", "request-property-removed", "response-header-removed"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
@pytest.mark.parametrize("name", PAIRS)
def test_positions_found_aside_are_the_inline_ones(
    name: str, forked: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    aside_report = _report(FIXTURES / name)
    assert forked and all(child is not None for child in forked)
    monkeypatch.setattr(aside, "may_fork", lambda: False)
    assert _report(FIXTURES / name) == aside_report


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_child_that_fails_leaves_the_pass_to_this_process(forked: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    name = PAIRS[0]
    monkeypatch.setattr(aside, "may_fork", lambda: False)
    inline = _report(FIXTURES / name)
    monkeypatch.setattr(aside, "may_fork", lambda: True)
    monkeypatch.setattr(aside, "find", _fails_in_child(os.getpid()))
    assert _report(FIXTURES / name) == inline
    assert forked


def _fails_in_child(parent: int) -> Any:
    from fes_docs.openapi.positions import find

    def maybe(raw: bytes, rel: str, paths: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return find(raw, rel, paths)

    return maybe


def test_json_files_and_single_files_stay_inline() -> None:
    big = b"x" * (aside.ASIDE_BYTES + 1)
    assert aside._aside([("a", "a.json", big, [("x",)]), ("b", "b.json", big, [("y",)])]) is None
    assert aside._aside([("a", "a.yaml", big, [("x",)]), ("b", "b.yaml", b"", [])]) is None  # nothing to overlap
