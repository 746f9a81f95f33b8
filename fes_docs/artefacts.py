"""The real files a project's records point at: the Flyway folder, indexed and parsed once per run.

Rules ask this index questions ("what class is V7's SQL?") instead of opening files themselves, so
each migration is read, checksummed and parsed at most once however many rules look at it. The folder
is listed and every file read through the project's :class:`~fes_docs.inputs.ProjectInputs`, so the
run's manifest holds each byte the SQL rules saw (links out of the project are neither listed nor read).

Each script is read as Flyway reads it: with its ``.sql.conf`` (encoding, placeholder replacement,
transaction) and with the policy's placeholders replaced before it is parsed
(:mod:`fes_docs.sql.placeholders`), every position moved back to the file as written. A repeatable
migration's checksum is then Flyway's too: over the replaced text (``SqlMigrationResolver``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from dataclasses import replace as with_fields
from functools import cached_property
from pathlib import Path
from typing import Any

from pglast.parser import ParseError

from .cache import SQL, Cache, RawJSON, digest
from .flyway_config import FlywayConfig
from .flyway_files import project_flyway
from .inputs import InputError, ProjectInputs
from .model import MigrationRef, Policy, Release
from .positions import LineIndex
from .sql.analyze import (
    KLASS_RANK,
    POSTGRES_DIALECTS,
    Analysis,
    Klass,
    SqlError,
    analysis_from_json,
    analysis_text,
    analyze,
    is_supported_dialect,
)
from .sql.copy_stdin import blank_copy_data
from .sql.flyway import (
    MAX_SQL_BYTES,
    MigrationFile,
    migration_from_bytes,
    parse_name,
    text_checksum,
    unreadable_migration,
    version_key,
)
from .sql.placeholders import Replaced, relocate
from .sql.script_config import ConfProblem, ScriptConfig, ScriptReading, inline_directives, parse_conf, reading_for
from .sql.split import parse_statements
from .sql.transactions import MIXED_MESSAGE, mixed_offender, outside_transaction
from .workers import Batch

#: Words without which no statement of a script is one Flyway runs outside a transaction.
_NON_TRANSACTIONAL = r"concurrently|vacuum|database|tablespace|subscription|system|discard|reindex|add\s+value"
_NON_TRANSACTIONAL_WORDS = re.compile(_NON_TRANSACTIONAL, re.IGNORECASE)
_NON_TRANSACTIONAL_LOWER = re.compile(_NON_TRANSACTIONAL)


def _may_run_outside_a_transaction(text: str) -> bool:
    """Whether ``text`` holds one of the words above, in any case. An ASCII text is lowered and searched as
    written (the same answer: its letters have no other case forms; eight times quicker than ``IGNORECASE``
    over a thousand migrations); any other is searched ignoring case, Unicode's way."""
    if text.isascii():
        return _NON_TRANSACTIONAL_LOWER.search(text.lower()) is not None
    return _NON_TRANSACTIONAL_WORDS.search(text) is not None


