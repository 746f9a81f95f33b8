"""The unchanged-project fast path: when no input of a previous run changed, reuse its whole report.

CI and pre-commit re-run ``validate`` on trees that mostly did not change. The per-file entries of
:mod:`fes_docs.cache` already skip parsing; this also skips the rules, by keeping the report together
with the run's manifest — every file and folder listing it read through
:class:`~fes_docs.inputs.ProjectInputs`, with the SHA-256 of the bytes. A hit requires that:

* every file of the manifest still reads the same (a file that was absent must still be absent) —
  rules, renderers and the OpenAPI and Flyway readers all read through ``project.inputs``, so the
  manifest holds every migration, backfill script, evidence file, spec and ``$ref`` target they saw;
* every folder listing of the manifest (the records, the migrations folder) lists the same files;
* the package's code (:func:`fes_docs.cache.code_digest`, part of every cache file name), the project
  path and the date used for waiver expiry are the same.

Anything else is a miss and the full check runs. The entry is kept in the ``runs`` namespace of the
same out-of-project :class:`~fes_docs.cache.Cache` the rest of the run uses.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .cache import RUNS, Cache, RawJSON, digest
from .check import Result, check_project
from .findings import Finding, finding_from_json, finding_to_json
from .inputs import manifest_holds
from .jsontext import compact
from .project import load_project
from .summary import migrations_json


@dataclass
class Report:
    """What `validate` prints: the findings, the number of files checked, and the migrations table."""

    findings: list[Finding]
    files: int
    migrations: list[dict[str, Any]]
    result: Result | None = None  # the full result, when the rules ran


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a one-shot run builds its records and findings (issue 14).

    A cold run allocates millions of objects that all live until it ends, and each full collection walks
    every one of them again — the larger the project, the more often: at 10,000 records a third of the run's
    time. They hold no reference cycles worth collecting (the peak memory is the same), so the collector
    waits; forked workers inherit the pause. At the end what is alive is frozen (left out of every later
    collection) before collecting resumes, or the first collections would walk it all once more."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.freeze()
            gc.enable()


def validate_report(root: Path, today: str | None = None, use_cache: bool | None = None) -> Report:
    """The report for ``root``: from the previous run when nothing it read has changed, else a full check."""
    root = root.resolve()
    day = today or date.today().isoformat()
    cache = Cache(root, use_cache)
    key = digest(str(root), day)
    entry = cache.get(RUNS, key)
    if isinstance(entry, dict) and manifest_holds(root, entry.get("manifest")):
        try:
            return Report([finding_from_json(f) for f in entry["findings"]], entry["files"], entry["migrations"])
        except (KeyError, TypeError, ValueError):
            pass
    project = load_project(root, today=today, parallel_spec=True, cache=cache, parallel=True)
    result = check_project(project)  # saves the cache's other namespaces
    report = Report(result.findings, 1 + len(project.releases), migrations_json(project), result)
    if cache.enabled:
        cache.put(RUNS, key, _entry(project.inputs.manifest(), report))
        cache.save()
    return report


def _entry(manifest: dict[str, Any], report: Report) -> RawJSON:
    """The run's entry, ``{"manifest", "findings", "files", "migrations"}``, written out one finding at a time
    when the cache is saved: tens of thousands of findings as dicts, or as one text, were a tenth of the peak
    memory at 10,000 records."""

    def pieces() -> Iterator[str]:
        yield f'{{"manifest":{compact(manifest)},"findings":['
        for i, f in enumerate(report.findings):
            yield f"{',' if i else ''}{compact(finding_to_json(f))}"
        yield f'],"files":{compact(report.files)},"migrations":{compact(report.migrations)}}}'

    return RawJSON(pieces=pieces)
