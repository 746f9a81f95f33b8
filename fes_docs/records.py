"""Release files into records: each read once, parsed and schema-checked once, unchanged ones from the cache.

The unit of work is one file's bytes: :func:`load_document` gives its document and its schema findings, and
the document (when it is a mapping) gives the :class:`~fes_docs.model.Release`. :class:`Reading` does that for
every record of a run: it reads each file through the run's inputs (so the manifest holds it), answers what it
can from the ``releases`` cache, and leaves the rest as :attr:`Reading.jobs` — which a one-shot run hands to
worker processes (:mod:`fes_docs.workers`, :func:`load_chunk`) while this process takes its own share.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .cache import RELEASES, Cache, RawJSON, digest
from .document import Document, LoadProblem
from .findings import Finding, Loc, finding_from_json, finding_to_json
from .inputs import InputError, ProjectInputs
from .jsontext import compact
from .loader import load_bytes
from .model import Policy, Release
from .schema import release_schema
from .schema_check import schema_checker

if TYPE_CHECKING:
    from array import array

    from .workers import Batch

Check = Callable[[Document], list[Finding]]
#: What loading one file gives a worker to hand back: the document's data, flat positions and top-level starts
#: (:attr:`Document.top`), or None, and the file's findings.
Loaded = tuple[Any, "Sequence[int] | None", "array[int] | None", list[Finding]]


def problem_finding(file: str, p: LoadProblem) -> Finding:
    """A load problem carries its own rule id (FES001 syntax, FES003 unreadable ...)."""
    return Finding.of(file, p, p.rule)


def load_document(data: bytes, rel: str, check: Check) -> tuple[Document | None, list[Finding]]:
    """One release file's bytes parsed and checked with the policy's :func:`~fes_docs.schema.schema_checker`
    (the cacheable unit of work; the record is built from the document by :class:`Reading`)."""
    doc, problems = load_bytes(data, rel)
    if doc is None:
        return None, [problem_finding(rel, p) for p in problems]
    return doc, check(doc)


def load_chunk(chunk: list[tuple[str, bytes]], context: dict[str, Any]) -> list[Loaded]:
    """Each ``(file, bytes)`` loaded with ``context["check"]`` (the work a worker does: the main process
    builds each record from exactly these values)."""
    out: list[Loaded] = []
    for rel, data in chunk:
        doc, found = load_document(data, rel, context["check"])
        out.append((doc.data, doc.flat(), doc.top, found) if doc is not None else (None, None, None, found))
    return out


def policy_digest(policy: Policy) -> str:
    return digest(
        json.dumps(
            {"e": policy.environments, "o": policy.owner_roles, "c": policy.checklist_ids, "f": policy.flags},
            sort_keys=True,
        )
    )


def _entry(doc: Document | None, found: list[Finding]) -> RawJSON:
    """A record's cache entry, ``{"doc": {"data", "p"} or null, "findings"}``, written when the cache is saved
    (the document is alive till then anyway; its positions become a JSON list only for the write)."""

    def pieces() -> list[str]:
        entry = {"doc": {"data": doc.data, "p": list(doc.flat())} if doc is not None else None}
        return [compact({**entry, "findings": [finding_to_json(f) for f in found]})]

    return RawJSON(pieces=pieces)


def _doc_from_json(file: str, raw: dict[str, Any]) -> Document:
    flat = raw["p"]
    if not isinstance(flat, list):
        raise TypeError("positions")
    return Document(file, raw["data"], flat=flat)


def _release(doc: Document | None) -> Release | None:
    return Release.from_doc(doc) if doc is not None and isinstance(doc.data, dict) else None


class Reading:
    """Every record file of a run, read; the cache's answers taken, the rest left as :attr:`jobs`.

    :meth:`finish` loads the jobs — in this process, or from the workers' :class:`~fes_docs.workers.Batch`
    handed over by :meth:`expect` — and returns the records and findings in file order, as one file after
    the other would have.
    """

    def __init__(self, inputs: ProjectInputs, names: list[str], policy: Policy, cache: Cache | None) -> None:
        self.policy = policy
        self.cache = cache
        self.check = schema_checker(release_schema(policy, editor=False))
        pol = policy_digest(policy)
        #: Per file, in order: its findings and record when known now, else the cache key its job will fill.
        self._files: list[tuple[str, list[Finding], Release | None, str | None]] = []
        self.jobs: list[tuple[str, bytes]] = []
        self._batch: Batch[tuple[str, bytes], Loaded] | None = None
        for rel_name in names:
            try:
                data = inputs.read_bytes(rel_name)
            except InputError as exc:
                self._files.append((rel_name, [_unread(rel_name, exc)], None, None))
                continue
            key = digest(rel_name, pol, data)
            hit = cache.get(RELEASES, key) if cache else None
            try:
                if hit is None:
                    raise KeyError(key)
                doc = _doc_from_json(rel_name, hit["doc"]) if hit["doc"] is not None else None
                found = [finding_from_json(f) for f in hit["findings"]]
                self._files.append((rel_name, found, _release(doc), None))
            except (KeyError, TypeError, ValueError):  # a miss, or an entry this code cannot read: a job
                self._files.append((rel_name, [], None, key))
                self.jobs.append((rel_name, data))

    def expect(self, batch: Batch[tuple[str, bytes], Loaded]) -> None:
        """The jobs are being loaded by ``batch``: :meth:`finish` collects them."""
        self._batch = batch

    def finish(self) -> tuple[list[Release], list[Finding]]:
        batch, self._batch = self._batch, None
        context = {"policy": self.policy, "check": self.check}
        loaded = iter(batch.take() if batch is not None else load_chunk(self.jobs, context))
        releases: list[Release] = []
        findings: list[Finding] = []
        for rel_name, found, release, key in self._files:
            if key is not None:
                data, flat, top, found = next(loaded)
                doc = Document(rel_name, data, flat=flat, top=top) if flat is not None else None
                release = _release(doc)
                if self.cache:
                    self.cache.put(RELEASES, key, _entry(doc, found))
            findings.extend(found)
            if release is not None:
                releases.append(release)
        return releases, findings


def _unread(rel_name: str, exc: InputError) -> Finding:
    if exc.reason == "outside":
        return Finding(
            Loc(rel_name),
            "FES003",
            "error",
            "this file is a link to somewhere outside the project; it was not read",
            "commit the record itself, not a symlink",
        )
    return problem_finding(rel_name, exc.problem)
