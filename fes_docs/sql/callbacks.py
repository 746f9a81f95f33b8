"""Flyway's SQL callbacks: which event a script named ``beforeMigrate.sql`` or ``afterEachMigrate__x.sql`` is for.

Flyway runs a callback script at its event (before the run, around each migration, after the run …), never
as a migration, and never records it in the history table. The static side needs the event to say "this is
a callback, not an unclaimed migration"; the dry run needs it to run the script where Flyway runs it. Both
ask :func:`callback_event`, the one reading of a callback's name, built on Flyway's own list of events
(:data:`fes_docs.sql.flyway.CALLBACK_EVENTS`).
"""

from __future__ import annotations

from fes_docs.sql.flyway import CALLBACK_EVENTS

__all__ = ["MIGRATE_EVENTS", "callback_event"]

#: The events ``flyway migrate`` fires, in the order of a run (validate-on-migrate first, as Flyway does).
MIGRATE_EVENTS: tuple[str, ...] = (
    "beforeValidate",
    "afterValidate",
    "beforeMigrate",
    "beforeEachMigrate",
    "beforeEachMigrateStatement",
    "afterEachMigrateStatement",
    "afterEachMigrateStatementError",
    "afterEachMigrate",
    "afterEachMigrateError",
    "afterVersioned",
    "beforeRepeatables",
    "afterMigrate",
    "afterMigrateError",
    "afterMigrateOperationFinish",
)

# Longest first, as Flyway matches prefixes: "beforeEachMigrate" must win over "beforeMigrate"'s cousins.
_BY_LENGTH = sorted(CALLBACK_EVENTS, key=len, reverse=True)


def callback_event(filename: str, separator: str = "__", suffixes: tuple[str, ...] = (".sql",)) -> str | None:
    """The event a callback script is for (``"afterMigrate"``), or ``None`` when the name is not a callback.

    ``filename`` may carry folders (``db/migration/beforeMigrate.sql``). Flyway accepts the bare event
    (``afterMigrate.sql``) or the event, the separator and a description (``afterMigrate__grants.sql``);
    event names are case-sensitive, as Flyway's are.
    """
    name = filename.rsplit("/", 1)[-1]
    suffix = next((s for s in suffixes if name.endswith(s)), None)
    if suffix is None:
        return None
    stem = name[: len(name) - len(suffix)]
    for event in _BY_LENGTH:
        if stem == event or stem.startswith(event + separator):
            return event
    return None
