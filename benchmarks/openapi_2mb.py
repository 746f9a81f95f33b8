"""Generate a deterministic ~2 MB OpenAPI 3.0 spec and time ``load_spec`` on it.

Why: the issue asks that a 2 MB spec add well under a second to ``fes-docs validate``. The generated
spec looks like a real service (CRUD resources, shared parameters, component schemas reached through
``$ref``) so the validator does the same kind of work it would on a real one.

Run: ``python benchmarks/openapi_2mb.py [--json] [--runs N] [--target BYTES]``.
"""

from __future__ import annotations

import argparse
import json
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


def generate(target_bytes: int = 2_000_000) -> dict[str, Any]:
    """The same spec every time for a given target size (no randomness, no clock)."""
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
    n = 0
    while len(json.dumps(spec, indent=1)) < target_bytes * 0.8:  # YAML is ~25% larger than compact JSON
        base = f"/resources{n}"
        spec["paths"][base] = {"get": _operation(n, "list", False), "post": _operation(n, "create", False)}
        spec["paths"][f"{base}/{{resourceId}}"] = {
            "parameters": [
                {"name": "resourceId", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": _operation(n, "get", True),
            "put": _operation(n, "update", True),
            "delete": _operation(n, "delete", True),
        }
        spec["components"]["schemas"][f"Resource{n}"] = _schema(n)
        n += 1
    return spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="write JSON instead of YAML")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=int, default=2_000_000)
    args = parser.parse_args(argv)

    import yaml

    from fes_docs.openapi import load_spec

    spec = generate(args.target)
    text = json.dumps(spec, indent=2) if args.json else yaml.safe_dump(spec, sort_keys=False, width=120)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rel = "openapi.json" if args.json else "openapi.yaml"
        (root / rel).write_text(text, encoding="utf-8")
        times = []
        index = None
        for _ in range(args.runs):
            start = time.perf_counter()
            index = load_spec(root, rel)
            times.append(time.perf_counter() - start)
        assert index is not None
        print(
            f"{rel}: {len(text.encode()):,} bytes, {len(index.operations)} operations, "
            f"valid={index.valid}, problems={len(index.problems)}"
        )
        print(
            f"load_spec: min {min(times):.3f}s  median {statistics.median(times):.3f}s  max {max(times):.3f}s "
            f"over {args.runs} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
