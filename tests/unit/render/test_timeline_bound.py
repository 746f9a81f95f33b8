"""The timeline draws a bounded picture: the 40 releases around the next one, however many there are."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from fes_docs.check import check
from fes_docs.render import render_pages
from fes_docs.render.timeline import MAX_MONTH_TICKS, MAX_RELEASES, _ticks

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


def test_windows_at_the_ends_of_the_calendar_draw_a_bounded_picture(tmp_path: Path) -> None:
    """A window in December 9999 crashed the page (the month after it is no date); one in year 1 beside it
    would have drawn 120,000 month ticks. Ticks stop at the calendar's end and go by year over long spans."""
    root = generate(tmp_path / "p", 2)
    records = sorted((root / "releases").glob("*-release-*.yaml"))
    text = records[-1].read_text()
    start = re.search(r"start: ([^,}]+)", text)
    end = re.search(r"end: ([^,}]+)", text)
    assert start and end
    text = text.replace(start.group(1), "9999-12-16T18:00:00Z").replace(end.group(1), "9999-12-16T21:00:00Z")
    records[-1].write_text(text)
    pages = render_pages(check(root))
    assert "<svg" in pages["index.md"]
    far = _ticks(datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC))
    assert 0 < len(far) <= 9999 and far[-1].year == 9999 and far[0].month == 1
    near = _ticks(datetime(2026, 3, 5, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    assert [t.month for t in near] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2] and len(near) <= MAX_MONTH_TICKS
