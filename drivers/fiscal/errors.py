"""Register error codes (FISCAL.md 1.8) as exceptions, grouped by what the caller can do.

- ``RetryableError``: nothing was done; the same command may be sent again after a pause.
- ``StaffActionRequired``: a person must act (paper, shift, cash, open receipt, continue print).
- ``RequestRejected``: the request itself is wrong (a caller bug or bad data); don't retry as is.
- ``FatalDeviceError``: the register or its fiscal drive (FN) is broken; service needed.
- ``LinkError``: the wire failed; ``AnswerLost`` means the outcome is unknown and must be
  reconciled (pending answer on ENQ, then state queries) before anything is re-sent.
"""

# ruff: noqa: E501  (the error table keeps one code per line)

from __future__ import annotations


class FiscalError(Exception):
    """Base of every driver error. ``code`` is the register's error byte (None for link errors)."""

    code: int | None = None
    message_ru = "Ошибка ККТ"
    message_en = "Fiscal register error"

    def __init__(self, detail: str = "", *, code: int | None = None, command: int | None = None):
        self.code = code if code is not None else type(self).code
        self.command = command
        self.detail = detail
        parts = [f"{self.message_ru} / {self.message_en}"]
        if self.code is not None:
            parts.append(f"code {self.code:#04x}")
        if command is not None:
            parts.append(f"command {command:#x}")
        if detail:
            parts.append(detail)
        super().__init__("; ".join(parts))


class RetryableError(FiscalError):
    pass


class StaffActionRequired(FiscalError):
    pass


class RequestRejected(FiscalError):
    pass


class FatalDeviceError(FiscalError):
    pass


# --- link ------------------------------------------------------------------------------------


class LinkError(FiscalError):
    message_ru = "Нет связи с ККТ"
    message_en = "No link to the fiscal register"


class LinkDown(LinkError, RetryableError):
    """No answer to ENQ: nothing reached the register, safe to retry later."""


class AnswerLost(LinkError):
    """The command may have executed but its answer never arrived intact. Do NOT resend:
    ask for the pending answer (``ShtrihLink.fetch_pending_answer``) and reconcile."""

    message_ru = "Ответ ККТ потерян, результат команды неизвестен"
    message_en = "Answer lost, command outcome unknown"


class MarkingCodeMissing(RequestRejected):
    message_ru = "Для маркированного товара нужен код маркировки"
    message_en = "A marked item needs its marking code"


class MarkingCodeRefused(RequestRejected):
    """Честный ЗНАК refused the code (sold already, not in circulation, a bad crypto tail)."""

    message_ru = "Код маркировки не прошёл проверку"
    message_en = "The marking code was refused"


# --- register error codes ----------------------------------------------------------------------


# Named classes for the codes callers are expected to catch by name.
class PreviousCommandPrinting(RetryableError):
    code = 0x50
    message_ru = "Идёт печать предыдущей команды"
    message_en = "Previous command still printing"


class PaperOut(StaffActionRequired):
    code = 0x6B
    message_ru = "Нет чековой ленты"
    message_en = "Out of receipt paper"


class ContinuePrintRequired(StaffActionRequired):
    code = 0x58
    message_ru = "Ожидание команды продолжения печати"
    message_en = "Waiting for continue print (B0h)"


class ShiftExpired(StaffActionRequired):
    code = 0x4E
    message_ru = "Смена превысила 24 часа"
    message_en = "Shift is over 24 hours"


class FnShiftExpired(ShiftExpired):
    code = 0x16
    message_ru = "ФН: смена более 24 часов"
    message_en = "FN: shift is over 24 hours"


class WrongPassword(RequestRejected):
    code = 0x4F
    message_ru = "Неверный пароль"
    message_en = "Wrong password"


class ReceiptOpen(StaffActionRequired):
    code = 0x4A
    message_ru = "Открыт чек – операция невозможна"
    message_en = "A receipt is open"


class ReceiptClosed(RequestRejected):
    code = 0x55
    message_ru = "Чек закрыт – операция невозможна"
    message_en = "No receipt is open"


class ShiftNotOpen(StaffActionRequired):
    code = 0x3D
    message_ru = "Смена не открыта – операция невозможна"
    message_en = "Shift is not open"


class NotEnoughCash(StaffActionRequired):
    code = 0x46
    message_ru = "Не хватает наличности в кассе"
    message_en = "Not enough cash in the drawer"


