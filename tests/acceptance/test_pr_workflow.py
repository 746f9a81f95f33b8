"""The pull-request loop, end to end, with the installed `fes-docs` command on throwaway git repositories.

An author drafts a release, each owner signs and commits as themselves, someone else edits the record
and forges a sign-off; `validate --verify-git` names the forged commit, `diff` tells the reviewer what
changed, `--changed-since` gates only the files the pull request touched, pre-commit runs the hook
from `.pre-commit-hooks.yaml` (offline: a local hook with the published settings), and a write killed
half-way never leaves half a file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gitrepo import commit, git

REPO = Path(__file__).parents[2]
FES_DOCS = [shutil.which("fes-docs") or ""] if shutil.which("fes-docs") else [sys.executable, "-m", "fes_docs"]
NEW = "2031-03-phase-9-grading"
FILE = f"releases/{NEW}.yaml"


def fes(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FES_DOCS, *args], cwd=repo, capture_output=True, text=True, timeout=300)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, root / name)
    git(root, "init", "-q")
    commit(root, "the example project")
    return root


def people(repo: Path) -> dict[str, str]:
    from fes_docs.project import load_policy

    return {name: mails[0] for name, mails in load_policy(repo)[0].people.items() if mails}


def test_draft_sign_forge_and_review(repo: Path) -> None:
    from fes_docs.model import ROLLBACK_ROLE
    from fes_docs.project import load_policy

    policy = load_policy(repo)[0]
    mail = people(repo)
    names = sorted(mail)
    roles = [*policy.owner_roles, ROLLBACK_ROLE]
    owners = {role: names[i % len(names)] for i, role in enumerate(roles)}
    author = mail[owners[roles[0]]]

    # 1. the author drafts the release; it validates (warnings only) and is committed
    owner_args = [x for r, n in owners.items() for x in ("--owner", f"{r}={n}")]
    done = fes(repo, "new", NEW, "--phase", "9", "--flag", policy.flags[0], *owner_args)
    assert done.returncode == 0, done.stderr
    checked = fes(repo, "validate", FILE)
    assert checked.returncode == 0 and "OK: 0 error(s)" in checked.stdout, checked.stdout
    commit(repo, "draft the grading release", author)

    # 2. every owner signs and commits their own sign-off
    for role in policy.owner_roles:
        signed = fes(repo, "sign", NEW, "--role", role, "--by", owners[role])
        assert signed.returncode == 0 and "sign-off" in signed.stdout, signed.stderr
        commit(repo, f"{role} sign-off", mail[owners[role]])
    verified = fes(repo, "validate", "--verify-git", FILE)
    assert verified.returncode == 0 and "FES706" not in verified.stdout and "FES705" not in verified.stdout
    base = git(repo, "rev-parse", "HEAD").strip()

    # 3. someone else raises a flag and re-signs for the product owner, as that owner
    text = (repo / FILE).read_text()
    raised = text.replace("rollout: {local: 0,", "rollout: {local: 100,", 1)
    assert raised != text, "the draft lists no flag at 0 % locally; update the test to what `new` writes"
    (repo / FILE).write_text(raised)
    product = owners[policy.owner_roles[-1]]
    assert fes(repo, "sign", NEW, "--role", policy.owner_roles[-1], "--by", product).returncode == 0
    forged = commit(repo, "raise the flag locally", "mallory@evil.example")
    verified = fes(repo, "validate", "--verify-git", FILE)
    assert verified.returncode == 1
    forged_lines = [line for line in verified.stdout.splitlines() if "FES706" in line]
    assert len(forged_lines) == 1 and forged[:12] in forged_lines[0] and "mallory@evil.example" in forged_lines[0]
    assert f"sign-off by {product}" in forged_lines[0]
    stale = [line for line in verified.stdout.splitlines() if "FES705" in line]
    assert len(stale) == len(policy.owner_roles) - 1 and all("warning" in line for line in stale)  # a draft

    # 4. the reviewer reads the substance of the change
    review = fes(repo, "diff", base)
    assert review.returncode == 0, review.stderr
    assert f"### `{NEW}`" in review.stdout and f"`{policy.flags[0]}`: raised in local 0 → 100" in review.stdout
    assert "**Sign-off gone stale:**" in review.stdout and "**Sign-off renewed:**" in review.stdout
    assert "**Findings introduced:**" in review.stdout and "`FES705`" in review.stdout


def test_changed_since_reports_only_changed_files(repo: Path) -> None:
    rels = sorted((repo / "releases").glob("2*.yaml"))
    old, touched = rels[0], rels[-1]
    text = old.read_text()
    old.write_text(text.replace("\nphase:", "\nbogus_key: 1\nphase:", 1))  # an error already on main
    base = commit(repo, "main, with an old error")
    assert fes(repo, "validate", "--changed-since", base).returncode == 0  # nothing changed yet

    touched.write_text(touched.read_text().replace("\nphase:", "\nanother_bogus_key: 1\nphase:", 1))
    everything = fes(repo, "validate")
    assert everything.returncode == 1 and old.name in everything.stdout and touched.name in everything.stdout
    gated = fes(repo, "validate", "--changed-since", base)
    assert gated.returncode == 1
    assert touched.name in gated.stdout and "another_bogus_key" in gated.stdout
    assert old.name not in gated.stdout
    assert fes(repo, "validate", "--changed-since", "no-such-rev").returncode == 2


HOOKS_MANIFEST = REPO / ".pre-commit-hooks.yaml"
OFFLINE = {  # any attempt to reach a package index or the web fails at once instead of downloading
    "PIP_NO_INDEX": "1",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}


def published_hook() -> dict[str, object]:
    """The hook as published in `.pre-commit-hooks.yaml`, checked by pre-commit's own manifest schema."""
    from pre_commit.clientlib import load_manifest

    (checked,) = load_manifest(HOOKS_MANIFEST)  # raises InvalidManifestError on a schema violation
    assert checked["id"] == "fes-docs-validate" and checked["language"] == "python"
    (raw,) = yaml.safe_load(HOOKS_MANIFEST.read_text(encoding="utf-8"))
    return dict(raw)


