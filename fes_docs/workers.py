"""Forked worker processes for one run's bulk work (issue 14: use both cores where it pays).

Loading a thousand records and parsing their thousand migrations is pure-Python work the GIL keeps a
thread from sharing, so a one-shot run hands it to forked workers as well as doing it itself: each list of
jobs (a :class:`Batch`: the records to load, the SQL texts to analyse) is cut into chunks, the workers take
chunks from the front, and this process, once it wants a batch's answers, takes the chunks no worker has
started from the back — so the two cores meet somewhere in the middle, wherever that is on a busy machine.

The answers do not depend on where they were computed: a job's function is a pure function of the job and
of the run's context (the policy, the dialect), which the workers inherit from the fork. Nothing about the
workers can fail the run: a chunk whose worker died, raised, or did not answer in time (:func:`deadline`)
is done again in-process, and once the answers are in every worker still running is ended. A chunk is
marked taken in memory both sides share, without a lock: in the rare race both do it, and either answer is
the same.

Only a run with at least :data:`PARALLEL_JOBS` jobs starts workers (below that, starting them costs more
than they save), and only where ``fork`` is available and a second core is ours; a long-lived process (the
MkDocs server) never asks for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Fewest jobs worth workers: forking and feeding them costs about what a hundred small files take.
PARALLEL_JOBS = 200

J = TypeVar("J")
R = TypeVar("R")
#: A batch's function: one result per job of the chunk, given the run's context.
Work = Callable[[list[J], Any], list[R]]

# In a worker: the run's context, and which chunks are taken (memory shared with the main process).
_CONTEXT: Any = None
_TAKEN: Any = None


def deadline(cost: int) -> float:
    """Seconds to wait for a started chunk of ``cost`` (bytes of input) before doing it in-process: far past
    what the work takes (about a megabyte a second), so only a hung or lost worker ever reaches it."""
    return 30.0 + 30.0 * cost / 1_000_000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _chunks(jobs: Sequence[J], cost: Callable[[J], int], chunk_cost: int) -> list[list[J]]:
    out: list[list[J]] = []
    size = chunk_cost
    for job in jobs:
        if size >= chunk_cost:
            out.append([])
            size = 0
        out[-1].append(job)
        size += cost(job)
    return out


def _init(context: Any, taken: Any) -> None:
    global _CONTEXT, _TAKEN
    _CONTEXT, _TAKEN = context, taken


def _run(index: int, work: Work[Any, Any], chunk: list[Any]) -> list[Any] | None:
    """What a worker runs: the chunk's results, or None when the main process took the chunk first."""
    if _TAKEN[index]:
        return None
    _TAKEN[index] = 1
    return work(chunk, _CONTEXT)


class Batch(Generic[J, R]):
    """One list of jobs under way; :meth:`take` returns every result, in job order, however the workers fared."""

    def __init__(self, pool: Pool, work: Work[J, R], chunks: list[list[J]], first: int, costs: list[int]) -> None:
        self._pool = pool
        self._work = work
        self._chunks = chunks
        self._first = first  # the index of this batch's first chunk among the pool's
        self._costs = costs
        self._futures: list[Future[Any]] = []

    def take(self) -> list[R]:
        pool = self._pool
        results: list[list[R] | None] = [None] * len(self._chunks)
        try:
            for i in reversed(range(len(self._chunks))):
                place = self._first + i
                if place >= len(pool.taken) or not pool.taken[place]:  # no worker started it: done here, from the back
                    if place < len(pool.taken):
                        pool.taken[place] = 1
                    results[i] = self._work(self._chunks[i], pool.context)
            for i, fut in enumerate(self._futures):
                if results[i] is not None:
                    continue
                try:
                    if pool.hung and not fut.done():  # a worker hung: wait for no other
                        raise TimeoutError
                    got = fut.result(timeout=deadline(self._costs[i]))
                    if got is None:
                        raise LookupError("taken by both")  # cannot happen: this process did not take it
                    results[i] = got
                except Exception:  # noqa: BLE001 - a lost, broken or hung worker: its chunk is done here
                    pool.hung = pool.hung or not fut.done()
                    results[i] = self._work(self._chunks[i], pool.context)
        finally:
            pool.done_with(self)
        return [r for chunk in results for r in (chunk or [])]


class Pool:
    """Forked workers for one run: :meth:`start` them, :meth:`submit` each list of jobs as soon as it is known
    (the workers begin on the first while this process prepares the next), :meth:`seal` when there are no
    more; once every batch has been taken the workers are ended."""

    def __init__(self, executor: ProcessPoolExecutor, taken: Any, context: Any) -> None:
        self.executor = executor
        self.taken = taken
        self.context = context
        self.open: list[Batch[Any, Any]] = []
        self.hung = False
        self._next = 0  # the first free place in ``taken``
        self._sealed = False

    @classmethod
    def start(cls, context: Any, jobs: int) -> Pool | None:
        """Workers for about ``jobs`` jobs (at most that many chunks), given the run's ``context``; None when
        they would not pay (too few jobs, one core, no ``fork``) or cannot be started — the caller then does
        the work itself."""
        if jobs < PARALLEL_JOBS or _cores() < 2:
            return None
        import multiprocessing as mp  # lazy: only a large cold run pays for these imports
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in mp.get_all_start_methods():
            return None
        try:
            fork = mp.get_context("fork")
            taken = fork.RawArray("b", jobs)
            # fork: the workers start as copies of this process, everything imported and the context in
            # memory; Python forks them all on the first submit, before the executor starts a thread of its own
            return cls(ProcessPoolExecutor(_cores() - 1, fork, _init, (context, taken)), taken, context)
        except (OSError, ValueError):
            return None

    def submit(self, work: Work[J, R], jobs: Sequence[J], cost: Callable[[J], int], chunk_cost: int) -> Batch[J, R]:
        """Hand ``jobs`` over in chunks of about ``chunk_cost`` (``cost`` of a job: bytes of its input)."""
        chunks = _chunks(jobs, cost, chunk_cost)
        batch: Batch[J, R] = Batch(self, work, chunks, self._next, [sum(cost(j) for j in c) for c in chunks])
        self.open.append(batch)
        try:
            if self._next + len(chunks) > len(self.taken):
                raise IndexError("more chunks than the workers were started for")
            for i, chunk in enumerate(chunks):
                batch._futures.append(self.executor.submit(_run, self._next + i, work, chunk))
        except Exception:  # noqa: BLE001 - a pool that cannot take work: what it did not take is done here
            batch._futures += [_refused() for _ in chunks[len(batch._futures) :]]
        self._next += len(chunks)
        return batch

    def seal(self) -> None:
        """No more batches: the workers end once the open ones are taken."""
        self._sealed = True
        self.done_with(None)

    def done_with(self, batch: Batch[Any, Any] | None) -> None:
        """The batch is in; after the last one (sealed) the workers are ended."""
        if batch in self.open:
            self.open.remove(batch)
        if self._sealed and not self.open:
            stop(self.executor)


def _refused() -> Future[Any]:
    from concurrent.futures import Future

    fut: Future[Any] = Future()
    fut.set_exception(RuntimeError("not taken by the workers"))
    return fut


def stop(executor: ProcessPoolExecutor) -> None:
    """Shut the workers down and end any still running: every answer is in by now, and a worker busy with a
    chunk this process also did (or hung in one) would otherwise hold up this process's exit, which waits
    for the executor. No future is ever cancelled: Python 3.11's executor, breaking, would trip over one."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
