"""``fes-docs init``: a first policy for an existing project, from what it finds there."""

from __future__ import annotations

import argparse

from ..adopt_policy import init_project, report_lines
from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="write releases/policy.yaml from the project: its Flyway folder, dialect, OpenAPI spec and flags",
    )
    p.add_argument("--force", action="store_true", help="replace an existing releases/policy.yaml")
    add_root(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    path, found, replaced = init_project(root, force=args.force)
    print(f"{'replaced' if replaced else 'wrote'} {path.relative_to(root).as_posix()} from what this project holds:")
    for line in report_lines(found):
        print(f"  {line}")
    print("next: review it, `fes-docs validate`, then docs/first-run.md (adopting history, the first release)")
    return 0
