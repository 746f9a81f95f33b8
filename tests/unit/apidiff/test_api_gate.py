"""The pull request's API gate: a breaking change must be declared by a record the pull request changes
(FES840 at the spec's line), and openapi-docs-updated cannot be ticked meanwhile (FES841)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import commit, edit, example_repo

from fes_docs.cli import main

SPEC = "service/openapi.yaml"
RECORD = "releases/2027-02-phase-4-notification-rule-engine.yaml"
PREVIEW = "POST /api/v1/notification-rules/{id}/preview"
DECLARATION = (
    "api:\n  breaking:\n"
    f'    - {{endpoint: "{PREVIEW}", change: {{change}}, reason: "dry runs need it", consumers_notified: true}}\n'
)


def _break_the_spec(repo: Path) -> None:
    edit(repo / SPEC, "required: [event_type, facts]\n", "required: [event_type, facts, channel]\n")
    facts = "                facts: {type: object, additionalProperties: true}\n"
    edit(repo / SPEC, facts, facts + "                channel: {type: string}\n")


def _gate(repo: Path, base: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = main(["validate", "--root", str(repo), "--changed-since", base, "--format", "json", "--today", "2026-12-01"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in findings if str(f["rule"]).startswith("FES84")]


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    project = example_repo(tmp_path / "p")
    return project, commit(project, "base")


def test_an_undeclared_breaking_change_fails_at_the_spec_line(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, base = repo
    _break_the_spec(project)
    code, found = _gate(project, base, capsys)
    assert code == 1
    assert [(f["rule"], f["file"]) for f in found] == [("FES840", SPEC)]
    line = (project / SPEC).read_text().splitlines()[int(str(found[0]["line"])) - 1]
    assert "channel" in line and PREVIEW in str(found[0]["message"]) and "FES867" in str(found[0]["message"])


def test_a_declaration_in_a_changed_record_lets_it_through(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, base = repo
    _break_the_spec(project)
    with (project / RECORD).open("a") as f:
        f.write(DECLARATION.replace("{change}", "new-required-request-property"))
    code, found = _gate(project, base, capsys)
    assert found == [] and code == 0


def test_a_changed_record_ticking_docs_updated_meanwhile_is_fes841(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, base = repo
    _break_the_spec(project)
    with (project / RECORD).open("a") as f:
        f.write("# the release ships the new preview\n")
    code, found = _gate(project, base, capsys)
    assert code == 1 and sorted(str(f["rule"]) for f in found) == ["FES840", "FES841"]
    assert next(f for f in found if f["rule"] == "FES841")["file"] == RECORD


def test_an_old_declaration_does_not_cover_a_new_break(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = example_repo(tmp_path / "p")
    with (project / RECORD).open("a") as f:
        f.write(DECLARATION.replace("{change}", "FES867"))
    base = commit(project, "declared long ago")
    _break_the_spec(project)
    code, found = _gate(project, base, capsys)
    assert code == 1 and [f["rule"] for f in found] == ["FES840"]


def test_a_compatible_change_needs_nothing(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    project, base = repo
    edit(project / SPEC, "operationId: health\n", "operationId: healthCheck\n")  # a warning, not a break
    code, found = _gate(project, base, capsys)
    assert found == [] and code == 0


def test_a_declaration_must_name_a_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = example_repo(tmp_path / "p")
    with (project / RECORD).open("a") as f:
        f.write(DECLARATION.replace("{change}", "new-required-request-propety").replace("true}", "false}"))
    main(["validate", "--root", str(project), "--format", "json"])
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "FES842"]
    assert "did you mean 'new-required-request-property'" in str(found[0]["message"]).lower()
    assert [f["severity"] for f in found] == ["error", "warning"]  # a draft: not notified yet is a warning


def test_an_operation_hidden_behind_a_refused_ref_is_no_pass(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, base = repo
    (project.parent / "elsewhere.yaml").write_text("responses: {'200': {description: ok}}\n")
    text = (project / SPEC).read_text()
    start = text.index("  /actuator/health/liveness:\n    get:\n") + len("  /actuator/health/liveness:\n    get:")
    end = text.index("\n  /api/v1/exams:\n")
    (project / SPEC).write_text(text[:start] + " {$ref: ../../elsewhere.yaml}" + text[end:])
    code, found = _gate(project, base, capsys)
    assert code == 1 and any("cannot be ruled out" in str(f["message"]) for f in found)


@pytest.mark.parametrize("how", ["moved", "re-pointed"])
def test_a_pull_request_that_moves_the_spec_is_compared_with_the_spec_the_base_checked(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """The base's spec is where the base's policy says: a pull request that moves the spec (or points
    openapi: at another file) and breaks it meanwhile used to compare a base absent at the new path, so
    every operation was "added" and the break passed the gate."""
    import shutil

    project, base = repo
    moved = "service/api.yaml"
    if how == "moved":
        (project / SPEC).rename(project / moved)
    else:
        shutil.copy(project / SPEC, project / moved)
        commit(project, "a copy of the spec, checked by nothing")
    edit(project / "releases" / "policy.yaml", f"openapi: {SPEC}", f"openapi: {moved}")
    edit(project / moved, "required: [event_type, facts]\n", "required: [event_type, facts, channel]\n")
    facts = "                facts: {type: object, additionalProperties: true}\n"
    edit(project / moved, facts, facts + "                channel: {type: string}\n")
    code, found = _gate(project, base, capsys)
    assert code == 1 and [f for f in found if f["rule"] == "FES840"], found
    capsys.readouterr()
    assert main(["api-diff", base, "--root", str(project), "--today", "2026-12-01"]) == 1
    assert "FES867" in capsys.readouterr().out
