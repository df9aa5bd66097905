"""The single writer: one thread owns the write connection; everyone else submits commands.

HTTP handlers, the MQTT callback thread and device readers never write SQL: they call
`writer.call(command, ...)` and get the result (or the command's exception) back after COMMIT.

Group commit: commands that queue up while one transaction commits are applied together in the
next one, each in its own savepoint, so a burst costs one fsync instead of one per command. A
lone command never waits for company: when nothing is queued and no transaction is open, `call`
runs it on the write connection in the caller's own thread, under the same lock the writer
thread holds for each batch. Two thread switches fewer per command (issue 12: a tenth of an
order's CPU); one transaction at a time, in order of arrival, as before."""

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from .database import Database

T = TypeVar("T")
log = logging.getLogger(__name__)
_STOP = object()
MAX_BATCH = 64


class Writer:
    def __init__(self, path: str | Path, *, coalesce: bool = False):
        self.path = Path(path)
        self.coalesce = coalesce
        self._commit_hooks: list[Callable[[], None]] = []  # e.g. wake the outbox relay
        # Called with each transaction's seconds (BEGIN to COMMIT): the metrics' latency.
        self._timing_hooks: list[Callable[[float], None]] = []
        # time.monotonic() of the last COMMIT: proof for the watchdog that the writer still works.
        self.last_commit: float | None = None
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ready = Future()
        # Under this lock nothing is queued after the stop marker: every accepted job is run.
        self._lock = threading.Lock()
        self._accepting = False
        self._queued = 0  # jobs queued or taken but not yet applied; under `_lock`
        # Held while a transaction is open on the write connection, by whichever thread runs it.
        self._connection = threading.Lock()
        self._database: Database | None = None

    def on_commit(self, hook: Callable[[], None]) -> None:
        """Call `hook` (quick, never blocking, thread-safe) after every COMMIT."""
        self._commit_hooks.append(hook)

    def on_commit_timed(self, hook: Callable[[float], None]) -> None:
        """Call `hook(seconds)` (quick, never blocking, thread-safe) after every COMMIT."""
        self._timing_hooks.append(hook)

    def start(self) -> "Writer":
        self._thread = threading.Thread(target=self._loop, name="storegw-writer", daemon=True)
        self._thread.start()
        self._ready.result()  # re-raises a failed open or migration here, in the caller
        self._accepting = True
        return self

    def submit(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> "Future[T]":
        future: Future = Future()
        self._enqueue((future, command, args, kwargs))
        return future

    def call(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `command(uow, *args, **kwargs)` in one transaction and wait for its result."""
        reply = _Reply()
        job = (reply, command, args, kwargs)
        if self._take_idle_connection():
            try:
                self._apply(self._database, [job])
            finally:
                self._connection.release()
        else:
            self._enqueue(job)
        return reply.result()

    def _take_idle_connection(self) -> bool:
        """The write connection, if no transaction is open and no job waits for the writer
        thread (a queued job is never overtaken)."""
        with self._lock:
            return self._accepting and not self._queued and self._connection.acquire(False)

    def _enqueue(self, job: tuple) -> None:
        with self._lock:
            if not self._accepting:
                raise RuntimeError("the database writer is not running")
            self._queued += 1
            self._jobs.put(job)

    def stop(self) -> None:
        """Finish every accepted command, then close the database."""
        with self._lock:
            if not self._accepting:
                return
            self._accepting = False
            self._jobs.put(_STOP)
        self._thread.join()

    def _loop(self) -> None:
        try:
            database = Database(self.path, coalesce=self.coalesce)
        except BaseException as exc:
            self._ready.set_exception(exc)
            return
        self._database = database
        self._ready.set_result(None)
        try:
            stopping = False
            while not stopping:
                batch, taken, stopping = self._next_batch()
                with self._connection:
                    with self._lock:
                        self._queued -= taken
                    self._apply(database, batch)
        finally:
            with self._connection:  # a caller's transaction in progress finishes first
                database.close()
            self._fail_leftovers()

    def _fail_leftovers(self) -> None:
        """Only if the loop itself died: nobody may wait for ever on a command never run."""
        with self._lock:
            self._accepting = False
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not _STOP and job[0].set_running_or_notify_cancel():
                job[0].set_exception(RuntimeError("the database writer stopped"))

    def _next_batch(self) -> tuple[list, int, bool]:
        """Wait for one job, then take whatever else is already queued (never wait for more).
        Returns the jobs to run, how many were taken from the queue, and whether to stop."""
        batch = []
        taken = 0
        job = self._jobs.get()
        while job is not _STOP:
            taken += 1
            future = job[0]
            if future.set_running_or_notify_cancel():
                batch.append(job)
            if len(batch) >= MAX_BATCH or self._jobs.empty():
                return batch, taken, False
            job = self._jobs.get_nowait()  # only this thread takes jobs: one is there
        return batch, taken, True

    def _apply(self, database: Database, batch: list) -> None:
        if not batch:
            return
        started = time.monotonic()
        try:
            outcomes = database.run_batch(
                [(command, args, kwargs) for _, command, args, kwargs in batch]
            )
        except BaseException as exc:  # the COMMIT failed (disk full, I/O error): nobody is acked
            log.error("transaction of %d command(s) failed: %s", len(batch), exc)
            for future, *_ in batch:
                future.set_exception(exc)
            return
        self.last_commit = done = time.monotonic()
        for hook in self._commit_hooks:
            hook()
        for timing_hook in self._timing_hooks:
            timing_hook(done - started)
        for (future, *_), (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


class _Reply:
    """What `call` waits on: the part of a Future the writer uses, on one lock released once.
    A Future's condition variable costs a few more microseconds on every order (issue 12)."""

    __slots__ = ("_done", "_value", "_error")

    def __init__(self) -> None:
        self._done = threading.Lock()
        self._done.acquire()
        self._value: Any = None
        self._error: BaseException | None = None

    def set_running_or_notify_cancel(self) -> bool:
        return True  # never cancelled: `call` waits until it is done

    def set_result(self, value: Any) -> None:
        self._value = value
        self._done.release()

    def set_exception(self, error: BaseException) -> None:
        self._error = error
        self._done.release()

    def result(self) -> Any:
        self._done.acquire()
        if self._error is not None:
            raise self._error
        return self._value
