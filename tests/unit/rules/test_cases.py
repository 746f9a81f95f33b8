"""Every rule against small real release files, each bad one named for the defect it carries.

A case file marks the lines where findings are expected with a trailing comment
``# expect: FES202@19``: the rule id and the 1-based column the finding must point at on that line
(several comma-separated; ``FES202/warning@19`` also pins the severity). The test drops the case into
a copy of a small fixture project, runs the real checker and compares the set of (rule, line, column)
findings *located in the case file* with the marked set — so a rule that fires on the wrong line or
column, fires twice, or stays silent fails. The column is what catches a mistyped location path:
``Document.pos`` falls back to the nearest existing parent, which is usually on the same line (a flow
mapping, ``- key: value``) but never at the same column.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from fes_docs.check import check

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules"
CASES = sorted((FIXTURES / "cases").glob("*.yaml"))
EXPECT = re.compile(r"#\s*expect:\s*(?P<ids>[A-Z0-9/a-z@, ]+)$")
TOKEN = re.compile(r"(?P<rule>[A-Z]+[0-9]+)(?:/(?P<severity>[a-z]+))?@(?P<column>[0-9]+)")


class Expect(NamedTuple):
    rule: str
    line: int
    column: int
    severity: str | None


def expected(path: Path) -> set[Expect]:
    """The markers of one case file; a marker without ``@column`` is an error, not a looser check."""
    out = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            for token in m.group("ids").split(","):
                t = TOKEN.fullmatch(token.strip())
                if t is None:
                    raise ValueError(f"{path.name}:{n}: {token.strip()!r} is not RULE[/severity]@column")
                out.add(Expect(t["rule"], n, int(t["column"]), t["severity"]))
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
    want = expected(case)
    pinned = {(w.rule, w.line) for w in want if w.severity}
    got = {
        Expect(f.rule, f.loc.line, f.loc.column, f.severity if (f.rule, f.loc.line) in pinned else None)
        for f in result.findings
        if f.loc.file == rel_file
    }
    assert got == want, "\n".join(
        f"{f.loc.file}:{f.loc.line}:{f.loc.column} {f.severity} {f.rule} {f.message}"
        for f in result.findings
        if f.loc.file == rel_file
    )
