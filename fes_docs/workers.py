"""Forked worker processes for one run's bulk work (issue 14: use both cores where it pays).

Loading a thousand records and parsing their thousand migrations is pure-Python work the GIL keeps a
thread from sharing, so a one-shot run hands it to forked workers as well as doing it itself: each list of
jobs (a :class:`Batch`: the records to load, the SQL texts to analyse) is cut into chunks, the workers take
chunks from the front, and this process, once it wants a batch's answers, takes the chunks no worker has
started from the back — so the two cores meet somewhere in the middle, wherever that is on a busy machine.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: it feeds a worker one job at a time from a thread
of this process, and while this process loads records that thread waits for the GIL — measured at 10,000
records, the worker sat idle for three of its seven seconds. Here a worker is a plain fork that already
holds every chunk (they are in memory when it forks, at :meth:`Pool.seal`), claims each in memory both
sides share (an anonymous ``mmap``) and writes its answer, pickled, to a pipe; a thread of this process only
moves those bytes into memory (the reads release the GIL), and an answer is unpickled when it is taken. The
pickles come from a fork of this very process, never from outside.

The answers do not depend on where they were computed: a job's function is a pure function of the job and
of the run's context (the policy, the dialect), which the workers inherit from the fork. Nothing about the
workers can fail the run: a chunk whose worker died, raised, or did not answer in time (:func:`deadline`)
is done again in-process, and once the answers are in every worker still running is ended. A chunk is
claimed without a lock: in the rare race both sides do it, and either answer is the same.

Only a run with at least :data:`PARALLEL_JOBS` jobs starts workers (below that, starting them costs more
than they save), and only where ``fork`` is available and a second core is ours; a long-lived process (the
MkDocs server) never asks for them.
"""

from __future__ import annotations

import mmap
import os
import pickle
import resource
import signal
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

#: Fewest jobs worth workers: forking and feeding them costs about what a hundred small files take.
PARALLEL_JOBS = 200

J = TypeVar("J")
R = TypeVar("R")
#: A batch's function: one result per job of the chunk, given the run's context.
Work = Callable[[list[J], Any], list[R]]

_FREE, _HERE = 0, 1  # a chunk's claim; a worker claims with 2 + its number
_HEAD = struct.Struct("<II")  # a frame on the pipe: the chunk's place, the answer's length
_PIPE_BYTES = 1 << 20  # Linux's default ceiling for a pipe's buffer (/proc/sys/fs/pipe-max-size)
_FAILED = 0xFFFFFFFF  # the length of a chunk whose work raised in the worker: done here instead


