"""Sign-offs bound to content (digest, `fes-docs sign`, FES704/FES705) and checked against git (FES706)."""

from __future__ import annotations

import copy
import difflib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from gitrepo import REPO, commit, edit, example_repo, git

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.findings import Finding
from fes_docs.loader import load_bytes
from fes_docs.model import Release
from fes_docs.signoffs import digest_of, signoff_states
from fes_docs.verifygit import verify_git


def _approved() -> Release:
    """The example's approved release (the one sign-offs matter most for); looked up, not hard-coded."""
    rels = [
        r for r in check(REPO, use_cache=False).project.releases if r.status == "approved" and r.migrations and r.flags
    ]
    assert rels, "the example project has no approved release with migrations and flags; update the test"
    return rels[0]


APPROVED = _approved()
REL = APPROVED.key
FILE = APPROVED.file


def parsed(text: str) -> Any:
    doc, problems = load_bytes(text.encode(), "x.yaml")
    assert doc is not None and not problems
    return doc.data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, root / name)
    return root


def owners(root: Path) -> dict[str, str]:
    rel = next(r for r in check(root).project.releases if r.key == REL)
    return rel.owners


def of(root: Path, rule: str, file: str = FILE) -> list[Finding]:
    return [f for f in check(root).findings if f.rule == rule and f.loc.file == file]


def state(root: Path, role: str) -> str:
    rel = next(r for r in check(root).project.releases if r.key == REL)
    return next(s.state for s in signoff_states(rel) if s.signoff.role == role)


# --- the digest -------------------------------------------------------------------------------


