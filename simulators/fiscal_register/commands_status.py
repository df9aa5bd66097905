"""Status and document queries: 10h, 11h, FCh, FF01h (with the drive's serial and warning flags),
FF0Ah (a correction receipt answers like a receipt, type 31), FF40h, and the printing commands
that touch no receipt: 8Ch copy of the last document, B0h continue print."""

import time

from . import errors
from .codec import Fields, le, money
from .commands_ofd import warning_flags
from .errors import CommandError
from .printer import render_document

FLAG_RECEIPT_ROLL = 1 << 1
FLAG_RECEIPT_SENSOR = 1 << 7
FLAG_RECEIPT_LEVER = 1 << 9
CURRENT_DOC_RECEIPT = 0x04
SERIAL = 12345678
INN = 7700000000


def flags(reg) -> int:
    value = FLAG_RECEIPT_LEVER
    if reg.printer.paper:
        value |= FLAG_RECEIPT_ROLL | FLAG_RECEIPT_SENSOR
    return value


def items_in_receipt(reg) -> int:
    return len(reg.receipt.items) if reg.receipt else 0


def short_status(reg, fields: Fields) -> bytes:
    operator = reg.check_password(fields)
    ops = items_in_receipt(reg)
    return (
        bytes([operator])
        + le(flags(reg), 2)
        + bytes([reg.mode(), reg.sub_mode(), ops & 0xFF, 0x9C, 0x7A, 0, 0, ops >> 8])
        + bytes(3)
    )


def full_status(reg, fields: Fields) -> bytes:
    operator = reg.check_password(fields)
    t = time.gmtime(reg.now())
    date = bytes([t.tm_mday, t.tm_mon, t.tm_year % 100])
    clock = bytes([t.tm_hour, t.tm_min, t.tm_sec])
    shift = reg.drive.shift
    last_closed = shift["number"] - 1 if shift["open"] else shift["number"]
    return (
        bytes([operator])
        + b"C1"
        + le(1, 2)
        + bytes([1, 1, 21])  # firmware version, build, date
        + bytes([1])  # number in hall
        + le(reg.drive.memory["kkt_document_number"] & 0xFFFF, 2)
        + le(flags(reg), 2)
        + bytes([reg.mode(), reg.sub_mode(), 0])  # port 0 = COM1
        + b"C1"
        + le(1, 2)
        + bytes([1, 1, 21])  # FM firmware version, build, date
        + date
        + clock
        + bytes([0x01])  # FM flags
        + le(SERIAL, 4)
        + le(max(last_closed, 0), 2)
        + le(2000, 2)  # free FM records
        + bytes([1, 3])  # re-registrations done / left
        + le(INN, 6)
    )


def device_type(reg, fields: Fields) -> bytes:
    return bytes([0, 0, 1, 17, 250, 0]) + "ШТРИХ-М-01Ф (симулятор)".encode("cp1251")


def fn_status(reg, fields: Fields) -> bytes:
    reg.check_password(fields, (30,))
    receipt = reg.receipt
    return (
        bytes([0x03])  # life phase: configured, fiscal mode
        + bytes([CURRENT_DOC_RECEIPT if receipt else 0, 1 if receipt and receipt.items else 0])
        + bytes([1 if reg.drive.shift["open"] else 0, warning_flags(reg)])
        + reg.date_time()
        + reg.drive.serial.encode("ascii")
        + le(reg.drive.last_fd, 4)
    )


def find_document(reg, fields: Fields) -> bytes:
    reg.check_password(fields, (30,))
    doc = reg.drive.find(fields.uint(4))
    if doc is None:
        raise CommandError(errors.FN_NO_DATA, "no such document")
    ticket = 1 if doc.get("ofd_sent", True) else 0  # the OFD's receipt for it came back
    # DATE_TIME: when the drive signed the document (its stored time, the printed «ДАТА»)
    head = bytes([doc["doc_type"], ticket]) + reg.date_time(doc["time"])
    head += le(doc["fd"], 4) + le(doc["fp"], 4)
    if doc["type"] in ("receipt", "correction"):
        return head + bytes([doc["op_type"]]) + money(doc["total"])
    return head + le(doc["shift"], 2)


def shift_parameters(reg, fields: Fields) -> bytes:
    reg.check_password(fields, (30,))
    shift = reg.drive.shift
    receipt_number = shift["receipts"] + (1 if reg.receipt else 0)
    return bytes([1 if shift["open"] else 0]) + le(shift["number"], 2) + le(receipt_number, 2)


def print_copy(reg, fields: Fields) -> bytes:
    reg.check_password(fields)
    reg.require_printer()
    if not reg.drive.documents:
        raise CommandError(errors.NO_DOCUMENT_TO_REPEAT, "no document to repeat")
    reg.print_document(render_document(reg.drive.documents[-1], copy=True), 0x8C)
    return reg.operator_answer()


def continue_print(reg, fields: Fields) -> bytes:
    reg.check_password(fields)
    pending = reg.drive.memory["print_pending"]
    if pending is not None:
        if not reg.printer.paper:
            raise CommandError(errors.NO_PAPER, "no receipt paper")
        reg.printer.output(pending)
        reg.drive.memory["print_pending"] = None
        reg.drive.save()
    return reg.operator_answer()


HANDLERS = {
    0x10: short_status,
    0x11: full_status,
    0xFC: device_type,
    0xFF01: fn_status,
    0xFF0A: find_document,
    0xFF40: shift_parameters,
    0x8C: print_copy,
    0xB0: continue_print,
}
