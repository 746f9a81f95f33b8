"""fes_docs.openapi on real specs (OAI examples, openapi-spec-validator's own cases) and broken copies."""

from __future__ import annotations

import json
import os
import shutil
import socket
import urllib.request
from pathlib import Path
from typing import Any

import openapi_spec_validator
import pytest
import yaml

from fes_docs import openapi
from fes_docs.openapi import Operation, SpecIndex, load_spec, normalise_path, parse_endpoint, validate
from fes_docs.openapi.rust import rust_errors
from fes_docs.openapi.workspace import Workspace

FIX = Path(__file__).parents[1] / "fixtures" / "openapi"
REALDATA = Path(__file__).parents[3] / "shared" / "realdata"


@pytest.fixture(autouse=True)
def _cold() -> None:
    """Every test validates for real; the cache has its own tests."""
    openapi.clear_cache()


def ops(*pairs: str) -> list[Operation]:
    return sorted(Operation(*p.split(" ", 1)) for p in pairs)


PETSTORE = ops("GET /pets", "POST /pets", "GET /pets/{petId}")


# ---------------------------------------------------------------- valid specs


@pytest.mark.parametrize(
    ("rel", "version", "expected"),
    [
        ("oai/v2.0/petstore.yaml", "2.0", PETSTORE),
        ("oai/v3.0/petstore.yaml", "3.0.0", PETSTORE),
        ("oai/v3.0/petstore.json", "3.0.0", PETSTORE),
        (
            "oai/v3.0/petstore-expanded.yaml",
            "3.0.0",
            ops("GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"),
        ),
        (
            "oai/v3.0/link-example.yaml",
            "3.0.0",
            ops(
                "GET /2.0/users/{username}",
                "GET /2.0/repositories/{username}",
                "GET /2.0/repositories/{username}/{slug}",
                "GET /2.0/repositories/{username}/{slug}/pullrequests",
                "GET /2.0/repositories/{username}/{slug}/pullrequests/{pid}",
                "POST /2.0/repositories/{username}/{slug}/pullrequests/{pid}/merge",
            ),
        ),
        ("oai/v3.1/webhook-example.yaml", "3.1.0", []),  # webhooks only: no endpoint of the service
        ("oai/v3.1/non-oauth-scopes.yaml", "3.1.0", ops("GET /users")),
        (
            "oai/v2.0/petstore-separate/spec/swagger.yaml",
            "2.0",
            ops("GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"),
        ),
    ],
)
def test_valid_specs_load_and_list_their_operations(rel: str, version: str, expected: list[Operation]) -> None:
    index = load_spec(FIX, rel)
    assert index.problems == []
    assert (index.exists, index.valid, index.version) == (True, True, version)
    assert index.operations == expected


def test_multi_file_spec_follows_its_local_refs() -> None:
    index = load_spec(FIX, "oai/v2.0/petstore-separate/spec/swagger.yaml")
    base = "oai/v2.0/petstore-separate"
    names = ("spec/swagger.yaml", "common/Error.yaml", "spec/NewPet.yaml", "spec/Pet.yaml", "spec/parameters.yaml")
    assert index.files == [f"{base}/{name}" for name in names]


def test_path_items_in_other_files_are_indexed() -> None:
    index = load_spec(FIX, "refs/split/openapi.yaml")
    assert index.valid, index.problems
    assert index.operations == ops(
        "GET /documents", "POST /documents", "GET /documents/{documentId}/pdf", "DELETE /documents/{documentId}/pdf"
    )
    assert index.base_paths == ["/api/v1"]
    assert "refs/split/paths/document-pdf.yaml" in index.files
    assert index.find("get", "/api/v1/documents/{id}/pdf") == Operation("GET", "/documents/{documentId}/pdf")


# ---------------------------------------------------------------- broken specs, located


