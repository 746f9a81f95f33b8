"""`validate --verify-git` checks every line of a sign-off entry, not only its `by:` (issue 11 invariant 7).

Whoever last changed an entry's `role:`, `date:` or `digest:` must be the signer too: someone else
pasting a fresh digest over a stale sign-off, or re-dating it, is not the owner approving the record.
Each test signs as the owner on a real repository, lets another author commit one edit, and runs the
real check; cosmetic edits by others (a comment, indentation) must not count.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gitrepo import commit, edit, example_repo, git

from fes_docs.check import check
from fes_docs.cli import main
from fes_docs.findings import Finding
from fes_docs.project import load_policy
from fes_docs.verifygit import verify_git

FILE = "releases/2026-12-phase-3-question-bank.yaml"  # approved, four sign-offs in flow style
REL = "2026-12-phase-3-question-bank"
MALLORY = "mallory@evil.example"
FLOW = re.compile(r"^  - \{role: (\w+), by: (\w+), date: ([\d-]+), digest: (sha256:[0-9a-f]+)\}$", re.M)


def product(root: Path) -> list[Finding]:
    """FES706 findings of the product owner's sign-off."""
    return [f for f in verify_git(check(root)) if f.rule == "FES706" and f.loc.file == FILE and "product" in f.message]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "r")


def signer(repo: Path) -> tuple[str, str]:
    """The product owner and their first address under `people:`."""
    rel = next(r for r in check(repo).project.releases if r.key == REL)
    name = rel.owners["product"]
    return name, load_policy(repo)[0].people[name][0]


def sign_product(repo: Path, block: bool) -> str:
    """The product owner signs and commits it themselves (in block style when ``block``)."""
    name, mail = signer(repo)
    assert main(["sign", REL, "--role", "product", "--by", name, "--date", "2026-11-30", "--root", str(repo)]) == 0
    if block:
        path = repo / FILE
        text = path.read_text()
        m = next(m for m in FLOW.finditer(text) if m.group(1) == "product")
        role, by, day, digest = m.groups()
        path.write_text(
            text.replace(m.group(0), f"  - role: {role}\n    by: {by}\n    date: {day}\n    digest: {digest}")
        )
    commit(repo, "product sign-off", email=mail)
    assert product(repo) == [], "the signer's own commit must pass"
    return mail


def forge(repo: Path, old: str, new: str, *, email: str = MALLORY) -> str:
    edit(repo / FILE, old, new)
    return commit(repo, "touch up the sign-off", email=email)


def _digest(repo: Path) -> str:
    found = re.search(r"    digest: (sha256:[0-9a-f]+)", (repo / FILE).read_text())
    assert found, "no block-style digest line"
    return found.group(1)


@pytest.mark.parametrize("field", ["digest", "date"])
def test_another_author_editing_only_one_line_of_a_block_signoff_is_named(repo: Path, field: str) -> None:
    sign_product(repo, block=True)
    if field == "digest":  # a fresh digest pasted over the signer's: the by: line is still his
        forged = forge(repo, f"    digest: {_digest(repo)}", "    digest: sha256:" + "0" * 64)
    else:
        forged = forge(repo, "    date: 2026-11-30", "    date: 2026-12-01")
    found = product(repo)
    assert [f.severity for f in found] == ["error"]
    assert forged[:12] in found[0].message and MALLORY in found[0].message and f"`{field}:`" in found[0].message


def test_another_author_changing_only_the_role_line_is_named(repo: Path) -> None:
    """Moving a sign-off to another role (one the signer also owns) is still not the signer's act."""
    name, _mail = signer(repo)
    sign_product(repo, block=True)
    edit(repo / FILE, "on_call: carol,", f"on_call: {name},")  # so FES701 has nothing to say
    commit(repo, "dave is on call too", email="erin@fes.example.org")
    forged = forge(repo, "  - role: product", "  - role: on_call")
    found = [f for f in verify_git(check(repo)) if f.rule == "FES706" and f"on_call sign-off by {name}" in f.message]
    assert [f.severity for f in found] == ["error"] and forged[:12] in found[0].message
    assert "`role:`" in found[0].message


def test_quoting_a_value_is_cosmetic(repo: Path) -> None:
    """The same data in other quotes: following the line back reaches the signer's commit."""
    sign_product(repo, block=True)
    forge(repo, "  - role: product", '  - role: "product"')
    assert product(repo) == []


def test_a_fresh_digest_pasted_into_a_flow_signoff_is_named(repo: Path) -> None:
    """Flow style, one line: the by: line and the digest are the same line, and the commit is Mallory's."""
    sign_product(repo, block=False)
    edit(repo / FILE, "production: [10, 50, 100]", "production: [100]")  # the record changes ...
    assert main(["sign", REL, "--role", "product", "--by", signer(repo)[0], "--root", str(repo)]) == 0
    forged = commit(repo, "go straight to 100%", email=MALLORY)  # ... and she re-signs it for him
    found = product(repo)
    assert [f.severity for f in found] == ["error"] and forged[:12] in found[0].message
    assert "was committed by mallory" in found[0].message


def test_only_the_date_of_a_flow_signoff_changed_by_another_author_is_named(repo: Path) -> None:
    sign_product(repo, block=False)
    name, _mail = signer(repo)
    forged = forge(repo, f"by: {name}, date: 2026-11-30,", f"by: {name}, date: 2026-12-01,")
    found = product(repo)
    assert [f.severity for f in found] == ["error"] and forged[:12] in found[0].message


