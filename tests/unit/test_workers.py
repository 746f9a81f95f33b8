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


def _expected(jobs: list[tuple[str, str]]) -> list[str]:
    return [analysis_text(analyze(text)) for _, text in jobs]


def _start(work: Any, jobs: list[tuple[str, str]]) -> list[workers.Batch[Any, Any]]:
    batches = workers.start(CONTEXT, [(work, jobs, lambda job: len(job[1]), 100)])
    assert batches is not None
    return batches


@pytest.fixture(autouse=True)
def few_jobs_suffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_JOBS", 10)
    monkeypatch.setattr(workers, "_cores", lambda: 2)


def test_no_workers_below_the_threshold_or_without_a_second_core(monkeypatch: pytest.MonkeyPatch) -> None:
    assert workers.start(CONTEXT, [(analyse_chunk, _texts(9), len, 100)]) is None
    monkeypatch.setattr(workers, "_cores", lambda: 1)
    assert workers.start(CONTEXT, [(analyse_chunk, _texts(40), len, 100)]) is None


def test_workers_answer_every_job_as_in_process() -> None:
    jobs = _texts(40)
    sql, more = workers.start(
        CONTEXT, [(analyse_chunk, jobs, lambda j: len(j[1]), 100), (analyse_chunk, jobs[:7], lambda j: 1, 2)]
    ) or pytest.fail("no workers")
    processes = list(sql._pool.executor._processes.values())  # type: ignore[attr-defined]
    assert more.take() == _expected(jobs[:7])  # batches may be taken in any order
    got = sql.take()
    assert got == _expected(jobs)
    assert [analysis_from_json(json.loads(g)) for g in got] == [analyze(t) for _, t in jobs]
    for proc in processes:  # with every answer in, no worker is left to hold up the exit
        proc.join(timeout=30)
        assert not proc.is_alive()


def _dies_in_a_worker(chunk: list[tuple[str, str]], context: dict[str, Any]) -> list[str]:
    if os.getpid() != PARENT:
        os._exit(3)
    return analyse_chunk(chunk, context)


def test_a_worker_that_dies_costs_nothing_but_time() -> None:
    jobs = _texts(40)
    (batch,) = _start(_dies_in_a_worker, jobs)
    assert batch.take() == _expected(jobs)


def _hangs_in_a_worker(chunk: list[tuple[str, str]], context: dict[str, Any]) -> list[str]:
    while os.getpid() != PARENT:
        time.sleep(60)
    return analyse_chunk(chunk, context)


def test_a_worker_that_hangs_is_ended_and_its_work_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "deadline", lambda cost: 0.5)
    jobs = _texts(40)
    (batch,) = _start(_hangs_in_a_worker, jobs)
    processes = list(batch._pool.executor._processes.values())  # type: ignore[attr-defined]
    assert batch.take() == _expected(jobs)
    for proc in processes:
        proc.join(timeout=30)
        assert not proc.is_alive()


def test_validate_reports_the_same_with_and_without_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    try:
        from generate import SPEC_BYTES, generate
    finally:
        sys.path.pop(0)
    from fes_docs.report import as_json
    from fes_docs.rerun import validate_report

    root = generate(tmp_path / "project", 30, spec_bytes=SPEC_BYTES["small"])
    (root / "service/db/migration/V7__module_6_storage.sql").write_text("DROP TABLE module_6_item;\nCREATE TABLE (;\n")
    record = next((root / "releases").glob("*-release-00003.yaml"))
    record.write_text(record.read_text().replace("phase: 4", "phase: four").replace("title:", "title: 1\ntitle:"))
    handed: list[list[int]] = []
    real_start = workers.start

    def counting_start(context: Any, batches: Any) -> Any:
        started = real_start(context, batches)
        handed.append([len(jobs) for _, jobs, _, _ in batches] if started else [])
        return started

    monkeypatch.setattr(workers, "PARALLEL_JOBS", 10**9)
    monkeypatch.setattr(workers, "start", counting_start)
    without = validate_report(root, today="2026-12-01", use_cache=False)
    monkeypatch.setattr(workers, "PARALLEL_JOBS", 10)
    with_workers = validate_report(root, today="2026-12-01", use_cache=False)
    assert handed == [[], [30, 30]]  # every record and every migration handed to the workers
    assert as_json(with_workers.findings, with_workers.files) == as_json(without.findings, without.files)
    assert with_workers.migrations == without.migrations
    rules = {f.rule for f in with_workers.findings}
    assert {"FES320", "FES002"} <= rules  # a broken migration and a broken record, reported from workers too