@pytest.mark.parametrize(
    ("name", "line", "column", "message", "kind"),
    [
        ("petstore-3.0-missing-info-title.yaml", 2, 1, "'title' is a required property", "invalid"),
        ("petstore-3.0-missing-info-title.json", 3, 3, "'title' is a required property", "invalid"),
        (
            "petstore-3.0-bad-response-code.yaml",
            26,
            9,
            r"'2000' does not match any of the regexes: '^[1-5](?:\\d{2}|XX)$', '^x-'",
            "invalid",
        ),
        (
            "petstore-3.0-duplicate-operation-id.yaml",
            45,
            20,
            "Operation ID 'listPets' for 'post' in '/pets' is not unique",
            "invalid",
        ),
        ("petstore-3.0-bad-default-type.yaml", 25, 22, "'ten' is not of type 'integer'", "invalid"),
        (
            "petstore-3.0-dangling-ref.yaml",
            82,
            23,
            "$ref '#/components/schemas/Pett' points to nothing: no such node in this file",
            "ref-missing",
        ),
        ("petstore-3.0-unquoted-version.yaml", 1, 10, "'openapi' must be a string, not 3.0", "version"),
        (
            "petstore-unsupported-version.yaml",
            1,
            10,
            "unsupported openapi version '4.0.0': supported are Swagger 2.0 and OpenAPI 3.0.x, 3.1.x, 3.2.x",
            "version",
        ),
        (
            "petstore-3.0-tab-indent.yaml",
            12,
            1,
            "YAML syntax error: a tab character is used for indentation",
            "unreadable",
        ),
    ],
)
def test_broken_copy_gives_one_located_problem(name: str, line: int, column: int, message: str, kind: str) -> None:
    index = load_spec(FIX, f"broken/{name}")
    assert not index.valid
    assert [(p.file, p.line, p.column, p.message, p.severity, p.kind) for p in index.problems] == [
        (f"broken/{name}", line, column, message, "error", kind)
    ]


def test_undeclared_path_parameter_points_at_the_operation() -> None:
    index = load_spec(FIX, "broken/petstore-3.0-undeclared-path-param.yaml")
    assert [(p.line, p.message) for p in index.problems] == [
        (64, "Path parameter 'id' for 'get' operation in '/pets/{id}' was not resolved"),
        (64, "Path parameter 'petId' for 'get' operation in '/pets/{id}' was not resolved"),
    ]


def test_misspelled_key_is_reported_at_the_key_and_dangling_refs_at_each_ref() -> None:
    index = load_spec(FIX, "broken/petstore-3.0-misspelled-components.yaml")
    invalid = [(p.line, p.message) for p in index.problems if p.kind == "invalid"]
    assert invalid == [(89, "'component' does not match any of the regexes: '^x-'")]
    assert sorted(p.line for p in index.problems if p.kind == "ref-missing") == [36, 42, 52, 62, 82, 88, 108]


def test_unquoted_version_hint_says_how_to_fix_it() -> None:
    [problem] = load_spec(FIX, "broken/petstore-3.0-unquoted-version.yaml").problems
    assert 'openapi: "3.0.0"' in problem.hint


def test_problem_in_a_referenced_file_is_located_in_that_file() -> None:
    index = load_spec(FIX, "refs/split-bad-param/openapi.yaml")
    assert [(p.file, p.line, p.column, p.message) for p in index.problems] == [
        ("refs/split-bad-param/paths/item.yaml", 8, 18, "'ten' is not of type 'integer'")
    ]
    assert index.operations == [Operation("GET", "/documents")]  # still indexed


def test_schema_fail_cases_of_the_openapi_schema() -> None:
    servers = load_spec(FIX, "oai/v3.1/fail-servers.yaml")
    assert [(p.line, p.message) for p in servers.problems] == [
        (9, "this mapping is not of type 'array'")  # no Python repr: the finding points at it
    ]
    root = load_spec(FIX, "oai/v3.1/fail-no-containers.yaml")
    [problem] = root.problems
    assert problem.message.endswith("is not valid under any of the given schemas")
    assert problem.hint == "closest match: 'paths' is a required property"


def test_a_huge_instance_is_abbreviated_in_the_message(tmp_path: Path) -> None:
    spec = {"openapi": "3.1.0", "info": {"title": "x", "version": "1", "description": "word " * 5000}}
    (tmp_path / "big.json").write_text(json.dumps(spec))
    [problem] = load_spec(tmp_path, "big.json").problems
    assert len(problem.message) < 400
    assert problem.message.endswith("is not valid under any of the given schemas")


# ---------------------------------------------------------------- openapi-spec-validator's own cases


