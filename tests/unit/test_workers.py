"""Bulk work in forked workers (issue 14): the same answers as in-process, whatever the workers do.

Workers are only an optimisation, so every test here asserts that a :class:`~fes_docs.workers.Batch` returns
exactly what the work gives in-process — from workers that answer, die or hang — and that ``validate``
reports byte for byte the same with and without them. Work is counted, never timed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fes_docs import workers
from fes_docs.artefacts import analyse_chunk
from fes_docs.sql.analyze import analysis_from_json, analysis_text, analyze

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the workers fork (Linux)")

PARENT = os.getpid()
CONTEXT = {"dialect": "postgres"}


def _texts(n: int) -> list[tuple[str, str]]:
    kinds = [
        "CREATE TABLE IF NOT EXISTS t{i} (id bigint PRIMARY KEY);",
        "ALTER TABLE t{i} ADD COLUMN IF NOT EXISTS note text;",
        "DROP TABLE t{i};",
        "INSERT INTO t{i} (id) VALUES (1) ON CONFLICT DO NOTHING;\nUPDATE t{i} SET id = 2;",
        "CREATE TABLE (;",  # a syntax error is an answer too
    ]
    return [(f"key-{i}", kinds[i % len(kinds)].format(i=i)) for i in range(n)]


def _ended(pid: int) -> bool:
    """Whether the process is gone (or a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def _all_end(processes: list[int]) -> bool:
    for _ in range(300):
        if all(_ended(p) for p in processes):
            return True
        time.sleep(0.1)
    return False


def _expected(jobs: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    return [(analysis_text(a), a) for a in (analyze(text) for _, text in jobs)]


def _start(work: Any, jobs: list[tuple[str, str]]) -> list[workers.Batch[Any, Any]]:
    pool = workers.Pool.start(CONTEXT, len(jobs))
    assert pool is not None
    batch = pool.submit(work, jobs, lambda job: len(job[1]), 100)
    pool.seal()
    return [batch]


@pytest.fixture(autouse=True)
def few_jobs_suffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_JOBS", 10)
    monkeypatch.setattr(workers, "_cores", lambda: 2)


def test_no_workers_below_the_threshold_or_without_a_second_core(monkeypatch: pytest.MonkeyPatch) -> None:
    assert workers.Pool.start(CONTEXT, 9) is None
    monkeypatch.setattr(workers, "_cores", lambda: 1)
    assert workers.Pool.start(CONTEXT, 40) is None


def test_workers_answer_every_job_as_in_process() -> None:
    jobs = _texts(40)
    pool = workers.Pool.start(CONTEXT, 30) or pytest.fail("no workers")
    sql = pool.submit(analyse_chunk, jobs, lambda j: len(j[1]), 100)
    more = pool.submit(analyse_chunk, jobs[:7], lambda j: 1, 2)  # handed over after the workers began
    too_many = pool.submit(analyse_chunk, jobs, lambda j: 1, 1)  # more chunks than started for: done here
    pool.seal()
    processes = list(pool.processes)
    assert processes  # a worker forked
    assert too_many.take() == _expected(jobs)
    assert more.take() == _expected(jobs[:7])  # batches may be taken in any order
    got = sql.take()
    assert got == _expected(jobs)
    # the text the cache keeps reads back as the very analysis the worker handed over
    assert [analysis_from_json(json.loads(text)) for text, _ in got] == [a for _, a in got]
    assert _all_end(processes)  # with every answer in, no worker is left to hold up the exit


def _dies_in_a_worker(chunk: list[tuple[str, str]], context: dict[str, Any]) -> list[tuple[str, Any]]:
    if os.getpid() != PARENT:
        os._exit(3)
    return analyse_chunk(chunk, context)


def test_a_worker_that_dies_costs_nothing_but_time() -> None:
    jobs = _texts(40)
    (batch,) = _start(_dies_in_a_worker, jobs)
    assert batch.take() == _expected(jobs)


def _hangs_in_a_worker(chunk: list[tuple[str, str]], context: dict[str, Any]) -> list[tuple[str, Any]]:
    while os.getpid() != PARENT:
        time.sleep(60)
    return analyse_chunk(chunk, context)


def test_a_worker_that_hangs_is_ended_and_its_work_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "deadline", lambda cost: 0.5)
    jobs = _texts(40)
    (batch,) = _start(_hangs_in_a_worker, jobs)
    processes = list(batch._pool.processes)
    assert batch.take() == _expected(jobs)
    assert _all_end(processes)


def test_validate_reports_the_same_with_and_without_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    try:
        from generate import SPEC_BYTES, generate
    finally:
        sys.path.pop(0)
    from fes_docs import check
    from fes_docs.report import as_json
    from fes_docs.rerun import validate_report

    root = generate(tmp_path / "project", 30, spec_bytes=SPEC_BYTES["small"])
    (root / "service/db/migration/V7__module_6_storage.sql").write_text("DROP TABLE module_6_item;\nCREATE TABLE (;\n")
    record = next((root / "releases").glob("*-release-00003.yaml"))
    record.write_text(record.read_text().replace("phase: 4", "phase: four").replace("title:", "title: 1\ntitle:"))
    handed: list[int] = []
    real_submit = workers.Pool.submit

    def counting_submit(self: workers.Pool, work: Any, jobs: Any, *args: Any) -> Any:
        handed.append(len(jobs))
        return real_submit(self, work, jobs, *args)

    monkeypatch.setattr(workers, "PARALLEL_JOBS", 10**9)
    monkeypatch.setattr(workers.Pool, "submit", counting_submit)
    monkeypatch.setattr(check, "PARALLEL_RECORDS", 5)  # the record rules' second half in a child too
    without = validate_report(root, today="2026-12-01", use_cache=False)
    monkeypatch.setattr(workers, "PARALLEL_JOBS", 10)
    with_workers = validate_report(root, today="2026-12-01", use_cache=False)
    assert handed == [30, 30]  # every record and every migration handed to the workers, in the second run
    assert as_json(with_workers.findings, with_workers.files) == as_json(without.findings, without.files)
    assert with_workers.migrations == without.migrations
    rules = {f.rule for f in with_workers.findings}
    assert {"FES320", "FES002"} <= rules  # a broken migration and a broken record, reported from workers too


def _raises_in_a_worker(chunk: list[tuple[str, str]], context: dict[str, Any]) -> list[tuple[str, Any]]:
    if os.getpid() != PARENT:
        raise ValueError("a bug that only bites in the worker")
    return analyse_chunk(chunk, context)


def test_work_that_raises_in_a_worker_is_done_here() -> None:
    jobs = _texts(40)
    (batch,) = _start(_raises_in_a_worker, jobs)
    assert batch.take() == _expected(jobs)


def _generated(tmp_path: Path, n: int) -> Path:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    try:
        from generate import SPEC_BYTES, generate
    finally:
        sys.path.pop(0)
    return generate(tmp_path / "project", n, spec_bytes=SPEC_BYTES["small"])


def test_what_the_record_rules_child_read_is_in_the_runs_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child runs the record rules over the second half of the records; a file only its rules looked at
    (a backfill script, FES306) must be in the run's manifest, or the next run's cache would not notice it
    appear."""
    from fes_docs import check
    from fes_docs.rerun import validate_report

    monkeypatch.setenv("FES_DOCS_NO_CACHE", "0")
    monkeypatch.setenv("FES_DOCS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(check, "PARALLEL_RECORDS", 5)
    forks: list[int] = []
    real_forked = workers.forked

    def counting_forked(fn: Any, jobs: int) -> Any:
        child = real_forked(fn, jobs)
        forks.append(child.pid if child is not None else 0)
        return child

    monkeypatch.setattr(workers, "forked", counting_forked)
    root = _generated(tmp_path, 30)
    (root / "db").mkdir()  # the folder is there already: only the file appears
    last = sorted((root / "releases").glob("*-release-*.yaml"))[-1]  # in the child's half
    last.write_text(
        last.read_text().replace("    dry_run: true\n", "    dry_run: true\n    sql: db/backfill_x.sql\n", 1)
    )
    first = validate_report(root, today="2026-12-01")
    assert forks and forks[0] > 0  # the child ran
    assert [f.loc.file for f in first.findings if f.rule == "FES306"] == [last.relative_to(root).as_posix()]
    (root / "db/backfill_x.sql").write_text("UPDATE t SET x = 1 WHERE x IS NULL;\n")
    again = validate_report(root, today="2026-12-01")
    assert [f for f in again.findings if f.rule == "FES306"] == []
