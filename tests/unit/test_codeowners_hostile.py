"""`fes-docs codeowners` never writes a CODEOWNERS line an attacker shaped: each bad value is refused where it is.

CODEOWNERS is "pattern owner owner …" per line. An address with a newline would add a rule of its own
(`* @attacker` takes every file in the repository), one with a space a second owner, a `#` a comment
that hides the rest; a record file named `*.yaml` is a pattern covering every release. Each attack must
end in `file:line:col: error: …; what to do` on stderr, exit 1, nothing on stdout, CODEOWNERS untouched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import example_repo

from fes_docs.cli import main
from fes_docs.codeowners import BEGIN, valid_owner
from fes_docs.positions import line_column
from fes_docs.report import inert

POLICY = "releases/policy.yaml"


def run(root: Path, *args: str) -> int:
    return main(["codeowners", *args, "--root", str(root)])


def _policy_with(root: Path, name: str, entries: list[str]) -> tuple[int, int]:
    """``people: {name: entries}`` added to the policy; returns where the last entry is (line, column)."""
    path = root / POLICY
    text = path.read_text(encoding="utf-8").replace("people:\n", f"people:\n  {name}: {json.dumps(entries)}\n", 1)
    path.write_text(text, encoding="utf-8")
    return line_column(text, text.index(json.dumps(entries[-1])))


def _owner(root: Path, name: str) -> Path:
    """The first release's product owner becomes ``name``."""
    rel = sorted((root / "releases").glob("2*.yaml"))[0]
    text = rel.read_text(encoding="utf-8")
    owners = text[text.index("owners:") :]
    start = text.index("product:", text.index("owners:")) + len("product:")
    end = start + len(owners.split("product:", 1)[1].split(",")[0].split("}")[0].split("\n")[0])
    rel.write_text(text[:start] + " " + json.dumps(name) + text[end:], encoding="utf-8")
    return rel


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = example_repo(tmp_path / "r")
    assert run(root, "--write") == 0  # a committed block the refusals must leave as it is
    return root


def _refused(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    before = (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    capsys.readouterr()
    assert run(root, *args) == 1
    out, err = capsys.readouterr()
    assert BEGIN not in out
    assert (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8") == before
    return err


@pytest.mark.parametrize(
    "entry",
    [
        "mallory@example.org\n* @mallory",  # a rule of its own: every file to the attacker
        "mallory@example.org @mallory",  # a second owner
        "mallory@example.org # comment",
        "@mallory\r",
        "@org/team/",
        "@-mallory",
        "mallory",
        "mallory@localhost",
        "mallory@exa mple.org",
        "*",
        "",
        "mallory@example.org\u2028",
        "@mal\u202elory",
    ],
)
@pytest.mark.parametrize("mode", [(), ("--write",), ("--check",)])
def test_address_that_is_no_handle_or_email_is_refused_at_its_place(
    repo: Path, capsys: pytest.CaptureFixture[str], entry: str, mode: tuple[str, ...]
) -> None:
    line, column = _policy_with(repo, "mallory", ["mallory@example.org", entry])
    _owner(repo, "mallory")
    err = _refused(repo, capsys, *mode)
    assert err.startswith(f"{POLICY}:{line}:{column}: error: {entry!r} (under people: for 'mallory')"), err
    assert "write an address like name@example.org, or @user / @org/team" in err
    assert "nothing written" in err and "Traceback" not in err


def test_owner_name_with_a_newline_never_reaches_a_comment(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel = _owner(repo, "zoe\n* @mallory")
    err = _refused(repo, capsys)
    text = rel.read_text(encoding="utf-8")
    line, column = line_column(text, text.index('"zoe\\n'))
    assert err.startswith(f"releases/{rel.name}:{line}:{column}: error: the product owner 'zoe\\n* @mallory'"), err


@pytest.mark.parametrize(
    "name", ["*.yaml", "all [of] them.yaml", "x#y.yaml", "back\\slash.yaml", "bang!.yaml", "new\nline.yaml"]
)
def test_file_name_that_is_a_pattern_is_refused(repo: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    first = sorted((repo / "releases").glob("2*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    rid = text.split("id: ", 1)[1].split("\n", 1)[0].strip()
    (repo / "releases" / name).write_text(text.replace(f"id: {rid}", "id: pattern-file", 1), encoding="utf-8")
    err = _refused(repo, capsys)
    assert err.count("\n") == 2  # the problem and the verdict, whatever the name holds
    where = f"releases/{inert(name)}:1:1: error: {'/releases/' + name!r}"
    assert err.startswith(f"{where} cannot be a CODEOWNERS path"), err
    assert "rename the file" in err


@pytest.mark.parametrize(
    "entry", ["@mallory", "@fes-org/release-team", "@group/sub.group/team_x", "first.last+tag@mail.example.org"]
)
def test_handles_and_addresses_are_accepted(repo: Path, capsys: pytest.CaptureFixture[str], entry: str) -> None:
    assert valid_owner(entry)
    _policy_with(repo, "mallory", [entry])
    rel = _owner(repo, "mallory")
    capsys.readouterr()
    assert run(repo) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(f"/releases/{rel.name} "))
    assert entry in line.split()


def test_cli_refusal_is_no_traceback(repo: Path) -> None:
    _policy_with(repo, "mallory", ["mallory@example.org\n* @mallory"])
    _owner(repo, "mallory")
    proc = subprocess.run(
        [sys.executable, "-m", "fes_docs", "codeowners", "--write", "--root", str(repo)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.startswith(f"{POLICY}:")
