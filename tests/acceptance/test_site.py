"""Real `mkdocs build --strict` (and `properdocs build --strict`) runs on copies of the example project.

Assertions read the built HTML through a parser (htmldom), never by grepping strings, and take their
expectations from the release files themselves (read with plain PyYAML).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from gitrepo import REPO, copy_example
from htmldom import Node, parse

FIXTURES = REPO / "tests" / "fixtures" / "site"


def build(project: Path, *args: str, tool: str = "mkdocs") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", tool, "build", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def overlay(project: Path, defect: str) -> Path:
    """Copy a broken fixture's files over the example copy (each fixture folder is named for its defect)."""
    shutil.copytree(FIXTURES / defect, project, dirs_exist_ok=True)
    return project


def records(project: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((project / "releases").glob("*.yaml")):
        if path.name != "policy.yaml":
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            out[data["id"]] = data
    return out


def page(site: Path, url: str) -> Node:
    return parse((site / url / "index.html").read_text(encoding="utf-8"))


def article(doc: Node) -> Node:
    return doc.find("article")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_example(tmp_path_factory.mktemp("site") / "project")
    proc = build(project, "--strict")
    assert proc.returncode == 0, proc.stderr
    (project / "build.log").write_text(proc.stderr, encoding="utf-8")
    return project


def test_every_link_to_a_rule_lands_on_its_rule(built: Path) -> None:
    """The example's mkdocs.yml has ``validation: anchors: warn``, so the strict build above fails on a
    link whose anchor MkDocs cannot see; the rule ids are attr_list ids it sees (a raw ``<a id>`` it did
    not: an INFO line per link, a failed build with the setting). And each linked id is on the page."""
    assert "does not contain an anchor" not in (built / "build.log").read_text(encoding="utf-8")
    rules = page(built / "site", "releases/rules")
    ids = {n.attrs.get("id") for n in rules.find_all("code")}
    linked = {
        a.attrs["href"].split("#", 1)[1]
        for a in page(built / "site", "releases/2026-09-phase-2-pdf-lifecycle").find_all("a")
        if "rules/#fes" in a.attrs.get("href", "")
    }
    assert linked and linked <= ids, linked - ids


def test_every_release_has_a_runbook_and_a_rollback_page(built: Path) -> None:
    recs = records(built)
    assert recs
    for rid, rec in recs.items():
        runbook = article(page(built / "site", f"releases/{rid}"))
        assert runbook.find("h1").text().rstrip("¶") == rec["title"]
        rollback = article(page(built / "site", f"releases/{rid}/rollback"))
        assert rollback.find("h1").text().rstrip("¶") == f"Rollback: {rec['title']}"


def test_rollback_pages_start_with_the_property_lines(built: Path) -> None:
    for rid, rec in records(built).items():
        rollback = article(page(built / "site", f"releases/{rid}/rollback"))
        flags = [f["name"] for f in rec.get("flags", [])]
        if flags and rec["status"] != "rolled-back":  # a rolled-back release's flag is its re-attempt's now
            assert rollback.find("code").text().strip().splitlines() == [f"{name}=false" for name in flags]
        assert rec["artifact"]["last_known_good"] in rollback.text()


def test_runbook_has_the_flyway_query(built: Path) -> None:
    rid = next(iter(records(built)))
    codes = [c.text() for c in article(page(built / "site", f"releases/{rid}")).find_all("code")]
    assert any("FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 20;" in c for c in codes)


def test_dashboard_has_one_row_per_release(built: Path) -> None:
    recs = records(built)
    dash = article(page(built / "site", "releases"))
    rows = [tr for tr in dash.find_all("tr") if tr.find_all("td")]
    assert len(rows) == len(recs)
    linked = [[a.attrs["href"] for a in tr.find_all("td")[1].find_all("a")] for tr in rows]
    assert [links[0].rstrip("/") for links in linked] == sorted(recs, key=lambda r: str(recs[r]["window"]["start"]))
    assert all(links[1] == links[0] + "rollback/" for links in linked)
    assert [b.text() for b in dash.find_all("span", cls="fes-status")] == [
        recs[links[0].rstrip("/")]["status"] for links in linked
    ]
    assert [n.text() for n in dash.find_all("span", cls="fes-current")] == ["▶ next"]
    figures = dash.find_all("figure", cls="fes-figure")
    assert len(figures) == 2 and all(f.find("svg") for f in figures)
    flags = article(page(built / "site", "releases/flags"))
    assert flags.find_all("figure", cls="fes-figure")


def test_overview_runbook_and_rollback_pages_are_in_the_nav_by_phase(built: Path) -> None:
    doc = page(built / "site", "releases/flags")
    nav = doc.find("nav", cls="md-nav--primary")
    paths = {urljoin("http://site/releases/flags/", a.attrs["href"]) for a in nav.find_all("a") if "href" in a.attrs}
    assert {f"http://site/releases/{p}/" for p in ("flags", "migrations", "rules", "problems")} <= paths
    assert "http://site/releases/" in paths
    recs = records(built)
    for rid in recs:
        assert {f"http://site/releases/{rid}/", f"http://site/releases/{rid}/rollback/"} <= paths
    assert {f"http://site/releases/phases/{r['phase']}/" for r in recs.values()} <= paths
    labels = [lab.text().strip() for lab in nav.find_all("label")]
    assert {f"Phase {r['phase']}" for r in recs.values()} <= set(labels)  # one collapsible section per phase


def test_nothing_is_written_into_docs(built: Path) -> None:
    assert not (built / "docs" / "releases").exists()


def test_two_builds_are_byte_identical(built: Path) -> None:
    again = build(built, "--strict", "-d", "site-again")
    assert again.returncode == 0, again.stderr
    first = {p.relative_to(built / "site"): p.read_bytes() for p in (built / "site").rglob("*") if p.is_file()}
    second = {
        p.relative_to(built / "site-again"): p.read_bytes() for p in (built / "site-again").rglob("*") if p.is_file()
    }
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_properdocs_builds_the_same_site(built: Path) -> None:
    proc = build(built, "--strict", "-f", "mkdocs.yml", "-d", "site-properdocs", tool="properdocs")
    assert proc.returncode == 0, proc.stderr
    for rid in records(built):
        assert (built / "site-properdocs" / "releases" / rid / "rollback" / "index.html").is_file()


def test_error_finding_fails_strict_build_naming_file_and_line(example: Path) -> None:
    project = overlay(example, "approved-with-open-checklist")
    bad = project / "releases" / "2099-01-approved-with-open-checklist.yaml"
    proc = build(project, "--strict")
    assert proc.returncode == 1
    assert f"releases/{bad.name}:{line_of(bad, '{id: alerting-dashboards')}:" in proc.stderr
    assert "Aborted with" in proc.stdout + proc.stderr


def test_plain_build_writes_the_site_and_still_fails(example: Path) -> None:
    project = overlay(example, "approved-with-open-checklist")
    proc = build(project)
    assert proc.returncode == 1
    assert "fail the build" in proc.stderr
    runbook = article(page(project / "site", "releases/2099-01-approved-with-open-checklist"))
    dangers = [d for d in runbook.find_all("div", cls="danger") if "FES104" in d.text()]
    assert dangers and "alerting-dashboards" in dangers[0].text()


def test_unreadable_release_file_is_named_and_listed(example: Path) -> None:
    project = overlay(example, "unparseable-yaml")
    proc = build(project, "--strict")
    assert proc.returncode == 1
    assert "releases/2026-06-unparseable-yaml.yaml:" in proc.stderr
    shown = build(project, "-d", "site-shown")  # a plain build still writes the pages showing the error
    assert shown.returncode == 1
    problems = article(page(project / "site-shown", "releases/problems"))
    assert "releases/2026-06-unparseable-yaml.yaml" in [h.text().rstrip("¶") for h in problems.find_all("h3")]


def test_script_in_a_title_shows_as_text(example: Path) -> None:
    project = overlay(example, "script-in-title")
    proc = build(project, "--strict")
    assert proc.returncode == 0, proc.stderr
    rec = records(project)["2026-06-script-in-title"]
    for url in ("releases/2026-06-script-in-title", "releases/2026-06-script-in-title/rollback", "releases"):
        doc = page(project / "site", url)
        for node in doc.iter():
            assert not (node.tag == "script" and "alert" in node.text()), url
            assert node.tag != "img" or "onerror" not in node.attrs, url
            assert not any(k.startswith("on") for k in node.attrs), (url, node.tag)
    runbook = page(project / "site", "releases/2026-06-script-in-title")
    assert article(runbook).find("h1").text().rstrip("¶") == rec["title"]
    assert runbook.find("title").text() == f"{rec['title']} - FES releases"
    dash_links = [a.text() for a in article(page(project / "site", "releases")).find_all("a")]
    assert rec["title"] in dash_links


def test_missing_policy_fails_with_a_reason(example: Path) -> None:
    (example / "releases" / "policy.yaml").unlink()
    proc = build(example, "--strict")
    assert proc.returncode == 1
    assert "no policy file" in proc.stderr


def test_warnings_fail_only_when_asked(example: Path) -> None:
    project = overlay(example, "draft-with-open-checklist")
    assert build(project, "--strict").returncode == 0  # warnings are shown on the pages, not fatal
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "strict_warnings: false" in text
    config.write_text(text.replace("strict_warnings: false", "strict_warnings: true"), encoding="utf-8")
    proc = build(project, "--strict")
    assert proc.returncode == 1
    assert "releases/2099-02-draft-with-open-checklist.yaml:8:27: FES104" in proc.stderr


def test_serve_survives_a_broken_release_file(example: Path) -> None:
    """`mkdocs serve` watches the releases folder (outside docs/) and shows a broken file instead of dying."""
    import socket
    import threading
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=example,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()

    def fetch(url: str) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{url}", timeout=5) as r:
                return str(r.read().decode("utf-8"))
        except OSError:
            return None

    def wait_for(predicate: Any, seconds: float = 60) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if predicate():
                return True
            if proc.poll() is not None:
                return False
            time.sleep(0.3)
        return False

    bad = "2026-06-unparseable-yaml.yaml"
    try:
        assert wait_for(lambda: fetch("releases/") is not None), "".join(log)
        shutil.copy(FIXTURES / "unparseable-yaml" / "releases" / bad, example / "releases" / bad)

        def shows_problem() -> bool:
            html = fetch("releases/problems/")
            return html is not None and f"releases/{bad}" in [h.text().rstrip("¶") for h in parse(html).find_all("h3")]

        assert wait_for(shows_problem), "".join(log)
        assert proc.poll() is None, "serve exited"
        # fixing the file recovers: it leaves the problems page and gets its runbook
        stem = bad.removesuffix(".yaml")
        (example / "releases" / bad).write_text(
            f"id: {stem}\ntitle: Fixed\nphase: 9\nstatus: draft\n"
            "owners: {engineering: alice, database: bob, on_call: carol, product: dave, rollback: erin}\n"
            "checklist: [{id: db-backup, done: false}, {id: flyway-dry-run, done: false},\n"
            "  {id: openapi-docs-updated, done: false}, {id: alerting-dashboards, done: false},\n"
            "  {id: rollback-owner, done: false}]\n"
        )

        def recovered() -> bool:
            html = fetch("releases/problems/")
            return (
                html is not None
                and f"releases/{bad}" not in [h.text().rstrip("¶") for h in parse(html).find_all("h3")]
                and fetch(f"releases/{stem}/") is not None
            )

        assert wait_for(recovered), "".join(log)
        # breaking it again keeps its page (no 404): the page says the record cannot be read
        shutil.copy(FIXTURES / "unparseable-yaml" / "releases" / bad, example / "releases" / bad)

        def keeps_page() -> bool:
            html = fetch(f"releases/{stem}/")
            if html is None:
                return False
            dangers = [d.text() for d in parse(html).find_all("div", cls="danger")]
            return any("could not be read" in d for d in dangers)

        assert wait_for(keeps_page), "".join(log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_minimal_mkdocs_yml_renders_the_boxes(example: Path) -> None:
    """A mkdocs.yml naming only the theme and the plugin: the plugin enables the extensions it needs."""
    (example / "mkdocs.yml").write_text(
        "site_name: minimal\ntheme:\n  name: material\nplugins:\n  - fes-docs\n", encoding="utf-8"
    )
    proc = build(example, "--strict")
    assert proc.returncode == 0, proc.stderr
    for rid, rec in records(example).items():
        doc = article(page(example / "site", f"releases/{rid}/rollback"))
        assert not any(p.text().startswith("!!!") for p in doc.find_all("p")), rid
        if rec.get("flags") and rec["status"] != "rolled-back":  # its flag is its re-attempt's now
            assert doc.find("code").text().strip().splitlines() == [f"{f['name']}=false" for f in rec["flags"]]
        runbook = article(page(example / "site", f"releases/{rid}"))
        assert runbook.find_all("div", cls="admonition")
        assert runbook.find_all("input", type="checkbox")
    dash = article(page(example / "site", "releases"))
    assert all("md-button" in a.classes for a in dash.find_all("a") if a.text() == "Rollback")
    assert (example / "site" / "releases" / "fes-docs.css").is_file()


def test_minimal_mkdocs_yml_with_a_conflicting_extension_stops_naming_it(example: Path) -> None:
    (example / "mkdocs.yml").write_text(
        "site_name: minimal\ntheme:\n  name: material\nplugins:\n  - fes-docs\n"
        "markdown_extensions:\n  - pymdownx.magiclink\n",
        encoding="utf-8",
    )
    proc = build(example, "--strict")
    assert proc.returncode == 1
    assert "pymdownx.magiclink" in proc.stderr
