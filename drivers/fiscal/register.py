"""The ``FiscalRegister`` interface the gateway talks to, whatever the model (Shtrih-M now, ATOL
later), and the plain results it returns. The Shtrih-M implementation is in ``shtrih.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from drivers.fiscal.receipt import Cashier, FiscalResult, Receipt

# Modes (low nibble of the mode byte in 10h/11h), FISCAL.md 1.6.
MODE_SHIFT_OPEN = 2
MODE_SHIFT_EXPIRED = 3
MODE_SHIFT_CLOSED = 4
MODE_DOCUMENT_OPEN = 8

# Sub-modes.
SUBMODE_IDLE = 0
SUBMODE_PAPER_OUT = 1
SUBMODE_PAPER_OUT_WHILE_PRINTING = 2
SUBMODE_WAITING_CONTINUE_PRINT = 3
SUBMODE_PRINTING_REPORT = 4
SUBMODE_PRINTING = 5


@dataclass(frozen=True)
class RegisterStatus:
    operator: int
    mode: int  # low nibble
    mode_status: int  # high nibble (e.g. 8.x: 0 sale, 2 sale return)
    submode: int
    flags: int
    operations_in_receipt: int

    @property
    def paper_present(self) -> bool:
        return bool(self.flags & 0x0080) and self.submode not in (
            SUBMODE_PAPER_OUT,
            SUBMODE_PAPER_OUT_WHILE_PRINTING,
        )

    @property
    def cover_open(self) -> bool:
        return bool(self.flags & 0x0400)

    @property
    def shift_open(self) -> bool:
        return self.mode in (MODE_SHIFT_OPEN, MODE_SHIFT_EXPIRED, MODE_DOCUMENT_OPEN)

    @property
    def shift_expired(self) -> bool:
        return self.mode == MODE_SHIFT_EXPIRED

    @property
    def receipt_open(self) -> bool:
        return self.mode == MODE_DOCUMENT_OPEN

    @property
    def waiting_continue_print(self) -> bool:
        return self.submode == SUBMODE_WAITING_CONTINUE_PRINT

    @property
    def printing(self) -> bool:
        return self.submode in (SUBMODE_PRINTING_REPORT, SUBMODE_PRINTING)


@dataclass(frozen=True)
class FnStatus:
    life_phase: int
    current_document: int  # 0 none, 4 cash receipt, ...
    document_data: int
    shift_open: bool
    warnings: int
    ts: str
    fn: str  # serial number
    last_fd: int


@dataclass(frozen=True)
class FiscalDocument:
    """A document found in the FN archive (FF0Ah)."""

    fd: int
    doc_type: int  # 2 open shift, 3 receipt, 5 close shift ...
    ofd_ticket_received: bool
    ts: str | None = None
    fp: int | None = None
    operation: int | None = None  # receipts: 1 sale, 2 sale return, 3 buy, 4 buy return
    total: int | None = None  # receipts, kopecks
    shift: int | None = None  # shift reports


@dataclass(frozen=True)
class ShiftState:
    """FF40: the FN's view of the shift."""

    shift_open: bool
    shift: int
    receipt_number: int  # receipts in this shift so far


@dataclass(frozen=True)
class FnHealth:
    """What the fiscal drive says about itself (FF39h, FF01h, FF03h): the OFD queue and its
    age -- the FN refuses every new document once the oldest unsent one is 30 days old --, the
    warning flags and the drive's end of life."""

    fn: str
    unsent: int  # documents waiting for the OFD
    first_unsent_fd: int | None
    first_unsent_at: str | None  # 'YYYY-MM-DDThh:mm' of the oldest unsent document
    transport_up: bool  # FF39h status bit 0: the register reaches the OFD now
    warnings: int  # FF01h: b0 replace in 3 days, b1 30 days left, b2 archive 90 %, b3 OFD timeout
    expires: str | None  # FF03h, 'YYYY-MM-DD' (None when the model does not say)
    checked_at: str  # the register's clock when this was read, 'YYYY-MM-DDThh:mm'


@dataclass(frozen=True)
class MarkingCheck:
    """The register's answer to FF61h for one code (FISCAL.md 3.2): the FN's own check of the
    crypto tail (tag 2004), why it could not check, the code type (2100), and the online answer
    of Честный ЗНАК through the OFD (tag 2106 bits), or none in time (offline)."""

    code: str
    local_status: int  # tag 2004
    local_reason: int  # 0 checked, 1 type not checkable, 2 no key, 3 no AI 91/92, 4 other
    code_type: int  # tag 2100
    answered: bool  # False: no online answer in time (FN answer code 0xFF): the offline rule
    result: int  # tag 2106: b0 checked, b1 crypto ok, b2 status obtained, b3 status ok, b4 offline


@dataclass(frozen=True)
class ShiftResult:
    shift: int
    fd: int | None
    fp: int | None


class FiscalRegister(ABC):
    """Every call talks to the register and either returns what it answered or raises a
    ``drivers.fiscal.errors.FiscalError``. ``AnswerLost`` means the outcome is unknown."""

    @abstractmethod
    def status(self) -> RegisterStatus: ...

    @abstractmethod
    def open_shift(self, cashier: Cashier) -> ShiftResult: ...

    @abstractmethod
    def close_shift(self, cashier: Cashier) -> ShiftResult:
        """Z report."""

    @abstractmethod
    def x_report(self) -> None: ...

    @abstractmethod
    def cash_in(self, amount: int) -> int:
        """Returns the register's document number."""

    @abstractmethod
    def cash_out(self, amount: int) -> int: ...

    @abstractmethod
    def sell(self, receipt: Receipt) -> FiscalResult: ...

    @abstractmethod
    def refund(self, receipt: Receipt) -> FiscalResult: ...

    @abstractmethod
    def last_document(self) -> FiscalDocument: ...

    @abstractmethod
    def shift_state(self) -> ShiftState: ...

    @abstractmethod
    def continue_print(self) -> None: ...

    @abstractmethod
    def repeat_last_document(self) -> None:
        """Print a copy («КОПИЯ») of the last fiscal document; nothing is fiscalised again."""

    @abstractmethod
    def cancel_receipt(self) -> None: ...

    @abstractmethod
    def health(self) -> FnHealth:
        """The fiscal drive's OFD queue, warnings and expiry."""

    @abstractmethod
    def check_marking(self, code: str, *, refund: bool = False) -> MarkingCheck:
        """Check a marking code before the sale (разрешительный режим) without selling it."""
