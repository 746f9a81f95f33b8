"""Work that must not grow faster than the project (issue 14), counted — never timed.

A clean record never builds a map of its positions; a record with findings asks for a few positions without
building one either; the deploy order is sorted once per run, not once per record; the one-shot ``validate``
leaves the garbage collector as it found it.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import pytest

from fes_docs import document, model
from fes_docs.cli import main
from fes_docs.rerun import validate_report

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from generate import SPEC_BYTES, generate  # noqa: E402
from sign_all import main as sign_all  # noqa: E402

sys.path.pop(0)


def _project(tmp_path: Path, n: int, signed: bool, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = generate(tmp_path / f"p{n}", n, spec_bytes=SPEC_BYTES["small"])
    assert main(["schema", "--write", "--root", str(root)]) == 0
    if signed:
        monkeypatch.setattr(sys, "argv", ["sign_all.py", str(root)])
        sign_all()
    return root


@pytest.fixture
def expanded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many documents built their map of every path's position."""
    count = [0]
    real = document.Document._expand

    def counting(self: document.Document) -> None:
        count[0] += 1
        real(self)

    monkeypatch.setattr(document.Document, "_expand", counting)
    return count


@pytest.mark.parametrize("signed", [True, False], ids=["bound", "unbound"])
def test_no_record_builds_a_map_of_its_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expanded: list[int], signed: bool
) -> None:
    root = _project(tmp_path, 12, signed, monkeypatch)
    report = validate_report(root, today="2026-12-01", use_cache=False)
    unbound = [f for f in report.findings if f.rule == "FES704"]
    assert len(unbound) == (0 if signed else 4 * 12)  # four hand-style sign-offs per record
    assert all(f.loc.line > 1 for f in unbound)  # each located at its own sign-off
    assert expanded[0] == 0


def test_the_deploy_order_is_sorted_a_few_times_per_run_whatever_the_number_of_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = model.deploy_order

    def counting(releases: Any) -> Any:
        calls.append(1)
        return real(releases)

    for module in ("fes_docs.rules.rollback", "fes_docs.rules.artefacts", "fes_docs.proving"):
        if hasattr(sys.modules.get(module), "deploy_order"):
            monkeypatch.setattr(f"{module}.deploy_order", counting)
    counts = []
    for n in (5, 40):
        calls.clear()
        validate_report(_project(tmp_path, n, True, monkeypatch), today="2026-12-01", use_cache=False)
        counts.append(len(calls))
    assert 1 <= counts[0] == counts[1] <= 5  # FES405 walked it once per record before (quadratic)


def test_validate_leaves_the_collector_as_it_found_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, 3, True, monkeypatch)
    assert gc.isenabled()
    assert main(["validate", "--root", str(root), "-o", str(tmp_path / "out.txt")]) == 0
    assert gc.isenabled()
    gc.disable()
    try:
        main(["validate", "--root", str(root), "-o", str(tmp_path / "out.txt")])
        assert not gc.isenabled()
    finally:
        gc.enable()
