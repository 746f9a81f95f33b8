"""Per-script configuration as Flyway reads it, and everything that decides how one script is read and run.

**Where Flyway looks.** Only beside the script: ``V2__x.sql`` is configured by ``V2__x.sql.conf``
(flyway-core ``SqlScriptMetadata.getMetadataResource`` appends ``.conf`` to the script's path; callbacks
too, ``afterMigrate.sql.conf``). The file is a Java properties file (``ConfigUtils.loadConfigurationFromString``
then ``Properties.load``: ``key=value``, ``key: value`` or ``key value``, ``#``/``!`` comments). The keys
(``SqlScriptMetadata``): ``executeInTransaction``, ``encoding``, ``placeholderReplacement`` and (a Teams
feature) ``shouldExecute``. A boolean that is neither ``true`` nor ``false`` fails (``Invalid value for
executeInTransaction (should be either true or false)``), and so does any other key (``Unknown configuration
property: …. Please check your script config files``) — ``checkConfigurationForUnrecognisedProperties``.

**What Flyway does not read.** A ``-- flyway:executeInTransaction=false`` line at the top of the script is
often recommended, and nothing in flyway-core (up to 13.0.0, the source checked) looks for it: the parser
never reads script settings out of SQL comments, so the line is an ordinary comment and the script runs in a
transaction as any other. It is reported here (a warning naming the ``.sql.conf`` to write instead) and
ignored by the dry run, which runs the script as Flyway will.

**What the settings do.** ``executeInTransaction`` set either way switches Flyway's own detection off
(``ParserSqlScript.executeInTransaction``) and with it the mixed check (``ParserSqlScript.parse`` only
raises "Detected both transactional and non-transactional statements" when the script's
``executeInTransaction`` is unset). ``placeholderReplacement`` overrides ``flyway.placeholderReplacement``
for this script (``Parser.replacePlaceholders``). ``encoding`` changes how the script is decoded, for its
text and its checksum (``FileSystemScanner.getResource``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from fes_docs.flyway_config import FlywayConfig
from fes_docs.sql.placeholders import SEPARATOR, Replaced, lookup_table, replace_placeholders

__all__ = ["ConfProblem", "ScriptConfig", "ScriptReading", "inline_directives", "parse_conf", "reading_for"]

KEYS = ("executeInTransaction", "encoding", "placeholderReplacement", "shouldExecute")
_BOOLEANS = ("executeInTransaction", "placeholderReplacement")

#: ``-- flyway:key=value`` (or ``--flyway:``), as people write it at the top of a script.
_DIRECTIVE = re.compile(r"^[ \t]*--[ \t]*flyway:[ \t]*([A-Za-z]+)[ \t]*[=:][ \t]*(\S*)", re.MULTILINE)

#: Values for the built-ins that only a database connection knows, for reading a script without one (the
#: analysis); the dry run puts the connection's own in their place.
STAND_INS = {"user": "flyway_user", "database": "flyway_database", "timestamp": "2000-01-01 00:00:00"}


@dataclass(frozen=True)
class ConfProblem:
    """Something wrong with a script's configuration: the file it is in (relative to the migrations folder),
    where, what; ``error`` when Flyway fails on it, ``warning`` when Flyway silently does otherwise."""

    file: str
    line: int
    column: int
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class ScriptConfig:
    """A script's ``.sql.conf`` settings (``None``: not set, Flyway's global setting applies)."""

    execute_in_transaction: bool | None = None
    placeholder_replacement: bool | None = None
    encoding: str | None = None
    should_execute: str | None = None
    #: The ``.sql.conf`` file these came from (relative to the migrations folder); ``None``: there is none.
    source: str | None = None
    problems: tuple[ConfProblem, ...] = ()


def parse_conf(text: str, relpath: str) -> ScriptConfig:
    """A ``.sql.conf`` file's settings and what Flyway would fail on, each problem at its line."""
    values: dict[str, tuple[str, int]] = {}
    problems: list[ConfProblem] = []
    for line_no, line in _logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped[0] in "#!":
            continue
        key, value = _property(stripped)
        values[key] = (value, line_no)
    settings: dict[str, bool | str | None] = dict.fromkeys(KEYS)
    for key, (value, line_no) in values.items():
        if key not in KEYS:
            close = next((k for k in KEYS if k.lower() == key.lower().removeprefix("flyway.")), None)
            hint = f" (Flyway's key is {close!r})" if close else f" (Flyway knows {', '.join(KEYS)})"
            problems.append(
                ConfProblem(
                    relpath,
                    line_no,
                    1,
                    f"Unknown configuration property: {key}. Please check your script config files{hint}",
                )
            )
        elif key in _BOOLEANS:
            if value.lower() not in ("true", "false"):
                problems.append(
                    ConfProblem(
                        relpath, line_no, 1, f"Invalid value for {key} (should be either true or false): {value}"
                    )
                )
            else:
                settings[key] = value.lower() == "true"
        elif key == "encoding":
            try:
                codecs.lookup(value)
                settings[key] = value
            except LookupError:
                problems.append(
                    ConfProblem(relpath, line_no, 1, f"Flyway cannot read the script: unknown encoding {value!r}")
                )
        else:
            settings[key] = value
            problems.append(
                ConfProblem(
                    relpath,
                    line_no,
                    1,
                    "shouldExecute is a Flyway Teams setting fes-docs does not evaluate: the dry run runs the script",
                    "warning",
                )
            )
    tx, ph = settings["executeInTransaction"], settings["placeholderReplacement"]
    enc, should = settings["encoding"], settings["shouldExecute"]
    return ScriptConfig(
        tx if isinstance(tx, bool) else None,
        ph if isinstance(ph, bool) else None,
        enc if isinstance(enc, str) else None,
        should if isinstance(should, str) else None,
        relpath,
        tuple(problems),
    )


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines joined where one ends in an odd number of backslashes (a properties continuation), each with
    the number of the line it starts on."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw if pending is None else pending[1] + raw.lstrip()
        start = number if pending is None else pending[0]
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:
            pending = (start, line[:-1])
            continue
        pending = None
        out.append((start, line))
    if pending is not None:
        out.append(pending)
    return out


