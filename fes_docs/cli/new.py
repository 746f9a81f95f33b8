"""``fes-docs new``: write a complete draft release record."""

from __future__ import annotations

import argparse

from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("new", help="write a draft release with every checklist item, owner role and its flags")
    p.add_argument("id", metavar="ID", help="release id, also the file name (releases/ID.yaml)")
    p.add_argument("--phase", type=int, required=True, metavar="N", help="FES parity phase")
    p.add_argument(
        "--from",
        dest="from_id",
        metavar="OTHER",
        help="copy owners and validation from release OTHER; its version becomes last_known_good if it is released",
    )
    p.add_argument(
        "--flag",
        action="append",
        default=[],
        metavar="NAME",
        help="a policy flag this release raises (repeatable); the others are written as comments",
    )
    p.add_argument(
        "--owner", action="append", default=[], metavar="ROLE=NAME", help="name an owner (repeatable); overrides --from"
    )
    add_root(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..scaffold import new_release  # start-up: each subcommand imports its core on use (issue 14)

    root = root_of(args)
    path = new_release(root, args.id, args.phase, from_id=args.from_id, owners=args.owner, flags=args.flag)
    print(f"wrote {path.relative_to(root).as_posix()}; next: fill it in, then `fes-docs validate`")
    return 0
