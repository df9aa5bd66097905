"""The receipt lifecycle: 8Dh open, FF46h item, FF0Ch/FF4Dh TLVs, FF45h close, 88h cancel.

8Dh types 0..3 open a receipt (sale, buy, sale return, buy return); 0x80..0x83 a correction
receipt of the same operation (FFD 1.2, FISCAL.md 3.4), archived as type "correction" (31) with
its basis from the TLVs 1173 and 1174 {1178, 1179} (`correction.py`). FF45h sum 14 is the
prepayment offset (tag 1215), archived as `prepaid` (and `"1215"`).
"""

from dataclasses import dataclass, field

from . import correction as corrections
from . import errors
from .codec import Fields, decode_text, le, money
from .errors import CommandError
from .printer import render_receipt
from .tags import decode_tlvs

SYSADMIN = (30,)
# receipt kind = status nibble of mode 8 (and 8Dh type): 0 sale, 1 buy, 2 sale return, 3 buy return
KIND_OF_OPERATION = {1: 0, 2: 2, 3: 1, 4: 3}
OPERATION_OF_KIND = {kind: op for op, kind in KIND_OF_OPERATION.items()}
VAT_LABELS = {
    0x01: "20%", 0x02: "10%", 0x04: "0%", 0x08: "БЕЗ НДС", 0x10: "20/120", 0x20: "10/110",
    0x81: "5%", 0x82: "7%", 0x84: "5/105", 0x88: "7/107", 0x90: "7/107",
    0xCB: "22%", 0xCC: "22/122",
}  # fmt: skip
MARKED_OBJECTS = {31, 33}
UNKNOWN_AMOUNT = 0xFF_FFFF_FFFF
PAYMENT_KINDS = ["cash"] + ["electronic"] * 12 + ["prepayment", "postpayment", "counter"]
PREPAYMENT_SUM = 13  # index of FF45h sum 14
TAX_SYSTEM_BITS = 0x3F


@dataclass
class Receipt:
    kind: int
    items: list[dict] = field(default_factory=list)
    tlv: dict = field(default_factory=dict)
    correction: bool = False  # 8Dh type 0x80..0x83

    @property
    def total(self) -> int:
        return sum(item["amount"] for item in self.items)


def tlv_values(raw: bytes) -> dict:
    if len(raw) > 250:
        raise CommandError(errors.FN_TLV_TOO_LARGE, "TLV over 250 bytes")
    try:
        return decode_tlvs(raw)
    except ValueError as bad:
        raise CommandError(errors.BAD_PARAMETERS, str(bad)) from None


def start_receipt(reg, kind: int, correction: bool = False) -> None:
    reg.require_no_receipt()
    reg.require_shift()
    reg.require_fn_accepts_documents()
    reg.receipt = Receipt(kind, tlv=reg.document_tlv, correction=correction)
    reg.document_tlv = {}


def open_receipt(reg, fields: Fields) -> bytes:
    reg.check_password(fields)
    receipt_type = fields.uint(1)
    kind = receipt_type & ~corrections.CORRECTION_TYPE
    if kind not in OPERATION_OF_KIND or receipt_type & 0x7C:
        raise CommandError(errors.BAD_PARAMETERS, "unsupported receipt type")
    reg.require_printer()
    start_receipt(reg, kind, correction=bool(receipt_type & corrections.CORRECTION_TYPE))
    return reg.operator_answer()


