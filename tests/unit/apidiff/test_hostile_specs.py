"""Spec shapes a pull request can use to slip a breaking change past ``api-diff`` and the gate, each
compared as OpenAPI means it: keywords beside a ``$ref`` (3.1), two templates of one path, a header named
twice in two cases, and OpenAPI 3.2's ``additionalOperations``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fes_docs.apidiff import ApiDiff, diff_sides, load_side

TODAY = date(2026, 12, 1)


def _diff(tmp: Path, base: str, head: str) -> ApiDiff:
    for side, text in (("base", base), ("head", head)):
        (tmp / side).mkdir(parents=True, exist_ok=True)
        (tmp / side / "spec.yaml").write_text(text)
    return diff_sides(
        load_side("base", tmp / "base", "spec.yaml", "base"),
        load_side("head", tmp / "head", "spec.yaml", "head"),
        TODAY,
    )


def _rules(d: ApiDiff) -> set[str]:
    return {c.rule for c in d.changes if c.level == "error"}


BODY = """openapi: {version}
info: {{title: t, version: '1'}}
paths:
  /pets:
    post:
      requestBody:
        required: true
        content: {{application/json: {{schema: SCHEMA}}}}
      responses: {{'200': {{description: ok}}}}
components:
  schemas:
    Pet: {{type: object, properties: {{name: {{type: string}}}}}}
"""


def test_keywords_beside_a_ref_apply_in_31(tmp_path: Path) -> None:
    """In 3.1 (JSON Schema 2020-12) ``{$ref: A, required: [name]}`` is A and the requirement; the keywords
    were dropped, so a new required property written beside the $ref was no change at all."""
    base = BODY.format(version="3.1.0").replace("SCHEMA", "{$ref: '#/components/schemas/Pet'}")
    head = BODY.format(version="3.1.0").replace(
        "SCHEMA", "{$ref: '#/components/schemas/Pet', required: [name], properties: {name: {maxLength: 1}}}"
    )
    found = _diff(tmp_path / "a", base, head)
    assert _rules(found) == {"FES868", "FES872"}, [c.rule for c in found.changes]  # made required, narrowed
    # an annotation beside the $ref changes nothing, and 3.0 (where siblings are ignored) is as before
    same = BODY.format(version="3.1.0").replace("SCHEMA", "{$ref: '#/components/schemas/Pet', description: x}")
    assert _diff(tmp_path / "b", base, same).passed
    old = BODY.format(version="3.0.3")
    assert _diff(
        tmp_path / "c",
        old.replace("SCHEMA", "{$ref: '#/components/schemas/Pet'}"),
        old.replace("SCHEMA", "{$ref: '#/components/schemas/Pet', required: [name]}"),
    ).passed


PATHS = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
EXTRA  /a/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}PARAM]
      responses: {'200': {description: ok}}
"""


def test_two_templates_of_one_path_are_not_compared_as_one(tmp_path: Path) -> None:
    """``/a/{a}`` beside ``/a/{id}`` is one path twice (OpenAPI forbids it); the first sorted template
    stood and the other's breaking change was unseen. Now it cannot be ruled out: the verdict fails."""
    base = PATHS.replace("EXTRA", "").replace("PARAM", "")
    twin = "  /a/{a}:\n    get:\n      parameters: [{name: a, in: path, required: true, schema: {type: string}}]\n"
    twin += "      responses: {'200': {description: ok}}\n"
    head = PATHS.replace("EXTRA", twin).replace(
        "PARAM", ", {name: q, in: query, required: true, schema: {type: string}}"
    )
    found = _diff(tmp_path, base, head)
    assert not found.passed and any("one operation" in u for u in found.unjudged), found.unjudged


def test_a_header_named_twice_in_two_cases_is_read_the_strict_way(tmp_path: Path) -> None:
    """HTTP header names know no case: ``X-Token`` (required) then ``x-token`` (optional) in one list is one
    header, and the later entry used to win, so a new required header read as an optional one."""
    base = PATHS.replace("EXTRA", "").replace("PARAM", "")
    head = PATHS.replace("EXTRA", "").replace(
        "PARAM",
        ", {name: X-Token, in: header, required: true, schema: {type: string}}"
        ", {name: x-token, in: header, required: false, schema: {type: string}}",
    )
    found = _diff(tmp_path, base, head)
    assert [(c.rule, c.name) for c in found.changes] == [("FES860", "new-required-request-parameter")]


OPS32 = """openapi: 3.2.0
info: {title: t, version: '1'}
paths:
  /cache:
    get: {responses: {'200': {description: ok}}}
EXTRA"""


def test_additional_operations_of_32_are_compared(tmp_path: Path) -> None:
    """OpenAPI 3.2 keeps other methods under ``additionalOperations``; removing one was no change."""
    purge = "    additionalOperations:\n      PURGE: {responses: {'204': {description: gone}}}\n"
    found = _diff(tmp_path, OPS32.replace("EXTRA", purge), OPS32.replace("EXTRA", ""))
    assert "PURGE /cache" in found.removed and not found.passed, (found.removed, found.changes)


def test_validate_names_the_second_template_of_one_path(tmp_path: Path) -> None:
    """The validator lets ``/a/{a}`` beside ``/a/{id}`` be; the gate would fail without saying where, so
    validate says it, at the key of the one that sorts second (the first is the one both read)."""
    from fes_docs.openapi import load_spec

    twin = "  /a/{a}:\n    get:\n      parameters: [{name: a, in: path, required: true, schema: {type: string}}]\n"
    twin += "      responses: {'200': {description: ok}}\n"
    (tmp_path / "openapi.yaml").write_text(PATHS.replace("EXTRA", twin).replace("PARAM", ""))
    index = load_spec(tmp_path, "openapi.yaml")
    found = [p for p in index.problems if "differ only in parameter names" in p.message]
    assert not index.valid and len(found) == 1 and (found[0].line, found[0].column) == (8, 3), index.problems  # /a/{id}


def test_keywords_beside_an_unfollowed_ref_that_change_are_not_compared_away(tmp_path: Path) -> None:
    """The same unknown $ref on both sides is the same unknown, but not when what stands beside it changed."""
    base = BODY.format(version="3.1.0").replace("SCHEMA", "{$ref: '#Tight', required: []}")
    head = BODY.format(version="3.1.0").replace("SCHEMA", "{$ref: '#Tight', required: [name]}")
    assert not _diff(tmp_path / "a", base, head).passed
    assert _diff(tmp_path / "b", base, base).passed
