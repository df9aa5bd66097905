"""An archived document as the drive gives it back in TLV (FF3Ah/FF3Bh): its type (the STLV tag:
3 receipt, 31 correction, 2/5 shift reports) and the TLVs inside.

Receipts carry 1054 operation, 1020 total, 1031 cash (net of change), 1081 electronic, 1215
prepayment offset (1216/1217 when used), 1040 FD, 1077 fiscal sign, 1012 date-time, 1038 shift,
1042 receipt number, 1041 FN serial, 1055 tax system, the document TLVs sent with FF0Ch (1008,
1125, 1187, 1021, 1203, 1173, 1174 ...) and one 1059 STLV per item: 1030 name, 1079 price, 1023
quantity (FVLN), 1043 amount, 1199 VAT rate, 1214, 1212, 2108 and, for a checked marking code,
2106. Value types are in `tags.py`; VLN = unsigned LE in the fewest bytes, FVLN = a byte of
decimal places, then VLN.
"""

from .codec import le
from .tags import encode_tlvs, encode_value, tlv

TAX_BYTE_TO_1199 = {
    0x01: 1, 0x02: 2, 0x04: 5, 0x08: 6, 0x10: 3, 0x20: 4,
    0x81: 7, 0x82: 8, 0x84: 9, 0x88: 10, 0x90: 10, 0xCB: 11, 0xCC: 12,
}  # fmt: skip
QUANTITY_SCALE = 6  # FF46 quantities are millionths
DEFAULT_MARKING_RESULT = 0x0F


def vln(tag: int, value: int) -> bytes:
    return tlv(tag, le(value, max(1, (value.bit_length() + 7) // 8)))


def fvln(tag: int, millionths: int) -> bytes:
    """The fewest decimal places that hold the quantity: 2 pieces -> 00 02, 0.25 -> 02 19."""
    scale = QUANTITY_SCALE
    while scale and millionths % 10 == 0:
        millionths //= 10
        scale -= 1
    return tlv(tag, bytes([scale]) + le(millionths, max(1, (millionths.bit_length() + 7) // 8)))


def byte(tag: int, value: int) -> bytes:
    return tlv(tag, bytes([value]))


def uint32(tag: int, value: int) -> bytes:
    return tlv(tag, le(value, 4))


def fiscal_sign(fp: int) -> bytes:
    """1077 is 6 bytes; the printed ФП is its last 4, big-endian (the simulator's layout)."""
    return tlv(1077, bytes(2) + fp.to_bytes(4, "big"))


def common(doc: dict) -> list[bytes]:
    return [
        uint32(1040, doc["fd"]),
        fiscal_sign(doc["fp"]),
        uint32(1012, doc["time"]),
        uint32(1038, doc["shift"]),
        tlv(1041, doc.get("fn", "").encode("ascii")),
    ]


def item_tlv(item: dict) -> bytes:
    extra = dict(item.get("tlv") or {})
    parts = [
        tlv(1030, item["name"].encode("cp866", errors="replace")),
        vln(1079, item["price"]),
        fvln(1023, item["quantity"]),
        vln(1043, item["amount"]),
        byte(1199, TAX_BYTE_TO_1199[item["tax_rate"]]),
        byte(1214, item["payment_method"]),
        byte(1212, item["payment_object"]),
        byte(2108, extra.pop("2108", 0)),
    ]
    if item.get("marking_code"):  # the check's result, kept by FF67h (commands_marking)
        result = item.get("2106", extra.pop("2106", DEFAULT_MARKING_RESULT))
        parts.append(byte(2106, result if result is not None else DEFAULT_MARKING_RESULT))
    parts.append(encode_tlvs(extra))
    return tlv(1059, b"".join(parts))


def payments(doc: dict) -> list[bytes]:
    by_kind: dict[str, int] = {}
    for payment in doc["payments"]:
        by_kind[payment["kind"]] = by_kind.get(payment["kind"], 0) + payment["sum"]
    parts = [
        vln(1031, by_kind.get("cash", 0) - doc["change"]),
        vln(1081, by_kind.get("electronic", 0)),
        vln(1215, by_kind.get("prepayment", 0)),
    ]
    for kind, tag in (("postpayment", 1216), ("counter", 1217)):
        if by_kind.get(kind):
            parts.append(vln(tag, by_kind[kind]))
    return parts


def receipt_tlv(doc: dict) -> list[bytes]:
    parts = [
        byte(1054, doc["op_type"]),
        vln(1020, doc["total"]),
        *payments(doc),
        uint32(1042, doc["number"]),
        byte(1055, doc["tax_system"]),
    ]
    parts += [tlv(int(tag), encode_value(int(tag), value)) for tag, value in doc["tlv"].items()]
    parts += [item_tlv(item) for item in doc["items"]]
    return parts


def document_tlv(doc: dict) -> tuple[int, bytes]:
    """(document type, the TLVs inside its STLV)."""
    parts = common(doc)
    if doc["type"] in ("receipt", "correction"):
        parts += receipt_tlv(doc)
    else:
        parts.append(encode_tlvs(doc.get("tlv") or {}))
    return doc["doc_type"], b"".join(parts)
