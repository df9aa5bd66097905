"""The printer worker: one thread owns the receipt printer's connection and prints the durable
print jobs (gateway.services.printing) in id order, each once.

Before the first byte of a job, `printing` is committed; after the printer took the last byte,
`done`. ESC/POS cannot say whether a job came out, so the cases in between are decided thus:

- the send raised (connection reset, device gone): at most a torn piece without its cut came out,
  so the job goes back to the queue and is sent again whole when the printer is back;
- the gateway stopped between `printing` and `done` (power cut, crash): the job may well have
  printed, and a blind resend could give a picker a second slip for the same order, so it becomes
  `unknown` and waits for staff («Повторить» or «Вышел»); the queue goes on without it.

A status question a printer leaves unanswered for `ANSWER_GRACE` seconds makes the state read
`offline` at once (a printer answers DLE EOT in milliseconds), not only after the connection's
timeout and its retry on a fresh connection: staff see «не отвечает» within seconds of a job
that does not print, and the job's slip «ждёт печати».

Paper out and offline leave jobs queued; the printer is asked again every second (paper) or
with a backoff up to `retry_max` (offline). While it is not ok, commits elsewhere do not wake
the worker, so a dead printer is not asked once per order.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from drivers.printer import PaperOut, Printer, PrinterError, PrinterOffline, PrinterStatus
from gateway.adapters.printer.documents import document_for
from gateway.adapters.printer.settings import PrinterSettings, open_device
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.print_repo import PrintRepo
from gateway.services import printing as service
from gateway.services.printing import FAILED, PRINTING, QUEUED, UNKNOWN, PrintJob

log = logging.getLogger(__name__)

BLOCKED_POLL = 1.0  # paper out: staff is changing the roll, look again soon
MAX_SEND_ATTEMPTS = 10  # a job whose send keeps breaking off stops blocking the queue (`failed`)
STOP_TIMEOUT = 10.0
ANSWER_GRACE = 1.5  # seconds without an answer to a status question: the printer is not answering
NOT_ANSWERING = "the printer does not answer its status request / принтер не отвечает"
NO_STATUS = "the printer cannot report paper or power: jobs are sent blind / статус недоступен"


def _open(printer: Printer) -> None:
    """escpos connects on first use of `.device`; after a failed open it holds None."""
    why = "no device"
    try:
        opened = printer.device.device is not None
    except (OSError, EscposError) as exc:
        opened, why = False, str(exc)
    if not opened:
        printer.close()  # so the next use tries afresh
        raise PrinterOffline(f"cannot open the printer: {why}")


class PrinterWorker:
    def __init__(
        self,
        config: Mapping[str, Any] | PrinterSettings | None,
        writer,
        open_device: Callable[[PrinterSettings], Escpos] = open_device,
    ):
        """`config`: the [printer] table (None: no printer; jobs wait, state `not_configured`);
        `writer`: the gateway's Writer (its `.path` is read for the queue); `open_device`: the
        escpos connection for the settings (tests pass a fake)."""
        if config is not None and not isinstance(config, PrinterSettings):
            config = PrinterSettings.from_mapping(config)
        self.settings: PrinterSettings | None = config
        self.writer = writer
        self._open_device = open_device
        self._printer: Printer | None = None
        self._reader: sqlite3.Connection | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._backoff = 0.0
        self._status_at = float("-inf")
        self._counts: dict[str, int] = {}
        self._asking_since: float | None = None  # a status question is out since (monotonic)
        self._state = "not_configured" if config is None else "offline"
        self._detail = "" if config is None else "not connected yet"

    @property
    def state(self) -> str:
        """The last state seen; `offline` while a status question waits past `ANSWER_GRACE`."""
        return "offline" if self._not_answering() else self._state

    @property
    def detail(self) -> str:
        return NOT_ANSWERING if self._not_answering() else self._detail

    def _not_answering(self) -> bool:
        since = self._asking_since
        return since is not None and time.monotonic() - since > ANSWER_GRACE

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> PrinterWorker:
        if self.settings is not None:
            self._thread = threading.Thread(target=self._run, name="storegw-printer", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Lets a job being sent finish and be recorded."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT)

    def wake(self) -> None:
        """New jobs may have been committed (the writer's commit hook)."""
        self._wake.set()

    def snapshot(self) -> dict[str, Any]:
        counts = self._counts
        unknown, failed = counts.get(UNKNOWN, 0), counts.get(FAILED, 0)
        detail = self.detail
        if self.state == "ok" and unknown:
            detail = (
                f"{unknown} job(s) may not have printed: check and reprint or confirm /"
                " проверьте, вышли ли документы"
            )
        return {
            "state": self.state,
            "detail": detail,
            "queued": counts.get(QUEUED, 0) + counts.get(PRINTING, 0),
            "unknown": unknown,
            "failed": failed,
        }

    # --- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    pause = self._step()
                except PrinterError as exc:  # no connection, or the send broke off
                    self._set_state("offline", str(exc))
                    pause = self._next_backoff()
                except Exception as exc:  # a bug or a database error: keep the thread alive
                    log.exception("printer worker: %s", exc)
                    self._set_state("error", f"{type(exc).__name__}: {exc}")
                    pause = self._next_backoff()
                self._sleep(pause)
        finally:
            self._close()

    def _sleep(self, pause: float) -> None:
        if pause <= 0:
            return
        if self._state == "ok":
            self._wake.wait(pause)
            self._wake.clear()
        else:
            self._stopping.wait(pause)

    def _step(self) -> float:
        """One unit of work; returns how long to wait before the next."""
        settings = self.settings
        job = self._next_job()
        if job is not None and job.state == PRINTING:
            # Only this thread marks a job `printing`, and it settles it within the same step:
            # one found here was cut off by a restart (or `done` failed to commit).
            log.warning("printer: job %d was cut off while printing: unknown", job.id)
            self.writer.call(service.print_interrupted, job.id)
            return 0.0
        since = time.monotonic() - self._status_at
        if job is None and self._state == "ok" and since < settings.poll:
            return settings.poll - since  # woken by some other commit: nothing to print
        printer = self._connected()
        self._observe(self._ask(printer) if settings.status else PrinterStatus.UNKNOWN)
        if self._state == "paper_out":
            return min(BLOCKED_POLL, settings.poll)
        if self._state != "ok":
            return self._next_backoff()
        self._backoff = 0.0
        if job is None:
            return settings.poll
        self._print(printer, job)
        return 0.0

    def _print(self, printer: Printer, job: PrintJob) -> None:
        try:
            data = printer.render(document_for(job.kind, job.payload, self.settings.name))
        except (KeyError, TypeError, ValueError) as exc:
            why = f"cannot lay it out: {exc} / документ не помещается или испорчен"
            log.warning("printer: job %d failed: %s", job.id, why)
            self.writer.call(service.print_failed, job.id, why)
            return
        _open(printer)  # a device that cannot be opened is offline: no attempt is spent
        if job.attempts >= MAX_SEND_ATTEMPTS:
            why = f"sending broke off {job.attempts} times; last: {job.error}"
            self.writer.call(service.print_failed, job.id, why)
            return
        self.writer.call(service.print_started, job.id)  # durable before the first byte
        try:
            printer.send(data)
        except PrinterError as exc:
            log.warning("printer: job %d: %s", job.id, exc)
            self.writer.call(service.print_requeued, job.id, str(exc))
            raise
        self.writer.call(service.print_done, job.id)
        log.info("printer: job %d (%s %s) printed", job.id, job.kind, job.ref or "")

    # --- the queue (read on a connection of our own: the writer only sees state changes) ------
    def _next_job(self) -> PrintJob | None:
        if self._reader is None:
            self._reader = open_connection(self.writer.path, readonly=True)
        repo = PrintRepo(self._reader)
        self._counts = repo.open_counts()
        return repo.next_pending()

    # --- the device ----------------------------------------------------------------------------
    def _connected(self) -> Printer:
        if self._printer is None:
            device = self._open_device(self.settings)
            # Status is asked in `_step` right before each job, not again inside `send`.
            self._printer = Printer(device, self.settings.paper_size, check_status=False)
        return self._printer

    def _ask(self, printer: Printer) -> PrinterStatus:
        """The printer's status; `state` reads offline while the answer is overdue."""
        self._asking_since = time.monotonic()
        try:
            return printer.status()
        finally:
            self._asking_since = None

    def _observe(self, status: PrinterStatus) -> None:
        self._status_at = time.monotonic()
        if status is PrinterStatus.PAPER_OUT:
            self._set_state("paper_out", str(PaperOut()))
        elif status is PrinterStatus.OFFLINE:
            self._set_state("offline", str(PrinterOffline()))
        else:
            self._set_state("ok", NO_STATUS if status is PrinterStatus.UNKNOWN else "")

    def _next_backoff(self) -> float:
        start = min(1.0, self.settings.poll)
        self._backoff = min(self.settings.retry_max, max(start, self._backoff * 2))
        return self._backoff

    def _set_state(self, state: str, detail: str = "") -> None:
        # Once per change (a printer absent from the start too); a failure is a warning, so
        # `journalctl -p warning` shows it.
        if (state, detail) != (self._state, self._detail):
            level = logging.INFO if state == "ok" else logging.WARNING
            log.log(level, "printer: %s -> %s %s", self._state, state, detail)
        self._state, self._detail = state, detail

    def _close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
