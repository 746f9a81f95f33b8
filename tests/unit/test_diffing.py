"""`fes-docs diff BASE [HEAD]`: the substance of a change, read from real git revisions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gitrepo import commit, edit, example_repo, git

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.model import Release

DEMO = "2031-01-phase-9-diff-demo"
DEMO_FILE = f"releases/{DEMO}.yaml"
SQL = "V99__create_diff_demo.sql"


def approved(root: Path) -> Release:
    rels = [r for r in check(root).project.releases if r.status == "approved" and r.signoffs]
    assert rels, "the example project has no signed, approved release; update the test"
    return rels[0]


def diff(root: Path, capsys: pytest.CaptureFixture[str], *revs: str) -> str:
    capsys.readouterr()
    assert main(["diff", *revs, "--root", str(root)]) == 0
    return capsys.readouterr().out


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """The example plus a draft written by `fes-docs new`, committed; returns (repo, base commit)."""
    root = example_repo(tmp_path / "r")
    flag = check(root).project.policy.flags[0]  # `new` lists only the flags it is given
    assert main(["new", DEMO, "--phase", "9", "--owner", "product=dave", "--flag", flag, "--root", str(root)]) == 0
    return root, commit(root, "draft the demo release")


def change_everything(root: Path) -> Release:
    """One edit of each kind the diff reports."""
    demo = root / DEMO_FILE
    edit(demo, "status: draft", "status: planned")
    edit(demo, "rollout: {local: 0,", "rollout: {local: 100,")  # first policy flag, local raised
    edit(demo, "done: false}", "done: true, evidence: snap-1}")  # first checklist item ticked
    edit(demo, "migrations: []", f"migrations: [{{file: {SQL}, change: additive, idempotent: true}}]")
    (root / "service" / "db" / "migration" / SQL).write_text(
        "CREATE TABLE IF NOT EXISTS diff_demo (id bigint PRIMARY KEY);\n"
    )
    return change_everything_but_the_demo(root)


def test_diff_reports_each_kind_of_change(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, base = repo
    status_before = git(root, "status", "--porcelain")
    rel = change_everything(root)
    status_after_edit = git(root, "status", "--porcelain")
    out = diff(root, capsys, base)
    flag = check(root).project.policy.flags[0]

    assert out.startswith(f"## fes-docs: changes from `{base}` to the working tree\n")
    demo = out.split(f"### `{DEMO}`")[1].split("\n### ")[0]
    assert "**Status:** `draft` → `planned`" in demo
    assert f"**Flag** `{flag}`: raised in local 0 → 100" in demo
    assert f"**Migration added:** `{SQL}` — declared `additive`, SQL reads as `additive`" in demo
    assert "**Checklist ticked:** `" in demo

    signed = out.split(f"### `{rel.key}`")[1].split("\n### ")[0]
    assert "**Sign-off gone stale:**" in signed and f"by {rel.owners['product']}" in signed
    assert "**Findings introduced:**" in signed and "**error** `FES705`" in signed
    assert "_hint:_" in signed
    assert re.search(r"\*\*Also changed:\*\* `validation.slo.p95_latency_ms_max` \d+ → \d+", signed)
    # unchanged releases are not mentioned
    others = [r.key for r in check(root).project.releases if r.key not in (rel.key, DEMO)]
    assert not any(f"`{k}`" in out for k in others)
    # reading the base revision left the working tree and index alone
    assert status_before == "" and git(root, "status", "--porcelain") == status_after_edit


def test_diff_between_two_commits_and_fixed_findings(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, base = repo
    rel = change_everything(root)
    head = commit(root, "change everything")
    out = diff(root, capsys, base, head)
    assert out.startswith(f"## fes-docs: changes from `{base}` to `{head}`\n")
    assert out.split("\n", 1)[1] == diff(root, capsys, base).split("\n", 1)[1]  # = the clean working tree
    assert out == diff(root, capsys, base, head)  # deterministic

    # re-signing fixes the stale sign-offs: the reverse view shows them as fixed
    for role, who in rel.owners.items():
        if any(s.role == role for s in rel.signoffs):
            assert main(["sign", rel.key, "--role", role, "--by", who, "--root", str(root)]) == 0
    renewed = diff(root, capsys, head)
    section = renewed.split(f"### `{rel.key}`")[1].split("\n### ")[0]
    assert "**Sign-off renewed:**" in section and "**Findings fixed:**" in section and "`FES705`" in section
    assert "**Findings introduced:**" not in section


def test_no_substantive_change(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, base = repo
    edit(root / DEMO_FILE, "status: draft", "status: draft   # still")
    assert "No release changed in substance." in diff(root, capsys, base)


def test_new_and_removed_releases(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, base = repo
    first = git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    out = diff(root, capsys, first)
    assert f"### `{DEMO}` — Phase 9: diff demo (new release)" in out
    assert "**Status:** `—` → `draft`" in out
    (root / DEMO_FILE).unlink()
    assert f"### `{DEMO}` — Phase 9: diff demo (removed)" in diff(root, capsys, base)


def test_base_without_the_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / "README").write_text("before fes-docs\n")
    git(root, "init", "-q")
    empty = commit(root, "before")
    sub = example_repo(tmp_path / "other")  # a ready example to copy from
    for name in ("releases", "service"):
        (sub / name).rename(root / name)
    out = diff(root, capsys, empty)
    assert out.count("(new release)") == len(check(root).project.releases)


def test_unknown_revision(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = repo
    assert main(["diff", "no-such-branch", "--root", str(root)]) == 2
    assert "unknown git revision 'no-such-branch'" in capsys.readouterr().err


def test_project_in_a_subfolder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = tmp_path / "mono"
    root = example_repo(top / "ops" / "releases")
    (root / ".git").rename(top / ".git")
    base = commit(top, "the project moves into ops/releases")
    rel = change_everything_but_the_demo(root)
    out = diff(root, capsys, base)
    assert f"### `{rel.key}`" in out and "**Sign-off gone stale:**" in out


def change_everything_but_the_demo(root: Path) -> Release:
    """A substantive edit of the approved release: its sign-offs go stale."""
    rel = approved(root)
    p95 = re.search(r"p95_latency_ms_max: (\d+)", (root / rel.file).read_text())
    assert p95 is not None, "update the test: the approved release has no p95 bound"
    edit(root / rel.file, p95.group(0), f"p95_latency_ms_max: {int(p95.group(1)) + 300}")
    return rel


def test_a_policy_change_is_shown_first(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: loosen the rules the gate judges by in the same pull request as a release; the reviewer
    sees the policy change first, key by key, even when no record changed."""
    root, base = repo
    policy = root / "releases" / "policy.yaml"
    text = policy.read_text()
    limit = re.search(r"^backfill_dry_run_rows: *(\S+)", text, re.M)
    if limit:
        edit(policy, limit.group(0), "backfill_dry_run_rows: 999999999")
    else:
        policy.write_text(text + "backfill_dry_run_rows: 999999999\n")
    out = diff(root, capsys, base)
    assert out.index("### Policy changed") < (out.index("\n### `") if "\n### `" in out else len(out))
    assert "`backfill_dry_run_rows`" in out and "999999999" in out
    assert "No release changed in substance." not in out
    # and an unchanged policy says nothing
    git(root, "checkout", "--", "releases/policy.yaml")
    assert "Policy changed" not in diff(root, capsys, base)


