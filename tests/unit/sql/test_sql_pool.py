"""SQL analysis in worker processes (issue 14): the same answers as in-process, whatever the pool does.

A pool is only an optimisation, so every test here asserts that :meth:`Prefetch.take` returns exactly the
in-process analyses — from workers that answer, from workers that die, from workers that hang — and that
``validate`` reports byte for byte the same with and without one. Work is counted, never timed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fes_docs.sql import pool
from fes_docs.sql.analyze import analysis_from_json, analysis_to_json, analyze
from fes_docs.sql.pool import Prefetch

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pool forks (Linux)")

PARENT = os.getpid()


def _texts(n: int) -> list[tuple[str, str]]:
    kinds = [
        "CREATE TABLE IF NOT EXISTS t{i} (id bigint PRIMARY KEY);",
        "ALTER TABLE t{i} ADD COLUMN IF NOT EXISTS note text;",
        "DROP TABLE t{i};",
        "INSERT INTO t{i} (id) VALUES (1) ON CONFLICT DO NOTHING;\nUPDATE t{i} SET id = 2;",
        "CREATE TABLE (;",  # a syntax error is an answer too
    ]
    return [(f"key-{i}", kinds[i % len(kinds)].format(i=i)) for i in range(n)]


def _expected(jobs: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    return {key: analysis_to_json(analyze(text)) for key, text in jobs}


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool for a few dozen texts, in chunks of a few texts each."""
    monkeypatch.setattr(pool, "PARALLEL_FILES", 10)
    monkeypatch.setattr(pool, "CHUNK_CHARS", 100)


def test_no_pool_below_the_threshold_or_without_a_second_core() -> None:
    assert Prefetch.start(_texts(pool.PARALLEL_FILES - 1), "postgres") is None
    assert Prefetch.start(_texts(pool.PARALLEL_FILES), "postgres", workers=0) is None


def test_pool_answers_every_text_as_in_process(small_pool: None) -> None:
    jobs = _texts(40)
    prefetch = Prefetch.start(jobs, "postgres", workers=1)
    assert prefetch is not None
    got = prefetch.take()
    assert got == _expected(jobs)
    assert all(analysis_from_json(got[k]) == analyze(t) for k, t in jobs)


def _dies_in_a_worker(text: str, dialect: str = "postgres") -> Any:
    if os.getpid() != PARENT:
        os._exit(3)
    return analyze(text, dialect)


def test_a_worker_that_dies_costs_nothing_but_time(small_pool: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "analyze", _dies_in_a_worker)
    jobs = _texts(40)
    prefetch = Prefetch.start(jobs, "postgres", workers=1)
    assert prefetch is not None
    assert prefetch.take() == _expected(jobs)


def _hangs_in_a_worker(text: str, dialect: str = "postgres") -> Any:
    while os.getpid() != PARENT:
        time.sleep(60)
    return analyze(text, dialect)


def test_a_worker_that_hangs_is_ended_and_its_work_done_here(small_pool: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "analyze", _hangs_in_a_worker)
    monkeypatch.setattr(pool, "deadline", lambda chars: 0.5)
    jobs = _texts(40)
    prefetch = Prefetch.start(jobs, "postgres", workers=1)
    assert prefetch is not None
    workers = list(prefetch._executor._processes.values())  # type: ignore[attr-defined]
    assert prefetch.take() == _expected(jobs)
    for proc in workers:
        proc.join(timeout=30)
        assert not proc.is_alive()


def test_validate_reports_the_same_with_and_without_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))
    try:
        from generate import SPEC_BYTES, generate
    finally:
        sys.path.pop(0)
    from fes_docs.report import as_json
    from fes_docs.rerun import validate_report

    root = generate(tmp_path / "project", 30, spec_bytes=SPEC_BYTES["small"])
    (root / "service/db/migration/V7__module_6_storage.sql").write_text("DROP TABLE module_6_item;\nCREATE TABLE (;\n")
    started: list[int] = []
    real_start = Prefetch.start.__func__  # type: ignore[attr-defined]

    def counting_start(cls: type[Prefetch], jobs: list[tuple[str, str]], dialect: str, **kw: Any) -> Any:
        started.append(len(jobs))
        return real_start(cls, jobs, dialect, **kw)

    monkeypatch.setattr(Prefetch, "start", classmethod(counting_start))
    without = validate_report(root, today="2026-12-01", use_cache=False)
    monkeypatch.setattr(pool, "PARALLEL_FILES", 5)
    monkeypatch.setattr(pool, "CHUNK_CHARS", 500)
    with_pool = validate_report(root, today="2026-12-01", use_cache=False)
    assert started == [30, 30]  # every migration handed over, each run
    assert as_json(with_pool.findings, with_pool.files) == as_json(without.findings, without.files)
    assert with_pool.migrations == without.migrations
    assert any(f.rule == "FES320" for f in with_pool.findings)  # the broken file is reported from the pool too
