"""No contradictions (issue 13), read off a real site: one `mkdocs build` (not strict: the record carries
errors on purpose, and the pages must still say them) of the example with three contradictions planted."""

from __future__ import annotations

import pytest
from gitrepo import copy_example
from test_site import article, build, page

QB = "2026-12-phase-3-question-bank"


@pytest.fixture(scope="module")
def runbook_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    project = copy_example(tmp_path_factory.mktemp("contradictions") / "project")
    record = project / "releases" / f"{QB}.yaml"
    text = record.read_text(encoding="utf-8")
    for old, new in (
        ("    dry_run: true\n", "    dry_run: false\n"),  # a backfill without a dry-run mode
        ("end: 2026-12-08T22:00:00Z}", "end: 2026-12-08T22:00:00}"),  # a window end without a time zone
        ("  - {role: product, by: dave,", "  - {role: qa_lead, by: dave,"),  # product's sign-off missing
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    record.write_text(text, encoding="utf-8")
    build(project)
    return article(page(project / "site", f"releases/{QB}")).text()


def test_a_backfill_without_a_dry_run_mode_is_not_told_to_dry_run_first(runbook_text: str) -> None:
    assert "Dry run first" not in runbook_text and "has no dry-run mode" in runbook_text


def test_a_window_without_a_time_zone_is_a_finding_on_the_page(runbook_text: str) -> None:
    assert "FES020" in runbook_text


def test_the_missing_sign_off_hint_gives_the_exact_command(runbook_text: str) -> None:
    assert "fes-docs sign 2026-12-phase-3-question-bank --role product --by dave" in runbook_text
