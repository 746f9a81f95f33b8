"""Where declared and detected API changes show: `fes-docs diff`'s "API changes" section whenever the spec
changed, and the release's runbook listing what it declared."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import commit, edit, example_repo

from fes_docs.cli import main

SPEC = "service/openapi.yaml"
RECORD = "releases/2027-02-phase-4-notification-rule-engine.yaml"


def _diff(repo: Path, base: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["diff", base, "--root", str(repo)]) == 0
    return capsys.readouterr().out


def test_diff_shows_api_changes_only_when_the_spec_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = example_repo(tmp_path / "p")
    base = commit(repo, "base")
    edit(repo / RECORD, "title: ", "title: ")  # nothing: no section
    assert "### API changes" not in _diff(repo, base, capsys)
    edit(repo / SPEC, "  /actuator/health/liveness:\n", "  /actuator/health/alive:\n")
    out = _diff(repo, base, capsys)
    section = out[out.index("### API changes") :]
    assert "1 breaking" in section and "`FES850`" in section and "`GET /actuator/health/liveness`" in section
    assert "`GET /actuator/health/alive`" in section  # added, compatible


def test_runbook_lists_declared_api_changes(tmp_path: Path) -> None:
    repo = example_repo(tmp_path / "p")
    with (repo / RECORD).open("a") as f:
        f.write(
            "api:\n  breaking:\n    - endpoint: GET /actuator/health/liveness\n      change: FES850\n"
            "      reason: 'probes moved to /alive <b>now</b>'\n      consumers_notified: true\n"
        )
    out = tmp_path / "pages"
    main(["render", "--root", str(repo), "--out", str(out)])
    text = (out / "2027-02-phase-4-notification-rule-engine" / "index.md").read_text()
    assert "## API changes (§3.3)" in text
    assert (
        "| `GET /actuator/health/liveness` | `FES850` | probes moved to /alive &lt;b&gt;now&lt;/b&gt; | yes |" in text
    )
