"""``fes-docs api-diff``: git revisions or two files; text, json and github; exit 0, 1 (breaking), 2 (usage)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import commit, edit, example_repo

from fes_docs.cli import main

FIXTURES = Path(__file__).parents[2] / "fixtures" / "apidiff"
SPEC = "service/openapi.yaml"


def test_two_files_text_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    pair = FIXTURES / "api-removed-without-deprecation"
    code = main(["api-diff", str(pair / "base.yaml"), str(pair / "head.yaml"), "--today", "2026-12-01"])
    out = capsys.readouterr().out
    assert code == 1
    assert "breaking FES851 DELETE /pets/{id}: operation removed without deprecation" in out
    assert out.rstrip().endswith("operations: 0 added, 1 removed, 0 changed")


def test_compatible_change_exits_0_and_json_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    pair = FIXTURES / "endpoint-added"
    args = ["api-diff", str(pair / "base.yaml"), str(pair / "head.yaml"), "--format", "json", "--today", "2026-12-01"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    doc = json.loads(first)
    assert doc["summary"] == {"breaking": 0, "potentially_breaking": 0, "compatible": 1, "failed": False}
    assert doc["operations"]["added"] == ["PUT /pets/{id}"]
    assert doc["changes"][0]["name"] == "endpoint-added" and doc["changes"][0]["pointer"] == "/paths/~1pets~1{id}/put"


def test_github_annotations_point_at_the_head(capsys: pytest.CaptureFixture[str]) -> None:
    pair = FIXTURES / "request-property-removed"
    main(["api-diff", str(pair / "base.yaml"), str(pair / "head.yaml"), "--format", "github"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::warning file=") and "head.yaml" in first and "FES870" in first


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "p")
    assert main(["api-diff", "no-such-rev", "--root", str(repo)]) == 2
    assert "unknown git revision" in capsys.readouterr().err
    pair = FIXTURES / "endpoint-added"
    assert main(["api-diff", str(pair / "base.yaml"), "--root", str(repo)]) == 2
    assert main(["api-diff", "HEAD", "--root", str(repo), "--today", "someday"]) == 2


def test_git_revisions_and_the_working_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "p")
    first = commit(repo, "base")
    assert main(["api-diff", first, "--root", str(repo)]) == 0  # the working tree: unchanged
    assert "0 breaking" in capsys.readouterr().out
    edit(repo / SPEC, "operationId: health\n", "operationId: healthCheck\n")
    assert main(["api-diff", first, "--root", str(repo)]) == 0  # a warning only
    assert "potentially breaking FES858 GET /actuator/health" in capsys.readouterr().out
    second = commit(repo, "renamed")
    assert main(["api-diff", first, second, "--root", str(repo), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changes"][0]["file"] == SPEC


def test_a_spec_symlinked_at_a_revision_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "p")
    (tmp_path / "outside.yaml").write_text("openapi: 3.0.3\ninfo: {title: secret, version: '1'}\npaths: {}\n")
    (repo / SPEC).unlink()
    (repo / SPEC).symlink_to(tmp_path / "outside.yaml")
    rev = commit(repo, "link")
    assert main(["api-diff", rev, rev, "--root", str(repo)]) == 0
    assert "secret" not in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_lone_surrogate_in_a_json_spec_is_unreadable_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """JSON may escape half a surrogate pair ("\\ud800"), which is no character: no report can print it (the
    command crashed in every format) and no file can be named by it. The spec is refused, located; a pair
    that makes one character (an emoji) is read as usual."""
    base = tmp_path / "base.json"
    head = tmp_path / "head.json"
    ok = '{"openapi": "3.0.3", "info": {"title": "t \\ud83d\\ude00", "version": "1"}, "paths": {"/a": {"get": '
    base.write_text(ok + '{"responses": {"200": {"description": "ok"}}}}}}', encoding="utf-8")
    head.write_text(ok.replace('"/a"', '"/a\\ud800"') + '{"responses": {"200": {"description": "ok"}}}}}}')
    assert main(["api-diff", str(base), str(base), "--format", fmt]) == 0
    capsys.readouterr()
    assert main(["api-diff", str(head), str(base), "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert "could not be read" in out or "cannot be read" in out, out
    assert fmt == "github" or "invalid Unicode character escape" in out, out
