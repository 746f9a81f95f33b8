"""FES313 blames the release that breaks the version order, not the ones that keep it (issue 11 invariant 5).

A release that jumps the queue (deploys earlier with a higher version) used to make every later release
"wrong"; with `--changed-since`, the new record — the one the pull request adds — then showed nothing,
and the errors landed in old, untouched records. Records here are built in memory (no files needed: a
migration's version is read from its name) so a project of thousands costs only the rule itself.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fes_docs.document import Document
from fes_docs.model import Policy, Release
from fes_docs.project import Project
from fes_docs.rules import CATALOGUE, Hit


def record(rid: str, day: str, versions: list[str], status: str = "draft") -> Release:
    data = {
        "id": rid,
        "status": status,
        "window": {"start": f"{day}T18:00:00Z", "end": f"{day}T21:00:00Z"},
        "migrations": [{"file": f"V{v}__m.sql", "change": "additive", "idempotent": True} for v in versions],
    }
    return Release.from_doc(Document(f"releases/{rid}.yaml", data))


def order_hits(tmp_path: Path, releases: list[Release]) -> list[Hit]:
    project = Project(tmp_path, Policy.from_data({}), releases)
    check = CATALOGUE["FES313"].check
    assert check is not None
    return list(check(project))


def blamed(hits: list[Hit]) -> set[str]:
    return {h.loc.file.removeprefix("releases/").removesuffix(".yaml") for h in hits}


def test_a_queue_jumper_among_many_releases_is_the_only_one_blamed(tmp_path: Path) -> None:
    days = [f"2026-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 8, 15, 22)]
    rels = [record(f"r{i:03d}", day, [str(i + 1)]) for i, day in enumerate(days)]  # V1 .. V48, in order
    jumper = record("jumper", "2026-01-02", ["100"])  # second in line, highest version of all
    hits = order_hits(tmp_path, [*rels, jumper])
    assert blamed(hits) == {"jumper"} and len(hits) == 1
    assert "not below V2__m.sql of r001" in hits[0].message and hits[0].related


def test_a_late_release_with_a_low_version_is_blamed(tmp_path: Path) -> None:
    rels = [record("a", "2026-01-01", ["1"]), record("b", "2026-02-01", ["2"]), record("late", "2026-03-01", ["1.5"])]
    hits = order_hits(tmp_path, rels)
    assert blamed(hits) == {"late"} and "not above V2__m.sql of the earlier release b" in hits[0].message


def test_an_approved_release_is_kept_over_a_draft_it_clashes_with(tmp_path: Path) -> None:
    """One against one: the approved release is settled, the draft moves."""
    draft = record("draft", "2026-01-01", ["9"])
    approved = record("approved", "2026-02-01", ["5"], status="approved")
    assert blamed(order_hits(tmp_path, [draft, approved])) == {"draft"}
    # ... and without the approval, the later of two equal drafts is the one out of order
    other = record("other", "2026-02-01", ["5"])
    assert blamed(order_hits(tmp_path, [draft, other])) == {"other"}


def test_each_clashing_version_is_named_once(tmp_path: Path) -> None:
    rels = [
        record("a", "2026-01-01", ["1", "2"]),
        record("b", "2026-02-01", ["3", "9"]),
        record("c", "2026-03-01", ["4"]),
    ]
    hits = order_hits(tmp_path, rels)  # keeping a and c (and dropping b) or a and b (dropping c): equal; c is later
    assert blamed(hits) == {"c"} and len(hits) == 1


def test_thousands_in_order_yield_nothing_and_one_jumper_ahead_of_them_is_the_one_blamed(tmp_path: Path) -> None:
    first = date(2026, 1, 1)
    rels = [record(f"r{i:05d}", (first + timedelta(days=i)).isoformat(), [str(i + 1)]) for i in range(3000)]
    assert order_hits(tmp_path, rels) == []
    rels.insert(0, record("jumper", "2025-12-31", ["2999"]))  # ahead of all, above 2,998 of them
    hits = order_hits(tmp_path, rels)
    assert blamed(hits) == {"jumper"} and len(hits) == 1