def test_the_signers_own_re_dating_passes(repo: Path) -> None:
    mail = sign_product(repo, block=True)
    forge(repo, "    date: 2026-11-30", "    date: 2026-12-01", email=mail)
    assert product(repo) == []


def test_cosmetic_edits_by_another_author_follow_back_to_the_signer(repo: Path) -> None:
    """Re-indenting the entry and commenting its digest line: the sign-off's data is unchanged."""
    sign_product(repo, block=True)
    name, _mail = signer(repo)
    digest = _digest(repo)
    edit(repo / FILE, f"    digest: {digest}", f"    digest: {digest}   # checked in the release meeting")
    commit(repo, "a note", email="erin@fes.example.org")
    edit(repo / FILE, f"  - role: product\n    by: {name}", f"  -   role: product\n      by: {name}")
    edit(repo / FILE, "\n    date: 2026-11-30\n    digest:", "\n      date: 2026-11-30\n      digest:")
    commit(repo, "re-indent", email="erin@fes.example.org")
    assert product(repo) == []


def test_the_continuation_line_of_a_block_scalar_digest_counts(repo: Path) -> None:
    """`digest: >-` puts the value on the next line: that line is part of the entry too."""
    sign_product(repo, block=True)
    digest = _digest(repo)
    _name, mail = signer(repo)
    forge(repo, f"    digest: {digest}", f"    digest: >-\n      {digest}", email=mail)  # the signer's own layout
    assert product(repo) == []
    forged = forge(repo, f"      {digest}", "      sha256:" + "f" * 64)
    found = product(repo)
    assert [f.severity for f in found] == ["error"] and forged[:12] in found[0].message


def test_a_committed_mailmap_does_not_turn_mallory_into_the_signer(repo: Path) -> None:
    """git blame applies .mailmap; a pull request could add one mapping her commits to the signer's address."""
    name, mail = signer(repo)
    sign_product(repo, block=True)
    (repo / ".mailmap").write_text(f"{name} <{mail}> <{MALLORY}>\n")
    commit(repo, "mailmap", email=MALLORY)
    forged = forge(repo, "    date: 2026-11-30", "    date: 2026-12-01")
    assert git(repo, "blame", "--porcelain", FILE).count(f"author-mail <{mail}>") >= 1  # blame believes it
    found = product(repo)
    assert [f.severity for f in found] == ["error"] and forged[:12] in found[0].message and MALLORY in found[0].message


def test_an_uncommitted_change_to_the_digest_line_is_a_warning(repo: Path) -> None:
    sign_product(repo, block=True)
    edit(repo / FILE, "    date: 2026-11-30", "    date: 2026-12-01")
    assert [(f.severity, "not committed yet" in f.message) for f in product(repo)] == [("warning", True)]


def test_an_uncommitted_comment_after_the_signoff_is_not_a_change(repo: Path) -> None:
    sign_product(repo, block=True)
    edit(repo / FILE, "    date: 2026-11-30", "    date: 2026-11-30  # fine")
    assert product(repo) == []


def test_an_edit_to_another_signoff_does_not_taint_this_one(repo: Path) -> None:
    """Flow entries on neighbouring lines: Mallory re-dates the database sign-off; the product one stands."""
    sign_product(repo, block=False)
    text = (repo / FILE).read_text()
    db = next(m.group(0) for m in FLOW.finditer(text) if m.group(1) == "database")
    forge(repo, db, db.replace("date: 2026-11-24", "date: 2026-11-25"))
    assert product(repo) == []


def test_lone_carriage_returns_before_the_entry_are_mapped_to_git_lines(repo: Path) -> None:
    """YAML splits lines at a lone CR, git does not: with three of them in the opening comments, the
    parser's line numbers run three ahead of git's. Mallory's edit of the date must still be found."""
    name, mail = signer(repo)
    sign_product(repo, block=True)
    path = repo / FILE
    data = path.read_bytes()
    assert data.startswith(b"#") and data.count(b"\n#", 0, 400) >= 3, "the record lost its opening comments"
    path.write_bytes(data.replace(b"\n#", b"\r#", 3))
    commit(repo, "the signer's old editor", email=mail)
    assert product(repo) == []
    path.write_bytes(path.read_bytes().replace(b"    date: 2026-11-30", b"    date: 2026-12-01"))
    forged = commit(repo, "re-date it", email=MALLORY)
    found = product(repo)
    assert [f.severity for f in found] == ["error"] and forged[:12] in found[0].message


def test_a_long_chain_of_cosmetic_commits_is_followed_a_bounded_way_then_fails_closed(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: bury the signer's commit under more cosmetic commits than the search opens versions for.
    The work is bounded (versions read are counted), and the verdict is an error, never a pass."""
    from fes_docs import verifygit

    sign_product(repo, block=True)
    digest = _digest(repo)
    for n in range(verifygit.MAX_VERSIONS + 3):
        edit(repo / FILE, f"    digest: {digest}" + (f"  # {n - 1}" if n else ""), f"    digest: {digest}  # {n}")
        commit(repo, f"cosmetic {n}", email="erin@fes.example.org")
    read: list[str] = []
    real = verifygit.git_bytes
    monkeypatch.setattr(
        verifygit, "git_bytes", lambda top, *args, **kw: read.append(args[-1]) or real(top, *args, **kw)
    )
    found = product(repo)
    assert [f.severity for f in found] == ["error"] and f"more than {verifygit.MAX_VERSIONS}" in found[0].message
    blobs = [a for a in read if ":" in a]  # `cat-file blob rev:path`: one per earlier version opened
    assert len(blobs) <= verifygit.MAX_VERSIONS