LABELS = yaml.safe_load((FIX / "osv" / "LABELS.yaml").read_text())


@pytest.mark.parametrize(
    "case", [c for c in LABELS if c["file"] != "test_exceptions__test_empty.yaml"], ids=lambda c: c["file"]
)
def test_osv_inline_case_gives_the_library_messages(case: dict[str, Any]) -> None:
    index = load_spec(FIX, f"osv/{case['file']}")
    expected = sorted(m.split(": ", 1)[1] for m in case["errors_osv_0.9.0"])
    assert sorted(p.message for p in index.problems) == expected
    assert index.valid is case["valid"]
    assert all(p.file == f"osv/{case['file']}" and p.line > 1 for p in index.problems)


def test_osv_semantic_errors_are_located() -> None:
    same_ids = load_spec(FIX, "osv/test_exceptions__test_same_operation_ids.yaml")
    assert [(p.line, p.column) for p in same_ids.problems] == [(13, 20), (19, 20)]  # the operationId values
    undocumented = load_spec(FIX, "osv/test_exceptions__test_undocumented_parameter.yaml")
    assert [p.line for p in undocumented.problems] == [7]  # get:
    malformed = load_spec(FIX, "osv/test_exceptions__test_malformed_property_schema.yaml")
    assert [(p.line, p.column) for p in malformed.problems] == [(10, 15)]  # name: string


def test_empty_document_is_not_an_openapi_document() -> None:
    # The library cannot detect a version here (ValidatorDetectError); we say what is missing.
    index = load_spec(FIX, "osv/test_exceptions__test_empty.yaml")
    assert [(p.line, p.kind) for p in index.problems] == [(1, "version")]
    assert "neither an 'openapi'" in index.problems[0].message
    assert index.version is None and not index.valid