def test_pre_commit_manifest_is_valid_for_pre_commit(tmp_path: Path) -> None:
    from pre_commit.clientlib import InvalidManifestError, load_manifest

    hook = published_hook()
    assert hook["pass_filenames"] is False and hook["files"] == "^(releases/|service/)"
    broken = tmp_path / "hooks.yaml"
    broken.write_text(yaml.safe_dump([{k: v for k, v in hook.items() if k != "entry"}]))
    with pytest.raises(InvalidManifestError):  # the schema check is not a rubber stamp
        load_manifest(broken)


def test_pre_commit_runs_the_published_hook_offline(repo: Path, tmp_path: Path) -> None:
    """pre-commit runs the hook exactly as published (entry, files, pass_filenames, …), as a local
    `language: system` hook using the installed `fes-docs`, so nothing is installed from a registry."""
    from pre_commit.clientlib import load_config

    if shutil.which("fes-docs") is None:
        pytest.fail("the fes-docs command is not on PATH (pip install -e .)")
    hook = {**published_hook(), "language": "system"}
    config = repo / ".pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False))
    load_config(config)  # pre-commit accepts it
    commit(repo, "pre-commit config")
    env = {**os.environ, **OFFLINE, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "SKIP": ""}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "fes-docs-validate", *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    name = str(hook["name"])
    clean = run("--all-files")
    assert clean.returncode == 0 and name in clean.stdout and "Passed" in clean.stdout, clean.stdout + clean.stderr

    (repo / "NOTES.md").write_text("not a release\n")
    git(repo, "add", "NOTES.md")
    skipped = run()
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout  # files: ^(releases/|service/)

    rel = sorted((repo / "releases").glob("2*.yaml"))[0]
    rel.write_text(rel.read_text().replace("\nphase:", "\nbogus_key: 1\nphase:", 1))
    git(repo, "add", str(rel))
    failed = run()
    assert failed.returncode == 1 and "Failed" in failed.stdout and "FES011" in failed.stdout, failed.stdout
    assert not list((tmp_path / "pre-commit-home").glob("repo*"))  # nothing cloned or installed
    assert "Installing" not in clean.stdout + clean.stderr + failed.stdout + failed.stderr


STALL_FSYNC = """
import os, sys, time
def stall(fd):
    print("data written, about to fsync", flush=True)
    time.sleep(300)
os.fsync = stall
"""


def _kill_when_stalled(code: str, cwd: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", STALL_FSYNC + code], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert "about to fsync" in line, child.stderr.read() if child.stderr else ""
    child.kill()
    child.wait(timeout=30)


def test_a_sign_killed_mid_write_leaves_the_original(repo: Path) -> None:
    from fes_docs.check import check

    rel = next(r for r in check(repo).project.releases if "product" in r.owners)
    path = repo / rel.file
    before = path.read_bytes()
    _kill_when_stalled(
        f"from fes_docs.cli import main; main(['sign', {rel.key!r}, '--role', 'product', "
        f"'--by', {rel.owners['product']!r}])",
        repo,
    )
    assert path.read_bytes() == before
    leftovers = list(path.parent.glob(f".{path.name}.*.tmp"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 0  # the new text went to the temp file only
    assert fes(repo, "validate").returncode in (0, 1)  # the leftover is ignored, not a record
    assert leftovers[0].name not in fes(repo, "validate").stdout


def test_a_huge_write_killed_mid_way_leaves_the_original(tmp_path: Path) -> None:
    target = tmp_path / "record.yaml"
    target.write_bytes(b"id: original\n")
    _kill_when_stalled(
        f"from pathlib import Path; from fes_docs.atomic import write_bytes; "
        f"write_bytes(Path({str(target)!r}), b'x' * (64 * 1024 * 1024))",
        tmp_path,
    )
    assert target.read_bytes() == b"id: original\n"
    assert [p.stat().st_size for p in tmp_path.glob(".record.yaml.*.tmp")] == [64 * 1024 * 1024]
