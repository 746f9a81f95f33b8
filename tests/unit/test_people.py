"""`people:` in both forms (a list of addresses, or {email, pager, phone}), read alike by every reader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fes_docs.codeowners import block
from fes_docs.errors import UsageError
from fes_docs.project import load_project
from fes_docs.signing import sign

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "rules" / "project"
BASELINE = (ROOT / "tests" / "fixtures" / "rules" / "cases" / "ok-approved.yaml").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    policy = root / "releases" / "policy.yaml"
    text = policy.read_text(encoding="utf-8").replace(
        "  carol: [carol@example.org]\n",
        '  carol: {email: carol@example.org, pager: "PD: primary", phone: "+1 555 0100"}\n',
    )
    policy.write_text(text, encoding="utf-8")
    record = BASELINE.replace("id: ok-approved", "id: rel").replace("product: dave", "product: zed")
    (root / "releases" / "rel.yaml").write_text(record, encoding="utf-8")
    return root


def test_the_mapping_form_reads_as_addresses_and_contacts(project: Path) -> None:
    policy = load_project(project).policy
    assert policy.people["carol"] == ["carol@example.org"]
    assert policy.contacts["carol"].pager == "PD: primary" and policy.contacts["carol"].phone == "+1 555 0100"
    assert "carol@example.org" in block(load_project(project))  # CODEOWNERS reads the mapping form too


def test_sign_refuses_an_owner_the_policy_does_not_list(project: Path) -> None:
    before = (project / "releases" / "rel.yaml").read_bytes()
    with pytest.raises(UsageError, match="'zed' is not listed under people: in the policy"):
        sign(project, "rel", "product", "zed", "2026-03-09")
    assert (project / "releases" / "rel.yaml").read_bytes() == before
