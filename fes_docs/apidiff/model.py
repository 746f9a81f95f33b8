"""What an API change report is made of: change rules, changes, and the report itself.

A *change* is one difference between two specs that a client could notice, judged by one *change
rule* (:mod:`.catalogue`): ``breaking`` (a client that works today fails), ``potentially breaking``
(it may fail: the tool cannot tell) or ``compatible``. The three levels are oasdiff's ERR, WARN and
INFO, so a reader who knows oasdiff's ids (``api-removed-without-deprecation`` …) finds them here by
name, beside our stable ``FES8xx`` ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning", "info"]
Side = Literal["base", "head"]
PathKey = tuple[str | int, ...]

#: The words a report uses for each level.
LEVEL_WORDS: dict[str, str] = {"error": "breaking", "warning": "potentially breaking", "info": "compatible"}
LEVEL_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Where:
    """A node of one side's spec: the file (project-relative) and the JSON path inside it."""

    side: Side
    file: str
    path: PathKey


@dataclass(frozen=True)
class Spot:
    """A resolved position: file, 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Change:
    """One classified difference, about one operation.

    ``where`` is the head's node when it exists there, else the base's (a removal). ``spot`` is where
    ``where`` is; ``head_spot`` is always in the head (a removal at its nearest surviving ancestor), for
    reports that annotate the head only (the pull request's gate).
    """

    rule: str
    name: str
    level: Level
    method: str
    path: str
    message: str
    where: Where
    spot: Spot = Spot("")
    head_spot: Spot = Spot("")

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.path, self.method, self.rule, self.message, self.where.file)


@dataclass
class ApiDiff:
    """The report: every change (sorted, at most ``MAX_CHANGES``), and what could not be compared."""

    base_label: str
    head_label: str
    base_file: str
    head_file: str
    changes: list[Change] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)  # level -> changes left out past the cap
    added: list[str] = field(default_factory=list)  # endpoints
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sides that could not be read, refs not followed, bounds hit
    #: Whether the head could not be compared at all (unreadable): then "no breaking change" is unknown.
    failed: bool = False
    #: What could not be compared (among ``problems``): an operation or a schema behind a ``$ref`` that was
    #: not followed, a bound reached. A breaking change there is not ruled out, so the verdict fails too.
    unjudged: list[str] = field(default_factory=list)

    def count(self, level: Level) -> int:
        return sum(1 for c in self.changes if c.level == level) + self.omitted.get(level, 0)

    @property
    def breaking(self) -> bool:
        return self.failed or self.count("error") > 0

    @property
    def passed(self) -> bool:
        """No breaking change, and none left unjudged: the only verdict a gate may let through."""
        return not self.breaking and not self.unjudged