def test_a_re_sign_with_a_new_date_is_reported(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13: signing the same content again on a later day is a fact a reviewer should see."""
    root, base = repo
    rel = approved(root)
    path = root / rel.file
    text = path.read_text()
    signoff = rel.signoffs[0]
    old = f"date: {signoff.date}"
    assert old in text
    path.write_text(text.replace(old, "date: 2031-01-02", 1))
    out = diff(root, capsys, base)
    section = out.split(f"### `{rel.key}`")[1].split("\n### ")[0]
    escaped = (signoff.date or "").replace("-", "\\-")
    assert f"**Sign-off re-dated:** {signoff.role} by {signoff.by} (dated {escaped} → 2031\\-01\\-02)" in section


def test_a_finding_that_only_moved_is_not_news(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Findings are matched by fingerprint (rule, file, what it is about), not by message: a comment added
    above a statement moves "V99__….sql:1 is not re-runnable" to ":2", and the diff says nothing of it; a
    second such statement is news."""
    root, _ = repo
    sql = root / "service" / "db" / "migration" / SQL
    sql.write_text("CREATE TABLE diff_demo (id bigint PRIMARY KEY);\n")
    edit(root / DEMO_FILE, "migrations: []", f"migrations: [{{file: {SQL}, change: additive, idempotent: true}}]")
    base = commit(root, "a migration that is not re-runnable")
    assert any(f.rule == "FES318" and ":1 is not re-runnable" in f.message for f in check(root).findings)
    sql.write_text("-- the demo's table\nCREATE TABLE diff_demo (id bigint PRIMARY KEY);\n")
    assert any(f.rule == "FES318" and ":2 is not re-runnable" in f.message for f in check(root).findings)
    assert "**Findings" not in diff(root, capsys, base)
    sql.write_text(sql.read_text() + "CREATE TABLE diff_demo_2 (id bigint PRIMARY KEY);\n")
    section = diff(root, capsys, base).split(f"### `{DEMO}`")[1]
    assert "**Findings introduced:**" in section and "sql:3 is not re" in section  # the page escapes "-"
    assert "**Findings fixed:**" not in section
