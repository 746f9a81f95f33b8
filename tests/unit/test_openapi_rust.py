"""openapi-spec-validator-rs as the verdict: JSON parsed as JSON, no positions for a valid spec,
every error located and worded for a person, and nothing outside the project ever read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fes_docs import openapi
from fes_docs.openapi import load_spec
from fes_docs.openapi import workspace as ws_module

FIX = Path(__file__).parents[1] / "fixtures" / "openapi"
SENTINEL = "SENTINEL-OUTSIDE-THE-PROJECT-rs-42"


@pytest.fixture(autouse=True)
def _cold() -> None:
    openapi.clear_cache()


def _count_located(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts located loads (positions built): the work a valid spec must not do."""
    calls: list[str] = []
    real = ws_module.load_bytes

    def counting(data: bytes, file: str, **limits: int) -> object:
        calls.append(file)
        return real(data, file, **limits)

    monkeypatch.setattr(ws_module, "load_bytes", counting)
    return calls


def test_json_spec_with_surrogate_pair_escapes_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = json.loads((FIX / "oai-json" / "petstore.json").read_text())
    spec["info"]["title"] = "Swagger Petstore \U0001f600"
    (tmp_path / "openapi.json").write_text(json.dumps(spec))  # writes "\ud83d\ude00"
    assert "\\ud83d\\ude00" in (tmp_path / "openapi.json").read_text()
    located = _count_located(monkeypatch)
    index = load_spec(tmp_path, "openapi.json")
    assert index.valid, index.problems
    assert ("GET", "/pets/{petId}") in [(o.method, o.path) for o in index.operations]
    assert located == []  # the index and the verdict come from the plain parse: no positions built


def test_valid_yaml_spec_builds_no_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    located = _count_located(monkeypatch)
    index = load_spec(FIX, "oai/v3.0/petstore.yaml")
    assert index.valid and index.operations and located == []


def test_every_error_is_reported_located_and_without_python_reprs(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.3\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /a/{id}:\n"
        "    get:\n"
        "      operationId: same\n"
        "      parameters:\n"
        "        - {name: id, in: path, required: true, schema: {type: integer, default: nope}}\n"
        "        - {name: q, in: query, schema: {type: string, nullable: null}}\n"
        "      responses: {'200': {description: ok}}\n"
        "  /b:\n"
        "    get:\n"
        "      operationId: same\n"
        "      responses: {'200': {description: ok}}\n"
        "  /c/{z}:\n"
        "    get:\n"
        "      responses: {'200': {description: ok}}\n"
    )
    index = load_spec(tmp_path, "openapi.yaml")
    found = {(p.line, p.message) for p in index.problems}
    assert (9, "this mapping is not valid under any of the given schemas") in found
    assert (13, "Operation ID 'same' for 'get' in '/b' is not unique") in found
    assert (16, "Path parameter 'z' for 'get' operation in '/c/{z}' was not resolved") in found
    assert any(line == 8 and "'nope' is not of type 'integer'" in m for line, m in found), found
    assert not any(m.startswith(("{", "[", "None ")) or "None for" in m for _, m in found)


@pytest.mark.parametrize(
    "ref",
    ["../outside/secret.yaml", "../outside/secret.yaml#/S", "file://{outside}/secret.yaml", "{outside}/secret.yaml"],
)
def test_a_ref_outside_the_project_is_never_read_nor_quoted(tmp_path: Path, ref: str) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"S: {{type: {json.dumps(SENTINEL)}}}\ntype: {json.dumps(SENTINEL)}\n")
    ref = ref.format(outside=outside)
    (project / "openapi.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        f"              schema: {{$ref: {json.dumps(ref)}}}\n"
    )
    index = load_spec(project, "openapi.yaml")
    assert not index.valid
    assert index.files == ["openapi.yaml"]
    assert all(SENTINEL not in p.message + p.hint for p in index.problems), index.problems
    assert any(p.kind == "ref-outside" and p.line == 11 for p in index.problems), index.problems


def test_a_file_uri_in_an_example_is_not_read_by_the_validator(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"type: {json.dumps(SENTINEL)}\n")
    (project / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        f"    A: {{$id: {json.dumps((outside / 'x').as_uri())}, $ref: secret.yaml}}\n"
    )
    index = load_spec(project, "openapi.yaml")
    assert all(SENTINEL not in p.message + p.hint for p in index.problems), index.problems


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "openapi.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
            "      responses: {'200': {description: ok}}\n  /a:\n    post:\n"
            "      responses: {'200': {description: ok}}\n",
        ),
        (
            "openapi.json",
            '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {\n'
            '"/a": {"get": {"responses": {"200": {"description": "ok"}}}},\n'
            '"/a": {"post": {"responses": {"200": {"description": "ok"}}}}}}\n',
        ),
    ],
)
def test_a_duplicate_key_cannot_hide_a_path_on_the_fast_path(tmp_path: Path, name: str, text: str) -> None:
    """Attack: a second `/a:` replaces the first in a plain parse (last one wins), hiding its operations."""
    from fes_docs.openapi.parse import parse_surveyed

    assert parse_surveyed(text.encode(), name, 100) is None  # not trusted: the located loader reads it
    (tmp_path / name).write_text(text)
    spec = load_spec(tmp_path, name)
    assert not spec.valid and any("duplicate key" in p.message and p.line in (7, 3) for p in spec.problems)
