"""Reporters: findings as text, JSON, GitHub annotations, JUnit XML and SARIF.

All reporters are pure functions of the findings (no clock, no absolute paths), so the same inputs
give byte-identical reports — CI diffs and caches depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from . import __version__
from .findings import Finding, Summary, fingerprinted
from .inert import inert, is_inert
from .jsontext import indented
from .rules import CATALOGUE

JSON_FORMAT_VERSION = 1


def summary(findings: list[Finding], files: int | None = None) -> dict[str, int]:
    """The JSON ``summary`` object: :class:`Summary` counts, plus ``files`` when known."""
    out = Summary.of(findings).as_dict()
    if files is not None:
        out["files"] = files
    return out


def _inert(findings: Iterable[Finding], keep: str = "") -> list[Finding]:
    """The findings with every user-controlled text made inert (the JSON reporter escapes by itself).

    ``keep``: line breaks a format encodes by its own rules (GitHub's ``%0A``), so they stay readable there.
    """
    return list(_inert_each(findings, keep))


def _inert_each(findings: Iterable[Finding], keep: str = "") -> Iterator[Finding]:
    """:func:`_inert`, one finding at a time; a finding with nothing to escape (nearly all) is itself, not a copy
    (tens of thousands of copies were the peak memory of a 10,000-record report)."""
    for f in findings:
        texts = [f.loc.file, f.message, f.hint, *(r.file for r in f.related)]
        if f.waived:
            texts.append(f.waived.reason)
        if f.baselined:
            texts += (f.baselined.reason, f.baselined.by)
        if all(is_inert(t) for t in texts):
            yield f
            continue
        waived = replace(f.waived, reason=inert(f.waived.reason, keep)) if f.waived else None
        base = (
            replace(f.baselined, reason=inert(f.baselined.reason, keep), by=inert(f.baselined.by))
            if f.baselined
            else None
        )
        yield replace(
            f,
            loc=replace(f.loc, file=inert(f.loc.file)),
            message=inert(f.message, keep),
            hint=inert(f.hint, keep),
            waived=waived,
            baselined=base,
            related=tuple(replace(r, file=inert(r.file)) for r in f.related),
        )


def _label(f: Finding) -> str:
    return f"waived {f.severity}" if f.waived else f"baselined {f.severity}" if f.baselined else f.severity


def text(findings: list[Finding], files: int | None = None, hints: bool = True) -> str:
    lines = []
    for f in _inert_each(findings):
        lines.append(f"{f.loc.file}:{f.loc.line}:{f.loc.column}: {_label(f)} {f.rule} {f.message}")
        if f.waived:
            lines.append(
                f"    waived: {f.waived.reason}"
                + (f" (until {f.waived.until})" if f.waived.until else "")
                + (f" approved by {f.waived.approved_by}" if f.waived.approved_by else "")
            )
        elif f.baselined:
            lines.append(f"    baselined: {f.baselined.reason} (by {f.baselined.by})")
        for rel in f.related:
            lines.append(f"    see {rel.file}:{rel.line}:{rel.column}")
        if hints and f.hint and not f.accepted:
            lines.append(f"    hint: {f.hint}")
    s = summary(findings, files)
    checked = f" in {s['files']} file{'s' if s.get('files') != 1 else ''}" if files is not None else ""
    verdict = "FAILED" if s["errors"] else "OK"
    baselined = f", {s['baselined']} baselined" if s["baselined"] else ""  # said once there is a baseline
    lines.append(
        f"{verdict}: {s['errors']} error(s), {s['warnings']} warning(s), {s['waived']} waived{baselined}{checked}"
    )
    return "\n".join(lines) + "\n"


def finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": f.loc.file,
        "line": f.loc.line,
        "column": f.loc.column,
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "hint": f.hint,
        "release": f.release,
        "title": CATALOGUE[f.rule].title if f.rule in CATALOGUE else f.rule,
        "waived": None
        if f.waived is None
        else {"reason": f.waived.reason, "until": f.waived.until, "approved_by": f.waived.approved_by},
        "fingerprint": f.fingerprint,
        "baselined": None if f.baselined is None else {"reason": f.baselined.reason, "by": f.baselined.by},
    }
    if f.related:
        out["related"] = [{"file": r.file, "line": r.line, "column": r.column} for r in f.related]
    return out


def as_json(findings: list[Finding], files: int | None = None, extra: dict[str, Any] | None = None) -> str:
    findings = fingerprinted(findings)  # those added after the check (--verify-git) are named here
    doc: dict[str, Any] = {
        "findings": [finding_json(f) for f in findings],
        "summary": summary(findings, files),
        "format_version": JSON_FORMAT_VERSION,
        "tool": {"name": "fes-docs", "version": __version__},
    }
    if extra:
        doc.update(extra)
    return indented(doc) + "\n"


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def github(findings: list[Finding], files: int | None = None) -> str:
    findings = _inert(findings, keep="\r\n")  # GitHub's own escaping (%0D, %0A) makes them inert
    lines = []
    for f in findings:
        level = "error" if f.blocking else ("notice" if f.accepted else "warning")
        title = f"{f.rule} {CATALOGUE[f.rule].title}" if f.rule in CATALOGUE else f.rule
        msg = f.message + (f" (hint: {f.hint})" if f.hint and not f.accepted else "")
        if f.waived:
            msg += f" [waived: {f.waived.reason}]"
        elif f.baselined:
            msg += f" [baselined: {f.baselined.reason}]"
        lines.append(
            f"::{level} file={_gh_escape(f.loc.file, True)},line={f.loc.line},col={f.loc.column},"
            f"title={_gh_escape(title, True)}::{_gh_escape(msg)}"
        )
    lines.append(text([], files).strip() if not findings else text(findings, files).splitlines()[-1])
    return "\n".join(lines) + "\n"


def junit(findings: list[Finding], files: int | None = None, checked: Iterable[str] = ()) -> str:
    """JUnit XML as the Jenkins xunit-plugin XSD (``junit-10.xsd``, which GitLab and most CI parsers follow).

    One test case per file: every ``checked`` file (so a clean file shows as a passing test) and every
    file a finding points at. A case with blocking findings has one ``<failure>`` listing them; every
    case has exactly one ``<system-out>`` with all of its findings (or "no findings").
    """
    from xml.sax.saxutils import escape, quoteattr  # start-up: it loads urllib.request, for this format only

    findings = _inert(findings)
    by_file: dict[str, list[Finding]] = {inert(file): [] for file in checked}
    for f in findings:
        by_file.setdefault(f.loc.file, []).append(f)
    failing = sum(1 for items in by_file.values() if Summary.of(items).errors)
    counts = f'tests="{len(by_file)}" failures="{failing}" errors="0"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="fes-docs" {counts}>',
        f'  <testsuite name="fes-docs validate" {counts} skipped="0">',
    ]
    for file, items in sorted(by_file.items()):
        out.append(f'    <testcase classname="fes-docs" name={quoteattr(file)}>')
        blocking = [f for f in items if f.blocking]
        if blocking:
            first = blocking[0]
            message = first.message if len(blocking) == 1 else f"{len(blocking)} blocking findings"
            body = "\n".join(
                f"{f.loc.file}:{f.loc.line}:{f.loc.column}: {f.rule} {f.message}"
                + (f"\nhint: {f.hint}" if f.hint else "")
                for f in blocking
            )
            kinds = ",".join(dict.fromkeys(f.rule for f in blocking))
            out.append(f"      <failure type={quoteattr(kinds)} message={quoteattr(message)}>{escape(body)}</failure>")
        log = "\n".join(f"{f.loc.file}:{f.loc.line}:{f.loc.column}: {_label(f)} {f.rule} {f.message}" for f in items)
        out.append(f"      <system-out>{escape(log or 'no findings')}</system-out>")
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def sarif(findings: list[Finding], files: int | None = None) -> str:
    """SARIF 2.1.0 for GitHub code scanning; waived findings become suppressions, not omissions (``inSource``:
    the waiver is in the record), and so do baselined ones (``external``: the baseline file). Each result's
    ``partialFingerprints`` carry the finding's fingerprint, so code scanning follows it across edits."""
    findings = _inert(fingerprinted(findings))
    used = sorted({f.rule for f in findings})
    rules = [
        {
            "id": r,
            "name": CATALOGUE[r].title if r in CATALOGUE else r,
            "shortDescription": {"text": CATALOGUE[r].title if r in CATALOGUE else r},
            "fullDescription": {"text": CATALOGUE[r].doc if r in CATALOGUE else r},
            "help": {"text": CATALOGUE[r].hint if r in CATALOGUE else ""},
            "properties": {"guideSection": CATALOGUE[r].section if r in CATALOGUE else ""},
        }
        for r in used
    ]
    results = []
    for f in findings:
        res: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": used.index(f.rule),
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(f.loc.file, safe="/")},
                        "region": {"startLine": f.loc.line, "startColumn": f.loc.column},
                    }
                }
            ],
        }
        res["partialFingerprints"] = {"fesDocs/v1": f.fingerprint}
        if f.waived:
            res["suppressions"] = [{"kind": "inSource", "justification": f.waived.reason}]
        elif f.baselined:
            res["suppressions"] = [{"kind": "external", "justification": f.baselined.reason}]
        results.append(res)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fes-docs",
                        "version": __version__,
                        "informationUri": "https://fes-docs.example.org",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return indented(doc) + "\n"


REPORTERS: dict[str, Callable[[list[Finding], int | None], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "junit": junit,
    "sarif": sarif,
}
