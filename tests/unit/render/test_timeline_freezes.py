"""The dashboard's timeline shades the policy's change freezes (issue 15, "The change calendar").

On a copy of the example project (its policy carries the winter freeze): the band sits where the freeze is
on the axis, across every row, numbered and named in the caption; a freeze the axis does not reach and one
nobody can read are not drawn; the same project renders the same bytes twice.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from fes_docs.check import check
from fes_docs.render import render_pages

ROOT = Path(__file__).parents[3]


def _example(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "p"
    for name in ("releases", "service"):
        shutil.copytree(ROOT / name, root / name)
    if extra:
        policy = root / "releases" / "policy.yaml"
        policy.write_text(policy.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return root


def _windows_svg(root: Path) -> tuple[str, str]:
    page = render_pages(check(root, today="2026-12-01"))["index.md"]
    svg = page[page.index("<svg") : page.index("</svg>")]
    caption = page[page.index("<figcaption>") : page.index("</figcaption>")]
    return svg, caption


def test_the_winter_freeze_is_a_band_across_the_rows_between_its_neighbours(tmp_path: Path) -> None:
    svg, caption = _windows_svg(_example(tmp_path))
    (band,) = re.findall(r'<rect x="([\d.]+)" y="28" width="([\d.]+)" height="(\d+)" fill="#e0e0e0"', svg)
    bars = {
        m.group(2): float(m.group(1))
        for m in re.finditer(r'<rect x="([\d.]+)" y="\d+" width="[\d.]+" height="12" rx="2" fill="(#[0-9a-f]+)"', svg)
    }
    x = float(band[0])
    assert bars["#00b8d4"] < x < bars["#9e9e9e"]  # after the approved 12-08 window, before the 02-16 draft
    assert int(band[2]) == 6 * 22 + 6  # five release rows, the freezes row, the axis gap
    assert "❄ 1" in svg and ">freezes</text>" in svg
    assert "1: 2026-12-19 00:00 → 2027-01-05 00:00 (staging, production) winter exam session" in caption


def test_freezes_off_the_axis_or_unreadable_are_not_drawn_and_the_picture_is_deterministic(tmp_path: Path) -> None:
    extra = (
        "  - {start: 2030-01-01T00:00:00Z, end: 2030-01-02T00:00:00Z, reason: far away}\n"
        "  - {start: 2026-02-30T00:00:00Z, end: 2026-12-31T00:00:00Z, reason: no such day}\n"
        '  - {start: 2026-08-01T00:00:00+02:00, end: 2026-08-02T00:00:00+02:00, reason: "<b>summer</b>"}\n'
    )
    root = _example(tmp_path, extra)
    svg, caption = _windows_svg(root)
    assert svg.count('fill="#e0e0e0"') == 2 and "❄ 1" in svg and "❄ 4" in svg
    assert "far away" not in caption and "no such day" not in caption
    assert "4: 2026-07-31 22:00 → 2026-08-01 22:00 (all environments) &lt;b&gt;summer&lt;/b&gt;" in caption
    assert _windows_svg(root) == (svg, caption)
