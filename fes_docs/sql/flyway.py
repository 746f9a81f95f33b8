"""Flyway's view of a migrations folder: file names, versions, checksums.

Everything here mirrors Flyway's own code (flyway-core ``ResourceNameParser``, ``MigrationVersion``,
``ChecksumCalculator``) so that what fes-docs reports is what Flyway will do in production:

* **Names.** The suffix (``.sql``) is stripped, then the longest matching prefix wins: ``V`` (versioned),
  ``U`` (undo), ``R`` (repeatable) or a callback event name (``beforeMigrate``, ``afterMigrate__x`` …).
  Prefixes are **case-sensitive**, so ``v1__x.sql`` is not a migration at all; Flyway ignores it (or
  fails with ``validateMigrationNaming``), which is why it is reported. What comes before the first
  ``__`` is the version (empty for repeatables and callbacks), the rest is the description with ``_``
  shown as spaces. Flyway accepts a versioned file without description (``V1.sql``); it is valid here
  too, reported as an oddity.
* **Versions.** ``_`` and ``.`` both separate parts (``2_1_3`` = ``2.1.3``); parts are compared as
  numbers, so ``1.10`` > ``1.9``; trailing zero parts do not count (``1.0`` = ``1``), which is why
  :func:`version_key` is what you sort and compare by. Flyway's ``BigInteger`` would also take a sign
  (``V-1__x.sql``); only digits are accepted here, the stricter reading of its own error message
  ("Only 0..9 and . are allowed").
* **Checksum.** See :func:`flyway_checksum`.
* **Scanning.** Flyway scans a filesystem location recursively; so does :func:`scan_dir`, in a fixed
  order, without ever following a symbolic link out of the guarded folder, reading at most
  :data:`MAX_SQL_BYTES` of a file. A caller that reads files its own way (a validate run reads every
  project file through one I/O layer) lists them itself and builds each :class:`MigrationFile` with
  :func:`migration_from_bytes`, the function the scan uses too.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fes_docs.positions import LineIndex

from ._model import SqlError

Kind = Literal["versioned", "repeatable", "undo", "callback"]

EXPECTED_FORM = "V<version>__<description>.sql"

#: Callback event ids of flyway-core's ``Event`` enum (``api/callback/Event.java``, 13.0.0): a file named after
#: one is a callback script, not a migration (``afterMigrate.sql``, ``beforeEachMigrate__set_role.sql``); Flyway
#: finds them with the same ``ResourceNameParser`` (``SqlScriptCallbackFactory``), the event id as prefix.
CALLBACK_EVENTS: tuple[str, ...] = (
    "beforeClean",
    "afterClean",
    "afterCleanError",
    "beforeMigrate",
    "beforeEachMigrate",
    "beforeEachMigrateStatement",
    "afterEachMigrateStatement",
    "afterEachMigrateStatementError",
    "afterEachMigrate",
    "afterEachMigrateError",
    "beforeRepeatables",
    "afterVersioned",
    "afterMigrateApplied",
    "afterMigrate",
    "afterMigrateError",
    "beforeUndo",
    "beforeEachUndo",
    "beforeEachUndoStatement",
    "afterEachUndoStatement",
    "afterEachUndoStatementError",
    "afterEachUndo",
    "afterEachUndoError",
    "afterUndo",
    "afterUndoError",
    "beforeValidate",
    "afterValidate",
    "afterValidateError",
    "beforeBaseline",
    "afterBaseline",
    "afterBaselineError",
    "beforeRepair",
    "afterRepair",
    "afterRepairError",
    "beforeInfo",
    "afterInfo",
    "afterInfoError",
    "afterMigrateOperationFinish",
    "afterInfoOperationFinish",
    "createSchema",
    "beforeCreateSchema",
    "beforeConnect",
    "afterConnect",
)

_BOM = "\ufeff"

#: A migration larger than this is not read (it gets a read error instead): seed data can be large, a
#: 50 MB "migration" is a mistake, and reading it would cost the whole run.
MAX_SQL_BYTES = 50_000_000


@dataclass(frozen=True)
class FlywayName:
    """A migration file name as Flyway reads it; ``kind`` is ``None`` when Flyway would not accept it."""

    filename: str
    kind: Kind | None
    version: tuple[int, ...] | None
    version_text: str | None
    description: str | None
    problem: str | None
    #: Something Flyway accepts but a reviewer should see (no description, a second ``__`` …).
    oddity: str | None = None

    @property
    def is_migration(self) -> bool:
        """True for a well-formed versioned, undo or repeatable migration (callbacks are not migrations)."""
        return self.kind in ("versioned", "repeatable", "undo")


def version_key(v: tuple[int, ...]) -> tuple[int, ...]:
    """Sort/compare key of a version: trailing zero parts dropped, as ``MigrationVersion`` does (1.0 == 1)."""
    end = len(v)
    while end > 1 and v[end - 1] == 0:
        end -= 1
    return v[:end]


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"1.2"``/``"1_2"`` → ``(1, 2)``; ``None`` unless every part is a run of ASCII digits."""
    parts = text.replace("_", ".").split(".")
    if not all(p and p.isascii() and p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def at_or_below_baseline(version: tuple[int, ...] | None, baseline_version: str | None) -> bool:
    """Whether Flyway's baseline covers a migration of ``version``: at or below ``baseline_version``, which
    ``flyway baseline`` marks as applied and ``migrate`` then skips. A baseline that is no version covers
    nothing. The one answer for the dry run (it skips them) and the pages (they were there before)."""
    baseline = parse_version(baseline_version) if baseline_version else None
    return version is not None and baseline is not None and version_key(version) <= version_key(baseline)


def format_version(v: tuple[int, ...]) -> str:
    """Dotted text of a version, as Flyway displays it (``2_1_3`` → ``2.1.3``)."""
    return ".".join(str(p) for p in v)


@lru_cache(maxsize=8)
def _prefixes(versioned_prefix: str, undo_prefix: str, repeatable_prefix: str) -> tuple[tuple[str, Kind], ...]:
    """Every prefix a name may start with and its kind, longest first, exactly as Flyway sorts them, so
    "beforeEachMigrate" beats "beforeMigrate" (sorted once per configuration, not once per file name)."""
    prefixes: list[tuple[str, Kind]] = [
        (versioned_prefix, "versioned"),
        (undo_prefix, "undo"),
        (repeatable_prefix, "repeatable"),
        *((event, "callback") for event in CALLBACK_EVENTS),
    ]
    return tuple(sorted(prefixes, key=lambda p: -len(p[0])))


@lru_cache(maxsize=16_384)  # a pure function of its arguments, asked several times per file per run
def parse_name(
    filename: str,
    *,
    versioned_prefix: str = "V",
    undo_prefix: str = "U",
    repeatable_prefix: str = "R",
    separator: str = "__",
    suffixes: tuple[str, ...] = (".sql",),
) -> FlywayName:
    """Read a file name the way Flyway's ``ResourceNameParser`` does (defaults = Flyway's defaults)."""
    suffix = next((s for s in suffixes if filename.endswith(s)), None)
    if suffix is None:
        return _bad(filename, f"{filename!r} does not end in {' or '.join(suffixes)}, so Flyway never reads it")
    stem = filename[: len(filename) - len(suffix)]
    prefixes = _prefixes(versioned_prefix, undo_prefix, repeatable_prefix)
    match = next(((p, k) for p, k in prefixes if p and stem.startswith(p)), None)
    if match is None:
        return _bad(filename, _unrecognised(filename, stem, versioned_prefix, repeatable_prefix, undo_prefix))
    prefix, kind = match
    rest = stem[len(prefix) :]
    sep_at = rest.find(separator)
    version_text, description = (rest, "") if sep_at < 0 else (rest[:sep_at], rest[sep_at + len(separator) :])
    shown = description.replace("_", " ")
    oddity = _oddity(description, separator)

    if kind in ("repeatable", "callback"):
        if version_text:
            what = "a repeatable migration" if kind == "repeatable" else "a callback"
            example = f"{prefix}{separator}{description or 'description'}{suffix}"
            return _bad(filename, f"{filename!r}: {what} has no version; expected {example}")
        return FlywayName(filename, kind, None, None, shown, None, oddity)

    expected = f"{prefix}<version>{separator}<description>{suffix}"
    if not version_text:
        return _bad(
            filename,
            f"{filename!r} has no version: expected {expected}, e.g. {prefix}1.2{separator}x{suffix}",
        )
    version = parse_version(version_text)
    if version is None:
        hint = f" (no {separator!r} between version and description?)" if sep_at < 0 else ""
        return _bad(
            filename,
            f"{filename!r}: {version_text!r} is not a version{hint}; expected {expected} "
            "with a version of digits separated by '.' or '_'",
        )
    if not description:
        oddity = "has no description: Flyway accepts it, but its history table will show an empty description"
    return FlywayName(filename, kind, version, version_text, shown, None, oddity)


def _bad(filename: str, problem: str) -> FlywayName:
    return FlywayName(filename, None, None, None, None, problem)


def _unrecognised(filename: str, stem: str, v: str, r: str, u: str) -> str:
    first = stem[:1]
    hint = ""
    if first and first.upper() in (v, r, u) and first not in (v, r, u):
        hint = f" (prefixes are case-sensitive: {first!r} is not {first.upper()!r})"
    return (
        f"{filename!r} is not a Flyway migration name; Flyway ignores it{hint}. A migration is named"
        f" {EXPECTED_FORM} ({u}<version>__… for undo, {r}__<description>.sql for repeatable)"
    )


#: How file managers name a copy (``V3__x - Copy.sql``, ``V3__x (1).sql``, ``V3__x copy.sql``).
_COPY = re.compile(r"(?:[ _-]+copy(?:[ _]?\d+)?|[ _]\(\d+\))$", re.IGNORECASE)


def _oddity(description: str, separator: str) -> str | None:
    """What Flyway accepts in a description but is most likely a mistake (checked in this order)."""
    if _COPY.search(description):
        return "looks like a copy of another migration (Flyway runs it as a migration of its own)"
    if description != description.rstrip():
        return "ends in a space before the suffix (Flyway keeps it in the description; easy to miss in reviews)"
    if separator in description:
        return f"has the separator {separator!r} again in its description (Flyway shows it as spaces)"
    if " " in description:
        return "has spaces in its name (Flyway accepts them; many tools and shells do not)"
    return None


def flyway_checksum(data: bytes, encoding: str = "utf-8") -> int:
    """Flyway's checksum of a SQL migration, as stored in ``flyway_schema_history.checksum``.

    flyway-core (``ChecksumCalculator.calculateChecksumForResource``) decodes the file (UTF-8 by
    default), reads it with ``BufferedReader.readLine()`` — which splits on ``\\r\\n``, ``\\r`` and
    ``\\n`` and drops the terminators — removes a byte-order mark from the first line, and feeds each
    line's UTF-8 bytes into one ``java.util.zip.CRC32``; the result is cast to a Java ``int``.
    Consequences, all tested: line endings (CRLF/LF/CR) do not matter, blank lines do not matter, a
    leading BOM does not matter, any other change does. ``zlib.crc32`` is the same CRC-32 (IEEE) as
    ``java.util.zip.CRC32``; the unsigned value is folded into a signed 32-bit integer, which is what
    Flyway stores. Verified against that JDK code on every ``.sql`` file of the real-data folders.

    Raises ``UnicodeDecodeError`` for bytes that are not UTF-8 (or the script's ``encoding`` from its
    ``.sql.conf``): Flyway's decoder reports them too ("Unable to calculate checksum … configure the correct
    file encoding"), so there is no checksum.

    With placeholders the checksum stays the file's own for versioned migrations: ``SqlMigrationResolver.
    getChecksumForLoadableResource`` computes it over the placeholder-replaced text only for *repeatable*
    migrations with placeholder replacement on (so a changed value re-runs them); :func:`text_checksum` is
    that computation over already-replaced text.
    """
    return text_checksum(codecs.decode(data, encoding))


def text_checksum(text: str) -> int:
    """:func:`flyway_checksum` of decoded text (a leading BOM dropped, line ends ignored)."""
    if text.startswith(_BOM):
        text = text[1:]
    # Every "\r" and "\n" belongs to some line terminator and no terminator reaches the CRC, and CRC-32 over
    # consecutive lines equals CRC-32 over their concatenation: so this is readLine-and-update, in one call.
    crc = zlib.crc32(text.replace("\r", "").replace("\n", "").encode("utf-8"))
    return crc - (1 << 32) if crc >= (1 << 31) else crc


#: Why a file has no checksum or text: unreadable, too large, or not UTF-8 (located at the first bad
#: byte). The same located (line, column, message) record as a parse error, which is what it becomes.
ReadError = SqlError


@dataclass(frozen=True)
class MigrationFile:
    """One ``*.sql`` file found under a migrations folder."""

    name: FlywayName
    path: Path
    #: Path relative to the scanned folder, with ``/`` separators, as Flyway shows it in ``script``.
    relpath: str
    checksum: int | None
    #: The decoded text (BOM removed) for the SQL analysis, so a run reads and decodes each file once.
    text: str | None = field(default=None, repr=False, compare=False)
    read_error: ReadError | None = None


def migration_from_bytes(relpath: str, data: bytes, path: Path | None = None, encoding: str = "utf-8") -> MigrationFile:
    """The :class:`MigrationFile` whose bytes are ``data``: its Flyway name, checksum and decoded text
    (or the located reason it has none). ``relpath``: relative to the migrations folder, ``/``-separated;
    ``path``: where it was read (default: ``relpath`` itself); ``encoding``: the script's own, from its
    ``.sql.conf`` (a Python codec name; Java's charset names are the same for the common ones)."""
    name = parse_name(relpath.rsplit("/", 1)[-1])
    where = path if path is not None else Path(relpath)
    try:
        checksum = flyway_checksum(data, encoding)
    except UnicodeDecodeError as exc:
        return MigrationFile(name, where, relpath, None, None, _decode_error(data, exc, encoding))
    text = codecs.decode(data, encoding)
    return MigrationFile(name, where, relpath, checksum, text[1:] if text.startswith(_BOM) else text)


def unreadable_migration(relpath: str, message: str, path: Path | None = None) -> MigrationFile:
    """The :class:`MigrationFile` of a file that could not be read (``message`` says why)."""
    name = parse_name(relpath.rsplit("/", 1)[-1])
    where = path if path is not None else Path(relpath)
    return MigrationFile(name, where, relpath, None, None, ReadError(1, 1, message))


def _decode_error(data: bytes, exc: UnicodeDecodeError, encoding: str = "utf-8") -> ReadError:
    good = codecs.decode(data[: exc.start], encoding, "replace")
    line, column = LineIndex(good).position(len(good))
    if codecs.lookup(encoding).name == "utf-8":
        return ReadError(
            line,
            column,
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); Flyway reads migrations as UTF-8 "
            "unless flyway.encoding or the script's .sql.conf (encoding=…) says otherwise",
        )
    return ReadError(
        line,
        column,
        f"not {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}), the encoding its .sql.conf names",
    )