class CommandNotSupported(RequestRejected):
    code = 0x37
    message_ru = "Команда не поддерживается"
    message_en = "Command not supported"


class FnFailure(FatalDeviceError):
    code = 0x03
    message_ru = "Неисправность ФН"
    message_en = "Fiscal drive (FN) failure"


class OfdWaitExhausted(StaffActionRequired):
    """The oldest document has waited for the OFD more than 30 days: the FN makes no new
    document until the queue is sent (FISCAL.md "Web shop receipts"; the text is JPOS
    ``messages_ru.txt`` FSPrinterError15). Restore the register's internet link."""

    code = 0x15
    message_ru = "ФН: исчерпан ресурс ожидания передачи сообщения в ОФД (более 30 дней)"
    message_en = "FN: documents waited for the OFD over 30 days; no new documents until sent"


_NAMED: list[type[FiscalError]] = [
    PreviousCommandPrinting, PaperOut, ContinuePrintRequired, ShiftExpired, FnShiftExpired,
    WrongPassword, ReceiptOpen, ReceiptClosed, ShiftNotOpen, NotEnoughCash, CommandNotSupported,
    FnFailure, OfdWaitExhausted,
]  # fmt: skip

# The rest of the table: code -> (group, Russian, English). One row per code reads best.
# fmt: off
_TABLE: dict[int, tuple[type[FiscalError], str, str]] = {
    0x01: (RequestRejected, "ФН: неизвестная команда или неверный формат", "FN: unknown command or bad format"),
    0x02: (StaffActionRequired, "ФН: неверное состояние ФН", "FN: wrong FN state for this command"),
    0x04: (FatalDeviceError, "ФН: неисправность криптосопроцессора", "FN: crypto coprocessor failure"),
    0x05: (FatalDeviceError, "ФН: закончен срок эксплуатации ФН", "FN: life phase does not allow this"),
    0x06: (FatalDeviceError, "ФН: переполнение архива ФН", "FN: archive overflow"),
    0x07: (StaffActionRequired, "ФН: неверные дата и/или время", "FN: wrong date or time"),
    0x08: (RequestRejected, "ФН: нет запрошенных данных", "FN: no requested data"),
    0x09: (RequestRejected, "ФН: некорректные значения параметров", "FN: incorrect parameter values"),
    0x10: (RequestRejected, "ФН: превышение размеров TLV данных", "FN: TLV data too large"),
    0x11: (RetryableError, "ФН: нет транспортного соединения", "FN: no transport connection"),
    0x12: (FatalDeviceError, "ФН: исчерпан ресурс ФН", "FN: resource exhausted"),
    0x14: (FatalDeviceError, "ФН: исчерпан ресурс хранения для ОФД", "FN: OFD storage exhausted"),
    0x17: (StaffActionRequired, "ФН: неверное время между документами", "FN: document time inconsistent"),
    0x20: (RetryableError, "ФН: сообщение ОФД не может быть принято", "FN: OFD message rejected"),
    0x2F: (RetryableError, "Таймаут обмена с ФН", "FN exchange timeout"),
    0x30: (FatalDeviceError, "ФН не отвечает", "FN not answering"),
    0x33: (RequestRejected, "Некорректные параметры в команде", "Incorrect command parameters"),
    0x34: (RequestRejected, "Нет данных", "No data"),
    0x35: (RequestRejected, "Некорректный параметр при данных настройках", "Bad parameter for current settings"),
    0x36: (RequestRejected, "Некорректные параметры для данной реализации", "Bad parameters for this model"),
    0x3C: (StaffActionRequired, "Смена открыта – операция невозможна", "Operation impossible in this shift state"),
    0x45: (RequestRejected, "Сумма оплат меньше итога чека", "Payments are less than the receipt total"),
    0x48: (RequestRejected, "Переполнение итога чека", "Receipt total overflow"),
    0x49: (RequestRejected, "Операция невозможна в открытом чеке данного типа", "Operation impossible in this receipt type"),
    0x4B: (RequestRejected, "Буфер чека переполнен", "Receipt buffer overflow"),
    0x4D: (RequestRejected, "Безналичная оплата превышает итог чека", "Cashless payment exceeds the receipt total"),
    0x56: (RequestRejected, "Нет документа для повтора", "No document to repeat"),
    0x59: (StaffActionRequired, "Документ открыт другим оператором", "Document opened by another operator"),
    0x5D: (RequestRejected, "Таблица не определена", "No such table"),
    0x5E: (RequestRejected, "Некорректная операция", "Invalid operation"),
    0x5F: (RequestRejected, "Отрицательный итог чека", "Negative receipt total"),
    0x61: (RequestRejected, "Переполнение диапазона цены", "Price out of range"),
    0x62: (RequestRejected, "Переполнение диапазона количества", "Quantity out of range"),
    0x71: (StaffActionRequired, "Ошибка отрезчика", "Cutter error"),
    0x72: (StaffActionRequired, "Команда не поддерживается в данном подрежиме", "Command not allowed in this sub-mode"),
    0x73: (StaffActionRequired, "Команда не поддерживается в данном режиме", "Command not allowed in this mode"),
    0x74: (FatalDeviceError, "Ошибка ОЗУ", "RAM error"),
    0x75: (FatalDeviceError, "Ошибка питания", "Power error"),
    0x77: (StaffActionRequired, "Принтер: нет сигнала с датчиков", "Printer: no sensor signal"),
    0x78: (FatalDeviceError, "Замена ПО", "Firmware replaced"),
    0x7B: (FatalDeviceError, "Аппаратная ошибка", "Hardware error"),
    0x7E: (RequestRejected, "Неверное значение в поле длины", "Bad value in the length field"),
    0x8E: (RequestRejected, "Нулевой итог чека", "Zero receipt total"),
    0x8F: (FatalDeviceError, "ККТ не фискализирована", "Register is not fiscalised"),
    0x90: (RequestRejected, "Поле превышает размер", "Field too long"),
    0x91: (RequestRejected, "Выход за границу поля печати", "Out of the print area"),
    0x94: (RequestRejected, "Исчерпан лимит операций в чеке", "Receipt operations limit reached"),
    0xA0: (FatalDeviceError, "ФН: работа с маркированными товарами запрещена", "FN: marked goods not allowed"),
    0xA1: (RequestRejected, "Неверная последовательность команд маркировки", "Wrong marking command sequence"),
    0xA2: (StaffActionRequired, "Работа с маркировкой временно заблокирована", "Marking temporarily blocked"),
    0xA3: (RequestRejected, "Переполнена таблица проверки кодов маркировки", "Marking check table full"),
    0xA4: (RequestRejected, "Отсутствует обязательный тег", "A required TLV is missing"),
    0xA5: (RequestRejected, "Тег 2007 содержит непроверенный КМ", "Tag 2007 holds an unchecked marking code"),
    0xC0: (StaffActionRequired, "Контроль даты и времени: подтвердите дату", "Confirm the date and time"),
    0xC4: (FatalDeviceError, "Несовпадение номеров смен", "Shift numbers mismatch"),
    0xC8: (FatalDeviceError, "Нет связи с принтером", "No link to the printer"),
}
# fmt: on


