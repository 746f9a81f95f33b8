"""Wall-clock numbers that the tests used to assert and now bound by work instead (not a test: prints them).

    python3 benchmarks/wallclock.py [--runs 5] [--skip-dryrun]

* ``analyze``: 1,000 generated migrations of 3–10 statements (the set of tests/unit/sql/test_sql_performance.py),
  target well under a second; the test bounds parser calls and characters lexed instead.
* ``cluster``: start and stop of one throwaway PostgreSQL cluster, target well under ten seconds; the test
  bounds the programs spawned.
* ``dry_run_example``: the example project's migrations (tests/fixtures/dryrun/valid/example) on their own
  cluster, target well under ten seconds; the test bounds statements sent and snapshots taken.
* ``statement_timeout``: a ``pg_sleep(5)`` migration cut by a 200 ms statement_timeout, target under four
  seconds; the test asserts the server's timeout setting and the timeout message.

Each number is the median of ``--runs`` runs in this process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "sql"))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "dryrun"))


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-dryrun", action="store_true", help="only the analysis (no PostgreSQL needed)")
    args = parser.parse_args()

    from test_sql_performance import _files  # the tests' generated set, so both speak of the same input

    from fes_docs.sql import analyze

    files = _files()
    rows = {"analyze_1000_migrations_s": median_seconds(lambda: [analyze(t) for t in files], args.runs)}
    if not args.skip_dryrun:
        from conftest import FIXTURES, load_folder  # the dry-run tests' folder loader

        from fes_docs.dryrun.cluster import TemporaryCluster, find_server_binaries, throwaway_cluster
        from fes_docs.dryrun.engine import Settings, run

        binaries = find_server_binaries()

        def cluster() -> None:
            c = TemporaryCluster(binaries)
            try:
                c.start()
            finally:
                c.stop()

        example = load_folder(FIXTURES / "valid" / "example")
        sleeper = load_folder(FIXTURES / "invalid" / "statement_timeout")

        def dry_run_example() -> None:
            with throwaway_cluster() as dsn:
                assert run(dsn, example).passed

        with throwaway_cluster() as dsn:
            rows["statement_timeout_s"] = median_seconds(
                lambda: run(dsn, sleeper, settings=Settings(statement_timeout_ms=200)), args.runs
            )
        rows["cluster_start_stop_s"] = median_seconds(cluster, args.runs)
        rows["dry_run_example_s"] = median_seconds(dry_run_example, args.runs)
    for name, seconds in rows.items():
        print(f"{name:32} {seconds:8.3f}")


if __name__ == "__main__":
    main()
