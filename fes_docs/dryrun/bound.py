"""The bound on a whole dry run (the policy's ``dry_run.run_timeout_s``): a migration that sleeps forever, or
one that turns ``statement_timeout`` off first (``SET statement_timeout = 0``), must end as a finding, not
as a CI job that hangs until someone kills it.

PostgreSQL's ``statement_timeout`` bounds one statement, and a migration may change it. So the bound is
kept on our side: a watcher thread that, once the deadline has passed, cancels the migration statement in
flight (psycopg's ``cancel_safe``: a separate cancel request, safe from another thread), again every half a
second until that statement has ended, as a cancel that reaches the server before the statement does is
ignored. Only migration, callback and backfill statements are marked in flight: the engine's own queries
(history row, snapshots, ROLLBACK) are never cancelled, so a stopped run still reports. After the deadline
no new statement is started (:meth:`RunBound.expired`); it fails with :attr:`RunBound.message` instead.

A cancel is an error PL/pgSQL can catch (``EXCEPTION WHEN query_canceled``, in a loop): a statement that
still runs :data:`TERMINATE_AFTER_S` after the first cancel has its server process ended (``terminate``,
the engine's ``pg_terminate_backend`` from a connection of its own: a termination no block can catch).
The run then stops with :attr:`RunBound.message` too (:attr:`RunBound.terminated`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg

__all__ = ["RUN_BOUND_SQLSTATE", "RunBound"]

#: The SQLSTATE a statement stopped by the run bound is reported with: query_canceled, as the server says.
RUN_BOUND_SQLSTATE = "57014"
_RECANCEL_S = 0.5
#: How long cancels may go unheeded before the statement's server process is ended.
TERMINATE_AFTER_S = 3.0


class RunBound:
    """A deadline (`seconds` after `began`, a :func:`time.monotonic` reading; default: now) and its watcher."""

    def __init__(
        self, seconds: float, began: float | None = None, terminate: Callable[[int], None] | None = None
    ) -> None:
        self.seconds = seconds
        self.deadline = (time.monotonic() if began is None else began) + seconds
        self._lock = threading.Lock()
        self._in_flight: psycopg.Connection[Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._terminate = terminate
        #: Whether a statement ignored every cancel and its server process was ended.
        self.terminated = False

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    @property
    def message(self) -> str:
        return (
            f"the dry run's time bound ran out (dry_run.run_timeout_s: {self.seconds:g} s, server start included);"
            " the run stopped here"
        )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="fes-docs-run-bound", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @contextmanager
    def in_flight(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        """Mark a statement the bound may cancel while it runs on `conn`."""
        with self._lock:
            self._in_flight = conn
        try:
            yield
        finally:
            # Under the lock: the watcher never cancels after this, so no later (own) query is hit.
            with self._lock:
                self._in_flight = None

    def _watch(self) -> None:
        if self._stop.wait(max(0.0, self.deadline - time.monotonic())):
            return
        first: tuple[int, float] | None = None  # (the connection cancelled, when first)
        while not self._stop.is_set():
            with self._lock:
                conn = self._in_flight
                if conn is None:
                    first = None
                else:
                    if first is None or first[0] != id(conn):
                        first = (id(conn), time.monotonic())
                    if self._terminate is not None and time.monotonic() - first[1] >= TERMINATE_AFTER_S:
                        with suppress(Exception):  # the process may have ended by itself meanwhile
                            self.terminated = True
                            self._terminate(conn.info.backend_pid)
                    else:
                        with suppress(Exception):  # the connection may be closing; nothing to cancel then
                            conn.cancel_safe(timeout=1)
            self._stop.wait(_RECANCEL_S)


class Bounded:
    """What the run order (:mod:`fes_docs.dryrun.flyway_run`) asks an engine of its bound, from ``self.bound``:
    one answer, in one wording, for both engines."""

    bound: RunBound

    @property
    def expired(self) -> bool:
        return self.bound.expired

    @property
    def bound_message(self) -> str:
        return self.bound.message
