"""Load a whole project: the policy, every release record, and (lazily) the artefacts they point at.

Only two situations are not findings: no policy file, or one the OS will not let us read. Then there is
no project to speak of and :class:`ConfigError` carries a one-line reason (exit code 2). Everything
else — broken YAML, schema violations, a missing OpenAPI spec — becomes a located finding.

Every file is read through the project's :class:`~fes_docs.inputs.ProjectInputs` (``project.inputs``),
so what a run depended on is known; results are kept in the one :class:`~fes_docs.cache.Cache`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import workers
from .artefacts import MigrationIndex, analyse_chunk, analysis_dialect
from .cache import OPENAPI, Cache, KeyValueStore
from .errors import ConfigError
from .findings import Finding, Loc
from .inputs import InputError, ProjectInputs
from .loader import MAX_BYTES as MAX_POLICY_BYTES
from .loader import load_bytes
from .model import Policy, Release
from .records import Reading, load_chunk
from .records import problem_finding as problem_finding  # where it was: baseline.py imports it from here
from .schema import policy_schema, release_schema
from .schema_check import schema_findings

if TYPE_CHECKING:
    from .openapi import SpecIndex

RELEASES_DIR = "releases"
POLICY_FILE = "policy.yaml"
SCHEMA_DIR = "schema"
SPEC_PARALLEL_BYTES = 256_000
#: Bytes of records, characters of SQL, per chunk of work handed to a worker (about eight records, forty
#: migrations): small enough that the two cores finish close together.
RECORDS_CHUNK_BYTES = 24_000
SQL_CHUNK_CHARS = 20_000


@dataclass
class Project:
    """Everything a rule may look at. Artefacts are parsed on first use, once per run."""

    root: Path
    policy: Policy
    releases: list[Release]
    load_findings: list[Finding] = field(default_factory=list)
    releases_dir: str = RELEASES_DIR
    today: str | None = None  # ISO date for waiver expiry; None = the real today
    cache: Cache | None = None
    inputs: ProjectInputs = field(default=None)  # type: ignore[assignment]  # set in __post_init__
    _spec_worker: Any = None
    _sql_index: MigrationIndex | None = None  # read early by start_workers, claimed once the records are in
    #: A one-shot run that may fork workers (:mod:`fes_docs.workers`): set by ``load_project(parallel=True)``.
    parallel: bool = False

    def __post_init__(self) -> None:
        if self.inputs is None:
            self.inputs = ProjectInputs(self.root)

    @property
    def policy_file(self) -> str:
        return f"{self.releases_dir}/{POLICY_FILE}"

    def policy_loc(self, *path: str | int) -> Loc:
        if self.policy.doc is None:
            return Loc(self.policy_file)
        p = self.policy.doc.pos(path)
        return Loc(self.policy_file, p.line, p.column)

    def by_id(self) -> dict[str, Release]:
        out: dict[str, Release] = {}
        for rel in self.releases:
            out.setdefault(rel.key, rel)
        return out

    def inside(self, rel_path: str) -> Path | None:
        """Resolve a user-given path, refusing anything that leaves the project root."""
        return self.inputs.inside(rel_path)

    def read_bytes(self, rel_path: str, max_bytes: int | None = None) -> bytes:
        """A project file's bytes through the one I/O layer (raises :class:`~fes_docs.inputs.InputError`)."""
        return self.inputs.read_bytes(rel_path, max_bytes)

    @cached_property
    def migrations(self) -> MigrationIndex:
        index = self._sql_index or MigrationIndex.read(self.inputs, self.policy, self.cache)
        index.claim(self.releases)
        return index

    def start_workers(self, reading: Reading) -> None:
        """Hand the SQL still to analyse and the records still to load to worker processes (when there is enough
        of it: :mod:`fes_docs.workers`); this process takes its share when it wants the answers. The SQL goes
        first: an analysis comes back as a short text, a loaded record as all its data, and passing that over
        costs this process about what loading it here does — so this process loads the records from the back
        while the workers analyse, and they take records from the front only once the SQL is done. The
        migrations are read now, before the records are in (their claims are added when they are).
        """
        folder = self.policy.migrations_dir
        migrations = len(self.inputs.list_tree(folder, ".sql")) if folder else 0  # at most that many texts
        context = {"policy": self.policy, "check": reading.check, "dialect": analysis_dialect(self.policy)}
        pool = workers.Pool.start(context, len(reading.jobs) + migrations)
        if pool is None:
            return
        index = self._sql_index = MigrationIndex.read(self.inputs, self.policy, self.cache)
        sql_jobs = index.analysis_jobs()
        index.expect(sql_jobs, pool.submit(analyse_chunk, sql_jobs, lambda job: len(job[1]), SQL_CHUNK_CHARS))
        reading.expect(pool.submit(load_chunk, reading.jobs, lambda job: len(job[1]), RECORDS_CHUNK_BYTES))
        pool.seal()

    @cached_property
    def spec(self) -> SpecIndex:
        from .openapi import load_spec  # lazy: ~35 ms of imports a warm, unchanged-project run never needs

        if self._spec_worker is not None:  # validated in parallel: the result waits in the disk cache
            self._spec_worker.join()
        # every file the loader reads — the spec, each $ref target (a missing one as absent), each file
        # a cached result depended on — is read through project.inputs, so it is in the run's manifest
        return load_spec(self.root, self.policy.openapi or "", store=_spec_store(self.cache), read=self.spec_reader())

    def spec_reader(self) -> Callable[[str], bytes]:
        """The OpenAPI package's ``read``: project-relative path -> bytes through ``project.inputs``."""
        from .openapi import MAX_BYTES
        from .openapi.workspace import ReadFailed

        def read(rel: str) -> bytes:
            try:
                return self.inputs.read_bytes(rel, MAX_BYTES)
            except InputError as exc:
                raise ReadFailed(exc.problem, missing=exc.reason == "missing") from None

        return read

    def start_spec_worker(self) -> None:
        """Validate a large OpenAPI spec in a second process while the records load and the rules run.

        openapi-spec-validator walks the document in pure Python (seconds for a 2 MB spec), and the GIL
        keeps a thread from helping; a forked process uses the second core and hands its result over
        through the disk cache. Small specs, no cache or no fork: validated inline when first needed.
        """
        import multiprocessing as mp  # lazy: only a one-shot CLI run with a large spec forks

        if self.cache is None or self.cache.ensure_folder() is None or not self.policy.openapi:
            return
        spec = self.inside(self.policy.openapi)
        if spec is None or "fork" not in mp.get_all_start_methods():
            return
        try:
            if spec.stat().st_size < SPEC_PARALLEL_BYTES:
                return
        except OSError:
            return
        worker = mp.get_context("fork").Process(
            target=_warm_spec, args=(self.root, self.policy.openapi, self.cache), daemon=True
        )
        worker.start()
        self._spec_worker = worker


