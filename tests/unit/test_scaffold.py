"""`fes-docs new`: a complete draft that validates clean except for owners still to be named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitrepo import REPO

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.loader import load_file
from fes_docs.model import ROLLBACK_ROLE
from fes_docs.project import load_policy
from fes_docs.scaffold import title_for
from fes_docs.schema import release_schema
from fes_docs.schema_check import validator_for

NEW = "2031-01-phase-9-grading"
FILE = f"releases/{NEW}.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, root / name)
    return root


def findings_in(root: Path, file: str = FILE) -> list[tuple[str, str]]:
    return sorted((f.rule, f.severity) for f in check(root).findings if f.loc.file == file and not f.waived)


def test_draft_lists_everything_the_policy_asks_for(project: Path) -> None:
    policy = load_policy(project)[0]
    given = policy.flags[1]
    assert main(["new", NEW, "--phase", "9", "--flag", given, "--root", str(project)]) == 0
    text = (project / FILE).read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=schema/release.schema.json"
    doc, problems = load_file(project / FILE, FILE)
    assert doc is not None and not problems
    data = doc.data
    assert data["id"] == NEW and data["phase"] == 9 and data["status"] == "draft"
    assert [c["id"] for c in data["checklist"]] == policy.checklist_ids
    assert all(c["done"] is False for c in data["checklist"])
    assert list(data["owners"]) == [*policy.owner_roles, ROLLBACK_ROLE]
    # only the flags it is given; the policy's others are comments (a listed flag is one rollback switches off)
    assert [f["name"] for f in data["flags"]] == [given]
    assert all(f"{{name: {other}," in text for other in policy.flags if other != given)
    for flag in data["flags"]:
        assert flag["rollout"] == {e: ([] if e == policy.production else 0) for e in policy.environments}
    # the editor schema (flag-name and checklist enums included) accepts the draft as written
    assert list(validator_for(release_schema(policy)).iter_errors(data)) == []


def test_draft_validates_clean_except_owners(project: Path) -> None:
    policy = load_policy(project)[0]
    assert main(["new", NEW, "--phase", "9", "--owner", f"{policy.owner_roles[0]}=alice", "--root", str(project)]) == 0
    found = findings_in(project)
    unnamed = len(policy.owner_roles) + 1 - 1
    assert [r for r, s in found if s == "error"] == ["FES101"] * unnamed
    assert {r for r, s in found if s == "warning"} <= {"FES104"}  # open checklist items of a draft


def test_draft_with_every_owner_has_no_error(project: Path) -> None:
    policy = load_policy(project)[0]
    people = sorted(policy.people) or ["someone"]
    roles = [*policy.owner_roles, ROLLBACK_ROLE]
    owners = [f"{role}={people[i % len(people)]}" for i, role in enumerate(roles)]
    args = [x for o in owners for x in ("--owner", o)]
    assert main(["new", NEW, "--phase", "9", *args, "--root", str(project)]) == 0
    assert [r for r, s in findings_in(project) if s == "error"] == []


def test_from_copies_owners_validation_and_last_known_good(project: Path) -> None:
    releases = check(project).project.releases
    other = next(r for r in releases if r.validation and r.artifact_version and r.status == "released")
    assert (
        main(["new", NEW, "--phase", "9", "--from", other.key, "--owner", "product=erin", "--root", str(project)]) == 0
    )
    doc, _ = load_file(project / FILE, FILE)
    assert doc is not None
    assert doc.data["owners"] == {**other.owners, "product": "erin"}
    assert doc.data["validation"] == other.validation
    assert doc.data["artifact"] == {"last_known_good": other.artifact_version}
    assert [r for r, s in findings_in(project) if s == "error"] == []


def test_refuses_to_overwrite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = next((project / "releases").glob("2*.yaml"))
    before = existing.read_bytes()
    assert main(["new", existing.stem, "--phase", "1", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and len(err.strip().splitlines()) == 1
    assert existing.read_bytes() == before
    assert main(["new", NEW, "--phase", "9", "--root", str(project)]) == 0
    capsys.readouterr()
    assert main(["new", NEW, "--phase", "9", "--root", str(project)]) == 2
    assert "not overwriting" in capsys.readouterr().err
    assert list((project / "releases").glob(".*.tmp")) == []  # no temp file left behind


@pytest.mark.parametrize(
    "args, message",
    [
        (["bad id", "--phase", "1"], "is not a release id"),
        ([NEW, "--phase", "-1"], "--phase must be 0 or more"),
        ([NEW, "--phase", "1", "--owner", "janitor=x"], "unknown role 'janitor'"),
        ([NEW, "--phase", "1", "--owner", "product"], "is not ROLE=NAME"),
        ([NEW, "--phase", "1", "--from", "2099-nope"], "no release '2099-nope'"),
        ([NEW], "required: --phase"),
    ],
)
def test_usage_errors(project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code = main(["new", *args, "--root", str(project)]) if "--phase" in args else None
    if code is None:
        with pytest.raises(SystemExit) as exc:
            main(["new", *args, "--root", str(project)])
        code = int(str(exc.value.code))
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (project / FILE).exists()


def test_the_draft_can_be_signed(project: Path) -> None:
    assert main(["new", NEW, "--phase", "9", "--owner", "product=dave", "--root", str(project)]) == 0
    assert main(["sign", NEW, "--role", "product", "--by", "dave", "--root", str(project)]) == 0
    found = findings_in(project)
    assert ("FES704", "warning") not in found and ("FES705", "warning") not in found
    assert "- {role: product, by: dave, date: " in (project / FILE).read_text()


@pytest.mark.parametrize(
    "rid, phase, title",
    [
        ("2026-06-phase-5-grading", 5, "Phase 5: grading"),
        ("2026-06-17-phase5-exam-reports", 5, "Phase 5: exam reports"),
        ("hotfix", 2, "Phase 2: hotfix"),
        ("2026-06-phase-5", 5, "Phase 5"),
    ],
)
def test_title_from_id(rid: str, phase: int, title: str) -> None:
    assert title_for(rid, phase) == title


def test_new_refuses_unknown_people_and_flags(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = load_policy(project)[0]
    typo = policy.flags[0][:-1]
    assert main(["new", NEW, "--phase", "9", "--flag", typo, "--root", str(project)]) == 2
    assert f"did you mean {policy.flags[0]!r}" in capsys.readouterr().err
    name = sorted(policy.people)[0]
    assert main(["new", NEW, "--phase", "9", "--owner", f"product={name}x", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert "not listed under people:" in err and f"did you mean {name!r}" in err
    assert not (project / FILE).exists()


def test_from_takes_the_last_known_good_only_from_released_records(project: Path) -> None:
    other = next(r for r in check(project).project.releases if r.artifact_version and r.status != "released")
    assert main(["new", NEW, "--phase", "9", "--from", other.key, "--root", str(project)]) == 0
    doc, _ = load_file(project / FILE, FILE)
    assert doc is not None and "artifact" not in doc.data
    assert "not released: its version is no last known good" in (project / FILE).read_text()
