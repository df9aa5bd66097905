"""The fiscal worker: one thread owns the register's port. It prints the durable receipt jobs in
order, runs staff requests (shift, X report, cash in/out) between them, and watches the device.

A receipt is never sent twice: the job is marked `sending` (with the FN's last document number)
in a committed transaction before the first byte; whatever goes wrong after that -- an error
answer, a timeout, a dropped line, a restart -- the job is reconciled with the register (pending
answer on ENQ, mode, FN last document, document lookup) before it is sent again, finished with
B0h, or marked done with the fiscal data found (FISCAL.md 5.4).

Nothing here blocks order handling: the worker talks to the database through the writer like
everyone else, and a dead register only leaves jobs queued and the device `offline`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any

from drivers.fiscal import FiscalRegister, ShtrihM
from drivers.fiscal.errors import (
    ContinuePrintRequired,
    FatalDeviceError,
    FiscalError,
    LinkError,
    PaperOut,
    ReceiptNotFiscalised,
    ReceiptOpen,
    ReconcileUndecided,
    RequestRejected,
    ShiftExpired,
    ShiftNotOpen,
    StaffActionRequired,
)
from drivers.fiscal.link import LinkSettings
from drivers.fiscal.receipt import validate_receipt
from drivers.fiscal.register import (
    MODE_DOCUMENT_OPEN,
    MODE_SHIFT_CLOSED,
    MODE_SHIFT_EXPIRED,
    MODE_SHIFT_OPEN,
    RegisterStatus,
)
from gateway.adapters.fiscal.archive_adoption import ArchiveAdoption, register_operation
from gateway.adapters.fiscal.health_watch import HealthWatch
from gateway.adapters.fiscal.receipt_mapping import driver_receipt, receipt_cashier
from gateway.adapters.fiscal.staff import (
    CLOSED_SHIFT,
    REQUEST_TIMEOUT,
    FiscalUnavailable,
    StaffOperations,
)
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.fiscal_repo import FiscalRepo
from gateway.config import FiscalConfig
from gateway.domain.fiscal import FAILED, SELL, SENDING, Fiscalised, ReceiptJob
from gateway.services import fiscal as service

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 10  # then the job waits as `failed` for staff (retry re-queues it)
BACKOFF_MAX = 30.0
BLOCKED_POLL = 1.0  # paper out, cover open: look again soon, staff is on it
STAFF_REFUSAL_PAUSE = 5.0  # the register refused a receipt for its state: not a tight loop
# Refusals whose cause the supervisor sees in the status and waits on by itself.
SHOWN_IN_STATUS = (PaperOut, ContinuePrintRequired, ShiftExpired, ShiftNotOpen, ReceiptOpen)
SHIFT_CLOSED_DETAIL = "receipts wait for the shift to be opened / откройте смену"
TRACKED_MODES = frozenset(
    {MODE_SHIFT_OPEN, MODE_SHIFT_EXPIRED, MODE_SHIFT_CLOSED, MODE_DOCUMENT_OPEN}
)


class FiscalWorker(StaffOperations):
    def __init__(
        self,
        config: FiscalConfig,
        writer,
        open_register: Callable[[], FiscalRegister] | None = None,
    ):
        self.config = config
        self.writer = writer
        self._open_register = open_register or self._open_shtrih
        self._register: FiscalRegister | None = None
        self._fn = ""
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._backoff = 0.0
        self.state = "offline"
        self.detail = "not connected yet"
        self.shift: dict[str, Any] = CLOSED_SHIFT
        self._polled_at = float("-inf")  # when the register's status was last asked
        self._holding = False  # pausing after a refusal: only staff requests end the pause
        self._reads = None  # the worker thread's read-only connection
        self.health = HealthWatch(config, writer)  # the OFD queue and the drive's end of life
        self.archive = ArchiveAdoption(writer)  # receipts a restored database does not know

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FiscalWorker:
        self._thread = threading.Thread(target=self._run, name="storegw-fiscal", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=REQUEST_TIMEOUT)
        self._close()
        self._fail_requests(FiscalUnavailable("the gateway is stopping / шлюз останавливается"))

    def wake(self) -> None:
        """New jobs were committed (the writer's hook)."""
        self._wake.set()

    def snapshot(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "detail": self.detail,
            "shift": dict(self.shift),
            "health": self.health.snapshot(),
        }

    # --- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        self._reads = open_connection(self.writer.path, readonly=True)
        try:
            while not self._stopping.is_set():
                self._rest(self._work())
        finally:
            self._reads.close()

    def _work(self) -> float:
        self._holding = False
        try:
            pause = self._step()
            self._backoff = 0.0
            return pause
        except (LinkError, OSError) as exc:
            return self._lost(f"{exc}")
        except FiscalError as exc:  # FN failure, or a refusal outside any job
            self._set_state("error", str(exc))
        except Exception as exc:  # a bug or a database error: keep the thread alive
            log.exception("fiscal worker: %s", exc)
            self._set_state("error", f"{type(exc).__name__}: {exc}")
        why = f"the register is in error / ошибка ККТ: {self.detail}"
        self._fail_requests(FiscalUnavailable(why))
        return self._next_backoff()

    def _rest(self, pause: float) -> None:
        """Wait `pause` seconds. A commit (maybe a new job) ends the wait, except while backing
        off from a dead register or holding after a refusal; a staff request or the stop always
        ends it."""
        deadline = time.monotonic() + pause
        while (remaining := deadline - time.monotonic()) > 0 and not self._stopping.is_set():
            woken = self._wake.wait(remaining)
            self._wake.clear()
            if woken and (not (self._backoff or self._holding) or not self._requests.empty()):
                return

    def _step(self) -> float:
        """One unit of work; returns how long to wait before the next."""
        job = FiscalRepo(self._reads, "").next_job()
        since_poll = time.monotonic() - self._polled_at
        idle = self._requests.empty() and self._deferred is None
        if job is None and idle and since_poll < self.config.poll:
            return self.config.poll - since_poll  # a commit woke us for nothing to print
        register = self._connected()
        status = register.status()
        self._polled_at = time.monotonic()
        if job is not None and job.state == SENDING:
            # Before any other document can be made, and before a shift change is recorded:
            # the receipt belongs to the shift it was signed in.
            return self._reconcile(register, job)
        self._observe(register, status)
        self.health.maybe_check(register)
        if status.waiting_continue_print and status.paper_present:
            register.continue_print()  # a signed receipt waits for its paper copy: finish it
            return 0.0
        can_print = self.state == "ok" and status.shift_open and not status.printing
        reads = FiscalRepo(self._reads, "")
        request = self._next_request(job, can_print, reads.newest_queued_id)
        if request is not None:
            op, kwargs, future = request
            if future.set_running_or_notify_cancel():  # its caller may have given up waiting
                self._serve(register, status, op, kwargs, future)
            return 0.0
        if job is None:
            return self.config.poll
        if self.state != "ok" or status.printing:
            return BLOCKED_POLL
        if status.receipt_open:  # no job is in flight, so it is nobody's: a stray half receipt
            log.warning("fiscal: cancelling an open receipt no job owns")
            register.cancel_receipt()
            return 0.0
        if not status.shift_open:
            if not self.config.auto_open_shift:
                return self.config.poll  # staff opens it (SHIFT_CLOSED_DETAIL says so)
            self._open_shift(register, receipt_cashier(job))
            return 0.0
        return self._send(register, job)

    # --- connection and supervision ------------------------------------------------------------
    def _open_shtrih(self) -> FiscalRegister:
        settings = LinkSettings(
            control_timeout=self.config.control_timeout,
            byte_timeout=self.config.byte_timeout,
            timeout_scale=self.config.timeout_scale,
        )
        return ShtrihM(
            self.config.port,
            password=self.config.password,
            baudrate=self.config.baudrate,
            settings=settings,
        )

    def _connected(self) -> FiscalRegister:
        if self._register is None:
            register = self._open_register()
            try:
                drive = register.fn_status()
                self._fn = drive.fn
                self.archive.connected(drive)
            except BaseException:
                _close_quietly(register)
                raise
            self._register = register
            log.info("fiscal: register connected, FN %s", self._fn)
        return self._register

    def _lost(self, why: str) -> float:
        self._close()
        self._set_state("offline", why)
        self._fail_requests(FiscalUnavailable(f"the register is offline / ККТ не на связи: {why}"))
        return self._next_backoff()

    def _next_backoff(self) -> float:
        self._backoff = min(BACKOFF_MAX, max(1.0, self._backoff * 2))
        return self._backoff

    def _close(self) -> None:
        if self._register is not None:
            _close_quietly(self._register)
            self._register = None

    def _set_state(self, state: str, detail: str = "") -> None:
        # Once per change (a register absent from the start too); a failure is a warning, so
        # `journalctl -p warning` shows it.
        if (state, detail) != (self.state, self.detail):
            level = logging.INFO if state == "ok" else logging.WARNING
            log.log(level, "fiscal: %s -> %s %s", self.state, state, detail)
        self.state, self.detail = state, detail

    def _observe(self, register: FiscalRegister, status: RegisterStatus) -> None:
        if not status.paper_present:
            self._set_state("paper_out", "load paper / заправьте чековую ленту")
        elif status.cover_open:
            self._set_state("cover_open", "close the cover / закройте крышку")
        elif status.shift_expired:
            self._set_state("shift_expired", "close the shift (24 h) / закройте смену")
        elif not status.shift_open and not self.config.auto_open_shift:
            self._set_state("ok", SHIFT_CLOSED_DETAIL)
        else:
            self._set_state("ok")
        if status.mode not in TRACKED_MODES:
            return  # printing a report, waiting for a date...: the shift is what it was
        # FF40 every look: a Z report and a new shift at the keyboard between two polls
        # leave the mode as it was, only the number tells.
        number = register.shift_state().shift if status.shift_open else None
        if number == self.shift["number"] and status.shift_expired == self.shift["expired"]:
            return
        self._fn = register.fn_status().fn  # a shift change may come with a replaced drive
        known = FiscalRepo(self._reads, "").open_shift_key()
        if known is not None and known not in ((self._fn, number), ("", number)):
            fn, closed = known
            self.writer.call(service.shift_closed, closed, fn=fn, by=None, fd=None, fp=None)
        if number is not None:
            self.writer.call(service.shift_opened, number, fn=self._fn, by=None, fd=None, fp=None)
            self.shift = {"open": True, "number": number, "expired": status.shift_expired}
        else:
            self.shift = CLOSED_SHIFT

    # --- receipts ----------------------------------------------------------------------------
    def _send(self, register: FiscalRegister, job: ReceiptJob) -> float:
        """Returns the pause before the next step."""
        receipt = self._receipt(job)
        try:
            validate_receipt(receipt, refund=job.draft.operation != SELL)
        except RequestRejected as exc:  # nothing was sent: the data must be fixed
            self.writer.call(service.receipt_failed, job.id, str(exc))
            return 0.0
        if self.archive.adopted(register, self._reads, job, receipt, self._fn):
            return 0.0  # signed before a restore: never twice
        if self._refunds_a_refused_receipt(job):
            # It would give back what was never fiscalised (a prepayment refunded after its
            # own receipt failed): staff gets that one through first, then retries this one.
            why = f"receipt {job.refund_of}, which this refunds, was refused: retry it first"
            self.writer.call(service.receipt_failed, job.id, why)
            return 0.0
        if job.attempts >= MAX_SEND_ATTEMPTS:
            why = f"the register refused it {job.attempts} times; last: {job.error}"
            self.writer.call(service.receipt_failed, job.id, why)
            return 0.0
        drive = register.fn_status()
        self._fn = drive.fn
        self.writer.call(service.receipt_sending, job.id, drive.last_fd, drive.fn)
        job = replace(job, state=SENDING, saved_fd=drive.last_fd, saved_fn=drive.fn)
        try:
            result = (
                register.sell(receipt) if job.draft.operation == SELL else register.refund(receipt)
            )
        except FiscalError as exc:
            log.warning("fiscal: receipt %d: %s", job.id, exc)
            if isinstance(exc, LinkError):
                raise  # reconciled once the link is back
            return self._reconcile(register, job, cause=exc)
        fiscal = Fiscalised(result.fn, result.fd, result.fp, result.shift, result.number, result.ts)
        # The change follows from the payments (a close found by reconciliation reports none).
        self.writer.call(service.receipt_fiscalised, job.id, fiscal, job.draft.change)
        return 0.0

    def _refunds_a_refused_receipt(self, job: ReceiptJob) -> bool:
        if job.refund_of is None:
            return False
        original = FiscalRepo(self._reads, "").job(job.refund_of)
        return original is not None and original.state == FAILED

    def _receipt(self, job: ReceiptJob):
        return driver_receipt(job.draft, self.config.tax_system, self.config.site)

    def _reconcile(
        self, register: FiscalRegister, job: ReceiptJob, cause: FiscalError | None = None
    ) -> float:
        """The job's fate is unknown: ask the register before deciding (FISCAL.md 5.4).
        Returns the pause before the next step."""
        if job.saved_fn and job.saved_fn != self._fn:
            why = (
                f"the fiscal drive was replaced ({job.saved_fn} -> {self._fn}) while this receipt"
                " was being sent: look in the old drive's archive before issuing it again /"
                " ФН заменён во время печати чека: проверьте архив старого ФН"
            )
            self.writer.call(service.receipt_failed, job.id, why)
            return 0.0
        operation = register_operation(job)
        status = register.status()
        if status.waiting_continue_print and status.paper_present:
            register.continue_print()  # signed, not fully printed: finish the paper copy
        try:
            found = register.reconcile_close(job.saved_fd, self._receipt(job), operation)
        except ReceiptNotFiscalised:
            found = None
        except ReconcileUndecided as exc:  # never guess: a person looks at the archive
            self.writer.call(service.receipt_failed, job.id, str(exc))
            return 0.0
        else:
            if found is None:  # the receipt is still open: the close never ran
                register.cancel_receipt()
        if found is not None:
            # The shift is the one the books have open: a shift changed at the keyboard since
            # is recorded only after this (the receipt was signed before it).
            fiscal = Fiscalised(self._fn, found.fd, found.fp, None, None, found.ts)
            log.info("fiscal: receipt %d found in the FN as FD %d", job.id, found.fd)
            self.writer.call(service.receipt_fiscalised, job.id, fiscal, job.draft.change)
            return 0.0
        why = str(cause) if cause else "not fiscalised: the register has no such receipt"
        if isinstance(cause, RequestRejected):  # the data itself: staff must fix it
            self.writer.call(service.receipt_failed, job.id, why)
            return 0.0
        self.writer.call(service.receipt_requeued, job.id, why)
        if isinstance(cause, (StaffActionRequired, FatalDeviceError)) and not isinstance(
            cause, SHOWN_IN_STATUS
        ):
            # Refused for a state the status byte does not show (no cash for a refund, FN
            # trouble): say so and wait instead of building and cancelling receipts in a loop.
            self._set_state("error", str(cause))
            self._holding = True  # a commit (this requeue's own) must not cut the pause short
            return STAFF_REFUSAL_PAUSE
        return 0.0  # paper, shift...: the next look at the status holds the queue


def _close_quietly(register: FiscalRegister) -> None:
    close = getattr(register, "close", None)
    if close is not None:
        with suppress(OSError):
            close()