def _spec_store(cache: Cache | None) -> KeyValueStore | None:
    """Where ``load_spec`` keeps its results: the OPENAPI namespace of the one cache (None when off)."""
    return cache.store(OPENAPI) if cache is not None and cache.enabled else None


def _warm_spec(root: Path, rel: str, cache: Cache) -> None:
    from .openapi import load_spec  # lazy: see Project.spec

    load_spec(root, rel, store=_spec_store(cache))


def load_policy(
    root: Path, releases_dir: str = RELEASES_DIR, inputs: ProjectInputs | None = None
) -> tuple[Policy, list[Finding]]:
    rel = f"{releases_dir}/{POLICY_FILE}"
    inputs = inputs or ProjectInputs(root)
    if inputs.list_entries(releases_dir).get(POLICY_FILE) == "link":
        # refused before reading: the rules every record is judged by are a file under review, not a link
        refused = Finding(
            Loc(rel), "FES003", "error", "the policy is a symbolic link; it was not read", "commit the policy itself"
        )
        return Policy.from_data(None), [refused]
    try:
        data = inputs.read_bytes(rel)
    except InputError as exc:
        if exc.reason == "missing":
            raise ConfigError(
                f"no policy file at {rel} (run from the project root or pass --root DIR; `fes-docs init` writes one)"
            ) from None
        if exc.reason == "too-large":
            return Policy.from_data(None), [problem_finding(rel, exc.problem)]
        reason = exc.problem.message.removeprefix("cannot read file: ")
        raise ConfigError(f"cannot read {rel}: {reason}") from None
    doc, problems = load_bytes(data, rel)
    if doc is None:
        return Policy.from_data(None), [problem_finding(rel, p) for p in problems]
    return Policy.from_data(doc.data, doc), schema_findings(doc, policy_schema())


def openapi_at(root: Path, rev: str) -> str | None:
    """The spec the policy names (``openapi:``) at git revision ``rev``; None when there is no readable
    policy there, or it names none. What the base of a pull request checked is the base's own policy's
    spec: a pull request that moves the spec and re-points ``openapi:`` must not compare the old version
    at the new path (absent there: every operation "added", every removal unseen)."""
    from .gitutil import prefix_in_repository, show_bytes  # here: only the API gate and api-diff ask

    rel = f"{RELEASES_DIR}/{POLICY_FILE}"
    data = show_bytes(root, rev, (prefix_in_repository(root) / rel).as_posix(), MAX_POLICY_BYTES)
    doc = load_bytes(data, rel)[0] if data is not None else None
    return Policy.from_data(doc.data, doc).openapi if doc is not None and isinstance(doc.data, dict) else None


def release_names(inputs: ProjectInputs, releases_dir: str = RELEASES_DIR) -> list[str]:
    """The record files of ``releases_dir`` that are read, as paths relative to the project root."""
    return scan_releases(inputs, releases_dir)[0]


