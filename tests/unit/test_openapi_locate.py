"""Errors placed without the Python walk and without a located load: held to the walk's answers.

Three pieces make a spec with errors cheap (issue 14): :mod:`fes_docs.openapi.positions` finds the
positions of a few paths in one pass, :mod:`fes_docs.openapi.locate` places each of the Rust
validator's errors from what it quotes, and :func:`fes_docs.openapi.parse.yaml_screen` tells an
alias from an ``&`` in a description. Each is checked against the slow, known-good answer.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from fes_docs import openapi
from fes_docs.loader import load_bytes
from fes_docs.openapi import load_spec
from fes_docs.openapi import spec as spec_module
from fes_docs.openapi import workspace as ws_module
from fes_docs.openapi.parse import yaml_screen
from fes_docs.openapi.positions import find
from fes_docs.openapi.refs import scan_refs
from fes_docs.openapi.rust import rust_errors
from fes_docs.openapi.validate import Collector, validate, version_of
from fes_docs.openapi.workspace import Workspace

FIX = Path(__file__).parents[1] / "fixtures" / "openapi"
SPECS = Path(__file__).parents[2] / "benchmarks" / "specs"
LIMITS = {"max_bytes": 20_000_000, "max_depth": 200, "max_nodes": 2_000_000}
SPEC_FILES = sorted(p for p in FIX.rglob("*") if p.suffix in (".yaml", ".json") and p.name != "LABELS.yaml")


@pytest.fixture(autouse=True)
def _cold() -> None:
    openapi.clear_cache()


def _all_paths(data: Any) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    return out


LOADABLE = [p for p in SPEC_FILES if "tab-indent" not in p.name]  # a YAML syntax error has no positions


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: p.relative_to(FIX).as_posix())
def test_positions_of_given_paths_are_the_located_loaders(path: Path) -> None:
    raw = path.read_bytes()
    doc, _problems = load_bytes(raw, path.name)
    assert doc is not None
    wanted = [p for p in _all_paths(doc.data) if p]
    found = find(raw, path.name, wanted)
    assert [(p, found.pos(p), found.key_pos(p)) for p in wanted] == [(p, doc.pos(p), doc.key_pos(p)) for p in wanted]


def test_positions_in_a_minified_json_with_escapes_and_wide_characters() -> None:
    spec = {"a": {"b\u00e9": ["x", {"c": "\ud83d\ude00"}]}, "d": [1, 2, {"e": None}]}
    raw = json.dumps(spec, separators=(",", ":")).encode()  # one line, surrogate-pair escapes
    found = find(raw, "spec.json", [("a", "b\u00e9", 1, "c"), ("d", 2, "e"), ("d", 5)])
    text = raw.decode()
    assert found.pos(("a", "b\u00e9", 1, "c")).column == text.index('"\\ud83d') + 1
    assert found.key_pos(("d", 2, "e")).column == text.index('"e"') + 1
    assert found.pos(("d", 5)) == found.pos(("d",))  # missing: its nearest ancestor, as Document.pos


def _walked(ws: Workspace, main: str, family: str) -> list[tuple[str, int, int, str, str]]:
    collector = Collector(ws, main)
    validate(ws, main, family, True, True, collector)
    return sorted((p.file, p.line, p.column, p.message, p.hint) for p in collector.problems.values())


def _workspace(root: Path, rel: str) -> tuple[Workspace, str]:
    ws = Workspace(root, LIMITS)
    ws.add(rel, (root / rel).read_bytes())
    data = ws.data[rel]
    family = version_of(data)[1] if isinstance(data, dict) else None
    assert family is not None
    scan_refs(ws, rel, family == "2.0")
    return ws, family


# invalid specs the validator runs through (a dangling $ref stops it; an empty file has no version)
_NOT_RUN_THROUGH = ("tab-indent", "version", "dangling-ref", "misspelled-components", "test_empty.yaml")
INVALID = [
    p.relative_to(FIX).as_posix()
    for p in SPEC_FILES
    if p.parent.name in ("osv", "broken", "split-bad-param") and not any(n in p.name for n in _NOT_RUN_THROUGH)
]


@pytest.mark.parametrize("rel", INVALID)
def test_errors_placed_from_what_they_quote_are_where_the_python_walk_puts_them(rel: str) -> None:
    """Differential: wherever :mod:`locate` places the Rust errors itself, the library's own walk
    (which knows where it is) reports the same problems at the same lines and columns."""
    from fes_docs.openapi.locate import locate

    ws, family = _workspace(FIX, rel)
    errors, stopped = rust_errors(ws, rel, family)
    assert stopped is None
    placed = locate(ws, rel, family, errors)
    assert placed is not None, "every fixture's errors are of kinds placed without the walk"
    assert sorted((p.file, p.line, p.column, p.message, p.hint) for p in placed) == _walked(ws, rel, family)


def _aws_iot(tmp_path: Path) -> Path:
    (tmp_path / "iot.json").write_bytes(gzip.decompress((SPECS / "aws-iot.json.gz").read_bytes()))
    return tmp_path / "iot.json"


def test_a_real_spec_with_22_errors_is_placed_without_positions_for_the_whole_file_or_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS IoT's published description: 22 `pattern`s in Java's regex dialect. Each is reported at
    the pattern itself; no located load and no Python walk (the work a 1 MB spec must not do)."""
    located: list[str] = []
    walks: list[str] = []
    real_load, real_validate = ws_module.load_bytes, spec_module.validate
    monkeypatch.setattr(
        ws_module, "load_bytes", lambda data, file, **kw: located.append(file) or real_load(data, file, **kw)
    )
    monkeypatch.setattr(spec_module, "validate", lambda ws, rel, *a: walks.append(rel) or real_validate(ws, rel, *a))
    path = _aws_iot(tmp_path)
    index = load_spec(tmp_path, "iot.json")
    assert (located, walks) == ([], [])
    assert not index.valid and len(index.problems) == 22
    doc, _ = load_bytes(path.read_bytes(), "iot.json")  # the slow, known-good positions
    assert doc is not None
    where = {(pos.line, pos.column): p for p, pos in doc.values.items()}
    for problem in index.problems:
        at = where[(problem.line, problem.column)]
        assert at[-1] == "pattern" and problem.message.startswith(repr(_value(doc.data, at)))
        assert problem.message.endswith("is not a 'regex'")


