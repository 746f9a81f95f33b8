"""Swagger 2.0, OpenAPI 3.0 and 3.1 compared in one shape; $refs followed across the spec's own files,
never out of the project, never remote; hostile specs end in bounded time."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fes_docs.apidiff import ApiDiff, diff_sides, load_side
from fes_docs.apidiff.diff import MAX_CHANGES

TODAY = date(2026, 12, 1)

SWAGGER = """swagger: "2.0"
info: {title: t, version: "1"}
produces: [application/json]
paths:
  /pets:
    post:
      parameters:
        - {name: kind, in: query, type: string, enum: [cat, dog, bird]}
        - in: body
          name: pet
          required: true
          schema: {$ref: "#/definitions/Pet"}
      responses:
        "201":
          description: created
          schema: {$ref: "#/definitions/Pet"}
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string}
"""

OPENAPI_30 = """openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    post:
      parameters:
        - {name: kind, in: query, schema: {type: string, enum: [cat, dog, bird]}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
"""


def _diff(
    tmp: Path, base: str, head: str, files: dict[str, str] | None = None, head_files: dict[str, str] | None = None
) -> ApiDiff:
    for side, text, extra in (("base", base, files or {}), ("head", head, head_files or files or {})):
        folder = tmp / side
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "spec.yaml").write_text(text)
        for name, content in extra.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(content)
    return diff_sides(
        load_side("base", tmp / "base", "spec.yaml", "base"),
        load_side("head", tmp / "head", "spec.yaml", "head"),
        TODAY,
    )


def test_swagger2_and_its_openapi3_form_compare_equal(tmp_path: Path) -> None:
    report = _diff(tmp_path, SWAGGER, OPENAPI_30)
    assert report.changes == [] and not report.problems


def test_swagger2_changes(tmp_path: Path) -> None:
    head = SWAGGER.replace("[cat, dog, bird]", "[cat, dog]").replace("required: [name]", "required: [name, age]")
    head = head.replace("      name: {type: string}\n", "      name: {type: string}\n      age: {type: integer}\n")
    names = [c.name for c in _diff(tmp_path, SWAGGER, head).changes]
    assert "request-enum-value-removed" in names and "new-required-request-property" in names
    assert "response-property-added" in names  # the same definition is also the response


def test_openapi31_null_in_type_list(tmp_path: Path) -> None:
    base = OPENAPI_30.replace("3.0.3", "3.1.0")
    head = base.replace("name: {type: string}", 'name: {type: [string, "null"]}')
    report = _diff(tmp_path, base, head)
    assert [c.name for c in report.changes] == ["response-type-changed"]  # the request side only widened
    assert "null|string" in report.changes[0].message


def test_ref_to_another_file_is_followed_and_located_there(tmp_path: Path) -> None:
    spec = OPENAPI_30.replace('"#/components/schemas/Pet"', "schemas/pet.yaml")
    pet = "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n"
    report = _diff(tmp_path, spec, spec, {"schemas/pet.yaml": pet}, {"schemas/pet.yaml": pet.replace("[name]", "[]")})
    assert [c.name for c in report.changes] == ["response-property-became-optional"]
    assert report.changes[0].spot.file == "schemas/pet.yaml" and report.changes[0].spot.line == 4


def test_refs_out_of_the_project_or_remote_are_never_read(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("type: object\nproperties: {token: {type: string}}\n")
    spec = OPENAPI_30.replace('"#/components/schemas/Pet"', "../secret.yaml", 1).replace(
        '"#/components/schemas/Pet"', "https://example.org/pet.yaml", 1
    )
    report = _diff(tmp_path, spec, spec)
    assert report.changes == []
    assert any("not followed" in p for p in report.problems)
    assert "token" not in json.dumps([c.message for c in report.changes])


def test_a_ref_cycle_ends(tmp_path: Path) -> None:
    spec = OPENAPI_30.replace(
        "        name: {type: string}\n",
        '        name: {type: string}\n        parent: {$ref: "#/components/schemas/Pet"}\n',
    )
    report = _diff(tmp_path, spec, spec.replace("required: [name]", "required: []"))
    assert {c.name for c in report.changes} == {"response-property-became-optional"}


def test_changes_are_capped_breaking_first(tmp_path: Path) -> None:
    paths = "".join(
        f"  /r{i}:\n    get:\n      responses: {{'200': {{description: ok}}}}\n" for i in range(MAX_CHANGES + 50)
    )
    base = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + paths
    head = base.split("paths:\n")[0] + "paths:\n  /new:\n    get:\n      responses: {'200': {description: ok}}\n"
    report = _diff(tmp_path, base, head)
    assert len(report.changes) == MAX_CHANGES
    assert all(c.level == "error" for c in report.changes)
    assert report.omitted == {"error": 50, "info": 1}
    assert report.count("error") == MAX_CHANGES + 50


def test_an_unreadable_head_fails_the_comparison(tmp_path: Path) -> None:
    report = _diff(tmp_path, OPENAPI_30, "openapi: [unclosed\n")
    assert report.failed and report.breaking and report.problems


def test_a_spec_absent_at_the_base_adds_everything(tmp_path: Path) -> None:
    (tmp_path / "head").mkdir()
    (tmp_path / "head" / "spec.yaml").write_text(OPENAPI_30)
    report = diff_sides(
        load_side("base", tmp_path, "missing.yaml", "base"),
        load_side("head", tmp_path / "head", "spec.yaml", "h"),
        TODAY,
    )
    assert report.added == ["POST /pets"] and not report.breaking


def test_an_operation_kept_in_a_file_of_its_own(tmp_path: Path) -> None:
    """DigitalOcean's layout: each operation is a $ref to its own file."""
    spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get: {$ref: ops/list.yaml}\n"
    op = "responses:\n  '200':\n    description: ok\n    content:\n      application/json:\n        schema:\n"
    op += "          type: object\n          required: [items]\n"
    op += "          properties:\n            items: {type: array}\n"
    report = _diff(tmp_path, spec, spec, {"ops/list.yaml": op}, {"ops/list.yaml": op.replace("[items]", "[]")})
    assert [(c.name, c.spot.file) for c in report.changes] == [("response-property-became-optional", "ops/list.yaml")]


def test_what_an_unfollowed_ref_hides_is_not_reported_as_removed(tmp_path: Path) -> None:
    """A $ref the head may not follow (here: out of the project) makes that operation unknown, not gone."""
    (tmp_path / "outside.yaml").write_text("responses: {'200': {description: ok}}\n")
    spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get: {$ref: ops/list.yaml}\n"
    report = _diff(
        tmp_path,
        spec,
        spec.replace("ops/list.yaml", "../../outside.yaml"),
        {"ops/list.yaml": "responses: {'200': {description: ok}, '404': {description: gone}}\n"},
    )
    assert report.changes == []
    assert any("not compared" in p for p in report.problems) and any("not followed" in p for p in report.problems)