def scan_releases(inputs: ProjectInputs, releases_dir: str = RELEASES_DIR) -> tuple[list[str], list[Finding]]:
    """The record files to read, and a finding for each file that looks like a record but will not be read.

    A record is a regular file directly in ``releases_dir`` named ``*.yaml`` or ``*.yml``. Anything that
    looks like one and is not — ``*.YAML``, a name with leading or trailing spaces, a YAML file in a
    sub-folder, a symbolic link (refused without being read: a link can alias another record or a file
    outside the records) — is an error, never silently skipped: a record the gate does not read is a
    record it cannot fail. Hidden files (editor locks and swap files) are left alone.
    """
    names: list[str] = []
    findings: list[Finding] = []
    for name, kind in sorted(inputs.list_entries(releases_dir).items()):
        rel = f"{releases_dir}/{name}"
        if name == POLICY_FILE or name.startswith("."):
            continue
        if kind == "dir":
            for sub in inputs.list_tree(rel, ""):
                if _looks_like_yaml(sub):
                    findings.append(
                        _not_read(f"{rel}/{sub}", "this record is in a sub-folder", f"move it to {releases_dir}/")
                    )
            continue
        if not _looks_like_yaml(name):
            continue
        if kind == "link":
            # FES003, as before for links leading outside: refused unread, wherever the link points
            findings.append(
                _not_read(rel, "this file is a symbolic link", "commit the record itself, not a link", "FES003")
            )
        elif kind != "file":
            findings.append(_not_read(rel, "this is not a regular file", "commit the record as a plain file"))
        elif name != name.strip() or not name.endswith((".yaml", ".yml")):
            findings.append(
                _not_read(
                    rel,
                    f"the file name {name!r} is not <id>.yaml",
                    "rename it to its id followed by .yaml (lower case, no spaces around it)",
                )
            )
        else:
            names.append(rel)
    return names, findings


def _looks_like_yaml(name: str) -> bool:
    return name.strip().lower().endswith((".yaml", ".yml")) and not name.rsplit("/", 1)[-1].startswith(".")


def _not_read(rel: str, why: str, hint: str, rule: str = "FES004") -> Finding:
    return Finding(Loc(rel), rule, "error", f"{why}; it was not read", hint)


def release_files(root: Path, releases_dir: str = RELEASES_DIR) -> list[Path]:
    """The record files of ``releases_dir`` as paths (for callers outside a run; a run uses :func:`release_names`)."""
    inputs = ProjectInputs(root)
    return [inputs.root / rel for rel in release_names(inputs, releases_dir)]


def load_project(
    root: Path,
    releases_dir: str = RELEASES_DIR,
    today: str | None = None,
    use_cache: bool | None = None,
    parallel_spec: bool = False,
    cache: Cache | None = None,
    parallel: bool = False,
) -> Project:
    """Read the policy and every release file under ``releases/`` (unchanged files from the cache).

    ``cache``: the run's cache, when the caller keeps its own entries in it too (else one is made,
    enabled per ``use_cache``). ``parallel_spec``, ``parallel``: validate a large spec, load many records and
    analyse many migrations, in forked processes as well — opt-in, as only a one-shot run (not a long-lived,
    threaded server) should fork.
    """
    root = root.resolve()
    inputs = ProjectInputs(root)
    policy, findings = load_policy(root, releases_dir, inputs)
    cache = cache if cache is not None else Cache(root, use_cache)
    project = Project(root, policy, [], findings, releases_dir, today, cache, inputs)
    if parallel_spec:
        project.start_spec_worker()
    names, unread = scan_releases(inputs, releases_dir)
    reading = Reading(inputs, names, policy, cache)
    if parallel:
        project.parallel = True
        project.start_workers(reading)
    releases, release_findings = reading.finish()
    findings.extend([*unread, *release_findings])
    project.releases = releases
    findings.extend(published_schema_findings(project))
    return project


def published_schema_findings(project: Project) -> list[Finding]:
    """The schema file editors read must match the policy, or completion would suggest stale names."""
    out: list[Finding] = []
    folder = f"{project.releases_dir}/{SCHEMA_DIR}"
    for name, schema in (
        ("release.schema.json", release_schema(project.policy)),
        ("policy.schema.json", policy_schema()),
    ):
        try:
            current = project.read_bytes(f"{folder}/{name}").decode("utf-8")
        except InputError as exc:
            if exc.reason in ("missing", "outside"):
                continue
            current = ""
        except UnicodeDecodeError:
            current = ""
        if current != dump_schema(schema):
            out.append(
                Finding(
                    Loc(f"{folder}/{name}"),
                    "FES015",
                    "warning",
                    f"{name} is out of date with the policy",
                    "regenerate it: fes-docs schema --write",
                )
            )
    return out


def dump_schema(schema: dict[str, object]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
