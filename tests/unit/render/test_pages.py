"""The pages of the render fixture projects, rendered to HTML with the site's extensions and inspected."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from renderhelp import FIXTURES, dom, split_front_matter

from fes_docs.check import Result, check_project
from fes_docs.findings import Finding
from fes_docs.render import OVERVIEW_PAGES, render_pages
from fes_docs.render.blocks import FLYWAY_HISTORY_QUERY
from fes_docs.render.escape import one_line
from fes_docs.rules import CATALOGUE
from fes_docs.signoffs import release_digest
from fes_docs.summary import migrations_json


def records(project: str) -> dict[str, dict[str, Any]]:
    """The release files of a fixture project read independently of fes-docs (plain PyYAML)."""
    out = {}
    for path in sorted((FIXTURES / project / "releases").glob("*.yaml")):
        if path.name == "policy.yaml":
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        out[data["id"]] = data
    return out


def file_findings(result: Result, release_id: str) -> list[Finding]:
    return [f for f in result.findings if f.loc.file == f"releases/{release_id}.yaml"]


@pytest.fixture(scope="module")
def pages(project_result: Result) -> dict[str, str]:
    return render_pages(project_result)


@pytest.fixture(scope="module")
def hostile_pages(hostile_result: Result) -> dict[str, str]:
    return render_pages(hostile_result)


def test_every_release_has_a_runbook_and_a_rollback_page(pages: dict[str, str]) -> None:
    expected = {p for _, p in OVERVIEW_PAGES}
    for rid in records("project"):
        expected |= {f"{rid}/index.md", f"{rid}/rollback.md"}
    expected |= {f"phases/{r['phase']}/index.md" for r in records("project").values()}
    assert set(pages) == expected


def test_pages_do_not_depend_on_load_order(project_result: Result, pages: dict[str, str]) -> None:
    original = project_result.project.releases
    for seed in range(3):
        shuffled = list(original)
        random.Random(seed).shuffle(shuffled)
        project_result.project.releases = shuffled
        try:
            assert render_pages(project_result) == pages
        finally:
            project_result.project.releases = original
    assert render_pages(check_project(project_result.project)) == pages


def test_dashboard_is_one_table_in_window_order(project_result: Result, pages: dict[str, str]) -> None:
    recs = records("project")
    root = dom(pages["index.md"])
    assert len(root.find_all("table")) == 1
    rows = [tr for tr in root.find_all("tr") if tr.find_all("td")]
    assert len(rows) == len(recs)
    roles = project_result.project.policy.owner_roles
    header = [th.text() for th in root.find("tr").find_all("th")]
    assert header == ["Window", "Release", "Phase", "Status", "Sign-offs", "Checklist", "Findings"]
    order = []
    for tr in rows:
        cells = tr.find_all("td")
        links = cells[1].find_all("a")
        rid = links[-2].attrs["href"].split("/")[0]
        order.append(rid)
        rec = recs[rid]
        by_header = {h: c for h, c in zip(header, cells, strict=True)}
        assert links[-2].text() == rec["title"]
        assert links[-1].text() == "Rollback" and links[-1].attrs["href"] == f"{rid}/rollback.md"
        assert "md-button" in links[-1].classes
        badge = by_header["Status"].find("span", cls="md-tag")
        assert badge.text() == rec["status"] and f"fes-status--{rec['status']}" in badge.classes
        assert by_header["Phase"].text() == str(rec["phase"])
        blocking = sum(1 for f in file_findings(project_result, rid) if f.blocking)
        assert by_header["Findings"].text().startswith(f"{blocking} blocking")
        done = sum(1 for c in rec["checklist"] if c["done"])
        assert by_header["Checklist"].text() == f"{done}/5"
        current = release_digest(next(r for r in project_result.project.releases if r.key == rid))
        signed = {s["role"] for s in rec.get("signoffs", [])}
        bound = {s["role"] for s in rec.get("signoffs", []) if s.get("digest") == current}
        lines = dict(line.split(": ", 1) for line in by_header["Sign-offs"].text_lines())
        for role in roles:
            if role in bound:
                assert lines[role] == "✓ signed"
            elif role in signed:  # stale, unbound or malformed: never shown as signed (validate's verdict)
                assert lines[role] != "✓ signed" and lines[role].split()[0] in ("✗", "⚠")
            elif rec["status"] in ("approved", "in-progress", "released", "rolled-back"):
                assert lines[role] == "✗ missing"
            else:
                assert lines[role] in ("not required yet", "not required")
    assert order == sorted(recs, key=lambda r: str(recs[r]["window"]["start"]))
    assert any(not tr.find_all("td")[-1].text().startswith("0 blocking") for tr in rows), (
        "fixture has a blocked release"
    )
    assert len(root.find_all("span", cls="fes-current")) <= 1


def test_runbook_sections_follow_the_deployment(pages: dict[str, str]) -> None:
    root = dom(pages["2026-01-alpha/index.md"])
    assert [h.text() for h in root.find_all("h2")] == [
        "Owners and sign-offs (§8)",
        "Pre-deployment checklist (§3)",
        "Rollout (§2)",
        "Backfills (§4.4, §4.5)",
        "Post-deploy validation (§7)",
        "Incident playbook (§6)",
        "Incidents (§6.6)",
    ]
    steps = [h.text() for h in root.find_all("h3")]
    assert steps[:6] == [
        "1. Apply the schema migrations (§2.1)",
        "2. Deploy 2.0.0 with the flags off (§2.2)",
        "3. Enable in local",
        "4. Enable in test",
        "5. Enable in staging",
        "6. Enable in production (incremental)",
    ]


def test_runbook_migration_row_matches_the_migration_index(project_result: Result, pages: dict[str, str]) -> None:
    root = dom(pages["2026-01-alpha/index.md"])
    summary = {m["file"].rsplit("/", 1)[-1]: m for m in migrations_json(project_result.project)}
    table = next(t for t in root.find_all("table") if "Declared change" in t.text())
    cells = [td.text() for td in table.find_all("td")]
    m = summary["V1__create_alpha.sql"]
    assert cells == ["1", "V1__create_alpha.sql", "additive", m["sql_class"], "yes", str(m["checksum"])]


def test_runbook_production_steps_and_checklist(pages: dict[str, str]) -> None:
    rec = records("project")["2026-01-alpha"]
    root = dom(pages["2026-01-alpha/index.md"])
    steps = next(t for t in root.find_all("table") if "Step" in t.find("tr").text())
    targets = [tr.find_all("td")[2].text() for tr in steps.find_all("tr") if tr.find_all("td")]
    assert targets == [f"{p}\u00a0%" for p in rec["flags"][0]["rollout"]["production"]]
    boxes = [i for i in root.find_all("input") if i.attrs.get("type") == "checkbox"]
    checked = [i for i in boxes if "checked" in i.attrs]
    done_items = sum(1 for c in rec["checklist"] if c["done"])
    done_actions = sum(1 for i in rec["incidents"] for a in i["actions"] if a["status"] == "done")
    assert len(checked) == done_items + done_actions


def test_runbook_playbook_has_the_flyway_query_and_backfill_dry_run(pages: dict[str, str]) -> None:
    rec = records("project")["2026-01-alpha"]
    codes = [c.text().strip() for c in dom(pages["2026-01-alpha/index.md"]).find_all("code")]
    assert FLYWAY_HISTORY_QUERY in codes
    assert "flyway_schema_history" in FLYWAY_HISTORY_QUERY and "ORDER BY installed_rank DESC" in FLYWAY_HISTORY_QUERY
    assert rec["backfills"][0]["dry_run_sql"] in codes


def test_findings_are_admonitions_with_location(project_result: Result, pages: dict[str, str]) -> None:
    for rid in records("project"):
        found = file_findings(project_result, rid)
        root = dom(pages[f"{rid}/index.md"])
        boxes = [d for d in root.find_all("div", cls="admonition") if d.find_all("p", cls="admonition-title")]
        by_kind = {k: [b for b in boxes if k in b.classes] for k in ("danger", "warning", "note")}
        assert len(by_kind["danger"]) == sum(1 for f in found if f.blocking)
        assert len(by_kind["warning"]) == sum(1 for f in found if f.severity == "warning" and not f.waived)
        assert len(by_kind["note"]) == sum(1 for f in found if f.waived)
        titles = [b.find("p", cls="admonition-title").text() for b in boxes]
        for f in found:
            assert any(f"{f.rule} · " in t and f"{f.loc.file}:{f.loc.line}:{f.loc.column}" in t for t in titles)


def test_waived_finding_shows_the_reason(pages: dict[str, str]) -> None:
    reason = records("project")["2026-01-alpha"]["waivers"][0]["reason"]
    notes = dom(pages["2026-01-alpha/index.md"]).find_all("div", cls="note")
    assert notes and all(reason in n.text() for n in notes)


def test_rollback_page_starts_with_the_flag_lines(pages: dict[str, str]) -> None:
    for rid, rec in records("project").items():
        root = dom(pages[f"{rid}/rollback.md"])
        first = root.find("code").text().strip().splitlines()
        assert first == [f"{f['name']}=false" for f in rec.get("flags", [])] or not rec.get("flags")
        text = root.text()
        # the box names what the release created; a release without migrations created nothing
        assert ("Do not drop the new tables or columns" in text) == bool(rec.get("migrations")), rid
        assert rec["owners"]["rollback"] in text and rec["owners"]["on_call"] in text
        lkg = rec["artifact"].get("last_known_good")
        if lkg:
            assert f"re-deploy {lkg}" in text
        else:
            assert "No last known good artifact recorded" in text


def test_rollback_database_plans(pages: dict[str, str]) -> None:
    alpha = dom(pages["2026-01-alpha/rollback.md"]).text()
    assert "Plan: forward-fix" in alpha
    beta_rec = records("project")["2026-02-beta"]
    beta = dom(pages["2026-02-beta/rollback.md"]).text()
    snapshot = next(c["evidence"] for c in beta_rec["checklist"] if c["id"] == "db-backup")
    assert "Plan: restore the pre-release snapshot" in beta and snapshot in beta


def test_flags_overview(project_result: Result, pages: dict[str, str]) -> None:
    root = dom(pages["flags.md"])
    assert [h.text() for h in root.find_all("h2")] == project_result.project.policy.flags
    assert "No release rolls this flag out." in root.text()
    rows = {
        tr.find_all("td")[0].text(): [td.text() for td in tr.find_all("td")]
        for tr in root.find_all("tr")
        if tr.find_all("td")
    }
    assert rows["2026-01-alpha"][-1] == "10 → 50 → 100\u00a0%"
    assert rows["2026-02-beta"][2:] == ["100\u00a0%", "50\u00a0%", "off", "off"]


def test_migrations_overview_lists_every_file(project_result: Result, pages: dict[str, str]) -> None:
    files = sorted(p.name for p in (FIXTURES / "project/service/db/migration").glob("*.sql"))
    root = dom(pages["migrations.md"])
    rows = [[td.text() for td in tr.find_all("td")] for tr in root.find_all("tr") if tr.find_all("td")]
    assert sorted(r[1].rsplit("/", 1)[-1] for r in rows) == files
    claimed = {m["file"] for rec in records("project").values() for m in rec.get("migrations", [])}
    for r in rows:
        name = r[1].rsplit("/", 1)[-1]
        assert (r[3] == "none") == (name not in claimed)


def test_rules_page_lists_the_catalogue(pages: dict[str, str]) -> None:
    root = dom(pages["rules.md"])
    ids = {c.attrs["id"] for c in root.find_all("code") if "id" in c.attrs}  # attr_list ids: MkDocs sees them
    assert {r.lower() for r in CATALOGUE} <= ids


def test_project_findings_page_has_what_no_release_page_shows(project_result: Result, pages: dict[str, str]) -> None:
    release_files = {f"releases/{rid}.yaml" for rid in records("project")}
    elsewhere = [f for f in project_result.findings if f.loc.file not in release_files and f.release is None]
    assert elsewhere, "the fixture has an unclaimed migration"
    text = dom(pages["problems.md"]).text()
    for f in elsewhere:
        assert f"{f.loc.file}:{f.loc.line}:{f.loc.column}" in text


# -- hostile input -----------------------------------------------------------------------------------


def test_hostile_text_never_becomes_markup(hostile_pages: dict[str, str]) -> None:
    for path, text in hostile_pages.items():
        root = dom(text)
        tags = {n.tag for n in root.iter()}
        assert not tags & {"script", "img", "b", "i", "iframe", "style"}, path
        for a in (a for a in root.find_all("a") if "href" in a.attrs):
            href = a.attrs["href"]
            # mailto: and tel: only for a policy contact that is a plain address or number (render/people.py)
            assert href.startswith(("#", "https://", "http://", "mailto:", "tel:")) or href.split("#")[0].endswith(
                ".md"
            ), (
                path,
                href,
            )
            assert "javascript" not in href and "evil" not in href
        for n in root.iter():
            assert not any(k.startswith("on") for k in n.attrs), (path, n.tag, n.attrs)


def test_hostile_title_shows_as_typed(hostile_pages: dict[str, str]) -> None:
    title = records("hostile")["2026-06-hostile"]["title"]
    page = hostile_pages["2026-06-hostile/index.md"]
    meta, _ = split_front_matter(page)
    assert "<" not in meta["title"] and "&lt;/title&gt;" in meta["title"]
    assert dom(page).find("h1").text() == one_line(title)
    assert dom(hostile_pages["2026-06-hostile/rollback.md"]).find("h1").text() == f"Rollback: {one_line(title)}"


def test_hostile_flag_names_stay_one_line_each(hostile_pages: dict[str, str]) -> None:
    flags = [f["name"] for f in records("hostile")["2026-06-hostile"]["flags"]]
    lines = dom(hostile_pages["2026-06-hostile/rollback.md"]).find("code").text().strip().splitlines()
    assert len(lines) == len(flags)
    assert lines[0] == f"{flags[0]}=false"
    assert lines[1].startswith("features.evil```") and lines[1].endswith("</script>=false")


def test_release_named_like_an_overview_gets_its_own_folder(hostile_pages: dict[str, str]) -> None:
    assert dom(hostile_pages["flags.md"]).find("h1").text() == "Feature flags"
    assert "flags-2/index.md" in hostile_pages and "flags/index.md" not in hostile_pages
    dashboard = dom(hostile_pages["index.md"])
    assert "flags-2/index.md" in {a.attrs.get("href") for a in dashboard.find_all("a")}


def test_unreadable_release_file_is_listed(hostile_result: Result, hostile_pages: dict[str, str]) -> None:
    bad = "releases/2026-07-unparseable.yaml"
    # it keeps its URL: both its pages say it cannot be read, with the findings
    for path in ("2026-07-unparseable/index.md", "2026-07-unparseable/rollback.md"):
        shown = dom(hostile_pages[path])
        assert "could not be read" in shown.find("div", cls="danger").text()
    problems = dom(hostile_pages["problems.md"])
    assert bad in [h.text() for h in problems.find_all("h3")]
    finding = next(f for f in hostile_result.findings if f.loc.file == bad)
    assert f"{bad}:{finding.loc.line}:{finding.loc.column}" in problems.text()
    banner = dom(hostile_pages["index.md"]).find("div", cls="danger")
    assert bad in banner.text()


def test_render_reads_no_clock_and_no_absolute_path(pages: dict[str, str]) -> None:
    blob = "\n".join(pages.values())
    assert str(Path(FIXTURES).resolve()) not in blob


def test_free_text_notes_and_backfill_command(pages: dict[str, str]) -> None:
    rec = records("project")["2026-01-alpha"]
    root = dom(pages["2026-01-alpha/index.md"])
    paragraphs = [p.text() for p in root.find_all("p")]
    first, second = rec["notes"].strip().split("\n\n")
    assert f"Notes: {first}" in paragraphs and second in paragraphs
    assert rec["backfills"][0]["command"] in [c.text().strip() for c in root.find_all("code")]
    assert rec["rollback"]["notes"] in dom(pages["2026-01-alpha/rollback.md"]).text()
