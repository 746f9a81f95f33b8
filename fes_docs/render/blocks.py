"""Markdown building blocks; every argument is already escaped Markdown (see :mod:`.escape`)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from .escape import code_block, code_line, md_escape, one_line

# One line, so it pastes into any client (psql, a web console) as it stands.
FLYWAY_HISTORY_QUERY = (
    "SELECT installed_rank, version, description, script, checksum, success, installed_on "
    "FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 20;"
)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table; an empty cell gets an em dash so a printed page never shows a silent blank."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(cell if cell else "—" for cell in row) + " |")
    return "\n".join(out) + "\n"


def tasks(items: Sequence[tuple[bool, str]]) -> str:
    return "\n".join(f"- [{'x' if done else ' '}] {text}" for done, text in items) + "\n"


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {text}" for text in items) + "\n"


def disable_lines(flags: Sequence[str]) -> str:
    """The first response of §5.1: one ``<flag>=false`` property line per flag, ready to paste."""
    return code_block("\n".join(f"{code_line(name)}=false" for name in flags), "properties")


_HISTORY_QUERY_BLOCK = code_block(FLYWAY_HISTORY_QUERY, "sql")


def history_query() -> str:
    """The query block every runbook and rollback page shows (the same text: made once)."""
    return _HISTORY_QUERY_BLOCK


def _yaml_printable(ch: str) -> bool:
    """What a YAML 1.1 stream may contain (PyYAML rejects the rest, and then ignores the front matter)."""
    o = ord(ch)
    return (
        ch in "\t\n\r"
        or 0x20 <= o <= 0x7E
        or o == 0x85
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    )


def front_matter(title: str, hide: Sequence[str] = ()) -> str:
    """YAML front matter whose ``title`` is the page title as *HTML-escaped* text.

    Why: MkDocs derives a page title from the first heading and mkdocs-material prints it into
    ``<title>`` through Jinja's ``striptags``, which *unescapes* entities — a heading of
    ``&lt;/title&gt;&lt;script&gt;`` would become live markup. A ``title`` in the front matter takes
    precedence and is printed as given, so it is given already escaped.
    """
    text = "".join(ch if _yaml_printable(ch) else "\ufffd" for ch in one_line(title))
    lines = ["---", f"title: {json.dumps(html.escape(text, quote=True), ensure_ascii=False)}"]
    if hide:
        lines += ["hide:", *(f"  - {h}" for h in hide)]
    return "\n".join([*lines, "---"])


def page(*blocks: str) -> str:
    """Join blocks with one blank line; a page ends in exactly one newline."""
    return "\n\n".join(b.strip("\n") for b in blocks if b and b.strip()) + "\n"


# Marks a generated page, so fes-docs.css (render/style.py) styles only these pages, never the user's own.
PAGE_MARKER = '<div class="fes-page" hidden></div>'


def document(title: str, *blocks: str, hide: Sequence[str] = ("toc",)) -> str:
    """A whole page: front matter, the title as the one H1, then the blocks. The table of contents is
    hidden by default: the tables and code need the width more (issue 13, "nothing clipped")."""
    return page(front_matter(title, hide), f"# {md_escape(title)}", PAGE_MARKER, *blocks)
