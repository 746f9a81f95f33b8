"""Every `fes-docs` command shown in README.md and docs/ runs against a copy of the example project.

The commands are read from the fenced ``bash``/``sh``/``console`` blocks (a trailing ``\\`` continues a
command, a ``#`` comment ends it), so a tour that names a release which does not exist, or an option
that was renamed, fails here. Each command gets its own copy of the example as a git repository (with
``origin/main`` and the two tags the review guide names), so commands that write (``new``, ``sign``,
``render``) never see each other's output. A command may report findings (exit 1, the documented
verdict for errors); it may not be refused as usage (exit 2) or crash.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import REPO, commit, git

SHELLS = {"bash", "sh", "console", "shell"}
# Commands shown as a pattern for the reader's own setup rather than something to run here.
#: Commands that name the reader's own server: run against a real throwaway server in its place.
OWN_SERVER = {"fes-docs dry-run --dsn postgresql://ci@db/postgres": "postgresql://ci@db/postgres"}
# Commands whose point is to succeed on the example (not merely to be accepted).
MUST_SUCCEED = (
    "fes-docs sign",
    "fes-docs new",
    "fes-docs rules",
    "fes-docs schema",
    "fes-docs codeowners",
    "fes-docs init",
)


def shown_commands() -> list[tuple[str, str]]:
    out = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        lang: str | None = None
        pending = ""
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            fence = re.match(r"^\s*(```+|~~~+)\s*(\S*)", line)
            if fence:
                lang = None if lang is not None else (fence.group(2) or "none")
                continue
            if lang not in SHELLS:
                continue
            text = line.strip()
            if pending:
                pending += " " + text.rstrip("\\").strip()
            elif text.startswith("fes-docs "):
                where = f"{path.relative_to(REPO)}:{n}"
                pending = text.rstrip("\\").strip()
            else:
                continue
            if not text.endswith("\\"):
                words = shlex.split(pending, comments=True)
                out.append((where, shlex.join(words)))
                pending = ""
    return out


COMMANDS = shown_commands()


def fes_docs_bin() -> str:
    found = shutil.which("fes-docs")
    assert found, "fes-docs is not on PATH: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project as a repository: one commit, origin/main and tags v4.2.0, v4.3.0 on it."""
    repo = tmp_path_factory.mktemp("docs-commands") / "project"
    for name in ("releases", "service", "docs"):
        shutil.copytree(REPO / name, repo / name)
    shutil.copy(REPO / "mkdocs.yml", repo / "mkdocs.yml")
    git(repo, "init", "-q")
    commit(repo, "example project")
    git(repo, "tag", "v4.2.0")
    commit(repo, "next version")
    git(repo, "tag", "v4.3.0")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    return repo


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) >= 30
    assert any(cmd.startswith("fes-docs sign ") for _, cmd in COMMANDS)


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_command_runs_on_the_example(where: str, command: str, template: Path, tmp_path: Path) -> None:
    if command in OWN_SERVER:
        from fes_docs.dryrun.cluster import throwaway_cluster

        with throwaway_cluster() as dsn:  # the documented command, on a server of the test's own
            run_documented(where, command.replace(OWN_SERVER[command], shlex.quote(dsn)), template, tmp_path)
        return
    run_documented(where, command, template, tmp_path)


def run_documented(where: str, command: str, template: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(template, project, symlinks=True)
    argv = shlex.split(command)
    if argv[1] == "init" and "--force" not in argv:  # shown for a project before fes-docs: one without a policy
        (project / "releases" / "policy.yaml").unlink()
    env = {**os.environ, "GITHUB_BASE_REF": "main", "NO_COLOR": "1"}
    argv = [a.replace("$GITHUB_BASE_REF", env["GITHUB_BASE_REF"]) for a in argv]  # as a CI shell would
    if argv[1] == "dry-run" and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        from prerequisites import require

        require("PostgreSQL server binaries (apt-get install postgresql) for the documented dry-run")
    proc = subprocess.run(
        [sys.executable, fes_docs_bin(), *argv[1:]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = f"{where}: {command}\nexit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, said
    assert proc.returncode in (0, 1), said
    if command.startswith(MUST_SUCCEED) and "--check" not in command:
        assert proc.returncode == 0, said
