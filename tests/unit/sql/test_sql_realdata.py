"""The whole real-data set: every Flyway folder scanned and parsed, squawk copies unchanged.

Real data lives outside the repository (/work/shared/realdata); without it these tests skip. The small
copies under tests/fixtures/sql carry the same checks into CI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fes_docs.sql import analyze, find_conflicts, scan_dir_report

SQL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"

#: folder under realdata/flyway → SQL dialect of its migrations.
PROJECTS = {
    "ccd-definition-store-api": "postgres",
    "kestra/jdbc-postgres": "postgres",
    "kestra/jdbc-mysql": "mysql",
    "kestra/jdbc-h2": "h2",
    "flyway-test-extensions-samples": "h2",
}


def test_every_real_migration_is_scanned_and_parsed(realdata_dir: Callable[[str], Path]) -> None:
    base = realdata_dir("flyway")
    total = 0
    oddities: list[str] = []
    for project, dialect in PROJECTS.items():
        report = scan_dir_report(base / project, root_guard=base)
        assert report.skipped == ()
        for f in report.files:
            assert f.read_error is None and f.text is not None and f.checksum is not None
            result = analyze(f.text, dialect)
            # No crash, and nothing unparsable: pglast reads every PostgreSQL file; for the others an
            # unparsable statement is opaque, only a lexer failure would be an error.
            assert result.error is None, (f.relpath, result.error)
            assert result.statements, f.relpath
            if f.name.problem or f.name.oddity:
                oddities.append(f"{project}/{f.relpath}")
        total += len(report.files)
    assert total == 201
    assert sorted(Path(o).name for o in oddities) == sorted(
        ["V20201218__RDM-10041__CaseLocation.sql", "V20211220_12979__RDM-12979__FlagsFlagDetails.sql",
         "V20220923_3686__CCD-3686__JudicialUser.sql", "V20230510_4515__CCD-4515__AmendFlagDetails.sql"]
        + ["loadSqlScriptExecutionsTest.sql"] * 4
    )  # fmt: skip


def test_same_versions_across_sample_locations(realdata_dir: Callable[[str], Path]) -> None:
    report = scan_dir_report(realdata_dir("flyway/flyway-test-extensions-samples"))
    keys = {c.key for c in find_conflicts(report.files)}
    assert {"1.0.1", "900"} <= keys  # V1.0.1__Base_Version / V900.0.0__Insert_Statements in many samples


def test_fixture_copies_are_unchanged(realdata_dir: Callable[[str], Path]) -> None:
    squawk = realdata_dir("squawk-rule-cases")
    copies = sorted((SQL_FIXTURES / "squawk" / "sql").glob("*.sql"))
    assert copies
    for copy in copies:
        assert copy.read_bytes() == (squawk / "sql" / copy.name).read_bytes(), copy.name
    flyway = realdata_dir("flyway")
    kestra = sorted((SQL_FIXTURES / "flyway" / "kestra" / "postgres").glob("*.sql"))
    for copy in kestra:
        original = flyway / "kestra/jdbc-postgres/src/main/resources/migrations/postgres" / copy.name
        assert copy.read_bytes() == original.read_bytes(), copy.name
