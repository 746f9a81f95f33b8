"""The runbook never lies (issue 13, "What must be true"): one real `mkdocs build --strict` of the example
project, with a policy that says how flags are switched and artifacts deployed, and one record that lists a
flag it never raises. Assertions read the visible text and links of the built HTML (htmldom).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import copy_example
from htmldom import Node
from test_site import article, build, page

from fes_docs.signing import sign

OPS = (
    "operations:\n"
    '  flag_off: "fesctl flags set {flag}=false --env production"\n'
    '  deploy: "fesctl deploy fes-service:{version} --env production"\n'
)
QB = "2026-12-phase-3-question-bank"
IDLE = "  - name: features.enable-step-windows\n    rollout: {local: 0, test: 0, staging: 0, production: []}\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_example(tmp_path_factory.mktemp("truth") / "project")
    policy = project / "releases" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + OPS, encoding="utf-8")
    record = project / "releases" / f"{QB}.yaml"
    text = record.read_text(encoding="utf-8")
    assert text.count("\nendpoints:\n") == 1
    record.write_text(text.replace("\nendpoints:\n", "\n" + IDLE + "endpoints:\n"), encoding="utf-8")
    for role, by in (("engineering", "grace"), ("database", "heidi"), ("on_call", "carol"), ("product", "dave")):
        sign(project, QB, role, by, "2026-11-30")
    proc = build(project, "--strict")
    assert proc.returncode == 0, proc.stderr
    return project / "site"


def rollback_of(site: Path, rid: str) -> Node:
    return article(page(site, f"releases/{rid}/rollback"))


def runbook_of(site: Path, rid: str) -> Node:
    return article(page(site, f"releases/{rid}"))


def codes(node: Node) -> list[str]:
    return [c.text() for c in node.find_all("code")]


def hrefs(node: Node) -> list[str]:
    return [a.attrs.get("href", "") for a in node.find_all("a")]


def first_screen(node: Node) -> str:
    """The text before the database section: what an on-call reader sees first."""
    return node.text().split("3. Database")[0]


def test_a_flag_never_raised_is_never_switched_off(site: Path) -> None:
    page_ = rollback_of(site, QB)
    lines = "\n".join(codes(page_))
    assert "features.enable-question-bank=false" in lines
    assert "features.enable-step-windows" not in lines
    runbook = runbook_of(site, QB)
    assert "features.enable-step-windows is listed but never enabled; remove it" in runbook.text()
    assert "features.enable-step-windows=false" not in "\n".join(codes(runbook))


def test_a_flag_a_later_release_owns_is_left_alone(site: Path) -> None:
    old = rollback_of(site, "2026-09-phase-2-pdf-lifecycle")
    assert not any("enable-pdf-lifecycle=false" in c for c in codes(old))
    text = " ".join(old.text().split())
    assert "Leave features.enable-pdf-lifecycle as it is" in text and "owns it now" in text
    assert "../../2026-10-phase-2-pdf-lifecycle/rollback/" in hrefs(old)
    current = " ".join(rollback_of(site, "2026-10-phase-2-pdf-lifecycle").text().split())
    assert "features.enable-pdf-lifecycle is raised by 2 releases" in current
    assert "its current owner is this release" in current


def test_old_pages_say_they_are_old(site: Path) -> None:
    for node in (rollback_of(site, "2026-07-phase-1-step-windows"), runbook_of(site, "2026-07-phase-1-step-windows")):
        text = " ".join(node.text().split())
        assert "Superseded: 2026-10-phase-2-pdf-lifecycle is the release in production now" in text
        assert "Do not roll back to this release's last known good — use 2026-10-phase-2-pdf-lifecycle's" in text
    superseded = " ".join(rollback_of(site, "2026-07-phase-1-step-windows").text().split())
    assert "Do not re-deploy 4.0.7" in superseded and "re-deploy 4.0.7" not in superseded.replace("Do not re-", "")
    rolled = " ".join(rollback_of(site, "2026-09-phase-2-pdf-lifecycle").text().split())
    assert "Already rolled back" in rolled and "rolled back on 2026-09-16 (incident INC-1042)" in rolled
    assert "Re-attempted as 2026-10-phase-2-pdf-lifecycle" in rolled
    assert "Current: this release is in production" in rollback_of(site, "2026-10-phase-2-pdf-lifecycle").text()
    draft = " ".join(runbook_of(site, "2027-02-phase-4-notification-rule-engine").text().split())
    assert "Status draft: never deployed" in draft


def test_the_truth_about_the_database(site: Path) -> None:
    destructive = " ".join(rollback_of(site, "2027-02-phase-4-notification-rule-engine").text().split())
    assert "V9__drop_legacy_certificate_print_cache.sql cannot be undone" in destructive
    assert "is the only way back" in destructive or "there is no way back" in destructive
    assert "table notification_rule" in destructive and "certificate" not in destructive.split("What this")[1]
    baseline = " ".join(rollback_of(site, "2026-07-phase-1-step-windows").text().split())
    kept = baseline.split("What this release created stays:")[1].split(".")[0]
    assert "step_window" in kept and "candidate" not in kept  # V1 is the legacy baseline: not this release's


def test_people_are_reachable_from_the_first_screen(site: Path) -> None:
    node = rollback_of(site, "2026-10-phase-2-pdf-lifecycle")
    screen = " ".join(first_screen(node).split())
    assert "On-call escalation: carol" in screen
    assert "pager: PagerDuty: FES primary on-call" in screen and "phone: +44 20 7946 0321" in screen
    assert "mailto:carol@fes.example.org" in hrefs(node) and "tel:+442079460321" in hrefs(node)
    assert "mailto:erin@fes.example.org" in hrefs(runbook_of(site, "2026-10-phase-2-pdf-lifecycle"))


def test_how_to_act_the_commands_are_on_the_first_screen(site: Path) -> None:
    node = rollback_of(site, "2026-10-phase-2-pdf-lifecycle")
    screen = first_screen(node)
    assert "fesctl flags set features.enable-pdf-lifecycle=false --env production" in screen
    assert "fesctl deploy fes-service:4.1.2 --env production" in screen
    assert screen.index("Current: this release") < screen.index("fesctl flags set")
