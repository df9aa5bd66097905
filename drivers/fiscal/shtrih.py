"""``ShtrihM``: ``FiscalRegister`` over the Shtrih-M protocol (FISCAL.md 1.7, 3.2, 5.4).

A receipt is: [8Dh open] -> FF0C document TLVs (1008 buyer, 1021/1203 cashier) -> per item
[FF61 check + FF69 accept for a marked item] FF46, [FF67 bind code], [FF4D 2108 measure] -> FF45.
If the FF45 answer is lost the receipt is reconciled (pending answer on ENQ, then mode, FN last
document number and FF0A lookup) and never closed twice.
"""

from __future__ import annotations

import logging
import time

from drivers.fiscal import answers, commands, health, marking
from drivers.fiscal import receipt as rc
from drivers.fiscal.commands import OPEN_RECEIPT_TYPE, SALE, SALE_RETURN
from drivers.fiscal.errors import (
    AnswerLost,
    CommandNotSupported,
    FiscalError,
    LinkError,
    PreviousCommandPrinting,
    ReceiptNotFiscalised,
    ReconcileUndecided,
    RequestRejected,
    error_for_code,
)
from drivers.fiscal.frames import (
    money,
    password_bytes,
    split_answer,
    tlv_text,
    tlv_uint,
    uint_le,
)
from drivers.fiscal.link import LinkSettings, SerialPort, ShtrihLink
from drivers.fiscal.register import (
    MODE_DOCUMENT_OPEN,
    FiscalDocument,
    FiscalRegister,
    FnHealth,
    FnStatus,
    MarkingCheck,
    RegisterStatus,
    ShiftResult,
    ShiftState,
)

log = logging.getLogger(__name__)

PRINTING_RETRY_PAUSE = 0.333  # vendor driver's pause on error 50h
PRINTING_RETRY_LIMIT = 60.0  # seconds of 50h before giving up
RECONCILE_SCAN_LIMIT = 500  # documents after the saved FD searched for a lost receipt


