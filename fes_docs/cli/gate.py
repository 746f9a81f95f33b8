"""``fes-docs gate``: the deploy-time gate, a thin shell.

The checks are :mod:`fes_docs.gate`, the ``--record`` write :mod:`fes_docs.gate_record`, the output
:mod:`fes_docs.gate_report`; this module only reads the clock once and the options.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from .common import add_root, root_of, write_out

FORMATS = ("text", "json", "github")


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("gate", help="may RELEASE deploy to ENV now? (exit 0 only if every check passes)")
    p.add_argument("release", metavar="RELEASE", help="release id or file")
    p.add_argument("--env", required=True, metavar="ENV", help="the environment about to be deployed to")
    p.add_argument("--at", metavar="TIME", help="judge at this ISO 8601 time with a zone (default: now)")
    p.add_argument("--artifact", metavar="VERSION", help="the artifact version being deployed (must be the record's)")
    p.add_argument(
        "--record",
        action="store_true",
        help="after a passing gate, append {environment, step, at, by} to the record's progress: (atomically)",
    )
    p.add_argument("--step", default="deployed", help="what --record records: deployed (default) or validated")
    p.add_argument("--by", metavar="NAME", help="who deploys (with --record; a person of the policy's people:)")
    p.add_argument("--format", choices=FORMATS, default="text", help="json: the change record to archive")
    p.add_argument("--output", "-o", type=Path, help="write the output to a file instead of stdout")
    add_root(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime  # start-up: each subcommand imports its core on use (issue 14)

    from ..check import check
    from ..gate import gate, moment
    from ..gate_record import check_recorder, record
    from ..gate_report import dump_change_record, github, text

    if not args.record and (args.by is not None or args.step != "deployed"):
        raise UsageError("--by and --step only go with --record")
    root = root_of(args)
    at = moment(args.at, datetime.now(UTC))  # the one clock read: the core judges the moment it is given
    result = check(root, today=at.date().isoformat())  # waivers' `until` is judged on the gate's day
    verdict = gate(result, args.release, args.env, at, args.artifact)
    entry = check_recorder(verdict, args.step, args.by) if args.record else None
    if entry is not None and verdict.passed:
        record(verdict, entry)
    recorded = entry if verdict.passed else None
    formats = {"text": text, "github": github, "json": dump_change_record}
    write_out(formats[args.format](verdict, recorded), args.output)
    return verdict.exit_code
