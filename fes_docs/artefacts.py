"""The real files a project's records point at: the Flyway folder, indexed and parsed once per run.

Rules ask this index questions ("what class is V7's SQL?") instead of opening files themselves, so
each migration is read, checksummed and parsed at most once however many rules look at it. The folder
is listed and every file read through the project's :class:`~fes_docs.inputs.ProjectInputs`, so the
run's manifest holds each byte the SQL rules saw (links out of the project are neither listed nor read).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .cache import SQL, Cache, digest
from .inputs import InputError, ProjectInputs
from .model import MigrationRef, Policy, Release
from .sql.analyze import KLASS_RANK, Analysis, Klass, SqlError, Statement, analyze, is_supported_dialect
from .sql.flyway import (
    MAX_SQL_BYTES,
    MigrationFile,
    migration_from_bytes,
    parse_name,
    unreadable_migration,
    version_key,
)

#: A class's severity: the SQL analysis's own ranking (one definition).
SEVERITY = KLASS_RANK


def _statement(raw: dict[str, Any]) -> Statement:
    raw = dict(raw)
    raw["creates"] = tuple(tuple(x) for x in raw.get("creates", ()))
    raw["drops"] = tuple(tuple(x) for x in raw.get("drops", ()))
    raw["inner"] = tuple(_statement(x) for x in raw.get("inner", ()))
    return Statement(**raw)


def analysis_from_json(raw: dict[str, Any]) -> Analysis:
    """Inverse of ``dataclasses.asdict`` for a cached analysis."""
    raw = dict(raw)
    raw["statements"] = tuple(_statement(x) for x in raw["statements"])
    raw["error"] = SqlError(**raw["error"]) if raw.get("error") else None
    return Analysis(**raw)


@dataclass
class Claim:
    release: Release
    ref: MigrationRef


@dataclass
class MigrationIndex:
    """Every file in ``migrations_dir`` by its path relative to that folder, and who claims it."""

    root: Path
    folder: str | None  # migrations_dir relative to the project root
    exists: bool
    dialect: str
    files: dict[str, MigrationFile] = field(default_factory=dict)
    claims: dict[str, list[Claim]] = field(default_factory=dict)
    cache: Cache | None = None
    _analyses: dict[str, Analysis] = field(default_factory=dict)

    @classmethod
    def build(
        cls, inputs: ProjectInputs, policy: Policy, releases: list[Release], cache: Cache | None = None
    ) -> MigrationIndex:
        folder = policy.migrations_dir
        path = inputs.inside(folder) if folder else None
        exists = path is not None and path.is_dir()
        dialect = policy.sql_dialect
        # an unknown dialect is a policy schema finding; parse as PostgreSQL meanwhile rather than not at all
        index = cls(inputs.root, folder, exists, dialect if is_supported_dialect(dialect) else "postgres", cache=cache)
        if folder:
            # recorded: an added or removed migration is a changed input
            for relpath in inputs.list_tree(folder, ".sql"):  # [] when the folder is not there
                label = index.file_label(relpath)
                try:
                    limit = min(policy.max_sql_bytes, MAX_SQL_BYTES)
                    mf = migration_from_bytes(relpath, inputs.read_bytes(label, limit), inputs.root / label)
                except InputError as exc:
                    if exc.reason in ("outside", "missing"):  # a link out, or gone since the listing
                        continue
                    message = exc.problem.message
                    if exc.reason == "too-large":
                        message = (
                            f"larger than the policy's max_sql_bytes ({limit:,} bytes): not analysed; "
                            "split the file, or raise max_sql_bytes in releases/policy.yaml"
                        )
                    mf = unreadable_migration(relpath, message, inputs.root / label)
                index.files[relpath] = mf
        for rel in releases:
            for ref in rel.migrations:
                if ref.file:
                    index.claims.setdefault(ref.file, []).append(Claim(rel, ref))
        return index

    def file_label(self, name: str) -> str:
        """The file as findings name it: relative to the project root."""
        return f"{self.folder.rstrip('/')}/{name}" if self.folder else name

    def get(self, name: str | None) -> MigrationFile | None:
        return self.files.get(name) if name else None

    def analysis(self, name: str | None) -> Analysis | None:
        mf = self.get(name)
        if mf is None or name is None:
            return None
        if name not in self._analyses:
            if mf.read_error is not None:  # a read error is located like a parse error (the same record)
                self._analyses[name] = Analysis((), mf.read_error, None)
                return self._analyses[name]
            text = mf.text if mf.text is not None else ""
            key = digest(self.dialect, text)
            hit = self.cache.get(SQL, key) if self.cache else None
            try:
                if hit is None:
                    raise KeyError(key)
                self._analyses[name] = analysis_from_json(hit)
            except (KeyError, TypeError, ValueError):  # a miss or an unreadable entry
                result = analyze(text, self.dialect)
                self._analyses[name] = result
                if self.cache:
                    self.cache.put(SQL, key, asdict(result))
        return self._analyses[name]

    def sql_class(self, name: str | None) -> Klass | None:
        a = self.analysis(name)
        return a.klass if a is not None and a.error is None else None

    def checksum(self, name: str | None) -> int | None:
        mf = self.get(name)
        return mf.checksum if mf else None

    @cached_property
    def undo_by_version(self) -> dict[tuple[int, ...], list[str]]:
        out: dict[tuple[int, ...], list[str]] = {}
        for name, mf in sorted(self.files.items()):
            if mf.name.kind == "undo" and mf.name.version is not None:
                out.setdefault(version_key(mf.name.version), []).append(name)
        return out

    def version_of(self, name: str) -> tuple[int, ...] | None:
        mf = self.get(name)
        parsed = mf.name if mf else parse_name(name.rsplit("/", 1)[-1])
        if parsed.kind == "versioned" and parsed.version is not None:
            return version_key(parsed.version)
        return None
