"""The positions of a report's changes, found in both specs at once: a big YAML file's pass runs in a
forked child while this process does the other file.

Why: a change is located by one pass over its file's bytes (:func:`fes_docs.openapi.positions.find`),
and a report with removals needs both files. For YAML that pass is libyaml's event stream, a Python
object per event: a quarter of a second for a 4 MB spec, and then the same again for the other one —
the largest part of a YAML pair's comparison. JSON passes are a few hundredths (the json module's
scanner) and stay inline. The child is :class:`fes_docs.workers.Forked`, the one way work goes to a forked
copy of this process; if anything goes wrong there, this process does the pass itself, so the positions
are always the same.
A process with threads (a live-reload server) is never forked (:func:`fes_docs.workers.may_fork`).
"""

from __future__ import annotations

from typing import Any

from ..openapi.positions import Found, find
from ..workers import Forked, deadline, may_fork
from .model import PathKey

#: A YAML file at least this big is located in a child while this process locates the others.
ASIDE_BYTES = 512 * 1024

#: One file to locate paths in: (a key the caller chooses, the file's name, its bytes, the paths).
Job = tuple[Any, str, bytes, list[PathKey]]


def find_all(jobs: list[Job]) -> dict[Any, Found]:
    """The positions of each job's paths, by the job's key (as :func:`find` gives them, job by job)."""
    aside = _aside(jobs)
    out: dict[Any, Found] = {}
    child = None
    if aside is not None:
        child = _start(aside)
    for job in jobs:
        if job is not aside or child is None:
            out[job[0]] = find(job[2], job[1], job[3])
    if aside is not None:
        found = _finish(child, aside) if child is not None else None
        out[aside[0]] = found if found is not None else find(aside[2], aside[1], aside[3])
    return out


def _aside(jobs: list[Job]) -> Job | None:
    """The job to run in a child: the biggest YAML one, when there is other work to overlap it with."""
    yaml_jobs = [j for j in jobs if j[3] and not j[1].lower().endswith(".json") and len(j[2]) >= ASIDE_BYTES]
    if len([j for j in jobs if j[3]]) < 2 or not yaml_jobs or not may_fork():
        return None
    return max(yaml_jobs, key=lambda j: len(j[2]))


def _start(job: Job) -> Forked[Found] | None:
    """A child locating ``job``; None when it cannot be started."""
    child = Forked(lambda: find(job[2], job[1], job[3]))
    return child if child.started else None


def _finish(child: Forked[Found], job: Job) -> Found | None:
    """The child's positions; None when it did not give them (died, raised, did not answer in time)."""
    return child.result(deadline(len(job[2])))
