"""Dates as records and specs write them: the one reading of ``YYYY-MM-DD`` and of an ISO 8601 date-time.

Its own small module, below everything, so that what needs only a date (api-diff's sunset rules, the
command line's ``--today``) does not import the records' model to get one (25 ms of an api-diff run).
"""

from __future__ import annotations

import re
from datetime import date, datetime

__all__ = ["parse_date", "parse_datetime"]


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time as records write it (``Z`` or an offset); None when it is not one."""
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> date | None:
    """A calendar date written ``YYYY-MM-DD`` and real (no 2026-02-30); None otherwise.

    Stricter than :meth:`date.fromisoformat`, which also takes ``20260101`` and week dates: a record
    states dates one way, so a reviewer reads the same date the tool does.
    """
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
