"""The rule catalogue and guide coverage, rendered as text or Markdown from the registered rules;
the API change rules (``fes-docs api-diff``, :data:`~fes_docs.apidiff.CHANGE_RULES`) as a table of their own."""

from __future__ import annotations

from typing import Literal

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


#: How a table writes the anchor a rule's links point at (``rules.md#fes405``).
Anchors = Literal["html", "attr_list"]


def _anchored(rule_id: str, anchors: Anchors) -> str:
    """A rule's id cell. ``html``: a raw ``<a id>``, which any Markdown renderer keeps (``fes-docs rules
    --format markdown``, pasted anywhere). ``attr_list``: an id on the code span, for the site's pages,
    whose dialect has ``attr_list``: MkDocs checks a link's anchor against the ids it sees, and a raw
    ``<a id>`` it cannot see (an INFO line for every link on every build; with ``validation: anchors:
    warn``, a failed strict build)."""
    if anchors == "attr_list":
        return f"`{rule_id}`{{#{rule_id.lower()}}}"
    return f'<a id="{rule_id.lower()}"></a>`{rule_id}`'


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def catalogue_markdown(anchors: Anchors = "html") -> str:
    lines = [
        "| Rule | Severity | Waivable | Guide | Title | What it checks | How to fix |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in _rules():
        waivable = "yes" if r.can_be_waived else "no"
        lines.append(
            f"| {_anchored(r.id, anchors)} | {r.severity} | {waivable} | {_cell(r.section)} | "
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


def change_rules_markdown(anchors: Anchors = "html") -> str:
    lines = ["| Rule | Name | Level | Title | What it reports |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(CHANGE_RULES.values(), key=lambda r: r.id):
        lines.append(
            f"| {_anchored(r.id, anchors)} | `{r.name}` | {LEVEL_WORDS[r.level]} | {_cell(r.title)} | {_cell(r.doc)} |"
        )
    return "\n".join(lines) + "\n"
