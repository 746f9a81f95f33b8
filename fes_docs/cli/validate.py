"""``fes-docs validate``: the merge gate.

``--changed-since BASE`` reports every finding the change may have caused: one about any changed file
(:meth:`~fes_docs.findings.Finding.about_files`: where it is, what it points at, the record it belongs to
and the files that record names), wherever it is located. A record that stopped claiming a migration
file counts as a change to that file too (read from BASE), so a migration it left unclaimed is reported.
"""

from __future__ import annotations

import argparse
from pathlib import Path, PurePosixPath

from ..check import check
from ..findings import Finding, Summary
from ..gitutil import changed_files, prefix_in_repository, show_bytes
from ..loader import MAX_BYTES, load_bytes
from ..project import POLICY_FILE, RELEASES_DIR, load_policy, release_files
from ..report import REPORTERS, as_json, junit
from ..rerun import Report, collector_paused, validate_report
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
    p.add_argument(
        "--changed-since",
        metavar="BASE",
        help="only report findings about files changed since git BASE "
        "(a record's findings when it or a file it names changed)",
    )
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
    with collector_paused():  # a one-shot process: see collector_paused
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    root = root_of(args)
    if args.verify_git:  # needs the records themselves, so no fast path
        from ..verifygit import verify_git  # start-up: the git checks load only for --verify-git

        result = check(root, today=args.today)
        report = Report(verify_git(result), 1 + len(result.project.releases), migrations_json(result.project))
    else:
        report = validate_report(root, today=args.today)
    findings = report.findings
    only: set[str] | None = None
    if args.paths:
        only = {_relative(root, p) for p in args.paths}
        # as --changed-since: a finding is shown for a file when it is about that file (a record's finding
        # located in its SQL file belongs to `validate releases/x.yaml` too)
        findings = [f for f in findings if f.is_about(only)]
    if args.changed_since:
        changed = changed_files(root, args.changed_since)
        findings = changed_findings(findings, changed | unclaimed_since(root, args.changed_since, changed))
        findings += _api_gate(root, args.changed_since, changed, args.today)
        only = changed if only is None else only & changed
    files = report.files
    if args.format == "json":
        out = as_json(findings, files, {"migrations": report.migrations})
    elif args.format == "junit":  # every checked file is a test case, not only those with findings
        out = junit(findings, files, [f for f in _checked_files(root) if only is None or f in only])
    else:
        out = REPORTERS[args.format](findings, files)
    write_out(out, args.output)
    return 1 if Summary.of(findings).fails(args.strict_warnings) else 0


def _api_gate(root: Path, base: str, changed: set[str], today: str | None) -> list[Finding]:
    """Breaking API changes since ``base`` that no changed record declares (FES840, FES841)."""
    from ..apigate import api_gate  # start-up: only a pull request's run compares specs
    from ..dates import parse_date

    return api_gate(root, base, changed, parse_date(today) if today else None)


def changed_findings(findings: list[Finding], changed: set[str]) -> list[Finding]:
    """The findings about at least one of the ``changed`` files."""
    return [f for f in findings if f.is_about(changed)]


def unclaimed_since(root: Path, base: str, changed: set[str]) -> set[str]:
    """The migration files the changed records listed at ``base`` (as findings name them).

    A record that no longer lists a file leaves it unclaimed, and what is then said about the file (claimed
    by no release, or only by a cancelled one) was caused by the record's change, not by the file's.
    """
    policy = load_policy(root)[0]
    folder = (policy.migrations_dir or "").rstrip("/")
    prefix = prefix_in_repository(root)
    out: set[str] = set()
    for file in sorted(changed):
        head, _, name = file.rpartition("/")
        if head != RELEASES_DIR or name == POLICY_FILE or name.startswith(".") or not name.endswith((".yaml", ".yml")):
            continue
        data = show_bytes(root, base, (prefix / PurePosixPath(file)).as_posix(), MAX_BYTES)
        doc = load_bytes(data, file)[0] if data is not None else None
        entries = doc.data.get("migrations") if doc is not None and isinstance(doc.data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            listed = entry.get("file") if isinstance(entry, dict) else None
            if isinstance(listed, str) and listed:
                out.add(f"{folder}/{listed}" if folder else listed)
    return out
