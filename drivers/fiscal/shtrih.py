"""``ShtrihM``: ``FiscalRegister`` over the Shtrih-M protocol (FISCAL.md 1.7, 3.2, 3.4, 5.4).

A receipt is: [1Eh table 17 field 7 «не печатать» for an electronic-only one] -> [8Dh open:
type 0/2, or 0x80/0x82 for a correction] -> FF0C document TLVs (1008 buyer, 1125 + 1187 Internet
settlement, 1173 + 1174 correction basis, 1021/1203 cashier) -> per item [FF61 check + FF69
accept for a marked item] FF46, [FF67 bind code], [FF4D 2108 measure] -> FF45 (sum 14 = the
prepayment offset, 1215) -> [FF0A: the document's date and time, when FF45 did not carry it
(``document_time.py``)]. If the FF45 answer is lost the receipt is reconciled (``reconcile.py``:
pending answer, mode, the FN archive by type, total and items) and never closed twice.
"""

from __future__ import annotations

import logging
import time

from drivers.fiscal import (
    answers,
    archive_search,
    commands,
    document_time,
    documents,
    health,
    marking,
    reconcile,
)
from drivers.fiscal import receipt as rc
from drivers.fiscal.commands import NO_PRINT_NEXT, PRINT, SALE, SALE_RETURN
from drivers.fiscal.errors import (
    AnswerLost,
    CommandNotSupported,
    FiscalError,
    LinkError,
    PreviousCommandPrinting,
    RequestRejected,
    error_for_code,
)
from drivers.fiscal.frames import money, password_bytes, split_answer, tlv_text, tlv_uint, uint_le
from drivers.fiscal.link import LinkSettings, SerialPort, ShtrihLink
from drivers.fiscal.reconcile import RECONCILE_SCAN_LIMIT
from drivers.fiscal.register import (
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
# Answers to the «не печатать» table write meaning "no such table/field on this model".
TABLE_REFUSED = frozenset({0x33, 0x36, 0x37, 0x5D})
__all__ = ["RECONCILE_SCAN_LIMIT", "ShtrihM"]


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
        self.tlv_documents_supported = True  # FF3Ah/FF3Bh; False after a 37h answer
        self.document_lookup_supported = True  # FF0Ah (a document's time); False after 37h
        # What table 17 field 7 («не печатать») holds; None = unknown (a restart, a failure).
        self._no_print: int | None = None
        self._no_print_supported = True  # False once the model refused the table write
        self._no_print_warned = False
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

    def read_document(self, fd: int) -> documents.StoredDocument:
        """Document FD from the drive's archive as TLV (FF3Ah/FF3Bh)."""
        return documents.read_document(self, fd)

    def shift_state(self) -> ShiftState:
        return answers.shift_parameters(self.call(0xFF40))

    def health(self) -> FnHealth:
        return health.read_health(self)

    def check_marking(self, code: str, *, refund: bool = False) -> MarkingCheck:
        return marking.pre_check(self, code, SALE_RETURN if refund else SALE)

    def x_report(self) -> None:
        self._set_printing(True)
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
        self._set_printing(True)
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
        # A crash between «не печатать» and its electronic receipt leaves it set, and it
        # would take the next document, this report, off the paper.
        self._set_printing(True)
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
            self._set_printing(not receipt.electronic)
            self._open_receipt(operation, receipt.correction)
            for tag in commands.document_tags(receipt):
                self.call(0xFF0C, tag)
            self._send_cashier(receipt.cashier)
            for item in receipt.items:
                self._add_item(item, operation)
        except AnswerLost:
            self._no_print = None
            raise  # state unknown: the caller reconciles, we must not cancel blindly
        except FiscalError as exc:
            self._cancel_after_failure(exc)
            raise
        try:
            close = self._close_or_reconcile(receipt, operation, before.last_fd)
        finally:
            if receipt.electronic:
                self._no_print = None  # spent by this document, or not: ask again next time
        close = document_time.with_document_time(
            self, close, document_time.receipt_doc_type(receipt)
        )
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

    def _set_printing(self, printed: bool) -> None:
        """Table 17 field 7 := 1 before an electronic-only receipt; := 0 before a printed
        document (receipt, report, cash in / out) when a crash or failure may have left a 1
        behind (it resets only after a document). Written once after a start, then known."""
        wanted = PRINT if printed else NO_PRINT_NEXT
        if self._no_print_supported and self._no_print != wanted:
            try:
                self.call(0x1E, commands.no_print_next(wanted))
                self._no_print = wanted
            except RequestRejected as exc:
                if exc.code not in TABLE_REFUSED:
                    raise
                self._no_print_supported = False  # this model has no such setting
        if not self._no_print_supported and not printed and not self._no_print_warned:
            # A printed receipt is legal too; said once, not at every web payment.
            log.warning("fiscal: the register has no «не печатать документ»: printing them")
            self._no_print_warned = True

    def _open_receipt(self, operation: int, correction: rc.Correction | None = None) -> None:
        if self._open_receipt_supported:
            try:
                self.call(0x8D, bytes([commands.open_receipt_type(operation, correction)]))
                return
            except CommandNotSupported:
                self._open_receipt_supported = False
        if correction is not None:
            raise RequestRejected(
                "this register has no 8Dh «Открыть чек»: an FFD 1.2 correction receipt cannot be"
                " made on it / ККТ не поддерживает открытие чека коррекции (8Dh)"
            )
        # otherwise the first FF46 opens the receipt implicitly

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
        """FISCAL.md 5.4 (``reconcile.py``). Returns the close answer if the receipt was
        fiscalised, None if the receipt is still open (FF45 never executed); raises
        ReceiptNotFiscalised if it is gone, AnswerLost if the register cannot tell yet. A close
        answer found carries the document's date and time whenever the register can tell it."""
        found = reconcile.reconcile_close(self, last_fd, receipt, operation)
        if found is None:
            return None
        return document_time.with_document_time(
            self, found, document_time.receipt_doc_type(receipt)
        )

    def find_receipt(
        self, fds, receipt: rc.Receipt, operation: int, cache: archive_search.ArchiveCache
    ) -> archive_search.FoundReceipt | None:
        """This receipt among the documents `fds` of the archive (``archive_search.py``)."""
        return archive_search.find_receipt(self, fds, receipt, operation, cache)

    def _cancel_after_failure(self, cause: FiscalError) -> None:
        """Leave no half-built receipt behind; the original error is what the caller sees."""
        self._no_print = None  # a «не печатать» written for this receipt may still be set
        try:
            if self.status().receipt_open:
                self.cancel_receipt()
        except FiscalError as exc:
            cause.add_note(f"cancelling the open receipt failed too: {exc}")