def deadline(cost: int) -> float:
    """Seconds to wait for a started chunk of ``cost`` (bytes of input) before doing it in-process: far past
    what the work takes (about a megabyte a second), so only a hung or lost worker ever reaches it."""
    return 30.0 + 30.0 * cost / 1_000_000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def may_fork() -> bool:
    """Whether this process may fork a helper child at all: where ``fork`` exists and this process runs one
    thread (a fork copies only the calling thread, so a lock another thread held — a live-reload server's —
    would stay held in the child forever)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _pays(jobs: int) -> bool:
    """Whether forking for ``jobs`` jobs pays: enough of them, a second core that is ours, and ``fork``."""
    return jobs >= PARALLEL_JOBS and _cores() >= 2 and hasattr(os, "fork")


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


class Batch(Generic[J, R]):
    """One list of jobs under way; :meth:`take` returns every result, in job order, however the workers fared."""

    def __init__(
        self, pool: Pool, work: Work[J, R], chunks: list[list[J]], first: int | None, costs: list[int]
    ) -> None:
        self._pool = pool
        self._work = work
        self._chunks = chunks
        self._costs = costs
        self._first = first  # the place of this batch's first chunk among the pool's; None: all done here

    def take(self) -> list[R]:
        pool = self._pool
        results: list[list[R] | None] = [None] * len(self._chunks)
        try:
            for i in reversed(range(len(self._chunks))):  # what no worker started, done here from the back
                if self._first is None or pool.claim(self._first + i):
                    results[i] = self._work(self._chunks[i], pool.context)
            for i, chunk in enumerate(self._chunks):
                if results[i] is None:
                    assert self._first is not None
                    answer = pool.answer(self._first + i, deadline(self._costs[i]))
                    results[i] = answer if answer is not None else self._work(chunk, pool.context)
        finally:
            pool.done_with(self)
        return [r for chunk in results for r in (chunk or [])]


class Pool:
    """Forked workers for one run: :meth:`start` one, :meth:`submit` each list of jobs as soon as it is known,
    :meth:`seal` when there are no more — the workers fork then, holding every chunk; once every batch has
    been taken they are ended."""

    def __init__(self, context: Any, capacity: int, workers: int) -> None:
        self.context = context
        self.taken = mmap.mmap(-1, max(1, capacity))  # anonymous and shared: the forked workers see each claim
        self.workers = workers
        self.processes: list[int] = []  # the workers' pids
        self.open: list[Batch[Any, Any]] = []
        self.hung = False
        self._work: list[tuple[Work[Any, Any], list[Any]]] = []  # every chunk handed over, by place
        self._answers: dict[int, bytes | None] = {}  # place -> pickled answer (None: the work raised there)
        self._alive: list[bool] = []
        self._readers: list[threading.Thread] = []
        self._arrived = threading.Condition()
        self._sealed = False

    @classmethod
    def start(cls, context: Any, jobs: int) -> Pool | None:
        """Workers for about ``jobs`` jobs (at most that many chunks), given the run's ``context``; None when
        they would not pay (too few jobs, one core, no ``fork``) — the caller then does the work itself."""
        return cls(context, jobs, _cores() - 1) if _pays(jobs) else None

    def submit(self, work: Work[J, R], jobs: Sequence[J], cost: Callable[[J], int], chunk_cost: int) -> Batch[J, R]:
        """Hand ``jobs`` over in chunks of about ``chunk_cost`` (``cost`` of a job: bytes of its input); after
        :meth:`seal`, or beyond the places :meth:`start` was given, they are done here when taken."""
        chunks = _chunks(jobs, cost, chunk_cost)
        first: int | None = len(self._work)
        if self._sealed or len(self._work) + len(chunks) > len(self.taken):
            first = None
        else:
            self._work += [(work, chunk) for chunk in chunks]
        batch: Batch[J, R] = Batch(self, work, chunks, first, [sum(cost(j) for j in c) for c in chunks])
        self.open.append(batch)
        return batch

    def seal(self) -> None:
        """No more batches: the workers fork now, each holding every chunk, and end once the open ones are taken."""
        self._sealed = True
        for number in range(self.workers if self._work else 0):
            self._fork(number)
        self.done_with(None)

    def claim(self, place: int) -> bool:
        """Claim the chunk at ``place`` for this process; False when a worker has it."""
        if self.taken[place] != _FREE:
            return False
        self.taken[place] = _HERE
        return True

    def answer(self, place: int, wait: float) -> list[Any] | None:
        """The worker's answer for the chunk at ``place``; None when it cannot give one (died, failed, hung)."""
        worker = self.taken[place] - 2
        ends = time.monotonic() + (0.0 if self.hung else wait)
        with self._arrived:
            while place not in self._answers and 0 <= worker < len(self._alive) and self._alive[worker]:
                left = ends - time.monotonic()
                if left <= 0:
                    self.hung = True  # a worker hung: wait for no other answer
                    break
                self._arrived.wait(left)
            body = self._answers.pop(place, None)
        return pickle.loads(body) if body is not None else None  # noqa: S301 - from a fork of this process

    def done_with(self, batch: Batch[Any, Any] | None) -> None:
        """The batch is in; after the last one (sealed) the workers are ended."""
        if batch in self.open:
            self.open.remove(batch)
        if self._sealed and not self.open:
            self.stop()

    def stop(self) -> None:
        """End every worker still running: every answer is in by now, and a worker busy with a chunk this
        process also did (or hung in one) must not hold up the exit."""
        for pid in self.processes:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:  # already gone and reaped
                pass
        self.processes = []
        for reader in self._readers:  # their pipes are at end now: they return at once
            reader.join(5.0)
        self._readers = []  # so a later fork (the record rules' child) forks a process of one thread

    def _fork(self, number: int) -> None:
        read, write = os.pipe()
        try:  # a roomy pipe: the worker never waits for this process's reading thread to get the GIL
            import fcntl

            fcntl.fcntl(write, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
        except (ImportError, OSError):
            pass
        try:
            pid = os.fork()
        except OSError:  # no second process: this one does everything
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the worker
            os.close(read)
            _serve(self, number, write)
        os.close(write)
        self.processes.append(pid)
        self._alive.append(True)
        reader = threading.Thread(target=self._receive, args=(number, read), daemon=True)
        reader.start()
        self._readers.append(reader)

    def _receive(self, number: int, fd: int) -> None:
        """Move the worker's answers from its pipe into memory, till it closes the pipe (done, or dead)."""
        try:
            with open(fd, "rb") as pipe:
                while len(head := pipe.read(_HEAD.size)) == _HEAD.size:
                    place, size = _HEAD.unpack(head)
                    body = None if size == _FAILED else pipe.read(size)
                    if body is not None and len(body) != size:
                        break  # cut off: the worker died mid-answer
                    with self._arrived:
                        self._answers[place] = body
                        self._arrived.notify_all()
        except OSError:
            pass
        finally:
            with self._arrived:
                self._alive[number] = False
                self._arrived.notify_all()


def _serve(pool: Pool, number: int, fd: int) -> None:
    """A worker's life: every chunk no one has claimed, in order, answered on the pipe; then it ends. It never
    returns into the caller's code (``os._exit``: no cleanup of the parent's that is not its own)."""
    parent = os.getppid()
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once, as it ends the run
        with open(fd, "wb") as pipe:
            for place, (work, chunk) in enumerate(pool._work):
                if os.getppid() != parent:
                    break  # the run is gone: no one will read the answers
                if pool.taken[place] != _FREE:
                    continue
                pool.taken[place] = 2 + number
                try:
                    body = pickle.dumps(work(chunk, pool.context), pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - the main process does the chunk itself and reports it
                    pipe.write(_HEAD.pack(place, _FAILED))
                    pipe.flush()
                    continue
                pipe.write(_HEAD.pack(place, len(body)))
                pipe.write(body)
                pipe.flush()
    finally:
        os._exit(0)


T = TypeVar("T")


class Forked(Generic[T]):
    """``fn()`` computed in a forked child from now on; :meth:`result` is its answer, or None when the child
    could not give one in time (died, raised, hung) — the caller then computes it itself.

    For one large piece of work that needs everything this process has built (the loaded project, a parsed
    spec): the child is a copy of it, so nothing is handed over but the answer, pickled, through a pipe.
    :attr:`started` says whether there is a child at all.

    ``sealed``: the child may open nothing (no file, no socket) from the moment it is forked — its limit of
    file descriptors is set to none, and what is open already stays usable. For third-party code that would
    read a file by itself, given hostile input (the validator and a ``file:`` URI): there it fails instead."""

    def __init__(self, fn: Callable[[], T], *, sealed: bool = False) -> None:
        self.pid = 0
        self._fd = -1
        try:
            read, write = os.pipe()
        except OSError:  # no descriptors left: no child, the caller computes it
            return
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if self.pid == 0:
            os.close(read)
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                if sealed:
                    resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))
                body = pickle.dumps(fn(), pickle.HIGHEST_PROTOCOL)
                with open(write, "wb") as pipe:
                    pipe.write(struct.pack("<Q", len(body)))
                    pipe.write(body)
            finally:
                os._exit(0)
        os.close(write)
        self._fd = read

    @property
    def started(self) -> bool:
        return self.pid > 0

    def result(self, wait: float) -> T | None:
        """The child's answer (waiting at most ``wait`` seconds for it); the child is ended either way."""
        if self._fd < 0:
            return None
        import select

        buffer = bytearray()
        ends = time.monotonic() + wait
        size = -1
        try:
            while (left := ends - time.monotonic()) > 0 and select.select([self._fd], [], [], left)[0]:
                data = os.read(self._fd, 1 << 20)
                if not data:
                    break
                buffer += data
                if size < 0 and len(buffer) >= 8:
                    size = struct.unpack("<Q", buffer[:8])[0]
                if 0 <= size <= len(buffer) - 8:
                    break  # the whole answer
        finally:
            os.close(self._fd)
            self._fd = -1
        self.finish(0.0)  # answered: nothing more to wait for; else died, raised or hung
        if size < 0 or len(buffer) - 8 != size:  # no answer, or cut off
            return None
        return pickle.loads(bytes(buffer[8:]))  # type: ignore[no-any-return]  # noqa: S301 - from a fork of this process

    def finish(self, wait: float) -> None:
        """Wait at most ``wait`` seconds for the child to end, then end it, and reap it."""
        ends = time.monotonic() + wait
        while self.pid > 0:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0] != 0:
                    break
                if time.monotonic() >= ends:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    break
            except OSError:  # already reaped
                break
            time.sleep(0.005)
        self.pid = 0


def forked(fn: Callable[[], T], jobs: int) -> Forked[T] | None:
    """``fn`` started in a forked child when ``jobs`` is enough to pay for it and a second core is ours."""
    return Forked(fn) if _pays(jobs) else None
