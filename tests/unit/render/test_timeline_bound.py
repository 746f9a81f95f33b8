"""The timeline draws a bounded picture: the 40 releases around the next one, however many there are."""

from __future__ import annotations

import sys
from pathlib import Path

from fes_docs.check import check
from fes_docs.render import render_pages
from fes_docs.render.timeline import MAX_RELEASES

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))
from generate import generate  # noqa: E402


def test_a_hundred_releases_draw_forty_and_say_how_many_more(tmp_path: Path) -> None:
    root = generate(tmp_path / "p", 100)
    pages = render_pages(check(root))
    dashboard = pages["index.md"]
    svg = dashboard[dashboard.index("<svg") : dashboard.index("</svg>")]
    labels = [part.split("<", 1)[0] for part in svg.split('<text x="4" ')[1:]]  # one label per drawn release
    assert len(labels) == MAX_RELEASES, labels
    # all 100 have shipped: the most recent 40 are drawn
    assert labels[0].endswith("Release 60: module 60…") and labels[-1].endswith("Release 99: module 99…"), labels
    assert f"Showing the {MAX_RELEASES} releases around the next one; 60 more are in the table." in dashboard
    # the table still lists every release
    assert sum(1 for i in range(100) if f"release-{i:05d}" in dashboard.replace("\\-", "-")) == 100
