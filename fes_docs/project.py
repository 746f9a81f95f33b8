"""Load a whole project: the policy, every release record, and (lazily) the artefacts they point at.

Only two situations are not findings: no policy file, or one the OS will not let us read. Then there is
no project to speak of and :class:`ConfigError` carries a one-line reason (exit code 2). Everything
else — broken YAML, schema violations, a missing OpenAPI spec — becomes a located finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .findings import Finding, Loc
from .loader import Document, LoadProblem, load_bytes, load_file
from .model import Policy, Release
from .schema import policy_schema, release_schema, schema_findings

if TYPE_CHECKING:
    from .artefacts import MigrationIndex
    from .cache import Cache
    from .openapi import SpecIndex

RELEASES_DIR = "releases"
POLICY_FILE = "policy.yaml"
SCHEMA_DIR = "schema"


def problem_finding(file: str, p: LoadProblem) -> Finding:
    return Finding(Loc(file, p.line, p.column), p.rule, "error", p.message, p.hint)


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
    _spec_worker: Any = None

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
        candidate = (self.root / rel_path).resolve()
        root = self.root.resolve()
        if candidate != root and root not in candidate.parents:
            return None
        return candidate

    @cached_property
    def migrations(self) -> MigrationIndex:
        from .artefacts import MigrationIndex

        return MigrationIndex.build(self)

    @cached_property
    def spec(self) -> SpecIndex:
        from .openapi import load_spec

        if self._spec_worker is not None:  # validated in parallel: the result waits in the disk cache
            self._spec_worker.join()
        folder = self.cache.ensure_folder() if self.cache is not None else None
        return load_spec(self.root, self.policy.openapi or "", cache_dir=folder)

    def start_spec_worker(self) -> None:
        """Validate a large OpenAPI spec in a second process while the records load and the rules run.

        openapi-spec-validator walks the document in pure Python (seconds for a 2 MB spec), and the GIL
        keeps a thread from helping; a forked process uses the second core and hands its result over
        through the disk cache. Small specs, no cache or no fork: validated inline when first needed.
        """
        import multiprocessing as mp

        folder = self.cache.ensure_folder() if self.cache is not None else None
        spec = self.inside(self.policy.openapi) if self.policy.openapi else None
        if folder is None or spec is None or "fork" not in mp.get_all_start_methods():
            return
        try:
            if spec.stat().st_size < SPEC_PARALLEL_BYTES:
                return
        except OSError:
            return
        worker = mp.get_context("fork").Process(
            target=_warm_spec, args=(self.root, self.policy.openapi, folder), daemon=True
        )
        worker.start()
        self._spec_worker = worker


SPEC_PARALLEL_BYTES = 256_000


def _warm_spec(root: Path, rel: str, folder: Path) -> None:
    from .openapi import load_spec

    load_spec(root, rel, cache_dir=folder)


def load_policy(root: Path, releases_dir: str = RELEASES_DIR) -> tuple[Policy, list[Finding]]:
    path = root / releases_dir / POLICY_FILE
    rel = f"{releases_dir}/{POLICY_FILE}"
    if not path.is_file():
        raise ConfigError(f"no policy file at {rel} (run from the project root or pass --root DIR)")
    try:
        path.open("rb").close()
    except OSError as exc:
        raise ConfigError(f"cannot read {rel}: {exc.strerror or exc}") from None
    doc, problems = load_file(path, rel)
    if doc is None:
        return Policy.from_data(None), [problem_finding(rel, p) for p in problems]
    return Policy.from_data(doc.data, doc), schema_findings(doc, policy_schema())


def release_files(root: Path, releases_dir: str = RELEASES_DIR) -> list[Path]:
    folder = root / releases_dir
    files = (
        [
            p
            for p in folder.iterdir()
            if p.suffix in (".yaml", ".yml") and p.name != POLICY_FILE and not p.name.startswith(".")
        ]
        if folder.is_dir()
        else []
    )
    return sorted(files, key=lambda p: p.name)


def load_release_bytes(data: bytes, rel: str, policy: Policy) -> tuple[Release | None, list[Finding], Document | None]:
    """Parse and schema-check one release file's bytes (the cacheable unit of work)."""
    doc, problems = load_bytes(data, rel)
    if doc is None:
        return None, [problem_finding(rel, p) for p in problems], None
    findings = schema_findings(doc, release_schema(policy, editor=False))
    if not isinstance(doc.data, dict):
        return None, findings, doc
    return Release.from_doc(doc), findings, doc


def load_project(
    root: Path,
    releases_dir: str = RELEASES_DIR,
    today: str | None = None,
    use_cache: bool | None = None,
    parallel_spec: bool = False,
) -> Project:
    """Read the policy and every release file under ``releases/`` (unchanged files from the cache)."""
    from .cache import Cache, load_releases_cached

    root = root.resolve()
    policy, findings = load_policy(root, releases_dir)
    cache = Cache(root, use_cache)
    project = Project(root, policy, [], findings, releases_dir, today, cache)
    if parallel_spec:  # opt-in: only a one-shot CLI run should fork (not a long-lived, threaded server)
        project.start_spec_worker()
    releases, release_findings = load_releases_cached(root, releases_dir, policy, cache)
    findings.extend(release_findings)
    project.releases = releases
    findings.extend(published_schema_findings(project))
    return project


def published_schema_findings(project: Project) -> list[Finding]:
    """The schema file editors read must match the policy, or completion would suggest stale names."""
    out: list[Finding] = []
    folder = project.root / project.releases_dir / SCHEMA_DIR
    for name, schema in (
        ("release.schema.json", release_schema(project.policy)),
        ("policy.schema.json", policy_schema()),
    ):
        path = folder / name
        if not path.is_file():
            continue
        expected = dump_schema(schema)
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = ""
        if current != expected:
            out.append(
                Finding(
                    Loc(f"{project.releases_dir}/{SCHEMA_DIR}/{name}"),
                    "FES015",
                    "warning",
                    f"{name} is out of date with the policy",
                    "regenerate it: fes-docs schema --write",
                )
            )
    return out


def dump_schema(schema: dict[str, object]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def load_document(root: Path, rel: str) -> tuple[Document | None, list[LoadProblem]]:
    return load_file(root / rel, rel)
