"""``fes-docs schema``: print (or write) the JSON Schema specialised to the project's policy.

``change-record`` is the schema of what ``fes-docs gate --format json`` writes: the same for every project
(shipped as ``fes_docs/schemas/change-record.schema.json``), so ``--write`` leaves it out of ``releases/schema/``.
"""

from __future__ import annotations

import argparse

from ..atomic import write_text
from ..project import SCHEMA_DIR, dump_schema, load_policy
from ..schema import policy_schema, release_schema
from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the release (or policy, or change-record) JSON Schema for this project")
    p.add_argument("kind", nargs="?", choices=["release", "policy", "change-record"], default="release")
    add_root(p)
    p.add_argument("--generic", action="store_true", help="the generic schema, not specialised to the policy")
    p.add_argument(
        "--write",
        action="store_true",
        help="write both schemas to releases/schema/ (what the records' $schema lines point at)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    if args.kind == "change-record" and not args.write:
        from ..gate_report import SCHEMA  # start-up: the gate's modules load only for it

        print(dump_schema(SCHEMA), end="")
        return 0
    policy = None if args.generic else load_policy(root)[0]
    schemas = {"release": release_schema(policy), "policy": policy_schema()}
    if args.write:
        folder = root / "releases" / SCHEMA_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for kind, schema in schemas.items():
            write_text(folder / f"{kind}.schema.json", dump_schema(schema))
            print(f"wrote releases/{SCHEMA_DIR}/{kind}.schema.json")
        return 0
    print(dump_schema(schemas[args.kind]), end="")
    return 0
