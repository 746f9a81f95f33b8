"""Load the built site in Debian's headless Chromium: no console errors, the key elements visible.

Screenshots are kept in tests/artifacts/ (git-ignored; CI uploads them) for a human to look at.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml
from gitrepo import REPO, copy_example
from test_site import build

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module", autouse=True)
def chromium(require: Callable[[str], NoReturn]) -> None:
    """Skips without Chromium on a developer's machine; fails under CI=true (tests/conftest.py)."""
    if not CHROMIUM.exists():
        require("Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    project = copy_example(tmp_path_factory.mktemp("browser") / "project")
    proc = build(project, "--strict")
    assert proc.returncode == 0, proc.stderr
    handler = functools.partial(_Quiet, directory=str(project / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", project
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(url, wait_until="networkidle")
    return page, problems


def releases(project: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((project / "releases").glob("*.yaml")):
        if path.name != "policy.yaml":
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            out[data["id"]] = data
    return out


def test_dashboard(site: tuple[str, Path], browser: Any) -> None:
    base, project = site
    page, problems = open_page(browser, f"{base}/releases/")
    recs = releases(project)
    rows = page.locator("article table tbody tr")
    assert rows.count() == len(recs)
    for i in range(rows.count()):
        assert rows.nth(i).is_visible()
    assert page.locator("article h1").inner_text().rstrip("¶ \n") == "Releases"
    assert page.get_by_role("link", name="Feature flags").first.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "dashboard-print.png"), full_page=True)
    assert rows.first.is_visible()  # the table survives print styles
    page.close()
    assert problems == []


def test_runbook_and_rollback(site: tuple[str, Path], browser: Any) -> None:
    base, project = site
    rid, rec = next(iter(releases(project).items()))
    page, problems = open_page(browser, f"{base}/releases/{rid}/")
    assert page.locator("article h1").inner_text().rstrip("¶ \n") == rec["title"]
    for heading in ("Pre-deployment checklist", "Rollout", "Post-deploy validation", "Incident playbook"):
        assert page.locator("article h2", has_text=heading).is_visible()
    query = page.locator("article pre code", has_text="flyway_schema_history")
    query.scroll_into_view_if_needed()
    assert query.is_visible()
    assert page.locator("article input[type=checkbox]").count() >= len(rec["checklist"])
    page.screenshot(path=str(ARTIFACTS / "runbook.png"), full_page=True)
    page.close()
    assert problems == []

    page, problems = open_page(browser, f"{base}/releases/{rid}/rollback/")
    code = page.locator("article pre code").first
    assert code.is_visible()
    assert code.inner_text().strip().splitlines() == [f"{f['name']}=false" for f in rec.get("flags", [])]
    assert page.locator("article .admonition.danger", has_text="Do not drop").is_visible()
    page.screenshot(path=str(ARTIFACTS / "rollback.png"), full_page=True)
    page.close()
    assert problems == []
