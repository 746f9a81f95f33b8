"""Writing the baseline (`fes-docs baseline`).

What the file holds, where it is and how it is read is :mod:`fes_docs.baseline`; how validate credits it is
:func:`fes_docs.check.apply_baseline`. This module records today's findings in it: every finding of a rule
that can be baselined and that no waiver took — those already in the baseline keep their entry as written
(its reason and who accepted it), new ones get this run's ``--reason`` and ``--by``, and entries whose
finding is gone are dropped. Integrity findings are never recorded; they are counted, to be fixed.

The file is written atomically, after checking that it reads back, through the project's loader and the
schema, as exactly the entries meant (a bug can never leave a baseline that hides something else).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import write_text
from .baseline import BASELINE_FILE, FOLDER, Entry, entry_data, format_baseline, load_baseline, parsed
from .check import checked_findings
from .errors import FesDocsError, UsageError
from .findings import Finding
from .project import load_project
from .rules.baseline import can_be_baselined


@dataclass(frozen=True)
class Written:
    """What ``fes-docs baseline`` did: the file, its entries, and how they came about."""

    file: str
    entries: int
    added: int
    kept: int
    removed: int
    refused: int  # open findings of integrity rules: they cannot be baselined, only fixed


def _entry(f: Finding, prior: Entry | None, reason: str, by: str) -> tuple[dict[str, Any], bool]:
    """The entry for ``f``, and whether it is the one already in the baseline (kept as written, so a re-run
    changes nothing in git and nobody's sign-off goes stale for it)."""
    if prior is not None and prior.names(f):
        p = prior
        return entry_data(p.fingerprint, p.rule, p.file, p.release, p.message, p.reason, p.by), True
    return entry_data(f.fingerprint, f.rule, f.loc.file, f.release, f.message, reason, by), False


def write_baseline(root: Path, reason: str, by: str, today: str | None = None) -> Written:
    """Record today's findings of ``root`` in its baseline (see the module docstring)."""
    reason, by = reason.strip(), by.strip()
    if not reason:
        raise UsageError("--reason must say why these findings are accepted")
    if not by:
        raise UsageError("--by must name who accepts them")
    project = load_project(root, today=today)
    unknown = project.policy.unknown_person(by)
    if unknown is not None:
        raise UsageError(f"--by: {unknown}")
    old = load_baseline(project)
    prior = {e.fingerprint: e for e in old.entries}
    findings = checked_findings(project)
    entries: dict[str, dict[str, Any]] = {}
    refused = kept = 0
    for f in findings:
        if f.waived is not None or not f.fingerprint or f.fingerprint in entries:
            continue
        if not can_be_baselined(f.rule):
            refused += f.blocking or f.open_warning
            continue
        entries[f.fingerprint], same = _entry(f, prior.get(f.fingerprint), reason, by)
        kept += same
    text = format_baseline(list(entries.values()))
    _verify(text, list(entries.values()))
    target = project.root / BASELINE_FILE
    try:
        (project.root / FOLDER).mkdir(exist_ok=True)
        write_text(target, text)
    except OSError as exc:
        raise UsageError(f"cannot write {BASELINE_FILE}: {exc.strerror or exc}") from None
    removed = len(set(prior) - set(entries))
    return Written(BASELINE_FILE, len(entries), len(entries) - kept, kept, removed, refused)


def _verify(text: str, entries: list[dict[str, Any]]) -> None:
    data = parsed(text)
    expected = sorted(entries, key=lambda e: (str(e["file"]), str(e["rule"]), str(e["fingerprint"])))
    if not isinstance(data, dict) or data.get("entries") != expected:
        raise FesDocsError(
            f"internal error: the baseline would not read back as written; {BASELINE_FILE} was left unchanged "
            "(please report this)"
        )