def _property(line: str) -> tuple[str, str]:
    """``key=value`` / ``key: value`` / ``key value`` as ``java.util.Properties`` splits it."""
    m = re.match(r"((?:[^=:\s\\]|\\.)*)\s*[=:]?\s*(.*)$", line)
    key, value = (m.group(1), m.group(2)) if m else (line, "")
    return key.replace("\\", ""), value.strip()


def inline_directives(text: str, relpath: str, conf: str | None) -> tuple[ConfProblem, ...]:
    """``-- flyway:key=value`` comments at the top of a script (before its first statement): Flyway reads
    none of them, so each is a warning saying what to write instead."""
    head = _head(text)
    problems = []
    for m in _DIRECTIVE.finditer(head):
        key, value = m.group(1), m.group(2)
        line = head.count("\n", 0, m.start()) + 1
        where = f"{relpath.rsplit('/', 1)[-1]}.conf"
        fix = f"put {key}={value} in {where}" if conf is None else f"put {key}={value} in {where} (it exists)"
        problems.append(
            ConfProblem(
                relpath,
                line,
                head.index("--", m.start()) - (head.rfind("\n", 0, m.start()) + 1) + 1,
                f"Flyway ignores '-- flyway:{key}={value}': it reads script settings only from a .sql.conf file "
                f"beside the script, so this is a plain comment and the script runs as if it were not there; {fix}",
                "warning",
            )
        )
    return tuple(problems)


def _head(text: str) -> str:
    """The leading comments and blank lines of a script (where a settings line would be looked for)."""
    end = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            break
        end += len(line)
    return text[:end].replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class ScriptReading:
    """How Flyway reads and runs one script: its placeholders (resolved for this script) and its settings.

    Built once per file from the project's :class:`FlywayConfig` and the script's :class:`ScriptConfig`, so
    the analysis and the dry run read the same text; the dry run overlays the built-ins only a connection
    knows (``runtime`` of :meth:`replace`).
    """

    filename: str
    replace_enabled: bool
    values: Mapping[str, str] = field(repr=False)
    prefix: str = "${"
    suffix: str = "}"
    execute_in_transaction: bool | None = None
    mixed: bool = False
    #: Built-ins that only a connection knows and that this reading filled with a stand-in.
    stand_ins: frozenset[str] = frozenset()

    def replace(self, text: str, runtime: Mapping[str, str] | None = None) -> Replaced:
        """The text Flyway parses; ``runtime``: built-in values from a live connection (``user`` …)."""
        if not self.replace_enabled:
            return Replaced(text)
        values: Mapping[str, str] = self.values
        if runtime:  # only where this reading has a stand-in: a configured value is what Flyway uses
            live = {f"flyway{SEPARATOR}{k}": v for k, v in runtime.items() if k in self.stand_ins}
            values = {**self.values, **lookup_table(live)}
        return replace_placeholders(text, values, self.prefix, self.suffix)

    @property
    def mixed_check(self) -> bool:
        """Whether Flyway's "both transactional and non-transactional statements" check applies to it:
        only without ``mixed`` and without a script ``executeInTransaction`` (``ParserSqlScript.parse``)."""
        return not self.mixed and self.execute_in_transaction is None


def reading_for(
    name: str, config: FlywayConfig, script: ScriptConfig | None = None, working_directory: str = "."
) -> ScriptReading:
    """The :class:`ScriptReading` of the file called ``name`` (its ``${flyway:filename}``)."""
    script = script or ScriptConfig()
    builtins = {
        "defaultSchema": config.schema,
        "user": config.user or STAND_INS["user"],
        "database": config.database or STAND_INS["database"],
        "timestamp": STAND_INS["timestamp"],
        "filename": name,
        "workingDirectory": working_directory,
        "table": config.table,
        "environment": "default",
    }
    unset = {"user": config.user, "database": config.database, "defaultSchema": config.default_schema or config.schemas}
    stand_ins = {"timestamp", *(k for k, v in unset.items() if not v)}
    values = lookup_table(config.placeholders, {f"flyway{SEPARATOR}{k}": v for k, v in builtins.items()})
    enabled = (
        config.placeholder_replacement if script.placeholder_replacement is None else script.placeholder_replacement
    )
    return ScriptReading(
        name,
        enabled,
        values,
        config.placeholder_prefix,
        config.placeholder_suffix,
        script.execute_in_transaction,
        config.mixed,
        frozenset(stand_ins),
    )
