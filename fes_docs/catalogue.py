"""The rule catalogue and guide coverage, rendered as text or Markdown from the registered rules;
the API change rules (``fes-docs api-diff``, :data:`~fes_docs.apidiff.CHANGE_RULES`) as a table of their own."""

from __future__ import annotations

from .apidiff import CHANGE_RULES, LEVEL_WORDS
from .guide import coverage
from .rules import CATALOGUE, Rule


def _rules() -> list[Rule]:
    return sorted(CATALOGUE.values(), key=lambda r: r.id)


def catalogue_text() -> str:
    lines = []
    for r in _rules():
        waivable = "" if r.can_be_waived else "  (waivable: no)"
        lines.append(f"{r.id}  {r.severity:<7}  {r.section:<14}  {r.title}{waivable}")
        lines.append(f"      {r.doc}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def catalogue_markdown() -> str:
    lines = [
        "| Rule | Severity | Waivable | Guide | Title | What it checks | How to fix |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in _rules():
        waivable = "yes" if r.can_be_waived else "no"
        lines.append(
            f'| <a id="{r.id.lower()}"></a>`{r.id}` | {r.severity} | {waivable} | {_cell(r.section)} | '
            f"{_cell(r.title)} | {_cell(r.doc)} | {_cell(r.hint)} |"
        )
    return "\n".join(lines) + "\n"


def coverage_markdown() -> str:
    lines = ["| Guide item | Text | Rules | Otherwise |", "| --- | --- | --- | --- |"]
    for c in coverage():
        rules = ", ".join(f"[`{r}`](#{r.lower()})" for r in c.rules) or "—"
        lines.append(f"| §{c.item} | {_cell(c.text)} | {rules} | {_cell(c.note)} |")
    return "\n".join(lines) + "\n"


def change_rules_text() -> str:
    """The API change rules, as ``fes-docs rules`` prints them after the validation rules."""
    lines = ["", "API change rules (fes-docs api-diff; breaking = error, potentially breaking = warning):"]
    for r in sorted(CHANGE_RULES.values(), key=lambda r: r.id):
        lines.append(f"{r.id}  {LEVEL_WORDS[r.level]:<20}  {r.name:<40}  {r.title}")
        lines.append(f"      {r.doc}")
    return "\n".join(lines) + "\n"


def change_rules_markdown() -> str:
    lines = ["| Rule | Name | Level | Title | What it reports |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(CHANGE_RULES.values(), key=lambda r: r.id):
        lines.append(
            f'| <a id="{r.id.lower()}"></a>`{r.id}` | `{r.name}` | {LEVEL_WORDS[r.level]} | {_cell(r.title)} | '
            f"{_cell(r.doc)} |"
        )
    return "\n".join(lines) + "\n"