def test_top_level_list_is_not_an_openapi_document(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- openapi: 3.0.0\n")
    [problem] = load_spec(tmp_path, "list.yaml").problems
    assert problem.message == "not an OpenAPI document: the top level must be a mapping"


# ---------------------------------------------------------------- $ref safety


class _NoNetwork:
    def __init__(self) -> None:
        self.attempts: list[Any] = []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> _NoNetwork:
    """A tripwire, not a mock: any TCP/UDP connection attempt is recorded and refused."""
    guard = _NoNetwork()

    def refuse(_self: socket.socket, address: Any) -> None:
        guard.attempts.append(address)
        raise OSError("network disabled by test")

    def refuse_create(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        guard.attempts.append(address)
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return guard


def test_remote_ref_is_reported_and_never_fetched(no_network: _NoNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bound is on work, not time: no fetch is even attempted (no urlopen, no connection), and
    # the validator's resolver asks our retrieve function at most once per remote $ref, so nothing
    # retries or waits on a network.
    asked: list[str] = []
    retrieve = Workspace.retrieve

    def spy_retrieve(self: Workspace, uri: str) -> Any:
        asked.append(uri)
        return retrieve(self, uri)

    real_urlopen = urllib.request.urlopen
    bundled = Path(openapi_spec_validator.__file__).parent.as_uri() + "/"

    def no_urlopen(*args: Any, **kwargs: Any) -> Any:
        # the library reads its own bundled OAS schema through urllib (file:); that is no fetch
        if isinstance(args[0], str) and args[0].startswith(bundled):
            return real_urlopen(*args, **kwargs)
        raise AssertionError(f"urlopen called: {args!r}")

    monkeypatch.setattr(Workspace, "retrieve", spy_retrieve)
    monkeypatch.setattr(urllib.request, "urlopen", no_urlopen)
    index = load_spec(FIX, "refs/remote-ref.yaml")
    assert no_network.attempts == []
    assert len(asked) <= 1 and all(uri.startswith("http://127.0.0.1:1/") for uri in asked)
    assert [(p.line, p.column, p.kind, p.severity) for p in index.problems] == [(15, 23, "ref-remote", "error")]
    assert "http://127.0.0.1:1/x.yaml#/Pet" in index.problems[0].message
    assert not index.valid
    assert index.operations == [Operation("GET", "/pets")]


def test_refs_outside_the_root_are_refused_and_not_read() -> None:
    index = load_spec(FIX / "refs" / "project", "outside-root.yaml")
    assert [(p.line, p.kind) for p in index.problems] == [(16, "ref-outside"), (24, "ref-outside")]
    assert "outside the project root" in index.problems[0].message
    assert "absolute path" in index.problems[1].message
    assert index.files == ["outside-root.yaml"]  # ../outside/Pet.yaml exists and was not read
    assert not index.valid


def test_a_symlink_leaving_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Pet.yaml").write_text("type: object\n")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(outside / "Pet.yaml", project / "Pet.yaml")
    shutil.copy(FIX / "refs" / "missing-file.yaml", project / "openapi.yaml")
    text = (project / "openapi.yaml").read_text().replace("schemas/Nope.yaml", "Pet.yaml")
    (project / "openapi.yaml").write_text(text)
    index = load_spec(project, "openapi.yaml")
    assert [p.kind for p in index.problems] == ["ref-outside"]
    assert index.files == ["openapi.yaml"]


def test_missing_ref_target_file() -> None:
    index = load_spec(FIX, "refs/missing-file.yaml")
    assert [(p.line, p.kind, p.message) for p in index.problems] == [
        (14, "ref-missing", "$ref 'schemas/Nope.yaml': refs/schemas/Nope.yaml does not exist")
    ]


def test_every_ref_to_a_missing_file_says_so(tmp_path: Path) -> None:
    text = (FIX / "refs" / "missing-file.yaml").read_text()
    (tmp_path / "openapi.yaml").write_text(
        text + "    post:\n      responses:\n        default:\n          $ref: 'schemas/Nope.yaml'\n"
    )
    problems = load_spec(tmp_path, "openapi.yaml").problems
    assert [(p.line, p.message) for p in problems] == [
        (14, "$ref 'schemas/Nope.yaml': schemas/Nope.yaml does not exist"),
        (18, "$ref 'schemas/Nope.yaml': schemas/Nope.yaml does not exist"),
    ]


def test_ref_to_a_missing_node_of_another_file(tmp_path: Path) -> None:
    shutil.copytree(FIX / "refs" / "split", tmp_path / "split")
    spec = tmp_path / "split" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("documents.yaml#/collection", "documents.yaml#/colection"))
    [problem] = load_spec(tmp_path, "split/openapi.yaml").problems
    assert (problem.line, problem.kind) == (11, "ref-missing")
    assert problem.message == (
        "$ref 'paths/documents.yaml#/colection' points to nothing: no such node in split/paths/documents.yaml"
    )


def test_example_payloads_holding_a_ref_key_are_not_refs(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "example": {"$ref": "http://example.org/not-a-ref"}},
                                    "examples": {"one": {"value": {"$ref": "https://example.org/payload"}}},
                                }
                            },
                        },
                        "default": {"$ref": "#/components/responses/Oops"},
                    }
                }
            }
        },
        "components": {"responses": {"Oops": {"description": "oops"}}},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    index = load_spec(tmp_path, "spec.json")
    assert index.problems == [] and index.valid


# ---------------------------------------------------------------- missing / unreadable specs


def test_missing_spec_is_located_at_line_1_of_its_path(tmp_path: Path) -> None:
    index = load_spec(tmp_path, "service/openapi.yaml")
    assert (index.exists, index.valid, index.operations) == (False, False, [])
    assert [(p.file, p.line, p.column, p.kind) for p in index.problems] == [("service/openapi.yaml", 1, 1, "missing")]


def test_spec_path_outside_the_root_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text((FIX / "oai" / "v3.0" / "petstore.yaml").read_text())
    (tmp_path / "project").mkdir()
    index = load_spec(tmp_path / "project", "../spec.yaml")
    assert not index.exists and [p.kind for p in index.problems] == ["missing"]


def test_oversized_spec_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    shutil.copy(FIX / "oai" / "v3.0" / "petstore.yaml", tmp_path / "openapi.yaml")
    index = load_spec(tmp_path, "openapi.yaml", max_bytes=100)
    assert index.exists and not index.valid
    assert [p.kind for p in index.problems] == ["unreadable"]


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_bytes(b'openapi: "3.0.0"\ninfo:\n  title: caf\xe9\n')
    [problem] = load_spec(tmp_path, "openapi.yaml").problems
    assert (problem.line, problem.kind) == (3, "unreadable")


