"""``fes-docs init`` (issue 15) on a real Flyway folder laid out as a Spring Boot project, and on hostile trees.

The project is a temporary copy of tests/fixtures/adopt/ccd-definition-store-api (76 real migrations at their
real path, see SOURCE.txt). What a real service has beside them and the fixture does not — its
``application.yaml``, a profile's ``.properties``, a spec — is written here, by the test, and named as such:
the Spring files are made up for the test; the spec is the OpenAPI Initiative's petstore from
tests/fixtures/openapi/oai (see its SOURCE.txt).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fes_docs.adopt import survey
from fes_docs.adopt_policy import init_project
from fes_docs.cli import main
from fes_docs.errors import UsageError
from fes_docs.inputs import ProjectInputs

FIXTURES = Path(__file__).parents[1] / "fixtures"
CCD = FIXTURES / "adopt" / "ccd-definition-store-api"
PETSTORE = FIXTURES / "openapi" / "oai" / "v3.0" / "petstore.yaml"
RESOURCES = "repository/src/main/resources"
MIGRATIONS = f"{RESOURCES}/db/migration"
POLICY = "releases/policy.yaml"

#: Made up for the test: what a Spring Boot service's configuration says about flags, its database and Flyway.
APPLICATION_YAML = """\
spring:
  datasource:
    url: jdbc:postgresql://${DATA_STORE_DB_HOST:localhost}:5432/ccd_definition
  flyway:
    placeholders:
      owner: ${DB_OWNER:ccd}
management:
  endpoint:
    health: {enabled: true}
features:
  case-messages:
    enabled: ${CASE_MESSAGES_ENABLED:false}
  enable-who-imported: true
  retries: 3
---
spring:
  config:
    activate:
      on-profile: local
feature:
  local-only: false