def test_digest_ignores_layout_comments_and_quoting(project: Path) -> None:
    text = (project / FILE).read_text()
    window = re.search(r"^window: \{start: (\S+), end: (\S+)\}.*$", text, re.M)
    assert window, "the example's window line changed; update the test"
    spelled_out = (
        f"# the window, spelled out\nwindow:\n  start: \"{window.group(1)}\"\n  end: '{window.group(2)}'   # end\n"
    )
    reformatted = text.replace(window.group(0), spelled_out)
    assert reformatted != text
    assert digest_of(parsed(reformatted)) == digest_of(parsed(text))


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def apply(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return apply


MUTATIONS = {
    "status (lifecycle, not content)": (_set(("status",), "in-progress"), True),
    "incidents (history)": (_set(("incidents",), [{"id": "INC-1", "actions": []}]), True),
    "a pinned checksum": (_set(("migrations", 0, "checksum"), 123), True),
    "a sign-off": (_set(("signoffs",), [{"role": "product", "by": "x"}]), True),
    "an SLO bound": (_set(("validation", "slo", "p95_latency_ms_max"), 12345), False),
    "a production rollout": (_set(("flags", 0, "rollout", "production"), [1, 100]), False),
    "a migration's change kind": (_set(("migrations", 0, "change"), "destructive"), False),
    "a waiver (accepts a risk)": (_set(("waivers",), [{"rule": "FES602", "reason": "ok"}]), False),
    "a checklist tick": (_set(("checklist", 0, "done"), False), False),
    "a free-text note": (_set(("notes",), "x"), False),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_what_the_digest_covers(name: str) -> None:
    mutate, same = MUTATIONS[name]
    data = copy.deepcopy(APPROVED.doc.data)
    mutate(data)
    assert (digest_of(data) == digest_of(APPROVED.doc.data)) is same


def test_digest_format() -> None:
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest_of({"id": "x"}))
    assert digest_of({"b": 1, "a": 2}) == digest_of({"a": 2, "b": 1})


# --- fes-docs sign ----------------------------------------------------------------------------


def test_sign_writes_a_digest_and_leaves_every_other_byte(project: Path) -> None:
    path = project / FILE
    before = path.read_text()
    who = owners(project)["product"]
    assert main(["sign", REL, "--role", "product", "--by", who, "--date", "2031-01-02", "--root", str(project)]) == 0
    after = path.read_text()
    diff = [d for d in difflib.ndiff(before.splitlines(True), after.splitlines(True)) if d[0] in "+-"]
    assert len(diff) == 2, diff  # one line replaced, nothing else touched
    assert diff[0].startswith("-") and "role: product" in diff[0]
    assert diff[1].startswith("+") and "date: 2031-01-02" in diff[1]
    current = digest_of(parsed(after))
    assert f"digest: {current}" in diff[1] and current == digest_of(parsed(before))
    assert state(project, "product") == "bound"
    assert not [f for f in of(project, "FES704") + of(project, "FES705") if "product" in f.message]


def test_sign_adds_a_missing_signoff_after_the_others(project: Path) -> None:
    path = project / FILE
    text = path.read_text()
    line = next(x for x in text.splitlines(True) if "role: rollback" in x) if "role: rollback" in text else ""
    path.write_text(text.replace(line, ""))  # make sure the rollback owner has not signed
    before = path.read_text()
    who = owners(project)["rollback"]
    assert main(["sign", REL, "--role", "rollback", "--by", who, "--root", str(project)]) == 0
    after = path.read_text()
    added = [d for d in difflib.ndiff(before.splitlines(True), after.splitlines(True)) if d[0] in "+-"]
    assert len(added) == 1 and added[0].startswith(f"+   - {{role: rollback, by: {who}, date: "), added
    last_signoff = max(i for i, x in enumerate(after.splitlines()) if x.lstrip().startswith("- {role:"))
    assert "role: rollback" in after.splitlines()[last_signoff]
    assert state(project, "rollback") == "bound"


def test_unbound_signoff_is_a_warning(project: Path) -> None:
    path = project / FILE
    line = next(x for x in path.read_text().splitlines() if "role: product" in x)
    edit(path, line, re.sub(r",\s*digest:\s*[^,}]+", "", line))
    assert state(project, "product") == "unbound"
    found = of(project, "FES704")
    assert [(f.severity, "product" in f.message) for f in found] == [("warning", True)]
    assert "fes-docs sign" in found[0].hint


def _sign_all(root: Path, on: str) -> None:
    for role, who in owners(root).items():
        assert main(["sign", REL, "--role", role, "--by", who, "--date", on, "--root", str(root)]) == 0


def test_substantive_edit_makes_the_signoff_stale_comment_edit_does_not(project: Path) -> None:
    path = project / FILE
    _sign_all(project, "2031-01-02")
    assert of(project, "FES705") == [] and of(project, "FES704") == []
    text = path.read_text()
    phase = re.search(r"^phase: .*$", text, re.M)
    assert phase is not None
    edit(path, phase.group(0), phase.group(0) + "        # a comment added after signing")
    edit(path, "\nvalidation:", "\n# a full-line comment added after signing\nvalidation:")
    assert of(project, "FES705") == []  # comments and layout are not content

    p95 = re.search(r"p95_latency_ms_max: (\d+)", path.read_text())
    assert p95 is not None
    edit(path, p95.group(0), f"p95_latency_ms_max: {int(p95.group(1)) + 300}")  # substance
    stale = of(project, "FES705")
    assert {f.severity for f in stale} == {"error"} and len(stale) == len(owners(project))
    assert all("stale since 2031-01-02" in f.message and f.blocking for f in stale)
    line = path.read_text().splitlines()[stale[0].loc.line - 1]
    assert line[stale[0].loc.column - 1 :].startswith("sha256:")
    assert main(["validate", "--root", str(project)]) == 1

    edit(path, "status: approved", "status: planned")  # before approval a stale sign-off only warns
    assert {f.severity for f in of(project, "FES705")} == {"warning"}


def test_resigning_renews_a_stale_signoff(project: Path) -> None:
    path = project / FILE
    who = owners(project)["database"]
    assert main(["sign", REL, "--role", "database", "--by", who, "--root", str(project)]) == 0
    edit(path, "\nvalidation:", "\nnotes: changed after signing\nvalidation:")
    assert len([f for f in of(project, "FES705") if "database" in f.message]) == 1
    assert main(["sign", REL, "--role", "database", "--by", who, "--root", str(project)]) == 0
    assert not [f for f in of(project, "FES705") if "database" in f.message]
    assert path.read_text().count("role: database") == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "product", "--by", "mallory"], "the product owner of"),
        (["--role", "janitor", "--by", "dave"], "unknown role 'janitor'"),
        (["--role", "product", "--by", "dave", "--date", "09/04/2026"], "is not a real YYYY-MM-DD date"),
        (["--role", "product", "--by", "dave", "--date", "20260409"], "is not a real YYYY-MM-DD date"),
        (["--role", "product", "--by", "dave", "--date", "2026-02-30"], "is not a real YYYY-MM-DD date"),
    ],
)
def test_sign_refuses_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = (project / FILE).read_bytes()
    assert main(["sign", REL, *args, "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert (project / FILE).read_bytes() == before


def test_sign_unknown_release_and_broken_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sign", "2099-nope", "--role", "product", "--by", "dave", "--root", str(project)]) == 2
    assert "no release '2099-nope'" in capsys.readouterr().err
    broken = project / "releases" / "2099-broken.yaml"
    broken.write_text(
        "id: 2099-broken\ntitle: x\nphase: 1\nstatus: draft\nowners: {product: dave}\nchecklist: []\nsignoffs: [\n"
    )
    assert main(["sign", "2099-broken", "--role", "product", "--by", "dave", "--root", str(project)]) == 2
    assert "does not parse" in capsys.readouterr().err


# --- validate --verify-git --------------------------------------------------------------------


def _verify(root: Path) -> list[Finding]:
    return [f for f in verify_git(check(root)) if f.rule == "FES706" and f.loc.file == FILE]


def _line_of(root: Path, f: Finding) -> str:
    return (root / f.loc.file).read_text().splitlines()[f.loc.line - 1]


def test_verify_git_accepts_the_signer_and_names_the_impostor_commit(tmp_path: Path) -> None:
    repo = example_repo(tmp_path / "r")
    who = owners(repo)
    assert main(["sign", REL, "--role", "product", "--by", who["product"], "--root", str(repo)]) == 0
    commit(repo, "product sign-off", email=f"{who['product']}@fes.example.org")
    assert main(["sign", REL, "--role", "database", "--by", who["database"], "--root", str(repo)]) == 0
    forged = commit(repo, "sign for the DBA", email="mallory@evil.example")

    found = {_line_of(repo, f).split("by: ")[1].split(",")[0]: f for f in _verify(repo)}
    assert who["product"] not in found  # committed by the signer
    db = found[who["database"]]
    assert db.severity == "error" and forged[:12] in db.message and "mallory@evil.example" in db.message
    assert "sign for the DBA" in db.message and db.hint
    # the unbound sign-offs of the first commit were committed by ci@: errors too
    assert {who["engineering"], who["on_call"]} <= set(found)


@pytest.mark.parametrize("where", [".", "ops/releases"])
def test_verify_git_follows_a_line_back_past_cosmetic_edits(tmp_path: Path, where: str) -> None:
    top = tmp_path / "r"
    example_repo(top / where)
    if where != ".":  # the project lives in a subfolder of the repository
        shutil.move(str(top / where / ".git"), str(top / ".git"))
        commit(top, "moved")
    repo = top / where
    who = owners(repo)["product"]
    assert main(["sign", REL, "--role", "product", "--by", who, "--root", str(repo)]) == 0
    commit(repo, "product sign-off", email=f"{who}@fes.example.org")
    path = repo / FILE
    line = next(x for x in path.read_text().splitlines() if "role: product" in x)
    edit(path, line, line + "   # signed in the release meeting")
    commit(repo, "note on the sign-off", email="erin@fes.example.org")
    assert not [f for f in _verify(repo) if "role: product" in _line_of(repo, f)]


def test_verify_git_uncommitted_signoff_is_a_warning(tmp_path: Path) -> None:
    repo = example_repo(tmp_path / "r")
    assert main(["sign", REL, "--role", "product", "--by", owners(repo)["product"], "--root", str(repo)]) == 0
    product = [f for f in _verify(repo) if "role: product" in _line_of(repo, f)]
    assert [(f.severity, "not committed yet" in f.message) for f in product] == [("warning", True)]


def test_verify_git_needs_people_and_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "r")
    policy = repo / "releases" / "policy.yaml"
    text = policy.read_text()
    assert "\npeople:" in text, "the example policy lost its people: map; update the test"
    policy.write_text(text.split("\npeople:")[0] + "\n")
    assert main(["validate", "--verify-git", "--root", str(repo)]) == 2
    assert "people:" in capsys.readouterr().err

    plain = tmp_path / "plain"
    for name in ("releases", "service"):
        shutil.copytree(REPO / name, plain / name)
    assert main(["validate", "--verify-git", "--root", str(plain)]) == 2
    assert "not inside a git work tree" in capsys.readouterr().err
    git(repo, "status")  # the repository itself is untouched and usable
