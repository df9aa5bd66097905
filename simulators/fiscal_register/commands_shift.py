"""Shift commands: E0h open shift, 40h X report, 41h Z report (close shift), 50h/51h cash in/out.

The shift reports are fiscal documents: the FN refuses them too once its OFD queue waited 30 days.
"""

from . import errors
from .codec import Fields, le
from .errors import CommandError
from .printer import render_cash, render_shift_report, render_x_report

ADMINS = (29, 30)


def take_document_tlv(reg) -> dict:
    tlv, reg.document_tlv = reg.document_tlv, {}
    return tlv


def open_shift(reg, fields: Fields) -> bytes:
    reg.check_password(fields)
    reg.require_no_receipt()
    if reg.drive.shift["open"]:
        if reg.drive.shift_expired(reg.now()):
            raise CommandError(errors.SHIFT_OVER_24H, "shift over 24 h: close it first")
        raise CommandError(errors.FN_WRONG_STATE, "shift already open")
    reg.require_printer()
    reg.require_fn_accepts_documents()
    printed = not reg.take_no_print()
    doc = reg.drive.open_shift(reg.now(), take_document_tlv(reg), printed)
    reg.print_document(render_shift_report(doc), 0xE0, printed)
    return reg.operator_answer()


def begin_open_shift(reg, fields: Fields) -> bytes:
    """FF41h: the FN starts an opening; TLVs (cashier 1021/1203) may follow via FF0Ch, then E0h."""
    reg.check_password(fields, (30,))
    reg.require_no_receipt()
    if reg.drive.shift["open"]:
        raise CommandError(errors.FN_WRONG_STATE, "shift already open")
    reg.require_fn_accepts_documents()
    reg.document_tlv = {}
    return b""


def begin_close_shift(reg, fields: Fields) -> bytes:
    """FF42h: the FN starts a closing; TLVs may follow via FF0Ch, then 41h."""
    reg.check_password(fields, (30,))
    reg.require_no_receipt()
    if not reg.drive.shift["open"]:
        raise CommandError(errors.SHIFT_NOT_OPEN, "shift not open")
    reg.require_fn_accepts_documents()
    reg.document_tlv = {}
    return b""


def x_report(reg, fields: Fields) -> bytes:
    reg.check_password(fields, ADMINS)
    reg.require_no_receipt()
    reg.require_printer()
    drive = reg.drive
    drive.memory["kkt_document_number"] += 1
    drive.save()
    text = render_x_report(
        drive.shift["number"], drive.shift_totals(), drive.memory["cash_in_drawer"], reg.now()
    )
    reg.print_document(text, 0x40)
    return reg.operator_answer()


def z_report(reg, fields: Fields) -> bytes:
    reg.check_password(fields, ADMINS)
    reg.require_no_receipt()
    if not reg.drive.shift["open"]:
        raise CommandError(errors.SHIFT_NOT_OPEN, "shift not open")
    reg.require_printer()
    reg.require_fn_accepts_documents()
    totals = reg.drive.shift_totals() | {"cash_in_drawer": reg.drive.memory["cash_in_drawer"]}
    printed = not reg.take_no_print()
    doc = reg.drive.close_shift(reg.now(), totals, take_document_tlv(reg), printed)
    reg.print_document(render_shift_report(doc), 0x41, printed)
    return reg.operator_answer()


def cash_movement(reg, fields: Fields, kind: str) -> bytes:
    reg.check_password(fields)
    amount = fields.money()
    reg.require_no_receipt()
    reg.require_shift()
    reg.require_printer()
    memory = reg.drive.memory
    if kind == "out" and amount > memory["cash_in_drawer"]:
        raise CommandError(errors.NOT_ENOUGH_CASH, "not enough cash in drawer")
    memory["cash_in_drawer"] += amount if kind == "in" else -amount
    memory["kkt_document_number"] += 1
    number = memory["kkt_document_number"]
    reg.drive.save()
    text = render_cash(kind, amount, memory["cash_in_drawer"], number, reg.now())
    reg.print_document(text, 0x50 if kind == "in" else 0x51)
    return reg.operator_answer() + le(number & 0xFFFF, 2)


HANDLERS = {
    0xE0: open_shift,
    0x40: x_report,
    0x41: z_report,
    0x50: lambda reg, fields: cash_movement(reg, fields, "in"),
    0x51: lambda reg, fields: cash_movement(reg, fields, "out"),
    0xFF41: begin_open_shift,
    0xFF42: begin_close_shift,
}
