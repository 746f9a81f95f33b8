"""``fes-docs validate``: the merge gate."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..check import check
from ..findings import Summary
from ..gitutil import changed_files
from ..project import POLICY_FILE, RELEASES_DIR, release_files
from ..report import REPORTERS, as_json, junit
from ..rerun import Report, validate_report
from ..summary import migrations_json
from .common import add_root, root_of, write_out


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="check every release record against the schema and the guide's rules")
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="only report findings in these files (whole-project rules still run)",
    )
    add_root(p)
    p.add_argument("--format", choices=sorted(REPORTERS), default="text")
    p.add_argument("--strict-warnings", action="store_true", help="warnings fail the run too (exit 1)")
    p.add_argument("--changed-since", metavar="BASE", help="only report findings in files changed since git BASE")
    p.add_argument(
        "--verify-git",
        action="store_true",
        help="check each sign-off line was committed by that person (needs `people:` in the policy)",
    )
    p.add_argument("--output", "-o", type=Path, help="write the report to a file instead of stdout")
    p.add_argument("--today", help=argparse.SUPPRESS)  # fixes "today" for waiver expiry in tests
    p.set_defaults(run=run)


def _relative(root: Path, path: Path) -> str:
    p = path if path.is_absolute() else (Path.cwd() / path)
    try:
        return p.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _checked_files(root: Path) -> list[str]:
    """The files `validate` reads as records: the policy and every release file."""
    return [f"{RELEASES_DIR}/{POLICY_FILE}", *(f"{RELEASES_DIR}/{p.name}" for p in release_files(root))]


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    if args.verify_git:  # needs the records themselves, so no fast path
        from ..signing import verify_git  # start-up: git and the YAML editor only for --verify-git

        result = check(root, today=args.today)
        report = Report(verify_git(result), 1 + len(result.project.releases), migrations_json(result.project))
    else:
        report = validate_report(root, today=args.today)
    findings = report.findings
    only: set[str] | None = None
    if args.paths:
        only = {_relative(root, p) for p in args.paths}
    if args.changed_since:
        changed = changed_files(root, args.changed_since)
        only = changed if only is None else only & changed
    if only is not None:
        findings = [f for f in findings if f.loc.file in only]
    files = report.files
    if args.format == "json":
        out = as_json(findings, files, {"migrations": report.migrations})
    elif args.format == "junit":  # every checked file is a test case, not only those with findings
        out = junit(findings, files, [f for f in _checked_files(root) if only is None or f in only])
    else:
        out = REPORTERS[args.format](findings, files)
    write_out(out, args.output)
    return 1 if Summary.of(findings).fails(args.strict_warnings) else 0
