"""Staff operations on the register (open and close the shift, X report, cash in and out, the
marking check before a sale), run by the fiscal worker's thread between receipts -- it owns the
port -- while the HTTP handler that asked waits for the answer. Mixed into `FiscalWorker`."""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from drivers.fiscal import marking as driver_marking
from drivers.fiscal.errors import AnswerLost, FiscalError, LinkError
from drivers.fiscal.receipt import Cashier
from drivers.fiscal.register import FiscalRegister, RegisterStatus
from gateway.domain import marking
from gateway.domain import staff as roles
from gateway.domain.errors import InvalidTransition
from gateway.domain.staff import Staff, authorize
from gateway.domain.validation import require_int
from gateway.services import fiscal as service
from gateway.services import reprints

REQUEST_TIMEOUT = 150.0  # a Z report may print for a minute
# operation -> what the person asking must be allowed to do
OPERATIONS = {
    "open_shift": roles.OPEN_SHIFT,
    "close_shift": roles.CLOSE_SHIFT,
    "x_report": roles.X_REPORT,
    "cash_in": roles.CASH_IN,
    "cash_out": roles.CASH_OUT,
    "reprint": roles.PRINT,
    "check_marking": roles.SELL,
}
DRIVER_REASONS = {  # drivers/fiscal/marking.verdict's why -> the staff's reason
    driver_marking.OK: marking.OK,
    driver_marking.SOLD: marking.SOLD,
    driver_marking.REFUSED: marking.REFUSED,
    driver_marking.OFFLINE_RULE: marking.OFFLINE,
}
CLOSED_SHIFT = {"open": False, "number": None, "expired": False}


class FiscalUnavailable(Exception):
    """The register cannot be reached now; the message is for staff."""


