"""Findings read in the order of the places they point at (issue 13, "No contradictions")."""

from __future__ import annotations

from fes_docs.findings import Finding, Loc, sort_findings


def test_findings_on_one_record_line_follow_the_sql_lines_they_point_at() -> None:
    here = Loc("releases/r.yaml", 12, 5)
    found = [
        Finding(here, "FES318", "error", f"V1__x.sql:{n} is not re-runnable", "", None, None, (Loc("V1__x.sql", n, 1),))
        for n in (1, 10, 11, 2, 3)
    ]
    ordered = [f.related[0].line for f in sort_findings(found)]
    assert ordered == [1, 2, 3, 10, 11]  # not 1, 10, 11, 2, 3 (the messages' text order)
