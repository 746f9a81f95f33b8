"""``fes-docs dry-run``: apply the migrations twice on a throwaway PostgreSQL and report."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Summary, sort_findings
from ..project import load_project
from ..report import REPORTERS, as_json
from ..sql.dialects import MYSQL_FAMILY, family
from .common import add_root, root_of, write_file


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "dry-run", help="prove the migrations on a real, throwaway PostgreSQL (MariaDB for sql_dialect: mysql)"
    )
    add_root(p)
    p.add_argument(
        "--dsn",
        help="use this server instead (only a scratch database the tool creates and drops); mysql://… for MySQL",
    )
    p.add_argument("--release", metavar="ID", help="apply migrations of the releases up to this one only")
    p.add_argument("--format", choices=sorted(REPORTERS), default="text")
    p.add_argument(
        "--evidence",
        type=Path,
        metavar="FILE",
        help="write the JSON evidence here (cite it as the flyway-dry-run evidence)",
    )
    p.add_argument("--bindir", help="PostgreSQL server binaries folder (default: pg_config --bindir)")
    p.set_defaults(run=run)


def _summary(report: object) -> str:
    from ..dryrun import DryRunReport, lock_mode_sql  # start-up: other subcommands never load the dry run

    assert isinstance(report, DryRunReport)
    lines = [f"{report.server} {report.server_version}: {len(report.migrations)} migration(s) in {report.seconds:.2f}s"]
    for m in report.migrations:
        locks = ", ".join(f"{lock_mode_sql(mode)} {t}" for t, mode in m.strongest_locks.items()) or "no locks"
        idem = {True: "idempotent", False: "NOT idempotent", None: "-"}[m.idempotent]
        note = f"  ({m.note})" if m.note else ""
        lines.append(f"  {m.status:8} {m.script}  {idem}  {m.seconds * 1000:.0f} ms  [{locks}]{note}")
    for c in report.callbacks:
        where = f" around {c.migration}" if c.migration else ""
        outcome = f"not run: {c.skipped}" if c.skipped else f"error: {c.error}" if c.error else "ran"
        lines.append(f"  callback {c.script} ({c.event}{where}): {outcome}")
    for b in report.backfills:
        est = f" (estimated {b.estimated_rows:,})" if b.estimated_rows is not None else ""
        lines.append(
            f"  backfill {b.release}/{b.name}: " + (f"error: {b.error}" if b.error else f"{b.rows} row(s){est}")
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from .. import dryrun, proving  # start-up: other subcommands never load the dry run

    began = time.monotonic()  # the run bound counts from here: the server's start is part of the run
    root = root_of(args)
    project = load_project(root)
    the_plan = proving.plan(project, args.release)
    bounds = project.policy.dry_run
    settings = dryrun.Settings(
        statement_timeout_ms=bounds.statement_timeout_s * 1000,
        lock_timeout_ms=bounds.lock_timeout_s * 1000,
        run_timeout_ms=bounds.run_timeout_s * 1000,
        run_began=began,
    )
    if family(project.policy.sql_dialect) in MYSQL_FAMILY:
        report = _run_mariadb(args, the_plan, settings, family(project.policy.sql_dialect))
    else:
        report = _run_postgres(args, the_plan, settings)
    findings = sort_findings(proving.findings(project, the_plan, report))
    if args.evidence:
        write_file(args.evidence, dryrun.evidence_json(report))
    if args.format == "json":
        print(as_json(findings, None, {"dry_run": report.to_evidence()}), end="")
    elif args.format == "text":
        print(_summary(report) + REPORTERS["text"](findings, None), end="")
        if args.evidence:
            print(f"evidence written to {args.evidence}")
    else:
        print(REPORTERS[args.format](findings, None), end="")
    return 1 if Summary.of(findings).fails() else 0


def _run_mariadb(args: argparse.Namespace, the_plan: Any, settings: Any, dialect: str) -> Any:
    """``sql_dialect: mysql`` / ``mariadb``: a throwaway MariaDB, or a scratch database on ``--dsn mysql://``."""
    from .. import dryrun

    try:
        from ..dryrun import mariadb_engine, mariadb_server

        if args.dsn:
            where = "the --dsn server"
            box_of = mariadb_server.mariadb_sandbox(mariadb_server.target_of_dsn(args.dsn), where)
        else:
            box_of = mariadb_server.sandboxed_mariadb()
        with box_of as box:
            return mariadb_engine.run(
                box,
                the_plan.migrations,
                the_plan.backfills,
                settings,
                dialect=dialect,
                environment=the_plan.environment,
                callbacks=the_plan.callbacks,
            )
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "pymysql":
            raise
        raise UsageError(
            "dry run impossible: the MySQL driver is not installed: pip install 'fes-docs[dryrun]'"
        ) from None
    except dryrun.DryRunUnavailable as exc:
        raise UsageError(f"dry run impossible: {exc}") from None


def _run_postgres(args: argparse.Namespace, the_plan: Any, settings: Any) -> Any:
    from .. import dryrun

    try:
        # Migrations run as an unprivileged role owning only a scratch database (docs/security.md)
        # the declared database name only in the throwaway cluster: on a shared server, never a name that
        # could be someone else's
        expected = the_plan.environment.database
        box_of = dryrun.sandbox(args.dsn) if args.dsn else dryrun.sandboxed_cluster(args.bindir, database=expected)
        with box_of as box:
            return dryrun.run(
                box.dsn,
                the_plan.migrations,
                the_plan.backfills,
                settings,
                admin_dsn=box.admin_dsn,
                callbacks=the_plan.callbacks,
                environment=the_plan.environment,
            )
    except dryrun.DryRunUnavailable as exc:
        raise UsageError(f"dry run impossible: {exc}") from None