class ShtrihM(FiscalRegister):
    def __init__(
        self,
        port_url: str | None = None,
        password: int = 30,
        baudrate: int = 115200,
        *,
        port: SerialPort | None = None,
        settings: LinkSettings | None = None,
    ):
        """``port_url``: device path, pty path or pyserial URL, opened on first use; or ``port``."""
        self.port_url, self.password, self.baudrate = port_url, password, baudrate
        self._port = port
        self._settings = settings
        self._link: ShtrihLink | None = None
        self._open_receipt_supported = True
        self.last_fd_before_close: int | None = None  # saved for reconciliation (FISCAL.md 5.4)

    # --- plumbing ----------------------------------------------------------------------------

    @property
    def link(self) -> ShtrihLink:
        if self._link is None:
            if self._port is None:
                import serial  # opened lazily: importing the driver touches no port

                self._port = serial.serial_for_url(self.port_url, baudrate=self.baudrate, timeout=1)
            self._link = ShtrihLink(self._port, self._settings)
        return self._link

    def close(self) -> None:
        close = getattr(self._port, "close", None)
        if close is not None:
            close()
        self._link = None

    def call(self, command: int, data: bytes = b"") -> bytes:
        """One command with the password; returns the answer data or raises its error."""
        started = time.monotonic()
        while True:
            body = self.link.execute(command, password_bytes(self.password) + data)
            try:
                return self._check(command, body)
            except PreviousCommandPrinting:
                # Refused, not executed: the vendor driver waits and sends it again.
                if time.monotonic() - started > PRINTING_RETRY_LIMIT:
                    raise
                time.sleep(PRINTING_RETRY_PAUSE)

    @staticmethod
    def _check(command: int, body: bytes) -> bytes:
        answer = split_answer(body, command)
        if answer.error_code:
            raise error_for_code(answer.error_code, command)
        return answer.data

    # --- status and reports ------------------------------------------------------------------

    def status(self) -> RegisterStatus:
        return answers.short_status(self.call(0x10))

    def fn_status(self) -> FnStatus:
        return answers.fn_status(self.call(0xFF01))

    def find_document(self, fd: int) -> FiscalDocument:
        return answers.found_document(fd, self.call(0xFF0A, uint_le(fd, 4)))

    def last_document(self) -> FiscalDocument:
        return self.find_document(self.fn_status().last_fd)

    def shift_state(self) -> ShiftState:
        return answers.shift_parameters(self.call(0xFF40))

    def health(self) -> FnHealth:
        return health.read_health(self)

    def check_marking(self, code: str, *, refund: bool = False) -> MarkingCheck:
        return marking.pre_check(self, code, SALE_RETURN if refund else SALE)

    def x_report(self) -> None:
        self.call(0x40)

    def continue_print(self) -> None:
        self.call(0xB0)

    def repeat_last_document(self) -> None:
        self.call(0x8C)  # «Повтор документа»: a copy of the last document, not a new one

    def cancel_receipt(self) -> None:
        self.call(0x88)

    def cash_in(self, amount: int) -> int:
        return self._cash(0x50, amount)

    def cash_out(self, amount: int) -> int:
        return self._cash(0x51, amount)

    def _cash(self, command: int, amount: int) -> int:
        if amount <= 0:
            raise RequestRejected("cash amount must be positive")
        data = self.call(command, money(amount))
        return int.from_bytes(data[1:3], "little")

    # --- shifts ------------------------------------------------------------------------------

    def open_shift(self, cashier: rc.Cashier) -> ShiftResult:
        self._begin_with_cashier(0xFF41, cashier)  # FF41 begin, cashier TLVs, then E0h
        self.call(0xE0)
        return self._shift_result()

    def close_shift(self, cashier: rc.Cashier) -> ShiftResult:
        self._begin_with_cashier(0xFF42, cashier)  # FF42 begin, cashier TLVs, then 41h (Z)
        self.call(0x41)
        return self._shift_result()

    def _begin_with_cashier(self, begin_command: int, cashier: rc.Cashier) -> None:
        try:
            self.call(begin_command)
        except CommandNotSupported:
            log.info("fiscal: %#x not supported, shift report without cashier tags", begin_command)
            return
        self._send_cashier(cashier)

    def _send_cashier(self, cashier: rc.Cashier | None) -> None:
        if cashier is None:
            return
        self.call(0xFF0C, tlv_text(1021, cashier.name[:64]))
        if cashier.inn:
            self.call(0xFF0C, tlv_text(1203, cashier.inn))

    def _shift_result(self) -> ShiftResult:
        """The shift report just made is the FN's last document."""
        document = self.last_document()
        shift = document.shift
        if shift is None:
            shift = self.shift_state().shift
        return ShiftResult(shift=shift, fd=document.fd, fp=document.fp)

    # --- receipts ----------------------------------------------------------------------------

    def sell(self, receipt: rc.Receipt) -> rc.FiscalResult:
        return self._fiscalise(receipt, SALE)

    def refund(self, receipt: rc.Receipt) -> rc.FiscalResult:
        return self._fiscalise(receipt, SALE_RETURN)

    def _fiscalise(self, receipt: rc.Receipt, operation: int) -> rc.FiscalResult:
        rc.validate_receipt(receipt, refund=operation == SALE_RETURN)
        before = self.fn_status()
        self.last_fd_before_close = before.last_fd
        try:
            self._open_receipt(operation)
            if receipt.buyer_contact:
                self.call(0xFF0C, tlv_text(1008, receipt.buyer_contact))
            self._send_cashier(receipt.cashier)
            for item in receipt.items:
                self._add_item(item, operation)
        except AnswerLost:
            raise  # state unknown: the caller reconciles, we must not cancel blindly
        except FiscalError as exc:
            self._cancel_after_failure(exc)
            raise
        close = self._close_or_reconcile(receipt, operation, before.last_fd)
        try:
            shift: ShiftState | None = self.shift_state()
        except FiscalError as exc:
            # The receipt IS fiscalised (we hold FD and FP): a failed lookup must not hide that.
            log.warning("fiscal: FD %d closed but FF40 failed: %s", close.fd, exc)
            shift = None
        return rc.FiscalResult(
            fn=before.fn,
            fd=close.fd,
            fp=close.fp,
            shift=shift.shift if shift else None,
            number=shift.receipt_number if shift else None,
            ts=close.ts,
            change=close.change,
        )

    def _open_receipt(self, operation: int) -> None:
        if not self._open_receipt_supported:
            return  # the first FF46 opens the receipt implicitly
        try:
            self.call(0x8D, bytes([OPEN_RECEIPT_TYPE[operation]]))
        except CommandNotSupported:
            self._open_receipt_supported = False

    def _add_item(self, item: rc.Item, operation: int) -> None:
        if item.marking_code:  # FISCAL.md 3.2: check, accept (or refuse), sell, bind
            marking.check_in_receipt(self, item, operation)
        self.call(0xFF46, commands.operation_v2(item, operation))
        if item.marking_code:
            self.call(0xFF67, commands.bind_marking_code(item))  # standard Shtrih: after FF46
        if item.measure:
            self.call(0xFF4D, tlv_uint(2108, item.measure, 1))

    def _close_or_reconcile(
        self, receipt: rc.Receipt, operation: int, last_fd: int
    ) -> answers.CloseAnswer:
        data = commands.close_receipt_v2(receipt)
        try:
            return answers.close_receipt(self.call(0xFF45, data))
        except AnswerLost:
            log.warning("fiscal: FF45 answer lost, reconciling against FD %d", last_fd)
        except LinkError:
            raise
        except FiscalError as exc:
            # An error answer means the drive signed nothing (not enough cash in the drawer,
            # payments short, ...): cancel, so the next attempt does not meet an open receipt.
            self._cancel_after_failure(exc)
            raise
        try:
            found = self.reconcile_close(last_fd, receipt, operation)
        except LinkError as exc:
            if isinstance(exc, AnswerLost):
                raise
            # Retrying now could close twice: report "unknown" so the caller reconciles later.
            raise AnswerLost(f"link failed while reconciling: {exc}", command=0xFF45) from exc
        if found is not None:
            return found
        # Mode 8: the register never executed FF45; closing it now cannot make a second receipt.
        return answers.close_receipt(self.call(0xFF45, data))

    def reconcile_close(
        self, last_fd: int, receipt: rc.Receipt, operation: int
    ) -> answers.CloseAnswer | None:
        """FISCAL.md 5.4. Returns the close answer if the receipt was fiscalised, None if the
        receipt is still open (FF45 never executed); raises ReceiptNotFiscalised if it is gone,
        AnswerLost if the register cannot tell yet."""
        pending = self.link.fetch_pending_answer()
        if pending is not None and pending[:2] == b"\xff\x45":
            return answers.close_receipt(self._check(0xFF45, pending))
        drained = self._drained_close_answer(last_fd)  # a reconnect drained it already
        if drained is not None:
            return drained
        status = self.status()
        if status.mode == MODE_DOCUMENT_OPEN:
            return None
        fn = self.fn_status()
        if fn.last_fd < last_fd or fn.last_fd - last_fd > RECONCILE_SCAN_LIMIT:
            raise ReconcileUndecided(f"FN moved from FD {last_fd} to {fn.last_fd}", command=0xFF45)
        total = receipt.total
        # Usually the receipt is last_fd + 1; a shift report made at the keyboard in between
        # moves it further. Only one receipt is ever in flight, so a match is this one.
        for fd in range(last_fd + 1, fn.last_fd + 1):
            document = self.find_document(fd)
            if (document.doc_type, document.operation, document.total) == (3, operation, total):
                return answers.CloseAnswer(0, document.fd, document.fp or 0, document.ts)
        raise ReceiptNotFiscalised(
            f"no receipt of {total} kopecks among FD {last_fd + 1}..{fn.last_fd}", command=0xFF45
        )

    def _drained_close_answer(self, last_fd: int) -> answers.CloseAnswer | None:
        """An FF45 answer the link drained as stale on reconnect is the exact evidence: use it
        if it closed a document after `last_fd`."""
        found = None
        for body in self.link.stale_answers:
            if body[:3] == b"\xff\x45\x00":
                close = answers.close_receipt(body[3:])
                if close.fd > last_fd:
                    found = close
        self.link.stale_answers.clear()
        return found

    def _cancel_after_failure(self, cause: FiscalError) -> None:
        """Leave no half-built receipt behind; the original error is what the caller sees."""
        try:
            if self.status().receipt_open:
                self.cancel_receipt()
        except FiscalError as exc:
            cause.add_note(f"cancelling the open receipt failed too: {exc}")
