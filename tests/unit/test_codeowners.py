"""`fes-docs codeowners`: each release file goes to its owners' addresses; `--check` catches drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitrepo import REPO, commit, edit, example_repo, git

from fes_docs.cli import main
from fes_docs.codeowners import BEGIN, END
from fes_docs.model import ROLLBACK_ROLE
from fes_docs.project import load_project


def run(root: Path, *args: str) -> int:
    return main(["codeowners", *args, "--root", str(root)])


def test_lines_give_each_release_to_its_owners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "r")
    assert run(repo) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == BEGIN and lines[-1] == END
    project = load_project(repo)
    people = project.policy.people
    for rel in project.releases:
        entry = next(line for line in lines if line.startswith(f"/{rel.file} "))
        expected: list[str] = []
        for role in [*project.policy.owner_roles, ROLLBACK_ROLE]:
            for mail in people.get(rel.owners.get(role, ""), []):
                if mail not in expected:
                    expected.append(mail)
        assert entry.split()[1:] == expected
    assert [line for line in lines[1:-1] if not line.startswith("#")] == sorted(lines[1:-1])


def test_check_write_and_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "r")
    assert run(repo, "--check") == 1
    assert "no CODEOWNERS file" in capsys.readouterr().out

    (repo / "CODEOWNERS").write_text("# team rules\n*.py @fes/backend\n")
    assert run(repo, "--check") == 1
    assert "has no fes-docs block" in capsys.readouterr().out
    assert run(repo, "--write") == 0
    text = (repo / "CODEOWNERS").read_text()
    assert text.startswith("# team rules\n*.py @fes/backend\n" + BEGIN)  # the user's lines stay
    commit(repo, "codeowners")
    assert run(repo, "--check") == 0
    capsys.readouterr()

    # an owner changes in a release: the committed CODEOWNERS no longer matches
    project = load_project(repo)
    people = sorted(project.policy.people)
    rel = next(r for r in project.releases if r.owners.get("database"))
    newcomer = next(p for p in people if p != rel.owners["database"] and project.policy.people[p])
    edit(repo / rel.file, f"database: {rel.owners['database']}", f"database: {newcomer}")
    assert run(repo, "--check") == 1
    out = capsys.readouterr().out
    assert "CODEOWNERS has drifted" in out and f"+/{rel.file} " in out and f"-/{rel.file} " in out
    assert run(repo, "--write") == 0 and run(repo, "--check") == 0
    assert (repo / "CODEOWNERS").read_text().count(BEGIN) == 1


def test_github_location_and_project_in_a_subfolder(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    sub = repo / "ops" / "releases-project"
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, sub / name)
    git(repo, "init", "-q")
    assert run(sub, "--write") == 0
    written = repo / ".github" / "CODEOWNERS"
    assert written.is_file()
    body = [line for line in written.read_text().splitlines() if line.startswith("/")]
    assert body and all(line.startswith("/ops/releases-project/releases/") for line in body)
    assert run(sub, "--check") == 0


def test_owner_without_address_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "r")
    project = load_project(repo)
    rel = project.releases[0]
    edit(repo / rel.file, f"product: {rel.owners['product']}", "product: nobody-known")
    assert run(repo) == 0
    out = capsys.readouterr().out
    assert f"# /{rel.file}: no e-mail under people: for nobody-known (product)" in out


def test_needs_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "r")
    policy = repo / "releases" / "policy.yaml"
    policy.write_text(policy.read_text().split("\npeople:")[0] + "\n")
    assert run(repo) == 2
    assert "people:" in capsys.readouterr().err
