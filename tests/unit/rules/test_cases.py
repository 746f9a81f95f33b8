"""Every rule against small real release files, each bad one named for the defect it carries.

A case file marks the lines where findings are expected with a trailing comment
``# expect: FES202`` (several ids comma-separated; ``FES202/warning`` pins the severity). The test
drops the case into a copy of a small fixture project, runs the real checker and compares the set
of (rule, line) findings *located in the case file* with the marked set — so a rule that fires on
the wrong line, fires twice, or stays silent fails.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fes_docs.check import check

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules"
CASES = sorted((FIXTURES / "cases").glob("*.yaml"))
EXPECT = re.compile(r"#\s*expect:\s*(?P<ids>[A-Z0-9/a-z, ]+)$")


def expected(path: Path) -> set[tuple[str, int, str | None]]:
    out = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            for token in m.group("ids").split(","):
                rule, _, severity = token.strip().partition("/")
                out.add((rule, n, severity or None))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", project)
    name = case.name
    text = case.read_text(encoding="utf-8")
    m = re.search(r"^id: (\S+)", text, re.M)
    if m and "FES012" not in text:
        name = f"{m.group(1)}.yaml"
    (project / "releases" / name).write_text(text, encoding="utf-8")
    result = check(project, today="2026-06-01")
    rel_file = f"releases/{name}"
    got = {(f.rule, f.loc.line, f.severity) for f in result.findings if f.loc.file == rel_file}
    want = expected(case)
    got_cmp = {(r, ln, sev if any(w[2] for w in want if w[:2] == (r, ln)) else None) for r, ln, sev in got}
    assert got_cmp == want, "\n".join(
        f"{f.loc.file}:{f.loc.line}:{f.loc.column} {f.severity} {f.rule} {f.message}"
        for f in result.findings
        if f.loc.file == rel_file
    )
