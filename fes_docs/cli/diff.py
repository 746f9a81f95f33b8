"""``fes-docs diff``: the substance of a change, as Markdown for a pull-request comment."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_root, root_of, write_out


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("diff", help="what changed in substance between two git revisions, as Markdown")
    p.add_argument("base", metavar="BASE", help="git revision to compare from (e.g. origin/main)")
    p.add_argument("head", metavar="HEAD", nargs="?", help="git revision to compare to (default: the working tree)")
    add_root(p)
    p.add_argument("--output", "-o", type=Path, help="write the Markdown to a file instead of stdout")
    p.add_argument("--today", help=argparse.SUPPRESS)  # fixes "today" for waiver expiry in tests
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..diffing import diff_revisions  # start-up: each subcommand imports its core on use (issue 14)

    write_out(diff_revisions(root_of(args), args.base, args.head, args.today), args.output)
    return 0