def test_many_errors_are_capped_with_a_summary(tmp_path: Path) -> None:
    paths = {f"/p{i}": {"get": {"responses": {"2000": {"description": "x"}}}} for i in range(80)}
    spec = {"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": paths}
    (tmp_path / "spec.json").write_text(json.dumps(spec, indent=1))
    problems = load_spec(tmp_path, "spec.json").problems
    assert len(problems) == openapi.MAX_PROBLEMS + 1
    assert problems[-1].message == "30 more problem(s) in the spec are not shown"
    assert [p.line for p in problems[:-1]] == sorted(p.line for p in problems[:-1])


def test_semantic_false_runs_the_schema_check_only() -> None:
    rel = "broken/petstore-3.0-duplicate-operation-id.yaml"
    assert load_spec(FIX, rel, semantic=False).problems == []
    assert load_spec(FIX, "broken/petstore-3.0-missing-info-title.yaml", semantic=False).problems != []


def test_output_is_deterministic() -> None:
    first = load_spec(FIX, "broken/petstore-3.0-misspelled-components.yaml")
    openapi.clear_cache()
    second = load_spec(FIX, "broken/petstore-3.0-misspelled-components.yaml")
    assert first == second


def test_every_file_is_read_through_the_read_callable_and_checked_before(tmp_path: Path) -> None:
    """``read`` is asked for the spec, each $ref target (a missing one too) and nothing outside the root."""
    from fes_docs.loader import LoadProblem
    from fes_docs.openapi.workspace import ReadFailed

    files = {
        "api/openapi.yaml": (FIX / "refs" / "missing-file.yaml")
        .read_bytes()
        .replace(b"schemas/Nope.yaml", b"schemas/Pet.yaml")
        .replace(b'"200":', b'"404": {$ref: "../../outside.yaml"}\n        "500": {$ref: "gone.yaml"}\n        "200":'),
        "api/schemas/Pet.yaml": b"type: object\n",
    }
    asked: list[str] = []

    def read(rel: str) -> bytes:  # nothing on disk: the package sees only what read hands it
        asked.append(rel)
        if rel not in files:
            raise ReadFailed(LoadProblem("FES003", f"{rel} does not exist", 1, 1, ""), missing=True)
        return files[rel]

    index = load_spec(tmp_path, "api/openapi.yaml", read=read)
    assert sorted(set(asked)) == ["api/gone.yaml", "api/openapi.yaml", "api/schemas/Pet.yaml"]
    assert [p.kind for p in index.problems] == ["ref-outside", "ref-missing"]
    assert index.files == ["api/openapi.yaml", "api/schemas/Pet.yaml"]
    asked.clear()
    assert load_spec(tmp_path, "api/openapi.yaml", read=read) == index  # remembered: its deps re-read ...
    assert sorted(set(asked)) == ["api/gone.yaml", "api/openapi.yaml", "api/schemas/Pet.yaml"]
    files["api/gone.yaml"] = b"description: here now\n"  # ... so a target that appears is noticed
    assert [p.kind for p in load_spec(tmp_path, "api/openapi.yaml", read=read).problems] == ["ref-outside"]


def test_the_workspace_holds_a_reader_to_max_bytes(tmp_path: Path) -> None:
    index = load_spec(tmp_path, "openapi.yaml", max_bytes=10, read=lambda rel: b"openapi: 3.1.0\n" * 10)
    assert [(p.kind, p.message) for p in index.problems] == [("unreadable", "file is larger than the 10 byte limit")]


# ---------------------------------------------------------------- cache


def test_cache_returns_the_same_answer_and_notices_an_edited_ref(tmp_path: Path) -> None:
    shutil.copytree(FIX / "refs" / "split", tmp_path / "split")
    first = load_spec(tmp_path, "split/openapi.yaml")
    assert first.valid
    assert load_spec(tmp_path, "split/openapi.yaml") == first
    item = tmp_path / "split" / "paths" / "document-pdf.yaml"
    item.write_text(item.read_text().replace("type: string\nget:", "type: string\n      default: 7\nget:"))
    edited = load_spec(tmp_path, "split/openapi.yaml")
    assert [(p.file, p.line, p.message) for p in edited.problems] == [
        ("split/paths/document-pdf.yaml", 7, "7 is not of type 'string'")
    ]


