"""Legacy history (issue 15): ``adopted_at_version`` on a real project's whole Flyway history.

The project is a temporary copy of tests/fixtures/adopt/ccd-definition-store-api (76 real migrations at their
real path, see its SOURCE.txt) with a policy written here. The first run judges every file and reports the
past; with the adoption point at the last version only a new migration is judged, a release that lists an old
one is judged as before, and a bad adoption point is a located finding, never a silent exemption.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fes_docs import proving
from fes_docs.check import Result, check
from fes_docs.dryrun.report import DryRunReport, MigrationOutcome
from fes_docs.legacy import history
from fes_docs.project import load_project
from fes_docs.render import render_pages

CCD = Path(__file__).parents[1] / "fixtures" / "adopt" / "ccd-definition-store-api"
FOLDER = "repository/src/main/resources/db/migration"
LAST = "20260428"  # V20260428__CME-920_Add_Who_Imported_Column.sql, the newest of the 76
POLICY = f"""\
environments: [local, test, staging, production]
owner_roles: [engineering, database, on_call, product]
checklist:
  - {{id: db-backup, title: Database backup/snapshot completed}}
flags: [features.case-messages]
openapi: null
migrations_dir: {FOLDER}
"""
#: What the guide's rules say about history nobody will rewrite: unlisted, unsafe to re-apply, odd names.
PAST_RULES = {"FES314", "FES322", "FES326"}
NEW = "V20260501__add_imported_by_index.sql"
RELISTED = """\
id: 2026-05-relist
title: "A release that lists an old migration"
phase: 1
status: draft
owners: {engineering: alice, database: bob, on_call: carol, product: dave, rollback: erin}
checklist:
  - {id: db-backup, done: false}
migrations:
  - {file: V20210716_436__CCD-436_Drop_duplicate_indexes.sql, change: additive, idempotent: true}
