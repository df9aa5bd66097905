"""Parameter bytes of the receipt commands (FISCAL.md 1.7), without the password.

Kept apart from ``shtrih.py`` so each byte layout can be read and tested on its own.
"""

from __future__ import annotations

from drivers.fiscal import receipt as rc
from drivers.fiscal import tlv
from drivers.fiscal.frames import (
    NOT_GIVEN_5,
    command_text,
    money,
    quantity_v2,
    thousandths_to_v2,
    uint_le,
)

SALE, SALE_RETURN = 1, 2  # FF46 operation type = tag 1054
OPEN_RECEIPT_TYPE = {SALE: 0, SALE_RETURN: 2}  # 8Dh type byte
# 8Dh type of an FFD 1.2 correction receipt: 0x80 correction of приход, 0x82 of возврат прихода
# [JPOS command/PrinterConst.java SMFP_RECTYPE_CORRECTION_*; FISCAL.md 3.4].
OPEN_CORRECTION_TYPE = {SALE: 0x80, SALE_RETURN: 0x82}
PAYMENT_SUMS = 16  # FF45: 1 cash, 2..13 electronic, 14 prepayment (1215), 15 credit, 16 other
PREPAYMENT_SUM = 14
# Table 17 row 1 field 7, «не печатать документ»: 1 = the next document only [GO commands.go
# CreateNotPrintOneCheck; FISCAL.md 1.7 1Eh/1Fh].
NO_PRINT_TABLE, NO_PRINT_ROW, NO_PRINT_FIELD = 17, 1, 7
NO_PRINT_NEXT, PRINT = 1, 0
NAME_MAX = 128
DEPARTMENT = 0  # free sale, department 0
# FF61 planned status (tag 2003): piece sold / measured in sale / piece returned / part returned.
PLANNED_STATUS = {
    (SALE, True): 1,
    (SALE, False): 2,
    (SALE_RETURN, True): 3,
    (SALE_RETURN, False): 4,
}


def operation_v2(item: rc.Item, operation: int) -> bytes:
    """FF46: op | qty(6) | price m5 | amount m5 | tax amount m5 | tax byte | dept | 1214 | 1212 |
    name. We pass our own amount so the register's total equals the gateway's."""
    return (
        bytes([operation])
        + quantity_v2(thousandths_to_v2(item.quantity))
        + money(item.price)
        + money(item.amount)
        + NOT_GIVEN_5  # tax amount: the register computes it
        + bytes([rc.SHTRIH_TAX_BYTE[item.vat], DEPARTMENT])
        + bytes([item.payment_method, item.subject_sent])
        + command_text(item.name, NAME_MAX)
    )


def close_receipt_v2(receipt: rc.Receipt) -> bytes:
    """FF45: 16 payment sums (1 cash, 2 card, ..., 14 prepayment offset) | rounding | 6 tax sums
    | tax system | text."""
    sums = [0] * PAYMENT_SUMS
    sums[0], sums[1] = receipt.payments.cash, receipt.payments.card
    sums[PREPAYMENT_SUM - 1] = receipt.payments.prepaid
    taxes = bytes(6 * 5)  # tax mode 0: the register computes taxes and ignores these
    return b"".join(money(s) for s in sums) + b"\x00" + taxes + bytes([receipt.tax_system])


def marking_code_bytes(item: rc.Item) -> bytes:
    assert item.marking_code is not None
    return item.marking_code.encode("ascii")  # validate_receipt refused non-ASCII codes


def check_marking_code(item: rc.Item, operation: int) -> bytes:
    """FF61: planned status (2003) | processing mode 0 (2102) | code length | TLV length | code."""
    code = marking_code_bytes(item)
    planned = PLANNED_STATUS[(operation, item.measure == 0)]
    return bytes([planned, 0, len(code), 0]) + code


def bind_marking_code(item: rc.Item) -> bytes:
    """FF67: code length | code (bound to the item just added with FF46)."""
    code = marking_code_bytes(item)
    return bytes([len(code)]) + code


def open_receipt_type(operation: int, correction: rc.Correction | None) -> int:
    return (OPEN_CORRECTION_TYPE if correction else OPEN_RECEIPT_TYPE)[operation]


def write_table(table: int, row: int, field: int, value: bytes) -> bytes:
    """1Eh: table(1) | row(2) | field(1) | value."""
    return bytes([table]) + uint_le(row, 2) + bytes([field]) + value


def no_print_next(value: int) -> bytes:
    return write_table(NO_PRINT_TABLE, NO_PRINT_ROW, NO_PRINT_FIELD, bytes([value]))


def document_tags(receipt: rc.Receipt) -> list[bytes]:
    """The receipt's own TLVs, one FF0Ch each: 1008 buyer, 1125 Internet + 1187 place,
    1173 + 1174 {1178, 1179} of a correction. (The cashier, 1021/1203, is sent apart.)"""
    tags = []
    if receipt.buyer_contact:
        tags.append(tlv.string(1008, receipt.buyer_contact))
    if receipt.internet:
        tags.append(tlv.byte(1125, 1))
    if receipt.place:
        tags.append(tlv.string(1187, receipt.place))
    correction = receipt.correction
    if correction is not None:
        tags.append(tlv.byte(1173, 1 if correction.by_order else 0))
        basis = [tlv.unixtime(1178, tlv.date_unixtime(correction.date))]
        if correction.number:
            basis.append(tlv.string(1179, correction.number))
        tags.append(tlv.stlv(1174, basis))
    return tags