class StaffOperations:
    """Needs from the worker: `_requests` (a queue), `_wake`, `_stopping`, `writer`, `shift`,
    `_fn` (the fiscal drive's serial)."""

    _requests: queue.SimpleQueue
    _fn: str
    shift: dict[str, Any]
    _deferred: tuple | None = None  # a shift close waiting for receipts sold before it
    _close_after = 0  # ... the newest of them when the close was asked

    def _next_request(self, job, can_print: bool, newest_queued: Callable[[], int]) -> tuple | None:
        """The staff request to serve now, or None. A shift closes only once the receipts queued
        before the close was asked are printed: they were sold in this shift, so its Z report and
        the drawer the person counted include them (staff requests otherwise go first, and they
        would open the next shift at night). Receipts that cannot print now (no paper, an expired
        shift) or were refused before do not hold the close back, nor do sales made after it was
        asked."""
        request = self._deferred
        if request is None:
            try:
                request = self._requests.get_nowait()
            except queue.Empty:
                return None
            if request[0] == "close_shift":
                self._close_after = newest_queued()
        waiting = job is not None and job.id <= self._close_after and job.attempts == 0
        if request[0] == "close_shift" and can_print and waiting:
            self._deferred = request
            return None
        self._deferred = None
        return request

    def request(self, op: str, *, by: Staff, timeout: float = REQUEST_TIMEOUT, **kwargs) -> Any:
        """Run a staff operation on the register for `by` and return its result; raises
        `Forbidden` (before anything reaches the register), the register's refusal, a
        `DomainError`, or `FiscalUnavailable`."""
        if op not in OPERATIONS:
            raise ValueError(f"unknown fiscal operation {op}")
        authorize(by, OPERATIONS[op])  # the service audits an override when it records the result
        if self._stopping.is_set():
            raise FiscalUnavailable("the gateway is stopping / шлюз останавливается")
        future: Future = Future()
        self._requests.put((op, {**kwargs, "by": by}, future))
        self._wake.set()
        try:
            return future.result(timeout)
        except TimeoutError:
            if future.cancel():  # never started: it never will
                raise FiscalUnavailable(
                    f"the register is busy: nothing was done in {timeout:.0f} s / ККТ занята,"
                    " операция не выполнена"
                ) from None
            raise FiscalUnavailable(  # started: it may finish; repeating could do it twice
                f"no answer in {timeout:.0f} s: the outcome is unknown, check with an X report"
                " / результат неизвестен, снимите X-отчёт"
            ) from None

    def _fail_requests(self, exc: Exception) -> None:
        if self._deferred is not None:
            self._requests.put(self._deferred)
            self._deferred = None
        while True:
            try:
                _, _, future = self._requests.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(exc)

    def _open_shift(self, register: FiscalRegister, by: Staff) -> dict:
        result = register.open_shift(Cashier(by.name, by.inn))
        fn = self._fn = register.fn_status().fn  # the drive may have been replaced since
        self.writer.call(
            service.shift_opened, result.shift, fn=fn, by=by, fd=result.fd, fp=result.fp
        )
        self.shift = {"open": True, "number": result.shift, "expired": False}
        return {"shift": result.shift, "fd": result.fd}

    def _serve(self, register, status: RegisterStatus, op: str, kwargs: dict, future) -> None:
        try:
            future.set_result(getattr(self, f"_do_{op}")(register, status, **kwargs))
        except LinkError as exc:
            if isinstance(exc, AnswerLost):  # it may have been done: never guess, never repeat
                why = "the outcome is unknown: check with an X report / результат неизвестен"
            else:
                why = "the register stopped answering / ККТ не отвечает"
            future.set_exception(FiscalUnavailable(f"{why}: {exc}"))
            raise
        except Exception as exc:  # the register's refusal or a domain error: the caller's
            future.set_exception(exc)

    def _do_open_shift(self, register, status: RegisterStatus, *, by: Staff) -> dict:
        if status.shift_open:
            raise InvalidTransition(f"shift {self.shift['number']} is already open")
        return self._open_shift(register, by)

    def _do_close_shift(
        self, register, status: RegisterStatus, *, by: Staff, counted: int | None = None
    ) -> dict:
        """`counted`: the cash the person counted in the drawer (None from tools that count
        nothing); checked before the register prints the Z report, which cannot be undone."""
        if not status.shift_open:
            raise InvalidTransition("no shift is open / смена не открыта")
        if counted is not None:
            require_int(counted, "counted", minimum=0, maximum=service.MAX_DRAWER)
        number = self.shift["number"]
        result = register.close_shift(Cashier(by.name, by.inn))
        totals = self.writer.call(
            service.shift_closed,
            result.shift or number,
            fn=self._fn,
            by=by,
            fd=result.fd,
            fp=result.fp,
            counted=counted,
        )
        self.shift = CLOSED_SHIFT
        cash = service.cash_count(totals["cash_in_drawer"], counted)
        return {"shift": result.shift or number, "fd": result.fd, "totals": totals, **cash}

    def _do_x_report(self, register, status: RegisterStatus, *, by: Staff) -> dict:
        register.x_report()
        return {"printed": True}

    def _do_reprint(self, register, status: RegisterStatus, *, receipt_id: int, by: Staff) -> dict:
        """A copy of a receipt (8Ch prints the register's last document only): refused unless
        the receipt is still the last document of the fiscal drive in the register."""
        wanted = self.writer.call(reprints.receipt_to_reprint, receipt_id, by=by)
        drive = register.fn_status()
        if (drive.fn, drive.last_fd) != (wanted["fn"], wanted["fd"]):
            raise InvalidTransition(
                f"receipt {receipt_id} is no longer the register's last document: only the last"
                " one can be printed again; the buyer's copy is with the OFD / повторить можно"
                " только последний документ ККТ — копия чека есть у ОФД",
                reason="not_last_document",
            )
        register.repeat_last_document()
        return self.writer.call(reprints.receipt_reprinted, receipt_id, by=by)

    def _do_cash_in(self, register, status: RegisterStatus, *, amount: int, by: Staff) -> dict:
        return self._cash(register, "in", amount, by)

    def _do_cash_out(self, register, status: RegisterStatus, *, amount: int, by: Staff) -> dict:
        return self._cash(register, "out", amount, by)

    def _cash(self, register, kind: str, amount: int, by: Staff) -> dict:
        self.writer.call(service.check_cash_move, kind, amount)
        move = register.cash_in if kind == "in" else register.cash_out
        document = move(amount)
        return self.writer.call(service.cash_moved, kind, amount, by=by, register_doc=document)

    def _do_check_marking(
        self, register, status: RegisterStatus, *, code: str, refund: bool, by: Staff
    ) -> marking.MarkingVerdict:
        """FF61h + FF69h refuse: the code is checked, not sold. A register that refuses the
        check itself gave no answer: the offline rule (the receipt checks the code again)."""
        try:
            check = register.check_marking(code, refund=refund)
        except LinkError:
            raise
        except FiscalError as exc:
            return marking.not_checked(code, str(exc), refund=refund)
        why = driver_marking.verdict(check, refund=refund).why
        return marking.MarkingVerdict(code, DRIVER_REASONS[why], check.result, refund)
