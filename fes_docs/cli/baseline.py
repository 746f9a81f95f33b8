"""``fes-docs baseline``: accept today's findings, so that validate fails only on new ones."""

from __future__ import annotations

import argparse

from ..baselining import write_baseline
from .common import add_root, root_of


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "baseline",
        help="record today's findings in .fes-docs/baseline.yaml: validate then fails only on new ones",
    )
    p.add_argument("--reason", required=True, help="why these findings are accepted (kept with each new entry)")
    p.add_argument("--by", required=True, metavar="NAME", help="who accepts them (kept with each new entry)")
    add_root(p)
    p.add_argument("--today", help=argparse.SUPPRESS)  # fixes "today" for waiver expiry in tests
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    done = write_baseline(root_of(args), args.reason, args.by, args.today)
    print(
        f"wrote {done.file}: {done.entries} entr{'y' if done.entries == 1 else 'ies'} "
        f"({done.added} added, {done.kept} kept, {done.removed} removed)"
    )
    if done.refused:
        print(
            f"{done.refused} finding{'s' * (done.refused != 1)} of integrity rules cannot be baselined: "
            "fix them (`fes-docs validate` lists them)"
        )
    return 0