"""


def project(tmp_path: Path, adopted: str | None = None) -> Path:
    root = tmp_path / "ccd"
    shutil.copytree(CCD, root)
    (root / "releases").mkdir()
    extra = "" if adopted is None else f"adopted_at_version: {adopted}\n"
    (root / "releases" / "policy.yaml").write_text(POLICY + extra, encoding="utf-8")
    return root


def rules_of(result: Result) -> list[str]:
    return [f.rule for f in result.findings]


def test_the_first_run_reports_the_whole_past(tmp_path: Path) -> None:
    found = rules_of(check(project(tmp_path)))
    assert found.count("FES314") == 76  # no release lists any of them
    assert found.count("FES322") > 40  # INSERTs without ON CONFLICT, DROP TABLE, RENAME COLUMN …
    assert found.count("FES326") == 4  # "__" twice in a name
    assert set(found) == PAST_RULES


def test_adopted_at_the_last_version_the_past_is_quiet_and_a_new_migration_is_judged(tmp_path: Path) -> None:
    root = project(tmp_path, f'"{LAST}"')
    assert check(root).findings == []
    (root / FOLDER / NEW).write_text("CREATE INDEX imported_by_idx ON definition_designer (imported_by);\n")
    found = check(root).findings
    assert sorted((f.rule, f.loc.file.rsplit("/", 1)[-1]) for f in found) == [("FES314", NEW), ("FES322", NEW)]
    assert history(load_project(root)) == {p.name for p in (root / FOLDER).glob("*.sql")} - {NEW}


def test_the_adoption_point_compares_as_flyway_orders_versions(tmp_path: Path) -> None:
    """20231114_2 is above 20231114 and below 20231114_4; trailing zero parts do not count."""
    root = project(tmp_path, '"20231114_2"')
    past = history(load_project(root))
    assert "V20231114_2__GA2_CaseAccessGroup.sql" in past
    assert "V20231114_4__GA4_CaseAccessGroups_collection.sql" not in past
    (root / "releases" / "policy.yaml").write_text(POLICY + 'adopted_at_version: "20231114.2.0"\n', encoding="utf-8")
    assert history(load_project(root)) == past


def test_a_release_that_lists_an_old_migration_is_judged_as_before(tmp_path: Path) -> None:
    root = project(tmp_path, f'"{LAST}"')
    (root / "releases" / "2026-05-relist.yaml").write_text(RELISTED, encoding="utf-8")
    result = check(root)
    judged = [f for f in result.findings if f.rule == "FES317"]
    assert judged and all("destructive: DROP INDEX" in f.message for f in judged)  # one per DROP INDEX
    assert {f.loc.file for f in judged} == {"releases/2026-05-relist.yaml"}
    assert "V20210716_436__CCD-436_Drop_duplicate_indexes.sql" not in history(result.project)


@pytest.mark.parametrize(
    ("value", "rule", "column"),
    [
        ('"20990101"', "FES328", 21),  # above every migration: future files would be history on arrival
        ('"2.4.x"', "FES010", 21),  # not a version
        ("2.4", "FES010", 21),  # a YAML float: 2.10 would read 2.1
        ("true", "FES010", 21),
        ("20231114_2", "FES010", 21),  # unquoted, YAML 1.1 reads the integer 202311142
    ],
)
def test_a_bad_adoption_point_is_located_and_exempts_nothing_new(
    tmp_path: Path, value: str, rule: str, column: int
) -> None:
    root = project(tmp_path, value)
    found = check(root).findings
    bad = [f for f in found if f.loc.file == "releases/policy.yaml"]
    assert [(f.rule, f.severity, f.loc.line, f.loc.column) for f in bad] == [(rule, "error", 8, column)]
    assert "adopted_at_version" in bad[0].message
    if rule == "FES010":  # not read as a version: nothing is history, every file is judged
        assert rules_of(check(root)).count("FES314") == 76


def test_the_migrations_page_shows_history_apart(tmp_path: Path) -> None:
    root = project(tmp_path, '"20231114"')
    (root / "releases" / "2026-05-relist.yaml").write_text(RELISTED, encoding="utf-8")
    page = render_pages(check(root))["migrations.md"]
    current, _, past = page.partition("## History (before adoption)")
    assert "at or below `adopted_at_version` 20231114" in past
    assert r"V0001\_\_Base\_version\.sql" in past and r"V0001\_\_Base\_version\.sql" not in current
    assert r"V20231114\_2\_\_GA2" in current  # above the point
    assert r"V20210716\_436\_\_CCD\-436" in current  # listed by a release: judged, so not history
    assert page == render_pages(check(root))["migrations.md"]  # deterministic


def test_the_dry_run_asks_only_flyways_question_of_history(tmp_path: Path) -> None:
    """A history file that is not idempotent or locks a table is not the guide's concern; failing to apply is."""
    root = project(tmp_path, '"20231114"')
    loaded = load_project(root)
    plan = proving.plan(loaded)
    old, new = "V0001__Base_version.sql", "V20240509_4917__CCD-4917_Add_Index.sql"
    broken = "V20201208__RDM-10261_COR_CaseRoleId_DynamicList.sql"
    outcome = {
        "idempotent": False,
        "idempotency_error": "relation exists",
        "locks": [("public.case_type", "AccessExclusiveLock")],
    }
    report = DryRunReport(
        "16.0",
        [
            MigrationOutcome(old, "0001", 1, None, applied=True, **outcome),  # type: ignore[arg-type]
            MigrationOutcome(broken, "20201208", 2, None, error="syntax error at or near x", error_line=3),
            MigrationOutcome(new, "20240509_4917", 3, None, applied=True, **outcome),  # type: ignore[arg-type]
        ],
        [],
        0.0,
    )
    found = sorted((f.rule, f.message.split(" ", 1)[0].split(":")[0]) for f in proving.findings(loaded, plan, report))
    assert found == [("FES330", broken), ("FES331", new), ("FES332", new)]