def _table_class(code: int, base: type[FiscalError], ru: str, en: str) -> type[FiscalError]:
    """One subclass per remaining code, so ``except RequestRejected`` etc. still works."""
    attrs = {"code": code, "message_ru": ru, "message_en": en}
    return type(f"RegisterError{code:02X}", (base,), attrs)


ERROR_CLASSES: dict[int, type[FiscalError]] = {cls.code: cls for cls in _NAMED if cls.code}
ERROR_CLASSES.update({code: _table_class(code, *row) for code, row in _TABLE.items()})


def error_for_code(code: int, command: int | None = None) -> FiscalError:
    """The exception for a non-zero error byte; unknown codes are fatal (nothing to reason on)."""
    cls = ERROR_CLASSES.get(code)
    if cls is None:
        return FatalDeviceError("unknown error code", code=code, command=command)
    return cls(code=code, command=command)


class ReconcileUndecided(StaffActionRequired):
    """The register cannot tell whether the receipt was fiscalised (another fiscal drive, or
    too many documents since): a person must look at the archive before it is issued again."""

    message_ru = "Не удалось установить, оформлен ли чек: проверьте архив ФН"
    message_en = "Cannot tell whether the receipt was fiscalised: check the FN archive"


class ReceiptNotFiscalised(RetryableError):
    """Reconciliation proved the receipt is not in the fiscal drive: issuing it again is safe."""

    message_ru = "Чек не был оформлен в ФН, его можно оформить заново"
    message_en = "Receipt was not fiscalised; it is safe to issue it again"
