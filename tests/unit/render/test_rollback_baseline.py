"""The rollback page's "do not drop" list leaves out what Flyway's baseline says was there before: the
baseline read as the dry run reads it, the policy's ``flyway:`` over ``flyway.conf``."""

from __future__ import annotations

import shutil
from pathlib import Path

from fes_docs.check import check
from fes_docs.render import render_pages

EXAMPLE = Path(__file__).parents[3]
RELEASE = "phase-3-question-bank"


def _rollback(root: Path) -> str:
    pages = render_pages(check(root))
    return next(text for path, text in pages.items() if RELEASE in path and path.endswith("rollback.md"))


def _do_not_drop(page: str) -> str:
    return (
        page.split("Do not drop the new tables or columns", 1)[1].split("\n\n", 2)[1] if "Do not drop" in page else ""
    )


def test_a_baseline_in_flyway_conf_counts_as_the_dry_run_counts_it(tmp_path: Path) -> None:
    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(EXAMPLE / name, root / name)
    listed = _do_not_drop(_rollback(root))
    assert "table question," in listed and "question\\_pool\\_member" in listed, listed  # V6, V7 create them
    (root / "flyway.conf").write_text("flyway.baselineVersion=6\n")
    now = _do_not_drop(_rollback(root))
    assert "table question," not in now and "question\\_pool\\_member" in now, now  # V6 is below the baseline
