"""Stale is stale (issue 13): a stale sign-off never shows "✓ signed", and the runbook says what changed
since it was given, read from the signed version in git. A real `mkdocs build` (not strict: a stale
sign-off of an approved release is an error, and the site must still show it) of the example in a git
repository."""

from __future__ import annotations

from pathlib import Path

from gitrepo import commit, copy_example, git
from htmldom import Node
from test_site import article, build, page

QB = "2026-12-phase-3-question-bank"


def signoff_cells(runbook: Node) -> list[str]:
    table = next(t for t in runbook.find_all("table") if "Sign-off" in t.text())
    return [row.find_all("td")[-1].text() for row in table.find_all("tr") if row.find_all("td")]


def test_a_stale_sign_off_says_what_changed_since_signing(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    git(project, "init", "-q")
    commit(project, "the example, signed")
    record = project / "releases" / f"{QB}.yaml"
    text = record.read_text(encoding="utf-8")
    assert text.count("estimated_rows: ") == 1
    record.write_text(text.replace("estimated_rows: ", "estimated_rows: 1", 1), encoding="utf-8")
    commit(project, "a later edit nobody re-signed")
    proc = build(project)
    assert (project / "site").exists(), proc.stderr
    cells = signoff_cells(article(page(project / "site", f"releases/{QB}")))
    stale = [c for c in cells if "stale" in c]
    assert stale and not [c for c in stale if "✓ signed" in c], cells
    assert all("changed since signing:" in c and "estimated_rows" in c for c in stale), stale


def test_without_the_signed_version_in_git_the_page_says_so(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")  # no git repository at all
    record = project / "releases" / f"{QB}.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("estimated_rows: ", "estimated_rows: 1", 1))
    build(project)
    cells = signoff_cells(article(page(project / "site", f"releases/{QB}")))
    assert [c for c in cells if "stale" in c and "not in the git history" in c], cells
