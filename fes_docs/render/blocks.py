"""Markdown building blocks; every argument is already escaped Markdown (see :mod:`.escape`)."""

from __future__ import annotations

from collections.abc import Sequence

from .escape import code_block, code_line

# One line, so it pastes into any client (psql, a web console) as it stands.
FLYWAY_HISTORY_QUERY = ("SELECT installed_rank, version, description, script, checksum, success, installed_on "
                        "FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 20;")


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


def history_query() -> str:
    return code_block(FLYWAY_HISTORY_QUERY, "sql")


def page(*blocks: str) -> str:
    """Join blocks with one blank line; a page ends in exactly one newline."""
    return "\n\n".join(b.strip("\n") for b in blocks if b and b.strip()) + "\n"