def _value(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def test_a_schema_copy_the_library_never_walks_takes_no_error(tmp_path: Path) -> None:
    """The library checks response schemas, not request bodies: the same faulty schema in both
    gives one error, at the response; the request body's copy is not blamed."""
    bad = {"type": "string", "default": None}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": dict(bad)}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": dict(bad)}}}},
                }
            }
        },
    }
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    index = load_spec(tmp_path, "openapi.yaml")
    lines = (tmp_path / "openapi.yaml").read_text().splitlines()
    assert {p.message for p in index.problems} >= {
        "null is not allowed here: the schema is not nullable (add 'nullable: true')"
    }
    responses = next(i for i, line in enumerate(lines, 1) if "responses:" in line)
    assert index.problems and all(p.line > responses for p in index.problems), index.problems


def test_an_error_it_cannot_place_goes_to_the_walk_and_is_still_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks: list[str] = []
    real_validate = spec_module.validate
    monkeypatch.setattr(spec_module, "validate", lambda ws, rel, *a: walks.append(rel) or real_validate(ws, rel, *a))
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: 0\n"
    )
    index = load_spec(tmp_path, "openapi.yaml")
    assert walks == ["openapi.yaml"]
    assert [(p.line, p.message) for p in index.problems] == [(6, "0 is not of type 'object', 'boolean'")]


@pytest.mark.parametrize(
    "text",
    [
        "description: Sources & Customers, *emphasis* and **bold**\n",
        "a: 'x &y'\nb: \"*z\"\nc: |\n  &not_an_anchor\n  *not_an_alias\n",
    ],
)
def test_an_ampersand_or_star_in_text_is_no_anchor_for_the_screen(text: str) -> None:
    assert yaml_screen(text.encode()) is not None


@pytest.mark.parametrize("text", ["a: &x [1]\nb: *x\n", "a: {b: 1, b: 2}\n", "a:\n  b: 1\n  'b': 2\n", "a: [\n"])
def test_an_alias_a_repeated_key_or_a_syntax_error_is_left_to_the_guarded_loader(text: str) -> None:
    assert yaml_screen(text.encode()) is None


def test_a_repeated_path_in_a_big_yaml_is_caught_by_the_screen_running_beside_the_parse() -> None:
    """Above SCREEN_ASIDE_BYTES the screen runs in a forked child while the fast parser works: its
    verdict still decides (the second `/a:` would hide the first one's operations)."""
    from fes_docs.openapi.parse import SCREEN_ASIDE_BYTES, parse_surveyed

    pad = "x" * 100
    body = "".join(f"  /p{i}:\n    get: {{description: {pad}}}\n" for i in range(SCREEN_ASIDE_BYTES // 100))
    clean = f"openapi: 3.0.3\npaths:\n  /a:\n    get: {{}}\n{body}"
    assert len(clean) > SCREEN_ASIDE_BYTES
    assert parse_surveyed(clean.encode(), "openapi.yaml", 100) is not None
    assert parse_surveyed((clean + "  /a:\n    post: {}\n").encode(), "openapi.yaml", 100) is None
