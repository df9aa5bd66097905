"""Result codes the simulated register answers with (FISCAL.md 1.8)."""

OK = 0x00
FN_WRONG_STATE = 0x02
FN_NO_DATA = 0x08
FN_TLV_TOO_LARGE = 0x10
FN_OFD_WAIT_EXHAUSTED = 0x15  # oldest document for the OFD waited > 30 days (JPOS messages_ru)
FN_SHIFT_OVER_24H = 0x16
BAD_PARAMETERS = 0x33
NOT_SUPPORTED = 0x37
SHIFT_NOT_OPEN = 0x3D
PAYMENTS_LESS_THAN_TOTAL = 0x45
NOT_ENOUGH_CASH = 0x46
WRONG_RECEIPT_TYPE = 0x49
RECEIPT_OPEN = 0x4A
CASHLESS_OVER_TOTAL = 0x4D
SHIFT_OVER_24H = 0x4E
WRONG_PASSWORD = 0x4F
PREVIOUS_COMMAND_PRINTING = 0x50
RECEIPT_CLOSED = 0x55
NO_DOCUMENT_TO_REPEAT = 0x56
NO_SUCH_TABLE = 0x5D  # «Таблица не определена» (JPOS messages_ru.txt, pyshtrih excepts.py)
WAITING_CONTINUE_PRINT = 0x58
NO_PAPER = 0x6B
ZERO_TOTAL = 0x8E
MARKING_SEQUENCE = 0xA1
MARKING_TABLE_FULL = 0xA3
REQUIRED_TLV_MISSING = 0xA4


class CommandError(Exception):
    """A command refused by the register: answered as `cmd | code`."""

    def __init__(self, code: int, reason: str = ""):
        super().__init__(f"error {code:02X}h {reason}".strip())
        self.code = code
