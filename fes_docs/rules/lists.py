"""Names a record lists that must be known to the policy and listed once (flags, checklist ids)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..document import PathKey
from ..findings import Loc, did_you_mean
from . import Hit


def known_and_once(
    entries: Iterable[tuple[str | None, PathKey]],
    where: Callable[..., Loc],
    known: Iterable[str],
    what: str,
    twice: str,
) -> Iterator[Hit]:
    """A hit for each ``(name, path)`` the policy does not know (with a did-you-mean) or that repeats.

    ``where(*path)`` locates a hit (``Release.loc``); it is asked only for a hit, because the first position
    asked of a record rebuilds its whole position map, which a clean record never needs. ``what`` names the
    kind ("feature flag"); ``twice`` is the message for a repeat, with ``{name}``.
    """
    options = list(known)
    seen: set[str] = set()
    for name, path in entries:
        if name is None:
            continue
        if name not in options:
            yield Hit(where(*path), f"unknown {what} {name!r}" + did_you_mean(name, options))
        elif name in seen:
            yield Hit(where(*path), twice.format(name=repr(name)))
        seen.add(name)
