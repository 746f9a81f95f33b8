"""``fes-docs sign``: record a sign-off bound to the record's current content."""

from __future__ import annotations

import argparse

from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sign", help="sign a release for an owner role (writes a content digest, in place)")
    p.add_argument("release", metavar="RELEASE", help="release id or file")
    p.add_argument("--role", required=True, help="the owner role signing (e.g. product)")
    p.add_argument("--by", required=True, metavar="NAME", help="who signs: the owner of that role")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="sign-off date (default: today)")
    add_root(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..signing import sign  # start-up: each subcommand imports its core on use (issue 14)

    done = sign(root_of(args), args.release, args.role, args.by, args.date)
    print(f"{done.action} {done.role} sign-off by {done.by} on {done.date} in {done.file} ({done.digest[:19]}…)")
    return 0
