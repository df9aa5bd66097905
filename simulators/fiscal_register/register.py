"""The register's state machine: modes, sub-modes, passwords, and the command dispatch.

`execute(frame payload) -> answer payload` is all the link layer sees. Handlers live in the
`commands_*` modules, each a function `(register, fields) -> answer data after the error byte`.
"""

import time
from collections import Counter
from collections.abc import Callable

from . import (
    commands_archive,
    commands_marking,
    commands_ofd,
    commands_receipt,
    commands_shift,
    commands_status,
    commands_tables,
    errors,
)
from .codec import Fields, ShortCommand, command_bytes, split_command
from .drive import NO_PRINT_KEY, FiscalDrive
from .errors import CommandError
from .faults import FaultQueue
from .printer import Printer

MODE_SHIFT_OPEN = 2
MODE_SHIFT_EXPIRED = 3
MODE_SHIFT_CLOSED = 4
MODE_DOCUMENT_OPEN = 8
ADMINS = (29, 30)
SYSADMIN = 30
OFD_WAIT_LIMIT = 30 * 24 * 3600  # the oldest unsent document may wait this long, then 15h
NO_PRINT_NEXT, NO_PRINT_ALL = 1, 2  # table 17 field 7: this document / every document

HANDLERS: dict[int, Callable] = {
    **commands_status.HANDLERS,
    **commands_shift.HANDLERS,
    **commands_receipt.HANDLERS,
    **commands_marking.HANDLERS,
    **commands_tables.HANDLERS,
    **commands_ofd.HANDLERS,
    **commands_archive.HANDLERS,
}
NO_PASSWORD = {0xFC}


class Register:
    def __init__(
        self,
        drive: FiscalDrive,
        printer: Printer,
        faults: FaultQueue,
        clock: Callable[[], float] = time.time,
        extended_answers: bool = False,
        unsupported: frozenset[int] = frozenset(),
    ):
        self.drive = drive
        self.printer = printer
        self.faults = faults
        self.clock = clock
        self.extended_answers = extended_answers  # FF45 answer carries DATE_TIME (21 bytes)
        self.unsupported = unsupported  # commands this model answers 37h (e.g. 0x8D, 0xFF3A)
        # What Честный ЗНАК answers per code (None: every code), `commands_marking.set_answer`.
        self.marking_answers: dict[str | None, str] = {}
        self.operator = SYSADMIN
        self.receipt: commands_receipt.Receipt | None = None
        self.document_tlv: dict = {}  # FF0C outside a receipt: goes into the next FN document
        self.marking: commands_marking.MarkingCheck | None = None
        self.reading: bytes = b""  # FF3Ah/FF3Bh: the rest of the document being read
        self.executed: Counter[int] = Counter()  # commands run, by code (survives power cycles)

    def power_lost(self) -> None:
        """Volatile state is gone: an open receipt is annulled; the drive is re-read from disk."""
        self.receipt = None
        self.document_tlv = {}
        self.marking = None
        self.reading = b""
        self.drive.load()

    # state ---------------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock()

    def mode(self) -> int:
        """Mode byte: low nibble the mode, high nibble the open document's type (mode 8)."""
        if self.receipt is not None:
            return MODE_DOCUMENT_OPEN | (self.receipt.kind << 4)
        if not self.drive.shift["open"]:
            return MODE_SHIFT_CLOSED
        return MODE_SHIFT_EXPIRED if self.drive.shift_expired(self.now()) else MODE_SHIFT_OPEN

    def sub_mode(self) -> int:
        if self.drive.memory["print_pending"] is not None:
            return 3 if self.printer.paper else 2
        return 0 if self.printer.paper else 1

    # checks used by handlers ---------------------------------------------------------------
    def check_password(self, fields: Fields, allowed: tuple[int, ...] | None = None) -> int:
        password = fields.uint(4)
        operator = password if 1 <= password <= 30 else None
        if operator is None or (allowed is not None and operator not in allowed):
            raise CommandError(errors.WRONG_PASSWORD, "wrong password")
        self.operator = operator
        return operator

    def require_printer(self) -> None:
        sub = self.sub_mode()
        if sub == 1:
            raise CommandError(errors.NO_PAPER, "no receipt paper")
        if sub in (2, 3):
            raise CommandError(errors.WAITING_CONTINUE_PRINT, "waiting for B0h")

    def require_no_receipt(self) -> None:
        if self.receipt is not None:
            raise CommandError(errors.RECEIPT_OPEN, "receipt open")

    def require_shift(self) -> None:
        if not self.drive.shift["open"]:
            raise CommandError(errors.SHIFT_NOT_OPEN, "shift not open")
        if self.drive.shift_expired(self.now()):
            raise CommandError(errors.SHIFT_OVER_24H, "shift over 24 h")

    def require_fn_accepts_documents(self) -> None:
        """The FN makes no new fiscal document once its oldest unsent one waited 30 days."""
        oldest = self.drive.oldest_unsent()
        if oldest is not None and self.now() - oldest["time"] > OFD_WAIT_LIMIT:
            raise CommandError(errors.FN_OFD_WAIT_EXHAUSTED, "OFD queue older than 30 days")

    def take_no_print(self) -> bool:
        """Table 17 field 7 («не печатать документ»): True when the next document is not to be
        printed; the value 1 covers one document and resets to 0."""
        tables = self.drive.memory["tables"]
        value = tables.get(NO_PRINT_KEY, 0)
        if value == NO_PRINT_NEXT:
            tables[NO_PRINT_KEY] = 0
            self.drive.save()
        return value in (NO_PRINT_NEXT, NO_PRINT_ALL)

    def print_document(self, text: str, command: int, printed: bool | None = None) -> None:
        """Print (unless table 17 field 7 says not to: `printed` when the caller asked already),
        unless the paper runs out mid-print: then the text waits for B0h."""
        if printed is None:
            printed = not self.take_no_print()
        if not printed:
            return
        if self.faults.take("paper_out_during_print", command):
            self.printer.paper = False
            self.drive.memory["print_pending"] = text
            self.drive.save()
        else:
            self.printer.output(text)

    def date_time(self, when: float | None = None) -> bytes:
        """FN DATE_TIME: YY MM DD hh mm, of `when` (a stored document's time) or of now."""
        t = time.gmtime(self.now() if when is None else when)
        return bytes([t.tm_year % 100, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min])

    def operator_answer(self) -> bytes:
        return bytes([self.operator])

    # dispatch ------------------------------------------------------------------------------
    def execute(self, payload: bytes) -> bytes:
        code, body = split_command(payload)
        self.executed[code] += 1
        prefix = command_bytes(code)
        handler = HANDLERS.get(code)
        if handler is None or code in self.unsupported:
            return prefix + bytes([errors.NOT_SUPPORTED])
        if self.faults.take("paper_out", code):
            self.printer.paper = False
        try:
            data = handler(self, Fields(body))
        except CommandError as refused:
            return prefix + bytes([refused.code])
        except ShortCommand:
            return prefix + bytes([errors.BAD_PARAMETERS])
        return prefix + bytes([errors.OK]) + data

    def busy_answer(self, payload: bytes) -> bytes:
        code, _ = split_command(payload)
        return command_bytes(code) + bytes([errors.PREVIOUS_COMMAND_PRINTING])
