"""Flyway file names and versions, read as flyway-core's ResourceNameParser/MigrationVersion read them."""

from __future__ import annotations

import pytest

from fes_docs.sql import format_version, parse_name, version_key
from fes_docs.sql.flyway import parse_version


@pytest.mark.parametrize(
    ("filename", "version", "description"),
    [
        ("V1__init.sql", (1,), "init"),
        ("V1.2__add_pdf_status.sql", (1, 2), "add pdf status"),
        ("V2_1_3__underscore_version.sql", (2, 1, 3), "underscore version"),
        ("V0001__Base_version.sql", (1,), "Base version"),
        (
            "V20241003_5510_1__CCD-5510_Create_new_indexes.sql",
            (20241003, 5510, 1),
            "CCD-5510 Create new indexes",
        ),
        ("V900.0.0__Insert_Statements.sql", (900, 0, 0), "Insert Statements"),
    ],
)
def test_versioned(filename: str, version: tuple[int, ...], description: str) -> None:
    name = parse_name(filename)
    assert (name.kind, name.version, name.description, name.problem) == (
        "versioned",
        version,
        description,
        None,
    )
    assert name.is_migration


def test_version_text_is_kept_as_written() -> None:
    assert parse_name("V2_1_3__x.sql").version_text == "2_1_3"
    assert format_version((2, 1, 3)) == "2.1.3"


def test_versions_compare_numerically_not_as_text() -> None:
    v19, v110 = parse_name("V1.9__a.sql").version, parse_name("V1.10__b.sql").version
    assert v19 is not None and v110 is not None
    assert version_key(v110) > version_key(v19)
    assert "1.10" < "1.9"  # what a text sort would wrongly conclude


def test_trailing_zero_parts_do_not_count() -> None:
    assert version_key((1, 0)) == version_key((1,)) == (1,)
    assert version_key((1, 0, 0)) == (1,)
    assert version_key((0,)) == (0,)
    assert version_key((0, 0)) == (0,)
    assert version_key((1, 0, 2)) == (1, 0, 2)
    assert version_key((900, 0, 0)) > version_key((1, 0, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", (1,)), ("1.2", (1, 2)), ("1_2", (1, 2)), ("007", (7,)), ("1.", None), (".1", None), ("1..2", None),
     ("1.a", None), ("-1", None), ("１", None), ("", None)],
)  # fmt: skip
def test_parse_version(text: str, expected: tuple[int, ...] | None) -> None:
    assert parse_version(text) == expected


def test_repeatable() -> None:
    name = parse_name("R__refresh_views.sql")
    assert (name.kind, name.version, name.description, name.problem) == (
        "repeatable",
        None,
        "refresh views",
        None,
    )


def test_undo() -> None:
    name = parse_name("U1__undo_init.sql")
    assert (name.kind, name.version, name.description) == ("undo", (1,), "undo init")
    assert parse_name("U2_1_3__x.sql").version == (2, 1, 3)


def test_callback_scripts_are_not_migrations() -> None:
    for filename in ("afterMigrate.sql", "beforeEachMigrate__set_role.sql", "beforeMigrate.sql"):
        name = parse_name(filename)
        assert name.kind == "callback" and name.problem is None and not name.is_migration
    # Longest prefix first, as Flyway sorts them: not "beforeMigrate" + "Statement".
    assert parse_name("beforeEachMigrateStatement.sql").description == ""


@pytest.mark.parametrize(
    ("filename", "fragment"),
    [
        ("v1__lowercase_prefix.sql", "case-sensitive"),
        ("V1_missing_separator.sql", "no '__' between version and description"),
        ("V__missing_version.sql", "has no version"),
        ("Vx__non_numeric_version.sql", "'x' is not a version"),
        ("R6__repeatable_with_version.sql", "a repeatable migration has no version"),
        ("U__undo_without_version.sql", "has no version"),
        ("loadSqlScriptExecutionsTest.sql", "is not a Flyway migration name"),
        ("V1__init.txt", "does not end in .sql"),
    ],
)
def test_malformed_names_say_what_is_expected(filename: str, fragment: str) -> None:
    name = parse_name(filename)
    assert name.kind is None and not name.is_migration
    assert name.problem is not None
    assert fragment in name.problem
    if filename.endswith(".sql"):
        assert "<version>__<description>.sql" in name.problem or "expected R__" in name.problem


def test_accepted_but_odd_names() -> None:
    no_description = parse_name("V7.sql")
    assert (no_description.kind, no_description.version, no_description.problem) == ("versioned", (7,), None)
    assert no_description.oddity is not None and "no description" in no_description.oddity
    double = parse_name("V20201218__RDM-10041__CaseLocation.sql")
    assert double.description == "RDM-10041  CaseLocation"  # Flyway shows every "_" as a space
    assert double.oddity is not None and "separator" in double.oddity
    assert parse_name("V1__init.sql").oddity is None


def test_settings_other_than_flyway_defaults() -> None:
    name = parse_name("M1-init.sql", versioned_prefix="M", separator="-")
    assert (name.kind, name.version, name.description) == ("versioned", (1,), "init")
    assert parse_name("V1__a.psql", suffixes=(".psql",)).kind == "versioned"


def test_the_migrate_order_names_only_events_flyway_knows() -> None:
    """Two lists, one fact each: every event (flyway.CALLBACK_EVENTS) and the order `migrate` fires them in
    (callbacks.MIGRATE_EVENTS); the second must never name an event the first does not know."""
    from fes_docs.sql.callbacks import MIGRATE_EVENTS, callback_event
    from fes_docs.sql.flyway import CALLBACK_EVENTS

    assert set(MIGRATE_EVENTS) <= set(CALLBACK_EVENTS), set(MIGRATE_EVENTS) - set(CALLBACK_EVENTS)
    assert all(callback_event(f"{event}.sql") == event for event in MIGRATE_EVENTS)