def operation(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    op_type = fields.uint(1)
    quantity, price, amount = fields.uint(6), fields.money(), fields.money()
    tax_amount, tax_rate = fields.money(), fields.uint(1)
    department, method, subject = fields.uint(1), fields.uint(1), fields.uint(1)
    name = decode_text(fields.rest(), "cp1251")
    if op_type not in KIND_OF_OPERATION or tax_rate not in VAT_LABELS:
        raise CommandError(errors.BAD_PARAMETERS, "operation type or tax rate")
    if quantity == 0 or not 1 <= method <= 7 or not 1 <= subject <= 33:
        raise CommandError(errors.BAD_PARAMETERS, "quantity, payment method or subject")
    computed = (price * quantity + 500_000) // 1_000_000
    if amount == UNKNOWN_AMOUNT:
        amount = computed
    elif abs(amount - computed) > 1:
        raise CommandError(errors.BAD_PARAMETERS, "amount is not price x quantity")
    reg.require_printer()
    if reg.receipt is None:
        start_receipt(reg, KIND_OF_OPERATION[op_type])
    elif reg.receipt.kind != KIND_OF_OPERATION[op_type]:
        raise CommandError(errors.WRONG_RECEIPT_TYPE, "operation of another receipt type")
    elif reg.drive.shift_expired(reg.now()):
        raise CommandError(errors.SHIFT_OVER_24H, "shift over 24 h")
    reg.receipt.items.append(
        {
            "name": name, "op_type": op_type, "quantity": quantity, "price": price,
            "amount": amount, "tax_amount": None if tax_amount == UNKNOWN_AMOUNT else tax_amount,
            "tax_rate": tax_rate, "vat": VAT_LABELS[tax_rate], "department": department,
            "payment_method": method, "payment_object": subject, "tlv": {}, "marking_code": None,
        }
    )  # fmt: skip
    return b""


def document_tlv(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    values = tlv_values(fields.rest())
    (reg.receipt.tlv if reg.receipt else reg.document_tlv).update(values)
    return b""


def operation_tlv(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    values = tlv_values(fields.rest())
    if reg.receipt is None or not reg.receipt.items:
        raise CommandError(errors.FN_WRONG_STATE, "no operation to attach the TLV to")
    reg.receipt.items[-1]["tlv"].update(values)
    return b""


def check_payments(total: int, sums: list[int], rounding: int) -> int:
    """Change to give; refuses short payment (45h) and cashless over the total (4Dh)."""
    due = total - min(rounding, total % 100)
    if sum(sums[1:]) > due:
        raise CommandError(errors.CASHLESS_OVER_TOTAL, "cashless sum over the total")
    if sum(sums) < due:
        raise CommandError(errors.PAYMENTS_LESS_THAN_TOTAL, "payments less than the total")
    return sum(sums) - due


def close_receipt(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    sums = [fields.money() for _ in range(16)]
    rounding = fields.uint(1)
    [fields.money() for _ in range(6)]  # taxes: the register computes them (tax mode 0)
    tax_system = fields.uint(1)
    fields.rest()
    receipt = reg.receipt
    if receipt is None:
        raise CommandError(errors.RECEIPT_CLOSED, "no open receipt")
    reg.require_printer()
    if reg.drive.shift_expired(reg.now()):
        raise CommandError(errors.FN_SHIFT_OVER_24H, "shift over 24 h")
    reg.require_fn_accepts_documents()
    if tax_system & ~TAX_SYSTEM_BITS or tax_system.bit_count() != 1:
        raise CommandError(errors.BAD_PARAMETERS, "exactly one taxation system")
    if receipt.total == 0:
        raise CommandError(errors.ZERO_TOTAL, "zero receipt total")
    if any(i["payment_object"] in MARKED_OBJECTS and not i["marking_code"] for i in receipt.items):
        raise CommandError(errors.REQUIRED_TLV_MISSING, "marked item without a marking code")
    basis = corrections.basis(receipt.tlv) if receipt.correction else None
    change = check_payments(receipt.total, sums, rounding)
    op_type = OPERATION_OF_KIND[receipt.kind]
    cash_delta = (sums[0] - change) * (1 if op_type in (1, 4) else -1)
    memory = reg.drive.memory
    if memory["cash_in_drawer"] + cash_delta < 0:
        raise CommandError(errors.NOT_ENOUGH_CASH, "not enough cash in drawer")
    printed = not reg.take_no_print()
    extra = {"correction": basis} if basis is not None else {}
    doc = reg.drive.fiscalise(
        "correction" if receipt.correction else "receipt",
        reg.now(),
        {
            "number": reg.drive.shift["receipts"] + 1,
            "op_type": op_type,
            "items": receipt.items,
            "payments": [
                {"kind": PAYMENT_KINDS[i], "index": i + 1, "sum": s}
                for i, s in enumerate(sums) if s
            ],
            "total": receipt.total,
            "change": change,
            "prepaid": sums[PREPAYMENT_SUM],
            "1215": sums[PREPAYMENT_SUM],
            "tax_system": tax_system,
            "buyer_contact": receipt.tlv.get("1008"),
            "internet": receipt.tlv.get("1125") == 1,
            "place": receipt.tlv.get("1187"),
            "marking_codes": [i["marking_code"] for i in receipt.items if i["marking_code"]],
            "printed": printed,
            "tlv": receipt.tlv,
            **extra,
        },
    )  # fmt: skip
    reg.drive.shift["receipts"] += 1
    memory["cash_in_drawer"] += cash_delta
    reg.drive.save()
    reg.receipt = None
    reg.marking = None
    reg.print_document(render_receipt(doc), 0xFF45, printed)
    answer = money(change) + le(doc["fd"], 4) + le(doc["fp"], 4)
    # «РАСШИР. ОТВ. НА КОМАНДЫ ФОРМ. ФД»: the time the drive stored for this document (what
    # FF0Ah answers for it later and the paper says), not the clock read again after printing.
    return answer + (reg.date_time(doc["time"]) if reg.extended_answers else b"")


def cancel_receipt(reg, fields: Fields) -> bytes:
    reg.check_password(fields)
    if reg.receipt is None:
        raise CommandError(errors.RECEIPT_CLOSED, "no open receipt")
    reg.receipt = None
    reg.marking = None
    return reg.operator_answer()


HANDLERS = {
    0x8D: open_receipt,
    0xFF46: operation,
    0xFF0C: document_tlv,
    0xFF4D: operation_tlv,
    0xFF45: close_receipt,
    0x88: cancel_receipt,
}
