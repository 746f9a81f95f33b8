"""``fes-docs codeowners``: CODEOWNERS lines giving each release file to its owners."""

from __future__ import annotations

import argparse
import sys

from .. import codeowners
from ..project import Project, load_project
from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("codeowners", help="print CODEOWNERS lines giving release files to their owners")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 when the committed CODEOWNERS has drifted")
    mode.add_argument("--write", action="store_true", help="update the fes-docs block in CODEOWNERS in place")
    add_root(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 1 when the block has drifted (``--check``) or a value cannot go into CODEOWNERS (each located)."""
    project = load_project(root_of(args))
    try:
        return _run(args, project)
    except codeowners.Refused as refused:
        for problem in refused.problems:
            print(problem, file=sys.stderr)
        print(f"fes-docs: {len(refused.problems)} value(s) cannot go into CODEOWNERS; nothing written", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, project: Project) -> int:
    if args.check:
        problem = codeowners.drift(project)
        if problem is None:
            print("CODEOWNERS is up to date")
            return 0
        sys.stdout.write(problem)
        print("fix: fes-docs codeowners --write", file=sys.stderr)
        return 1
    if args.write:
        path = codeowners.write(project)
        print(f"wrote {path.relative_to(codeowners.repo_root(project)).as_posix()}")
        return 0
    sys.stdout.write(codeowners.block(project))
    return 0
