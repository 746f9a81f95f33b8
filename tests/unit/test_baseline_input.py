"""The baseline file is hostile input like every file of a pull request: located findings, never a traceback,
and a baseline with any problem hides nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from baselineproject import baseline, cli, project, run, write

from fes_docs.baseline import BASELINE_FILE, MAX_BYTES, format_baseline, parsed, quoted

ENTRY = (
    '  - fingerprint: "{fp}"\n    rule: "FES104"\n    file: "releases/r1.yaml"\n    release: "r1"\n'
    '    message: "m"\n    reason: "legacy"\n    by: "alice"\n'
)


def _bomb() -> str:
    """Ten times ten times … ten aliases: "billion laughs", refused before anything is expanded."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


BROKEN = {
    "syntax": ("version: 1\nentries: [\n", "FES001"),
    "duplicate key": ("version: 1\nversion: 1\nentries: []\n", "FES002"),
    "unknown key": ("version: 1\nentries: []\nextra: true\n", "FES011"),
    "wrong version": ("version: 2\nentries: []\n", "FES010"),
    "not a mapping": ("- 1\n- 2\n", "FES010"),
    "entry without reason": (
        'version: 1\nentries:\n  - {fingerprint: "0123456789abcdef", rule: FES104, file: x, by: a}\n',
        "FES010",
    ),
    "alias bomb": (_bomb(), "FES003"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_baseline_is_a_located_finding_and_hides_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    root = project(tmp_path)
    baseline(root, capsys)
    text, rule = BROKEN[case]
    write(root, BASELINE_FILE, text)
    code, out = cli(root, "validate", capsys=capsys)
    assert code == 1  # findings, not a usage error, nor a traceback
    result = run(root)
    problems = [f for f in result.findings if f.loc.file == BASELINE_FILE]
    assert problems and problems[0].rule == rule and all(f.blocking for f in problems)
    assert all(f.baselined is None for f in result.findings)
    assert f"{BASELINE_FILE}:{problems[0].loc.line}:{problems[0].loc.column}:" in out


def test_a_baseline_that_is_a_link_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    baseline(root, capsys)
    real = root / "accepted.yaml"
    os.replace(root / BASELINE_FILE, real)
    os.symlink(real, root / BASELINE_FILE)
    result = run(root)
    refused = [f for f in result.findings if f.loc.file == BASELINE_FILE]
    assert [f.rule for f in refused] == ["FES003"] and "symbolic link" in refused[0].message
    assert all(f.baselined is None for f in result.findings)


def test_a_baseline_too_large_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    write(root, BASELINE_FILE, "version: 1\nentries: []\n" + "#" * MAX_BYTES)
    assert [f.rule for f in run(root).findings if f.loc.file == BASELINE_FILE] == ["FES003"]


def test_an_entry_listed_twice_and_an_unknown_rule(tmp_path: Path) -> None:
    root = project(tmp_path)
    fp = next(f.fingerprint for f in run(root).findings if f.rule == "FES104")
    text = (
        "version: 1\nentries:\n"
        + ENTRY.format(fp=fp) * 2
        + ENTRY.format(fp="fedcba9876543210").replace("FES104", "FES999")
    )
    write(root, BASELINE_FILE, text)
    messages = sorted((f.severity, f.message) for f in run(root).findings if f.rule == "FES902")
    assert [s for s, _ in messages] == ["error", "error"]
    assert any("listed twice" in m for _, m in messages) and any("unknown rule 'FES999'" in m for _, m in messages)


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        'a "quote" and a \\ backslash',
        "tab\tnew\nline",
        "\u2028\u2029\x85 breaks",
        "\x1b[31m\x00",
        "é ✓ 🙂",
        "\ufeff",
    ],
)
def test_every_value_reads_back_as_written(text: str) -> None:
    entry = {"fingerprint": "0123456789abcdef", "rule": "FES104", "file": "f", "release": None, "message": text}
    entry |= {"reason": text or "r", "by": "alice"}
    assert parsed(f"x: {quoted(text)}\n") == {"x": text}
    data = parsed(format_baseline([entry]))
    assert data["entries"] == [entry]
