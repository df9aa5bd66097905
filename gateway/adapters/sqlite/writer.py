"""The single writer: one thread owns the write connection; everyone else submits commands.

HTTP handlers, the MQTT callback thread and device readers never write SQL: they call
`writer.call(command, ...)` and get the result (or the command's exception) back after COMMIT."""

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from .database import Database

T = TypeVar("T")
log = logging.getLogger(__name__)
_STOP = object()


class Writer:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ready = Future()

    def start(self) -> "Writer":
        self._thread = threading.Thread(target=self._loop, name="storegw-writer", daemon=True)
        self._thread.start()
        self._ready.result()  # re-raises a failed open or migration here, in the caller
        return self

    def submit(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> "Future[T]":
        if self._thread is None or not self._thread.is_alive():
            raise RuntimeError("the database writer is not running")
        future: Future = Future()
        self._jobs.put((future, command, args, kwargs))
        return future

    def call(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `command(uow, *args, **kwargs)` in one transaction and wait for its result."""
        return self.submit(command, *args, **kwargs).result()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(_STOP)
            self._thread.join()

    def _loop(self) -> None:
        try:
            database = Database(self.path)
        except BaseException as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        try:
            while (job := self._jobs.get()) is not _STOP:
                future, command, args, kwargs = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(database.run(command, *args, **kwargs))
                except BaseException as exc:  # the caller gets it; the writer lives on
                    future.set_exception(exc)
        finally:
            database.close()
