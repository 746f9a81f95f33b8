"""Names a record lists that must be known to the policy and listed once (flags, checklist ids)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..findings import Loc, did_you_mean
from . import Hit


def known_and_once(
    entries: Iterable[tuple[str | None, Loc]], known: Iterable[str], what: str, twice: str
) -> Iterator[Hit]:
    """A hit for each ``(name, where)`` the policy does not know (with a did-you-mean) or that repeats.

    ``what`` names the kind ("feature flag"); ``twice`` is the message for a repeat, with ``{name}``.
    """
    options = list(known)
    seen: set[str] = set()
    for name, loc in entries:
        if name is None:
            continue
        if name not in options:
            yield Hit(loc, f"unknown {what} {name!r}" + did_you_mean(name, options))
        elif name in seen:
            yield Hit(loc, twice.format(name=repr(name)))
        seen.add(name)