#: A class's severity: the SQL analysis's own ranking (one definition).
SEVERITY = KLASS_RANK


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
    flyway: FlywayConfig = field(default_factory=FlywayConfig)
    #: Each script's ``.sql.conf`` (scripts without one are not in it), by the script's relpath.
    configs: dict[str, ScriptConfig] = field(default_factory=dict)
    #: ``.sql.conf`` files (relpaths) beside which there is no script: Flyway never reads them.
    stray_configs: list[str] = field(default_factory=list)
    _analyses: dict[str, Analysis] = field(default_factory=dict)
    _replaced: dict[str, Replaced] = field(default_factory=dict)
    _batch: Batch[tuple[str, str], tuple[str, Analysis]] | None = None  # analyses under way in workers
    _batch_keys: list[str] = field(default_factory=list)
    _prefetched: dict[str, tuple[str, Analysis]] = field(default_factory=dict)  # key -> (JSON text, analysis)

    @classmethod
    def build(
        cls, inputs: ProjectInputs, policy: Policy, releases: list[Release], cache: Cache | None = None
    ) -> MigrationIndex:
        index = cls.read(inputs, policy, cache)
        index.claim(releases)
        return index

    @classmethod
    def read(cls, inputs: ProjectInputs, policy: Policy, cache: Cache | None = None) -> MigrationIndex:
        """The folder's files, read and indexed; no claims yet (the records may still be loading)."""
        folder = policy.migrations_dir
        path = inputs.inside(folder) if folder else None
        exists = path is not None and path.is_dir()
        index = cls(
            inputs.root,
            folder,
            exists,
            analysis_dialect(policy),
            cache=cache,
            flyway=project_flyway(inputs, policy.flyway, folder),  # flyway.conf / flyway.toml under the policy
        )
        if folder:
            index._read_configs(inputs, policy)
            # recorded: an added or removed migration is a changed input
            for relpath in inputs.list_tree(folder, ".sql"):  # [] when the folder is not there
                label = index.file_label(relpath)
                try:
                    limit = min(policy.max_sql_bytes, MAX_SQL_BYTES)
                    conf = index.configs.get(relpath)
                    encoding = conf.encoding if conf is not None and conf.encoding else "utf-8"
                    mf = migration_from_bytes(relpath, inputs.read_bytes(label, limit), inputs.root / label, encoding)
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
                index.files[relpath] = index._with_flyway_checksum(relpath, mf)
            index.stray_configs = sorted(f"{c}.conf" for c in index.configs if c not in index.files)
        return index

    def claim(self, releases: list[Release]) -> None:
        """Record which release lists which file."""
        for rel in releases:
            for ref in rel.migrations:
                if ref.file:
                    self.claims.setdefault(ref.file, []).append(Claim(rel, ref))

    def analysis_jobs(self) -> list[tuple[str, str]]:
        """``(key, text)`` of every text to analyse that the cache does not know, each once: the work
        :func:`analyse_chunk` does in worker processes (:meth:`expect`), before any rule asks."""
        jobs: dict[str, str] = {}
        for name in self.files:
            text = self._analysis_text(name)
            if text is not None:
                key = digest(self.dialect, text)
                if key not in jobs and (self.cache is None or self.cache.get(SQL, key) is None):
                    jobs[key] = text
        return list(jobs.items())

    def expect(self, jobs: list[tuple[str, str]], batch: Batch[tuple[str, str], tuple[str, Analysis]]) -> None:
        """``jobs`` are being analysed by ``batch``: :meth:`analysis` collects the answers when first asked."""
        self._batch, self._batch_keys = batch, [key for key, _ in jobs]

    def _read_configs(self, inputs: ProjectInputs, policy: Policy) -> None:
        """Every ``<script>.sql.conf`` under the folder, parsed, by its script's relpath."""
        assert self.folder is not None
        for relpath in inputs.list_tree(self.folder, ".sql.conf"):
            label = self.file_label(relpath)
            try:
                data = inputs.read_bytes(label, min(policy.max_sql_bytes, MAX_SQL_BYTES))
            except InputError as exc:
                if exc.reason in ("outside", "missing"):
                    continue
                problem = ConfProblem(relpath, 1, 1, f"Flyway cannot read it: {exc.problem.message}")
                self.configs[relpath.removesuffix(".conf")] = ScriptConfig(source=relpath, problems=(problem,))
                continue
            text = data.decode("utf-8", "replace")  # Flyway reads it in the default encoding (UTF-8)
            self.configs[relpath.removesuffix(".conf")] = parse_conf(text, relpath)

    def _with_flyway_checksum(self, relpath: str, mf: MigrationFile) -> MigrationFile:
        """``mf`` with Flyway's checksum: a repeatable's is over its placeholder-replaced text
        (``SqlMigrationResolver.getChecksumForLoadableResource``), a versioned one's over the file."""
        if mf.name.kind != "repeatable" or mf.text is None or not self.reading(relpath).replace_enabled:
            return mf
        self.files[relpath] = mf  # replaced() reads it from here
        replaced = self.replaced(relpath)
        if replaced is None or replaced.unresolved or not replaced.used:
            return mf  # Flyway fails on an unresolved placeholder: FES324 says so, the file's checksum stays
        return with_fields(mf, checksum=text_checksum(replaced.text))

    def reading(self, name: str) -> ScriptReading:
        """How Flyway reads and runs the script ``name``: placeholders, ``.sql.conf``, ``mixed``."""
        return reading_for(name.rsplit("/", 1)[-1], self.flyway, self.configs.get(name), str(self.root))

    def replaced(self, name: str | None) -> Replaced | None:
        """The text Flyway parses for ``name`` (placeholders replaced), with the way back to the file's offsets."""
        mf = self.get(name)
        if mf is None or name is None or mf.text is None:
            return None
        if name not in self._replaced:
            self._replaced[name] = self.reading(name).replace(mf.text)
        return self._replaced[name]

    def config_problems(self, name: str) -> tuple[ConfProblem, ...]:
        """What is wrong with how ``name`` is configured: its ``.sql.conf``, and ``-- flyway:`` lines Flyway ignores."""
        conf = self.configs.get(name)
        mf = self.get(name)
        inline = inline_directives(mf.text, name, conf.source if conf else None) if mf and mf.text else ()
        return (conf.problems if conf else ()) + inline

    def file_label(self, name: str) -> str:
        """The file as findings name it: relative to the project root."""
        return f"{self.folder.rstrip('/')}/{name}" if self.folder else name

    def get(self, name: str | None) -> MigrationFile | None:
        return self.files.get(name) if name else None

    def _analysis_text(self, name: str) -> str | None:
        """The text the SQL analysis parses for ``name``; None when there is none to parse (a read error,
        a placeholder Flyway has no value for)."""
        mf = self.files[name]
        if mf.read_error is not None:
            return None
        replaced = self.replaced(name)
        if replaced is not None and replaced.unresolved:
            return None
        return replaced.text if replaced is not None else ""

    def analysis(self, name: str | None) -> Analysis | None:
        mf = self.get(name)
        if mf is None or name is None:
            return None
        if name not in self._analyses:
            if mf.read_error is not None:  # a read error is located like a parse error (the same record)
                self._analyses[name] = Analysis((), mf.read_error, None)
                return self._analyses[name]
            replaced = self.replaced(name)
            if replaced is not None and replaced.unresolved:
                # Flyway fails before parsing (FES324 reports each placeholder): nothing to analyse.
                first = replaced.unresolved[0]
                line, column = LineIndex(mf.text or "").position(first.offset)
                self._analyses[name] = Analysis((), SqlError(line, column, first.message), None)
                return self._analyses[name]
            text = replaced.text if replaced is not None else ""
            self._analyses[name] = self._analysed(text)
            if replaced is not None and mf.text is not None:
                self._analyses[name] = relocate(self._analyses[name], replaced, mf.text)
        return self._analyses[name]

    def _analysed(self, text: str) -> Analysis:
        """The analysis of ``text``: from the cache, from the workers (:meth:`expect`), or parsed now."""
        key = digest(self.dialect, text)
        if self._batch is not None:
            batch, self._batch = self._batch, None
            self._prefetched = dict(zip(self._batch_keys, batch.take(), strict=True))
        hit = self.cache.get(SQL, key) if self.cache else None
        if hit is not None:
            try:
                return analysis_from_json(hit)
            except (KeyError, TypeError, ValueError):  # an unreadable cache entry: as a miss
                pass
        done = self._prefetched.get(key)
        result = done[1] if done is not None else analyze(text, self.dialect)
        if self.cache:  # kept as text until saved: a fraction of the memory of its dicts (RawJSON)
            self.cache.put(SQL, key, RawJSON(done[0] if done is not None else analysis_text(result)))
            self._prefetched.pop(key, None)  # the cache holds it now (the same text, not a copy)
        return result

    def mixed_refusal(self, name: str) -> tuple[int, int, str] | None:
        """Where and why Flyway's mixed check refuses ``name`` (Flyway's rule: it applies only without
        ``mixed`` and without a script ``executeInTransaction``), else ``None``."""
        replaced = self.replaced(name)
        mf = self.get(name)
        if replaced is None or mf is None or mf.text is None or replaced.unresolved:
            return None
        if self.dialect not in POSTGRES_DIALECTS or not self.reading(name).mixed_check:
            return None
        if not _may_run_outside_a_transaction(replaced.text):  # the common case: no parse needed
            return None
        try:
            parsed = parse_statements(blank_copy_data(replaced.text))
        except ParseError:
            return None  # FES320 reports the file
        at = mixed_offender([outside_transaction(node) for node, _ in parsed])
        if at is None:
            return None
        cut = parsed[at][1]
        line, column = LineIndex(mf.text).position(replaced.original(cut.start))
        kind = " [non-transactional]" if outside_transaction(parsed[at][0]) else ""
        return line, column, f"{MIXED_MESSAGE}. Offending statement found at line {line}{kind}"

    def placeholder_failed(self, name: str | None) -> bool:
        """True when Flyway has no value for some placeholder of ``name`` (it fails before parsing)."""
        replaced = self.replaced(name)
        return replaced is not None and bool(replaced.unresolved)

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


def analysis_dialect(policy: Policy) -> str:
    """The dialect the migrations are analysed in: the policy's; an unknown one is a policy schema finding,
    and the SQL is parsed as PostgreSQL meanwhile rather than not at all."""
    return policy.sql_dialect if is_supported_dialect(policy.sql_dialect) else "postgres"


def analyse_chunk(chunk: list[tuple[str, str]], context: dict[str, Any]) -> list[tuple[str, Analysis]]:
    """Each ``(key, text)``'s analysis in ``context["dialect"]`` with its JSON text (the work a worker does).

    Both go back: the text is what the cache keeps, and the analysis itself, pickled by the worker, is
    rebuilt here in C — where building it again from the text, 65,000 statements at 10,000 migrations,
    was two-thirds of a second of this process's time after the workers were done."""
    out: list[tuple[str, Analysis]] = []
    for _key, text in chunk:
        found = analyze(text, context["dialect"])
        out.append((analysis_text(found), found))
    return out
