"""Findings as admonitions: errors red, warnings amber, waived and baselined ones as notes that give the reason."""

from __future__ import annotations

from ..findings import Finding, Summary
from ..rules import CATALOGUE
from .escape import md_escape, md_text


def label(f: Finding) -> str:
    return f"waived {f.severity}" if f.waived else f"baselined {f.severity}" if f.baselined else f.severity


def where(f: Finding) -> str:
    return f"{f.loc.file}:{f.loc.line}:{f.loc.column}"


def admonition(f: Finding, rules_page: str) -> str:
    """One finding; ``rules_page`` is the relative link to the rules reference from the current page."""
    kind = "note" if f.accepted else ("danger" if f.severity == "error" else "warning")
    title = md_escape(f"{f.rule} · {label(f)} · {where(f)}")
    rule = CATALOGUE.get(f.rule)
    lines = [f'!!! {kind} "{title}"', "", f"    {md_text(f.message)}"]
    if rule is not None:
        anchor = f"{rules_page}#{rule.id.lower()}"
        lines += ["", f"    Rule [{md_escape(rule.id)}]({anchor}) ({md_escape(rule.section)}): {md_escape(rule.title)}"]
    if f.waived is not None:
        w = f.waived
        extra = (f", until {w.until}" if w.until else "") + (f", approved by {w.approved_by}" if w.approved_by else "")
        lines += ["", f"    **Waived:** {md_escape(w.reason)}{md_escape(extra)}"]
    elif f.baselined is not None:
        lines += ["", f"    **Baselined:** {md_escape(f.baselined.reason)}{md_escape(f', by {f.baselined.by}')}"]
    elif f.hint:
        lines += ["", f"    **Fix:** {md_text(f.hint)}"]
    for rel in f.related:
        lines += ["", f"    See also {md_escape(f'{rel.file}:{rel.line}:{rel.column}')}"]
    return "\n".join(lines) + "\n"


def admonitions(findings: list[Finding], rules_page: str) -> str:
    return "\n".join(admonition(f, rules_page) for f in findings)


def counts(findings: list[Finding]) -> tuple[int, int, int]:
    s = Summary.of(findings)
    return s.errors, s.warnings, s.waived