"""
APPLICATION_PROD = "togglz.features.NEW_SEARCH.enabled=false\nserver.port=4451\n"
TEST_CONFIG = "features:\n  only-in-tests: true\n"
FLAGS = [
    "feature.local-only",
    "features.case-messages.enabled",
    "features.enable-who-imported",
    "togglz.features.NEW_SEARCH.enabled",
]


def spring_boot(tmp_path: Path, name: str = "ccd") -> Path:
    root = tmp_path / name
    shutil.copytree(CCD, root)
    (root / RESOURCES / "application.yaml").write_text(APPLICATION_YAML, encoding="utf-8")
    (root / RESOURCES / "application-prod.properties").write_text(APPLICATION_PROD, encoding="utf-8")
    (root / RESOURCES / "static").mkdir()
    shutil.copy(PETSTORE, root / RESOURCES / "static" / "openapi.yaml")
    tests = root / "repository" / "src" / "test" / "resources"
    tests.mkdir(parents=True)
    (tests / "application.yaml").write_text(TEST_CONFIG, encoding="utf-8")
    return root


def test_init_on_a_spring_boot_project_gives_a_policy_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = spring_boot(tmp_path)
    assert main(["init", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "wrote releases/policy.yaml" in out and f"Flyway folder: {MIGRATIONS} (76 versioned" in out
    found = survey(ProjectInputs(root))
    assert found.migrations_dir == MIGRATIONS and found.adopted == "20260428"
    assert found.flags == FLAGS  # the tests' own configuration is not the service's
    assert (found.dialect, found.openapi) == ("postgres", f"{RESOURCES}/static/openapi.yaml")
    assert found.flyway == {"placeholders": {"owner": "ccd"}}
    text = (root / POLICY).read_text(encoding="utf-8")
    assert 'adopted_at_version: "20260428"' in text and "jdbc" not in text
    assert main(["validate", "--root", str(root)]) == 0
    assert "OK: 0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_init_without_spring_files_or_a_spec_still_validates(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    shutil.copytree(CCD, root)
    init_project(root)
    text = (root / POLICY).read_text(encoding="utf-8")
    assert "flags: []" in text and "openapi: null" in text and "sql_dialect: postgres" in text
    assert main(["validate", "--root", str(root)]) == 0


def test_the_written_policy_is_deterministic(tmp_path: Path) -> None:
    """Same project, other place, other run: the same bytes (no date, no absolute path, no listing order)."""
    first, second = spring_boot(tmp_path, "one"), spring_boot(tmp_path, "two")
    init_project(first)
    init_project(second)
    assert (first / POLICY).read_bytes() == (second / POLICY).read_bytes()
    again = (first / POLICY).read_bytes()
    init_project(first, force=True)
    assert (first / POLICY).read_bytes() == again
    assert str(tmp_path) not in again.decode("utf-8")


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = spring_boot(tmp_path)
    (root / "releases").mkdir()
    (root / POLICY).write_text("# ours\n", encoding="utf-8")
    assert main(["init", "--root", str(root)]) == 2
    assert "already exists; not overwriting it (--force replaces it)" in capsys.readouterr().err
    assert (root / POLICY).read_text(encoding="utf-8") == "# ours\n"
    assert main(["init", "--root", str(root), "--force"]) == 0
    assert "replaced releases/policy.yaml" in capsys.readouterr().out
    assert main(["validate", "--root", str(root)]) == 0


def test_a_flyway_conf_location_wins_over_the_convention(tmp_path: Path) -> None:
    root = spring_boot(tmp_path)
    shutil.copytree(root / MIGRATIONS, root / "sql" / "migrations")
    (root / "flyway.conf").write_text(
        "flyway.url=jdbc:mysql://db/ccd\nflyway.locations=filesystem:sql/migrations\n", encoding="utf-8"
    )
    found = survey(ProjectInputs(root))
    assert (found.migrations_dir, found.migrations_from) == ("sql/migrations", "flyway.conf (flyway.locations)")
    assert found.other_folders == [MIGRATIONS]
    assert (found.dialect, found.dialect_from) == ("mysql", "the URL in flyway.url")


# --- hostile trees --------------------------------------------------------------------------------


def outside(tmp_path: Path) -> Path:
    """A folder beside the project, full of what init must not read: migrations, flags, a spec."""
    there = tmp_path / "outside"
    (there / "db" / "migration").mkdir(parents=True)
    (there / "db" / "migration" / "V999__secret.sql").write_text("DROP TABLE everything;\n", encoding="utf-8")
    (there / "application.yml").write_text("features:\n  stolen: true\n", encoding="utf-8")
    shutil.copy(PETSTORE, there / "openapi.yaml")
    return there


def test_links_out_of_the_project_are_never_followed(tmp_path: Path) -> None:
    there = outside(tmp_path)
    root = tmp_path / "p"
    (root / "src" / "main" / "resources" / "db").mkdir(parents=True)
    os.symlink(there / "db" / "migration", root / "src" / "main" / "resources" / "db" / "migration")
    os.symlink(there / "application.yml", root / "src" / "main" / "resources" / "application.yml")
    os.symlink(there / "openapi.yaml", root / "openapi.yaml")
    os.symlink(there, root / "vendor")
    path, found, _ = init_project(root)
    assert (found.migrations_dir, found.flags, found.openapi) == (None, [], None)
    assert "4 symbolic link(s) not followed" in found.notes
    text = path.read_text(encoding="utf-8")
    assert "V999" not in text and "stolen" not in text and "outside" not in text
    assert main(["validate", "--root", str(root)]) == 0


def test_a_releases_folder_leading_outside_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    there = outside(tmp_path)
    root = spring_boot(tmp_path)
    os.symlink(there, root / "releases")
    assert main(["init", "--root", str(root)]) == 2
    assert "releases/ leads outside the project; not writing there" in capsys.readouterr().err
    assert not (there / "policy.yaml").exists()


def test_a_policy_that_is_a_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    there = outside(tmp_path)
    root = spring_boot(tmp_path)
    (root / "releases").mkdir()
    os.symlink(there / "application.yml", root / POLICY)
    with pytest.raises(UsageError, match="already exists"):
        init_project(root)
    init_project(root, force=True)
    assert not (root / POLICY).is_symlink()
    assert (there / "application.yml").read_text(encoding="utf-8") == "features:\n  stolen: true\n"


def _level(i: int) -> str:
    a, b = chr(97 + i), chr(98 + i)
    return f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}]\n"


#: Ten lines of YAML whose aliases expand to millions of values.
ALIAS_BOMB = ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(_level(i) for i in range(9))).encode()


@pytest.mark.parametrize(
    ("name", "content", "note"),
    [
        ("application.yml", ALIAS_BOMB, "alias bomb"),  # refused by the project's loader
        ("application.properties", b"features.x=tr\xffue\n", "not UTF-8"),
        ("application.yml", b"features: [" * 5000, "application.yml"),
        ("application.yaml", b"x" * 2_000_000, "larger than"),
    ],
)
def test_unreadable_spring_files_are_a_note_not_a_traceback(
    tmp_path: Path, name: str, content: bytes, note: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = spring_boot(tmp_path)
    (root / RESOURCES / name).write_bytes(content)
    assert main(["init", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "note:" in out and note in out
    assert main(["validate", "--root", str(root)]) == 0


def test_a_deep_or_wide_tree_is_walked_within_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fes_docs.adopt as adopt

    root = spring_boot(tmp_path)
    deep = root / "deep"
    deep.joinpath(*["d"] * 40).mkdir(parents=True)
    for i in range(30):
        (root / "wide" / f"w{i:02d}").mkdir(parents=True)
    monkeypatch.setattr(adopt, "MAX_FOLDERS", 40)
    found = survey(ProjectInputs(root))
    assert any("stopped looking after 40 folders" in n for n in found.notes)
    monkeypatch.setattr(adopt, "MAX_FOLDERS", 20_000)
    found = survey(ProjectInputs(root))
    assert found.migrations_dir == MIGRATIONS and not any("stopped" in n for n in found.notes)


def test_file_names_cannot_add_lines_to_the_policy(tmp_path: Path) -> None:
    root = tmp_path / "odd"
    folder = root / "db\nmigrations: evil" / "sql"
    folder.mkdir(parents=True)
    (folder / "V1__a.sql").write_text("CREATE TABLE IF NOT EXISTS a (id int);\n", encoding="utf-8")
    (root / "conf").mkdir()
    (root / "conf" / "application.properties").write_text("features.x\\ny=true\n", encoding="utf-8")
    path, found, _ = init_project(root)
    assert found.migrations_dir == "db\nmigrations: evil/sql"
    text = path.read_text(encoding="utf-8")
    assert "\nmigrations: evil" not in text
    assert main(["validate", "--root", str(root)]) == 0
