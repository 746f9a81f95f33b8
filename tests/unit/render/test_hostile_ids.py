"""A release id is the pull request's text too: it may hold HTML or a newline, and where it appears on
another release's page it must show as text and keep the page's structure.

The example project's 2026-10 release supersedes 2026-07, whose runbook and rollback page then name it in
a danger box's title; before, that title was the one place an id went unescaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import copy_example, edit
from renderhelp import dom

from fes_docs.check import check
from fes_docs.render import render_pages

LATER = "releases/2026-10-phase-2-pdf-lifecycle.yaml"
EARLIER = "2026-07-phase-1-step-windows"


@pytest.mark.parametrize("hostile", ["<img src=x onerror=alert(document.domain)>", "2026-10-phase-2-pdf-lifecycle\n"])
def test_a_hostile_id_is_text_on_the_page_that_names_it(tmp_path: Path, hostile: str) -> None:
    root = copy_example(tmp_path / "p")
    edit(root / LATER, "id: 2026-10-phase-2-pdf-lifecycle\n", f"id: {hostile!r}\n".replace("'", '"'))
    result = check(root)
    assert [f for f in result.findings if f.rule == "FES010" and f.loc.file == LATER and f.blocking], (
        "the schema refuses the id (a final newline included)"
    )
    pages = render_pages(result)
    for page in (f"{EARLIER}/index.md", f"{EARLIER}/rollback.md"):
        text = pages[page]
        assert "<img" not in text, page
        box = [line for line in text.splitlines() if line.startswith('!!! danger "Superseded:')]
        assert len(box) == 1 and box[0].endswith('is the release in production now"'), (page, box)
        assert "Superseded:" in dom(text).text()
