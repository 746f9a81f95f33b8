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


SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
# Every generated table and code block, and the box that would scroll it; the pages carry .fes-page.
OVERFLOW_JS = """() => [...document.querySelectorAll(
    'article table, article .md-typeset__scrollwrap, article pre, article pre > code, article figure svg'
  )].filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right >
      document.querySelector('.md-content').getBoundingClientRect().right + 1)
  .map(e => `${e.tagName}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}: ${(e.innerText || '').slice(0, 50)}`)"""


def generated_pages(project: Path) -> list[str]:
    site = project / "site" / "releases"
    return sorted("/releases/" + str(p.parent.relative_to(site)).removeprefix(".") for p in site.rglob("index.html"))


@pytest.mark.parametrize("size", list(SIZES))
def test_nothing_is_wider_than_its_box(site: tuple[str, Path], browser: Any, size: str) -> None:
    """At 1400 x 900 and 390 x 844, no generated table, code block or picture is wider than its box."""
    base, project = site
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    clipped = {}
    urls = generated_pages(project)
    assert len(urls) >= 2 * len(releases(project)) + 5
    for url in urls:
        page.goto(f"{base}{url.rstrip('/')}/", wait_until="networkidle")
        assert page.locator("article .fes-page").count() == 1, url  # the stylesheet's marker
        assert page.locator("article table, article pre").count() > 0 or "phases" in url or url.endswith("problems")
        found = page.evaluate(OVERFLOW_JS)
        if found:
            clipped[url] = found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    rid = "2026-12-phase-3-question-bank"
    for name, url in (
        ("dashboard", "/releases/"),
        ("runbook", f"/releases/{rid}/"),
        ("rollback", f"/releases/{rid}/rollback/"),
    ):
        page.goto(f"{base}{url}", wait_until="networkidle")
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"), full_page=True)
    page.close()
    assert clipped == {}
    assert problems == []


def test_dashboard_reads_at_a_glance(site: tuple[str, Path], browser: Any) -> None:
    base, project = site
    page, problems = open_page(browser, f"{base}/releases/")
    current = page.locator("article tr", has=page.locator(".fes-current"))
    assert current.count() == 1
    assert current.locator(".fes-status").inner_text() == "approved"
    colours = {
        page.locator(".fes-status", has_text=status).first.evaluate("e => getComputedStyle(e).borderTopColor")
        for status in ("released", "rolled-back", "approved", "draft")
    }
    assert len(colours) == 4  # one colour per status
    rollback = page.get_by_role("link", name="Rollback").first
    box = rollback.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 44  # easy to hit
    assert page.locator("article figure svg").count() == 2
    assert page.locator("script:not([src])", has_text="svg").count() == 0
    # the sidebar holds one collapsed section per phase, with each release's runbook and rollback page
    nav = page.locator("nav.md-nav--primary")
    for phase in sorted({r["phase"] for r in releases(project).values()}):
        assert nav.locator("label", has_text=f"Phase {phase}").count() >= 1
    page.close()
    assert problems == []
