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


def test_a_file_named_baseline_is_not_taken_for_flyways_baseline(tmp_path: Path) -> None:
    """A migration whose description merely holds the word "baseline" creates tables like any other, and
    they stay in the "do not drop" box (one that is a baseline by its whole description, as the example's
    V1__legacy_baseline.sql, or at or below Flyway's baseline, describes what was there before)."""
    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(EXAMPLE / name, root / name)
    folder = root / "service" / "db" / "migration"
    old = next(folder.glob("V6__*.sql"))
    new = folder / "V6__add_baseline_questions.sql"
    old.rename(new)
    record = next((root / "releases").glob(f"*{RELEASE}.yaml"))
    record.write_text(record.read_text().replace(old.name, new.name))
    listed = _do_not_drop(_rollback(root))
    assert "table question," in listed, listed
