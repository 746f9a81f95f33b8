"""The runbook shows what `fes-docs dry-run` proved when the checklist cites its evidence file."""

from __future__ import annotations

import json
from pathlib import Path

from renderhelp import dom

from fes_docs.check import check
from fes_docs.render import render_pages

EXAMPLE = Path(__file__).parents[3]


def runbook_of(result_pages: dict[str, str], release: str) -> str:
    return next(text for path, text in result_pages.items() if release in path and path.endswith("index.md"))


def test_cited_evidence_is_summarised_on_the_runbook() -> None:
    pages = render_pages(check(EXAMPLE))
    text = runbook_of(pages, "phase-3-question-bank")
    evidence = json.loads((EXAMPLE / "releases/evidence/2026-12-phase-3-question-bank.dry-run.json").read_text())
    tree = dom(text)
    tables = [t for t in tree.find_all("table") if "Idempotent (run twice)" in t.text()]
    assert tables, "no dry-run table on the runbook"
    rows = tables[0].find_all("tr")[1:]
    assert [r.find_all("td")[0].text().strip() for r in rows] == [
        "V6__create_question_bank.sql",
        "V7__add_question_pools.sql",
    ]
    assert all(r.find_all("td")[2].text().strip() == "yes" for r in rows)
    assert f"PostgreSQL {evidence['postgresql']}, passed." in tree.text()
    locks = rows[0].find_all("td")[3].text()
    assert locks == "SHARE ROW EXCLUSIVE public.legacy_item"  # the strongest mode per table only


def test_no_section_without_cited_evidence() -> None:
    pages = render_pages(check(EXAMPLE))
    assert "Dry run on PostgreSQL" not in runbook_of(pages, "phase-1-step-windows")


def test_mariadb_evidence_is_named_for_its_server(tmp_path: Path) -> None:
    """The MySQL-dialect dry run keys its evidence by "mariadb": the runbook names that server and its
    version, never "PostgreSQL ?"."""
    import shutil

    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(EXAMPLE / name, root / name)
    path = root / "releases/evidence/2026-12-phase-3-question-bank.dry-run.json"
    evidence = json.loads(path.read_text())
    evidence["mariadb"] = "10.11.19-MariaDB-0+deb12u1"
    del evidence["postgresql"]
    path.write_text(json.dumps(evidence))
    text = dom(runbook_of(render_pages(check(root)), "phase-3-question-bank")).text()
    assert "Dry run on MariaDB" in text and "MariaDB 10.11.19-MariaDB-0+deb12u1, passed." in text
    assert "PostgreSQL" not in text.split("Dry run on MariaDB", 1)[1].split("Migration", 1)[0]
