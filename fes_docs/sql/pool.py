"""SQL analysis in worker processes, while the main process reads the records (issue 14: use both cores).

Parsing a thousand migrations with pglast costs about as much as loading a thousand records, and the GIL
keeps a thread from helping, so a one-shot run hands the analyses to forked workers and reads the records
meanwhile. The answer does not depend on where it was computed: :func:`~fes_docs.sql.analyze.analyze` is a
pure function of the text and the dialect, and each result comes back as its JSON form (the same form the
cache keeps), keyed by the caller's key for that text.

Only a run with at least :data:`PARALLEL_FILES` texts to analyse uses a pool (below that, starting one costs
more than it saves), and only where ``fork`` is available and more than one core is ours. Nothing about the
pool can fail the run: work no worker has started when the answers are wanted is done in-process (the main
process takes chunks from the back while the workers take them from the front), and a chunk whose worker
died, raised, or did not answer in time (:func:`deadline`) is analysed again in-process.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fes_docs.sql.analyze import analysis_to_json, analyze

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Fewest texts worth a pool: forking and feeding one costs about what 100 small migrations take to parse.
PARALLEL_FILES = 200
#: Characters of SQL per task: small enough that the main process can take a fair share of the tail.
CHUNK_CHARS = 20_000

Job = tuple[str, str]  # (the caller's key for a text, the text)
Results = dict[str, dict[str, Any]]  # key -> the analysis's JSON form


def deadline(chars: int) -> float:
    """Seconds to wait for a started chunk of ``chars`` characters before analysing it in-process: far past
    what pglast takes (about a megabyte a second), so only a hung or lost worker ever reaches it."""
    return 30.0 + 30.0 * chars / 1_000_000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _chunks(jobs: list[Job]) -> list[list[Job]]:
    out: list[list[Job]] = [[]]
    size = 0
    for job in jobs:
        if out[-1] and size + len(job[1]) > CHUNK_CHARS:
            out.append([])
            size = 0
        out[-1].append(job)
        size += len(job[1])
    return out


def analyse_chunk(chunk: list[Job], dialect: str) -> list[dict[str, Any]]:
    """The JSON form of each text's analysis, in order."""
    return [analysis_to_json(analyze(text, dialect)) for _key, text in chunk]


#: In a worker: which chunks are taken (by a worker or the main process), shared with the main process.
_TAKEN: Any = None


def _worker_init(taken: Any) -> None:
    global _TAKEN
    _TAKEN = taken


def _worker_chunk(index: int, chunk: list[Job], dialect: str) -> list[dict[str, Any]] | None:
    """What a worker runs: the chunk's analyses, or None when the main process took the chunk first."""
    if _TAKEN[index]:
        return None
    _TAKEN[index] = 1
    return analyse_chunk(chunk, dialect)


class Prefetch:
    """Analyses under way in a pool; :meth:`take` returns every one of them, however the pool fared.

    The workers go through the chunks from the front, the main process (once it wants the answers) from the
    back; a shared flag per chunk says it is taken. Taking is not locked: in the rare race both sides
    analyse the chunk, and either answer is the same.
    """

    def __init__(
        self,
        executor: ProcessPoolExecutor,
        taken: Any,
        chunks: list[list[Job]],
        futures: list[Future[Any]],
        dialect: str,
    ) -> None:
        self._executor = executor
        self._taken = taken
        self._chunks = chunks
        self._futures = futures
        self._dialect = dialect

    @classmethod
    def start(cls, jobs: list[Job], dialect: str, *, workers: int | None = None) -> Prefetch | None:
        """Start analysing ``jobs`` in ``workers`` processes (all cores but this one's); None when a pool
        would not pay (too few texts, one core, no ``fork``) or cannot be started."""
        workers = workers if workers is not None else _cores() - 1
        if len(jobs) < PARALLEL_FILES or workers < 1:
            return None
        import multiprocessing as mp  # lazy: only a large cold run pays for these imports
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in mp.get_all_start_methods():
            return None
        chunks = _chunks(jobs)
        executor = None
        try:
            context = mp.get_context("fork")
            taken = context.RawArray("b", len(chunks))
            # fork: the workers start as copies of this process, the parser already imported; Python forks them
            # all on the first submit, before the executor starts a thread of its own.
            executor = ProcessPoolExecutor(workers, context, _worker_init, (taken,))
            futures = [executor.submit(_worker_chunk, i, chunk, dialect) for i, chunk in enumerate(chunks)]
        except Exception:  # noqa: BLE001 - a pool that cannot start or take work is no pool: all is done here
            if executor is not None:
                _stop(executor, kill=True)
            return None
        return cls(executor, taken, chunks, futures, dialect)

    def take(self) -> Results:
        """Every job's result: the pool's, or computed here for what it had not started or did not deliver."""
        out: Results = {}
        mine: set[int] = set()

        def keep(chunk: list[Job], results: list[dict[str, Any]]) -> None:
            out.update(zip((key for key, _ in chunk), results, strict=True))

        hung = False
        try:
            for i in reversed(range(len(self._chunks))):
                if not self._taken[i]:  # no worker has started it: done here
                    self._taken[i] = 1
                    mine.add(i)
                    keep(self._chunks[i], analyse_chunk(self._chunks[i], self._dialect))
            for i, (chunk, fut) in enumerate(zip(self._chunks, self._futures, strict=True)):
                if i in mine:
                    continue
                try:
                    if hung and not fut.done():  # one worker hung: wait for no other
                        raise TimeoutError
                    results = fut.result(timeout=deadline(sum(len(text) for _, text in chunk)))
                    if results is None:
                        raise LookupError("taken twice")  # cannot happen: only this process and that worker take it
                    keep(chunk, results)
                except Exception:  # noqa: BLE001 - a lost, broken or hung worker: its chunk is done here
                    hung = hung or not fut.done()
                    keep(chunk, analyse_chunk(chunk, self._dialect))
        finally:
            _stop(self._executor, kill=hung)
        return out


def _stop(executor: ProcessPoolExecutor, kill: bool) -> None:
    """Shut the pool down without waiting (a worker skips what is already taken); ``kill``: end the workers
    first (one of them hung). No future is ever cancelled: Python 3.11's pool, breaking, would trip on it."""
    if kill:
        for proc in list((getattr(executor, "_processes", None) or {}).values()):
            if proc.is_alive():
                proc.terminate()
    executor.shutdown(wait=False)
