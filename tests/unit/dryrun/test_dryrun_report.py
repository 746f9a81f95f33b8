"""Report and evidence helpers, and snapshot differences as sentences (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from fes_docs.dryrun.report import (
    LOCK_MODES,
    MARIADB_BLOCKING,
    MARIADB_DDL_MDL,
    BackfillOutcome,
    DryRunReport,
    MigrationOutcome,
    blocks_writes,
    evidence_checksums,
    evidence_json,
    lock_mode_sql,
    strongest_per_table,
)
from fes_docs.dryrun.snapshot import diff


@pytest.mark.parametrize(
    ("mode", "sql"),
    [
        ("AccessExclusiveLock", "ACCESS EXCLUSIVE"),
        ("ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE"),
        ("ShareLock", "SHARE"),
        ("AccessShareLock", "ACCESS SHARE"),
    ],
)
def test_lock_mode_names_as_the_postgresql_docs_spell_them(mode: str, sql: str) -> None:
    assert lock_mode_sql(mode) == sql


def _outcome(**kwargs: Any) -> MigrationOutcome:
    return MigrationOutcome("V1__a.sql", "1", 42, "r1", **kwargs)


def test_strongest_lock_per_table() -> None:
    outcome = _outcome(
        applied=True,
        locks=[
            ("public.b", "AccessShareLock"),
            ("public.a", "RowExclusiveLock"),
            ("public.b", "AccessExclusiveLock"),
        ],
    )
    assert outcome.strongest_locks == {"public.a": "RowExclusiveLock", "public.b": "AccessExclusiveLock"}
    assert list(LOCK_MODES).index("AccessExclusiveLock") == len(LOCK_MODES) - 1


def test_strongest_per_table_is_the_one_rule_for_outcomes_and_evidence() -> None:
    held = [("public.z", "ShareLock"), ("public.a", "NoSuchLock"), ("public.z", "RowShareLock")]
    assert strongest_per_table(held) == {"public.a": "NoSuchLock", "public.z": "ShareLock"}
    assert list(strongest_per_table(held)) == ["public.a", "public.z"]  # sorted by table
    assert strongest_per_table([]) == {}


def test_status_and_passed() -> None:
    assert (_outcome().status, _outcome().passed) == ("not-run", False)
    assert _outcome(error="boom").status == "failed"
    assert _outcome(applied=True, idempotent=True).passed
    assert not _outcome(applied=True, idempotent=False).passed


def _report() -> DryRunReport:
    return DryRunReport(
        "15.18",
        [
            _outcome(applied=True, idempotent=True, seconds=0.01234),
            MigrationOutcome(
                "V2__b.sql", "2", -7, "r1", error="boom", error_line=3, failing_statement="SELECT\n  nope"
            ),
        ],
        [BackfillOutcome("r1", "fill", 3, None, 5)],
        0.5,
    )


def test_evidence_is_deterministic_and_small() -> None:
    text = evidence_json(_report())
    assert text == evidence_json(_report())
    evidence = _report().to_evidence()
    assert list(evidence) == sorted(evidence)
    assert evidence["passed"] is False
    failed = evidence["migrations"][1]
    assert failed["error"] == {"line": 3, "message": "boom", "statement": "SELECT ..."}
    assert evidence["migrations"][0]["seconds"] == 0.012
    assert evidence["backfills"] == [
        {"error": None, "estimated_rows": 5, "name": "fill", "release": "r1", "rows": 3, "seconds": 0.0}
    ]


def test_evidence_checksums_round_trip_and_refuse_foreign_documents() -> None:
    evidence = _report().to_evidence()
    assert evidence_checksums(evidence) == {"V1__a.sql": 42, "V2__b.sql": -7}
    assert evidence_checksums({**evidence, "format_version": 99}) is None
    assert evidence_checksums({"format": "something-else"}) is None
    broken = {**evidence, "migrations": [{"script": "V1__a.sql", "checksum": "42"}]}
    assert evidence_checksums(broken) is None


def test_snapshot_differences_read_as_sentences() -> None:
    before = {
        "r public.t": "",
        "column public.t.a": "integer (position 1)",
        "rows public.t": "1 rows, digest x",
    }
    after = {
        "r public.t": "",
        "column public.t.a": "bigint (position 1)",
        "column public.t.b": "text (position 2)",
        "rows public.t": "1 rows, digest y",
        "index public.t_a": "CREATE INDEX t_a ON public.t USING btree (a)",
    }
    assert [str(change) for change in diff(before, after)] == [
        "column public.t.a changed (integer (position 1) -> bigint (position 1))",
        "column public.t.b added (text (position 2))",
        "index public.t_a added (CREATE INDEX t_a ON public.t USING btree (a))",
        "data of public.t changed (1 rows, other content)",
    ]
    assert [str(change) for change in diff(after, before)][1] == "column public.t.b removed"
    assert diff(before, dict(before)) == []


def test_mariadb_modes_rank_so_the_strongest_says_whether_writes_wait() -> None:
    held = [
        ("a", "MDL_SHARED_WRITE"),
        ("a", MARIADB_DDL_MDL),
        ("a", "ALGORITHM=INSTANT"),
        ("b", MARIADB_DDL_MDL),
        ("b", MARIADB_BLOCKING),
        ("b", "ALGORITHM=INPLACE, LOCK=NONE"),
        ("c", "MDL_SHARED_READ"),
    ]
    strongest = strongest_per_table(held)
    assert strongest == {"a": "ALGORITHM=INSTANT", "b": MARIADB_BLOCKING, "c": "MDL_SHARED_READ"}
    assert [t for t, mode in strongest.items() if blocks_writes(mode)] == ["b"]
    assert blocks_writes("MDL_SHARED_NO_WRITE") and not blocks_writes(MARIADB_DDL_MDL)
    assert lock_mode_sql("MDL_SHARED_WRITE") == "MDL_SHARED_WRITE"  # the server's name, as written
