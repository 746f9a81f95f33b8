"""Scanning a migrations folder the way Flyway scans a filesystem location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fes_docs.sql import find_conflicts, flyway_checksum, folder, scan_dir, scan_dir_report
from fes_docs.sql.flyway import migration_from_bytes

CCD_MIGRATIONS = "repository/src/main/resources/db/migration"


def test_naming_folder(sql_fixtures: Path) -> None:
    files = scan_dir(sql_fixtures / "flyway" / "naming")
    relpaths = [f.relpath for f in files]
    assert relpaths == sorted(relpaths)
    assert "sub/V10__in_subfolder.sql" in relpaths  # recursive, posix separators
    assert not any(p.endswith(".txt") for p in relpaths)
    by_name = {f.relpath: f for f in files}
    malformed = sorted(p for p, f in by_name.items() if f.name.kind is None)
    assert malformed == [
        "R6__repeatable_with_version.sql",
        "V5_missing_separator.sql",
        "V__missing_version.sql",
        "Vx__non_numeric_version.sql",
        "v4__lowercase_prefix.sql",
    ]
    assert by_name["afterMigrate.sql"].name.kind == "callback"
    assert by_name["U2_1_3__undo_underscore_version.sql"].name.kind == "undo"
    assert by_name["R__refresh_views.sql"].name.kind == "repeatable"
    odd = sorted(p for p, f in by_name.items() if f.name.oddity)
    assert odd == ["R__refresh__views.sql", "V7.sql", "V8__description__with__separators.sql"]


def test_checksums_and_text_come_from_one_read(sql_fixtures: Path) -> None:
    for f in scan_dir(sql_fixtures / "flyway" / "naming"):
        if f.read_error is None:
            data = f.path.read_bytes()
            assert f.checksum == flyway_checksum(data)
            assert f.text == data.decode("utf-8")


def test_a_file_that_is_not_utf8_is_a_located_problem(sql_fixtures: Path) -> None:
    (bad,) = [f for f in scan_dir(sql_fixtures / "flyway" / "naming") if f.relpath == "V9__not_utf8.sql"]
    assert bad.checksum is None and bad.text is None
    assert bad.read_error is not None
    assert (bad.read_error.line, bad.read_error.column) == (1, len("COMMENT ON TABLE a IS 'caf") + 1)
    assert "UTF-8" in bad.read_error.message and "0xe9" in bad.read_error.message


def test_bom_is_removed_from_the_text(tmp_path: Path) -> None:
    (tmp_path / "V1__bom.sql").write_bytes(b"\xef\xbb\xbfSELECT 1;\n")
    (f,) = scan_dir(tmp_path)
    assert f.text == "SELECT 1;\n"
    assert f.checksum == flyway_checksum(b"SELECT 1;\n")


def test_conflicting_versions(sql_fixtures: Path) -> None:
    conflicts = find_conflicts(scan_dir(sql_fixtures / "flyway" / "naming"))
    assert [(c.kind, c.key, c.relpaths) for c in conflicts] == [
        ("versioned", "1", ("V1.0__same_version_as_V1.sql", "V1__init.sql")),
    ]


def test_same_version_in_two_locations_of_a_real_project(sql_fixtures: Path) -> None:
    files = scan_dir(sql_fixtures / "flyway" / "flyway-test-sample-spring5")
    conflicts = find_conflicts(files)
    assert [(c.key, c.relpaths) for c in conflicts] == [
        ("1.0.1", ("sampletest5/V1.0.1__Base_Version.sql", "secondLocation/V1.0.1__Base_Version.sql")),
    ]
    (stray,) = [f for f in files if f.name.kind is None]
    assert stray.relpath == "testSqlFiles/loadSqlScriptExecutionsTest.sql"


def test_real_project_folders(sql_fixtures: Path) -> None:
    kestra = scan_dir(sql_fixtures / "flyway" / "kestra" / "postgres")
    assert len(kestra) == 26 and all(f.name.kind == "versioned" for f in kestra)
    versions = sorted(f.name.version for f in kestra if f.name.version)
    assert (1, 10) in versions and (1, 12) in versions and (1, 11) not in versions  # kestra's gap
    # the whole real folder, kept once (tests/fixtures/adopt, where the adoption tests use it at its real path)
    ccd = scan_dir(sql_fixtures.parent / "adopt" / "ccd-definition-store-api" / CCD_MIGRATIONS)
    assert len(ccd) == 76
    assert [f.relpath for f in ccd if f.name.oddity] == [
        "V20201218__RDM-10041__CaseLocation.sql",
        "V20211220_12979__RDM-12979__FlagsFlagDetails.sql",
        "V20220923_3686__CCD-3686__JudicialUser.sql",
        "V20230510_4515__CCD-4515__AmendFlagDetails.sql",
    ]
    assert find_conflicts(ccd) == []


def test_scan_is_deterministic(sql_fixtures: Path) -> None:
    root = sql_fixtures / "flyway"
    assert scan_dir(root) == scan_dir(root)


def test_missing_folder_is_empty_not_an_exception(tmp_path: Path) -> None:
    report = scan_dir_report(tmp_path / "nope")
    assert report.files == () and report.skipped == ()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlinks_never_leave_the_guard(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "V99__secret.sql").write_text("DROP TABLE everything;")
    root = tmp_path / "project" / "db"
    (root / "nested").mkdir(parents=True)
    (root / "V1__init.sql").write_text("SELECT 1;")
    (root / "nested" / "V2__two.sql").write_text("SELECT 2;")
    (root / "to_outside_dir").symlink_to(outside, target_is_directory=True)
    (root / "V3__to_outside_file.sql").symlink_to(outside / "V99__secret.sql")
    (root / "V4__alias.sql").symlink_to(root / "V1__init.sql")
    (root / "nested" / "loop").symlink_to(root, target_is_directory=True)

    report = scan_dir_report(root)
    assert [f.relpath for f in report.files] == ["V1__init.sql", "V4__alias.sql", "nested/V2__two.sql"]
    skipped = dict(report.skipped)
    assert set(skipped) == {"V3__to_outside_file.sql", "to_outside_dir", "nested/loop"}
    assert "outside" in skipped["to_outside_dir"] and "loop" in skipped["nested/loop"]

    # A wider guard (the project root) lets the same links in.
    wider = scan_dir_report(root, root_guard=tmp_path)
    assert "to_outside_dir/V99__secret.sql" in [f.relpath for f in wider.files]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_root_itself_outside_the_guard(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "guard").mkdir()
    (tmp_path / "guard" / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    report = scan_dir_report(tmp_path / "guard" / "link", root_guard=tmp_path / "guard")
    assert report.files == () and report.skipped and "outside" in report.skipped[0][1]


def test_a_file_read_elsewhere_becomes_the_same_migration_as_the_scan_makes(sql_fixtures: Path) -> None:
    """migration_from_bytes is what the scan uses too: a caller that reads files its own way (the
    project's I/O layer) gets the same name, checksum, text and located read error."""
    for f in scan_dir(sql_fixtures / "flyway" / "naming"):
        again = migration_from_bytes(f.relpath, f.path.read_bytes(), f.path)
        assert again == f and again.text == f.text


def test_a_file_over_the_size_limit_is_a_read_error_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(folder, "MAX_SQL_BYTES", 10)
    (tmp_path / "V1__big.sql").write_text("SELECT 1234567890;")
    (tmp_path / "V2__small.sql").write_text("SELECT 1;")
    big, small = scan_dir(tmp_path)
    assert big.checksum is None and big.text is None and big.read_error is not None
    assert "larger than the 10 byte limit" in big.read_error.message
    assert small.read_error is None and small.text == "SELECT 1;"
