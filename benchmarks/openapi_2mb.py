"""Generate a deterministic ~2 MB OpenAPI 3.0 spec and time ``load_spec`` on it.

Why: the issue asks that a 2 MB spec add well under a second to ``fes-docs validate``. The generated
spec looks like a real service (CRUD resources, shared parameters, component schemas reached through
``$ref``) so the validator does the same kind of work it would on a real one.

Run: ``python benchmarks/openapi_2mb.py [--json] [--runs N] [--target BYTES]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_TYPES = [
    ("string", None),
    ("integer", "int64"),
    ("string", "date-time"),
    ("boolean", None),
    ("number", "double"),
]


def _schema(n: int) -> dict[str, Any]:
    props: dict[str, Any] = {"id": {"type": "integer", "format": "int64", "description": "Identifier."}}
    for i in range(12):
        typ, fmt = _TYPES[(n + i) % len(_TYPES)]
        prop: dict[str, Any] = {"type": typ, "description": f"Field {i} of resource {n}; kept for parity."}
        if fmt:
            prop["format"] = fmt
        if typ == "string" and fmt is None:
            prop["maxLength"] = 200
            prop["example"] = f"value-{n}-{i}"
        props[f"field{i}"] = prop
    props["tags"] = {"type": "array", "items": {"type": "string"}}
    props["owner"] = {"$ref": "#/components/schemas/Owner"}
    return {"type": "object", "required": ["id", "field0"], "properties": props}


def _operation(n: int, verb: str, with_id: bool) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{verb}Resource{n}{'ById' if with_id else ''}",
        "summary": f"{verb.capitalize()} resource {n}",
        "tags": [f"group{n % 20}"],
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {
                        "schema": (
                            {"$ref": f"#/components/schemas/Resource{n}"}
                            if with_id or verb != "list"
                            else {"type": "array", "items": {"$ref": f"#/components/schemas/Resource{n}"}}
                        )
                    }
                },
            },
            "404": {"$ref": "#/components/responses/NotFound"},
            "default": {"$ref": "#/components/responses/Error"},
        },
    }
    if verb == "list":
        op["parameters"] = [
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/offset"},
        ]
    if verb in ("create", "update"):
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/Resource{n}"}}},
        }
    return op


def _spec(resources: int) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Generated benchmark service", "version": "1.0.0"},
        "servers": [{"url": "https://bench.example.org/api/v1"}],
        "paths": {},
        "components": {
            "schemas": {
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Error": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
                },
            },
            "parameters": {
                "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}},
                "offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "default": 0}},
            },
            "responses": {
                "NotFound": {
                    "description": "Not found",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
                "Error": {
                    "description": "Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        },
    }
    for n in range(resources):
        base = f"/resources{n}"
        spec["paths"][base] = {"get": _operation(n, "list", False), "post": _operation(n, "create", False)}
        spec["paths"][f"{base}/{{resourceId}}"] = {
            "parameters": [{"name": "resourceId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": _operation(n, "get", True),
            "put": _operation(n, "update", True),
            "delete": _operation(n, "delete", True),
        }
        spec["components"]["schemas"][f"Resource{n}"] = _schema(n)
    return spec


def render(spec: dict[str, Any], as_json: bool) -> str:
    import yaml

    return json.dumps(spec, indent=2) if as_json else yaml.safe_dump(spec, sort_keys=False, width=120)


def generate(target_bytes: int = 2_000_000, as_json: bool = False) -> str:
    """The smallest spec of this shape that reaches ``target_bytes``; the same text every time."""
    probe = 20
    per = len(render(_spec(probe), as_json).encode()) / probe
    resources = max(1, int(target_bytes / per))
    text = render(_spec(resources), as_json)
    while len(text.encode()) < target_bytes:
        resources += max(1, int((target_bytes - len(text.encode())) / per) + 1)
        text = render(_spec(resources), as_json)
    return text


def _time(fn: Any, runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def _line(label: str, times: list[float]) -> str:
    return (
        f"  {label:<38} min {min(times):6.3f}s  median {statistics.median(times):6.3f}s  "
        f"max {max(times):6.3f}s  ({len(times)} runs)"
    )


def _phases(root: Path, rel: str, runs: int) -> dict[str, list[float]]:
    """The two library passes timed alone on the loaded data (package internals: a benchmark only)."""
    from fes_docs import openapi
    from fes_docs.loader import load_file
    from fes_docs.openapi import validate
    from fes_docs.openapi.workspace import Workspace

    limits = {"max_bytes": openapi.MAX_BYTES, "max_depth": openapi.MAX_DEPTH, "max_nodes": openapi.MAX_NODES}
    doc, _ = load_file(root / rel, rel, **limits)
    assert doc is not None
    data = doc.data
    found = {
        "structural pass, python-jsonschema": _time(
            lambda: list(validate.python_schema_validator("3.0").iter_errors(data)), runs
        )[0]
    }
    gate = validate.rust_gate("3.0")
    if gate is not None:
        found["structural pass, jsonschema-rs gate"] = _time(lambda: gate.is_valid(data), runs)[0]

    def walk() -> None:
        ws = Workspace(root, limits)
        ws.load(rel)
        validator = validate.validator_class("3.0")(validate._schema_path(ws, rel))
        list(validator.root_validator(validator.schema_path))

    found["semantic walk (openapi-spec-validator)"] = _time(walk, runs)[0]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="write JSON instead of YAML")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=int, default=2_000_000)
    args = parser.parse_args(argv)

    from fes_docs import openapi
    from fes_docs.loader import load_file
    from fes_docs.openapi import validate

    text = generate(args.target, args.json)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rel = "openapi.json" if args.json else "openapi.yaml"
        (root / rel).write_text(text, encoding="utf-8")
        openapi.load_spec(root, rel)  # import and compile the OAS schemas once, like any real run
        limits = {"max_depth": openapi.MAX_DEPTH, "max_nodes": openapi.MAX_NODES}

        def cold(**kw: Any) -> Any:
            openapi.clear_cache()
            return openapi.load_spec(root, rel, **kw)

        load_times, _ = _time(lambda: load_file(root / rel, rel, max_bytes=openapi.MAX_BYTES, **limits), args.runs)
        full_times, index = _time(cold, args.runs)
        schema_times, _ = _time(lambda: cold(semantic=False), args.runs)
        openapi.load_spec(root, rel)
        warm_times, _ = _time(lambda: openapi.load_spec(root, rel), args.runs)
        from fes_docs.cache import OPENAPI, Cache

        os.environ["FES_DOCS_CACHE_DIR"] = str(root / ".cache")
        openapi.load_spec(root, rel, store=Cache(root, enabled=True).store(OPENAPI))

        def from_disk() -> Any:
            openapi.clear_cache()
            return openapi.load_spec(root, rel, store=Cache(root, enabled=True).store(OPENAPI))

        disk_times, _ = _time(from_disk, args.runs)
        print(
            f"{rel}: {len(text.encode()):,} bytes, {len(index.operations)} operations, "
            f"valid={index.valid}, problems={len(index.problems)}, "
            f"jsonschema-rs gate={'on' if validate.rust_gate('3.0') is not None else 'off'}"
        )
        print(_line("loader only (positions)", load_times))
        for label, times in _phases(root, rel, args.runs).items():
            print(_line(label, times))
        print(_line("load_spec cold, full validation", full_times))
        print(_line("load_spec cold, semantic=False", schema_times))
        print(_line("load_spec warm (in-process cache)", warm_times))
        print(_line("load_spec new process, disk cache", disk_times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