def test_disk_cache_survives_a_new_process_and_ignores_garbage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the project's one cache layer (fes_docs.cache), as `validate` uses it."""
    from fes_docs.cache import OPENAPI, Cache

    monkeypatch.setenv("FES_DOCS_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(FIX / "broken" / "petstore-3.0-bad-default-type.yaml", tmp_path / "openapi.yaml")
    first = load_spec(tmp_path, "openapi.yaml", store=Cache(tmp_path, enabled=True).store(OPENAPI))
    [stored] = [p for p in (tmp_path / "cache").rglob("*.json") if p.name != "README.json"]
    openapi.clear_cache()
    assert load_spec(tmp_path, "openapi.yaml", store=Cache(tmp_path, enabled=True).store(OPENAPI)) == first
    stored.write_text("{not json")
    openapi.clear_cache()
    assert load_spec(tmp_path, "openapi.yaml", store=Cache(tmp_path, enabled=True).store(OPENAPI)) == first


class _DictStore:
    """A Store as the project's cache layer would be: values by key, here a dict."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}
        self.gets: list[str] = []

    def get(self, key: str) -> dict[str, Any] | None:
        self.gets.append(key)
        return self.values.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.values[key] = json.loads(json.dumps(value))  # what a store keeps is JSON


def test_a_store_is_asked_first_and_given_each_fresh_result(tmp_path: Path) -> None:
    shutil.copytree(FIX / "refs" / "split-bad-param", tmp_path / "spec")
    store = _DictStore()
    first = load_spec(tmp_path, "spec/openapi.yaml", store=store)
    [key] = store.values
    assert store.gets == [key] and sorted(store.values[key]["deps"]) == ["spec/openapi.yaml", "spec/paths/item.yaml"]
    openapi.clear_cache()
    assert load_spec(tmp_path, "spec/openapi.yaml", store=store) == first  # a hit: not validated again
    assert store.gets == [key, key] and len(store.values) == 1
    store.values[key] = {"deps": {}, "index": {"file": 1}}  # garbage is a miss, then replaced
    openapi.clear_cache()
    assert load_spec(tmp_path, "spec/openapi.yaml", store=store) == first
    assert openapi.from_json(store.values[key]["index"]) == first
    item = tmp_path / "spec" / "paths" / "item.yaml"
    item.write_text(item.read_text().replace("default: ten", "default: 10"))
    openapi.clear_cache()
    assert load_spec(tmp_path, "spec/openapi.yaml", store=store).valid  # a referenced file changed


# ---------------------------------------------------------------- endpoints


@pytest.fixture(scope="module")
def split() -> SpecIndex:
    return load_spec(FIX, "refs/split/openapi.yaml")


@pytest.mark.parametrize(
    ("method", "path", "found"),
    [
        ("GET", "/documents/{documentId}/pdf", "/documents/{documentId}/pdf"),
        ("GET", "/documents/{id}/pdf", "/documents/{documentId}/pdf"),  # parameter names do not matter
        ("get", "/documents/{x}/pdf", "/documents/{documentId}/pdf"),  # nor the method's case
        ("DELETE", "/api/v1/documents/{id}/pdf", "/documents/{documentId}/pdf"),  # server base path
        ("GET", "/documents/", None),  # a trailing slash is another path
        ("PUT", "/documents/{id}/pdf", None),
        ("GET", "/documents/{id}", None),
        ("GET", "/api/v2/documents", None),
    ],
)
def test_find(split: SpecIndex, method: str, path: str, found: str | None) -> None:
    op = split.find(method, path)
    assert (op.path if op else None) == found


def test_find_with_swagger_base_path() -> None:
    index = load_spec(FIX, "oai/v2.0/petstore.yaml")
    assert index.base_paths == ["/v1"]
    assert index.find("GET", "/v1/pets/{id}") == Operation("GET", "/pets/{petId}")


@pytest.mark.parametrize(
    ("method", "path", "suggested"),
    [
        ("PUT", "/documents/{id}/pdf", Operation("DELETE", "/documents/{documentId}/pdf")),  # same path first
        ("GET", "/api/v1/documents/{id}/pdfs", Operation("GET", "/documents/{documentId}/pdf")),
        ("GTE", "/documents", Operation("GET", "/documents")),
        ("GET", "/documents/", Operation("GET", "/documents")),
        ("GET", "/actuator/health", None),  # nothing alike
    ],
)
def test_suggest(split: SpecIndex, method: str, path: str, suggested: Operation | None) -> None:
    assert split.suggest(method, path) == suggested


def test_suggest_on_a_spec_without_operations() -> None:
    assert load_spec(FIX, "oai/v3.1/webhook-example.yaml").suggest("GET", "/x") is None


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("GET /api/v1/documents/{id}/pdf", ("GET", "/api/v1/documents/{id}/pdf")),
        ("  post   /x  ", ("POST", "/x")),
        ("GTE /x", ("GTE", "/x")),
        ("GET", None),
        ("GET api/v1", None),
        ("GET /x /y", None),
        ("GET /x?y=1", None),
        ("GET /x/{id", None),
        ("GET /x/{{id}}", None),
        ("GET /x/id}", None),
        ("G3T /x", None),
        ("", None),
    ],
)
def test_parse_endpoint(text: str, parsed: tuple[str, str] | None) -> None:
    assert parse_endpoint(text) == parsed


def test_normalise_path() -> None:
    assert normalise_path("/docs/{documentId}/pages/{n}") == "/docs/{}/pages/{}"


# ---------------------------------------------------------------- the whole labelled real-data set


def _labelled_specs() -> list[tuple[str, bool]]:
    labels = REALDATA / "SPEC_LABELS_osv-0.9.0.yaml"
    if not labels.exists():
        return []
    return [
        (e["file"], e["osv_0_9_0"] == "valid")
        for e in yaml.safe_load(labels.read_text())
        if (REALDATA / e["file"]).exists()
    ]


@pytest.mark.skipif(not _labelled_specs(), reason="shared/realdata is not beside the repository")
def test_verdicts_agree_with_openapi_spec_validator_on_all_labelled_real_specs() -> None:
    disagree = [(rel, valid) for rel, valid in _labelled_specs() if load_spec(REALDATA, rel).valid != valid]
    assert disagree == []


def test_the_rust_verdict_and_the_python_walk_agree_on_every_fixture_spec() -> None:
    """The Python walk only locates what openapi-spec-validator-rs found: it must never find errors in
    a spec the Rust validator passes, nor none in one it fails."""
    checked = 0
    for path in sorted(FIX.rglob("*.yaml")) + sorted(FIX.rglob("*.json")):
        rel = path.relative_to(FIX).as_posix()
        ws = Workspace(FIX, {"max_bytes": openapi.MAX_BYTES, "max_depth": 200, "max_nodes": 2_000_000})
        data = ws.load(rel)
        family = validate.version_of(data)[1] if isinstance(data, dict) else None
        if family is None:
            continue
        errors, stopped = rust_errors(ws, rel, family)
        if stopped is not None:
            continue
        collector = validate.Collector(ws, rel)
        validate.validate(ws, rel, family, True, True, collector)
        assert bool(errors) == bool(collector.problems), rel
        checked += 1
    assert checked > 20


def test_spec_named_with_dot_slash_and_referenced_back_from_another_file(tmp_path: Path) -> None:
    (tmp_path / "paths").mkdir()
    (tmp_path / "openapi.yaml").write_text(
        'openapi: "3.0.3"\ninfo: {title: x}\npaths:\n  /a:\n    $ref: "paths/a.yaml"\n'
        "components:\n  schemas:\n    A: {type: string}\n"
    )
    (tmp_path / "paths" / "a.yaml").write_text(
        "get:\n  responses:\n    '200':\n      description: ok\n      content:\n        application/json:\n"
        "          schema: {$ref: '../openapi.yaml#/components/schemas/A'}\n"
    )
    index = load_spec(tmp_path, "./openapi.yaml")
    assert index.file == "./openapi.yaml"
    assert index.files == ["./openapi.yaml", "paths/a.yaml"]  # the spec is not loaded a second time
    assert [(p.file, p.line, p.message) for p in index.problems] == [
        ("./openapi.yaml", 2, "'version' is a required property")
    ]
