"""The one exception of the dry run: there is no PostgreSQL to run against (the run itself never raises it
for a migration's fault; those are outcomes)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DryRunUnavailable", "last_line", "log_tail"]


class DryRunUnavailable(Exception):
    """No PostgreSQL to dry-run against; the message is one line a user can act on."""


def last_line(text: str) -> str:
    """Tools and servers put the reason last (initdb, libpq); a one-line message needs only that."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def log_tail(folder: Path | None) -> str:
    """The last line of a throwaway server's ``server.log`` in ``folder``, for a start that failed (both
    engines start their server with its log there)."""
    if folder is None:
        return "no server log"
    try:
        return "server log: " + last_line((folder / "server.log").read_text(errors="replace"))
    except OSError:
        return "no server log"
