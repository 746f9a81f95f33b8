"""``fes-docs api-diff``: git revisions or two files; text, json and github; exit 0, 1 (breaking), 2 (usage)."""

from __future__ import annotations

import json
import shutil
import subprocess
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
    assert doc["summary"] == {
        "breaking": 0,
        "potentially_breaking": 0,
        "compatible": 1,
        "failed": False,
        "not_compared": 0,
    }
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


def test_what_could_not_be_compared_fails_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A breaking change behind a $ref that is not followed (a plain-name fragment, a pointer to nothing)
    cannot be ruled out: exit 1 and the count in the summary, not "OK"."""
    spec = (
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    post:\n"
        "      requestBody: {content: {application/json: {schema: SCHEMA}}}\n"
        "      responses: {'200': {description: ok}}\n"
        "components:\n  schemas:\n    Pet: {$anchor: Tight, type: object, properties: {name: {type: string}}}\n"
    )
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(spec.replace("SCHEMA", "{$ref: '#/components/schemas/Pet'}"))
    head.write_text(spec.replace("SCHEMA", "{$ref: '#Tight'}").replace("{type: string}", "{type: integer}"))
    assert main(["api-diff", str(base), str(head), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["breaking"] == 0 and doc["summary"]["not_compared"] == 1, doc
    assert main(["api-diff", str(base), str(head)]) == 1
    assert "cannot be ruled out" in capsys.readouterr().out.splitlines()[-1]
    head.write_text(spec.replace("SCHEMA", "{$ref: '#Tight'}"))  # the same unknown on both sides: no verdict lost
    base.write_text(spec.replace("SCHEMA", "{$ref: '#Tight'}"))
    assert main(["api-diff", str(base), str(head)]) == 0


def test_a_name_that_is_both_a_file_and_a_revision_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request may commit files named main and HEAD: api-diff main HEAD must not compare them."""
    repo = example_repo(tmp_path / "p")
    shutil.copy(repo / SPEC, repo / "main")
    shutil.copy(repo / SPEC, repo / "HEAD")
    commit(repo, "decoys")
    subprocess.run(["git", "-C", str(repo), "branch", "-q", "main"], check=False, capture_output=True)
    monkeypatch.chdir(repo)
    assert main(["api-diff", "main", "HEAD", "--root", str(repo)]) == 2
    assert "both a file and a git revision" in capsys.readouterr().err
    assert main(["api-diff", "main^{commit}", "HEAD^{commit}", "--root", str(repo)]) == 0
