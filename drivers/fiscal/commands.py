"""Parameter bytes of the receipt commands (FISCAL.md 1.7), without the password.

Kept apart from ``shtrih.py`` so each byte layout can be read and tested on its own.
"""

from __future__ import annotations

from drivers.fiscal import receipt as rc
from drivers.fiscal.frames import NOT_GIVEN_5, command_text, money, quantity_v2, thousandths_to_v2

SALE, SALE_RETURN = 1, 2  # FF46 operation type = tag 1054
OPEN_RECEIPT_TYPE = {SALE: 0, SALE_RETURN: 2}  # 8Dh type byte
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
        + bytes([item.payment_method, item.payment_subject])
        + command_text(item.name, NAME_MAX)
    )


def close_receipt_v2(receipt: rc.Receipt) -> bytes:
    """FF45: 16 payment sums (1 cash, 2 card, ...) | rounding | 6 tax sums | tax system | text."""
    sums = [receipt.payments.cash, receipt.payments.card] + [0] * 14
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
