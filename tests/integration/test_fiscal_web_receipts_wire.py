"""The register simulator and the web shop's receipts, on its pty with the test's own codec
(tests/fiscal_wire.py): the settings table (1Eh/1Fh) and the electronic-only receipt, the
Internet tags, the prepayment offset (FF45h sum 14), correction receipts (8Dh 0x80..0x83), a
document read back as TLV (FF3Ah/FF3Bh) and the 5 % / 7 % VAT bytes. FISCAL.md "Web shop
receipts", 1.7, 3.4."""

import pytest

from tests.fiscal_wire import (
    MILK,
    OPEN_RECEIPT,
    close,
    cmd,
    item,
    parse_close,
    read_document,
    tlv,
    u,
)

pytestmark = pytest.mark.timeout(60)
NO_PRINT = u(17, 1) + u(1, 2) + u(7, 1)  # table 17, row 1, field 7 «не печатать документ»
TEA = item("Чай", 25_000, 2, method=1)  # 1214 = 1, предоплата 100 %


def tlvs(data: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(data):
        tag, size = (
            int.from_bytes(data[pos : pos + 2], "little"),
            int.from_bytes(data[pos + 2 : pos + 4], "little"),
        )
        out.append((tag, data[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    return out


def value(pairs: list[tuple[int, bytes]], tag: int) -> bytes:
    return next(v for t, v in pairs if t == tag)


# --- the settings table and the electronic-only receipt --------------------------------------
def test_the_do_not_print_field_is_written_and_read_back(shift):
    assert shift.ok(cmd(0x1F, NO_PRINT)) == b"\x00"
    shift.ok(cmd(0x1E, NO_PRINT, b"\x01"))
    assert shift.ok(cmd(0x1F, NO_PRINT)) == b"\x01"
    assert shift.error(cmd(0x1E, NO_PRINT, b"\x03")) == 0x33  # 0, 1 or 2 only
    assert shift.error(cmd(0x1E, NO_PRINT, b"\x01", password=1)) == 0x4F  # sysadmin only
    assert shift.error(cmd(0x1E, u(99, 1), u(1, 2), u(1, 1), b"\x01")) == 0x5D  # no such table
    assert shift.error(cmd(0x1E, u(17, 1), u(1, 2), u(8, 1), b"\x01")) == 0x33  # no such field
    assert shift.error(cmd(0x1F, u(17, 1), u(2, 2), u(7, 1))) == 0x33  # no such row


def test_an_electronic_only_receipt_is_fiscalised_but_not_printed(sim, shift):
    printed_before = len(sim.printed)
    shift.ok(cmd(0x1E, NO_PRINT, b"\x01"))
    shift.ok(OPEN_RECEIPT)
    shift.ok(TEA)
    shift.ok(cmd(0xFF0C, tlv(1008, b"a@b.ru")))
    result = parse_close(shift.ok(close(card=50_000)))
    (receipt,) = sim.receipts
    assert receipt["fd"] == result["fd"] and receipt["printed"] is False
    assert len(sim.printed) == printed_before  # nothing on the paper
    assert shift.ok(cmd(0x1F, NO_PRINT)) == b"\x00"  # reset after one document
    shift.sell(MILK, card=8990)
    assert sim.receipts[-1]["printed"] is True and "Молоко" in sim.printed[-1]


def test_value_2_prints_nothing_until_it_is_cleared(sim, shift):
    shift.ok(cmd(0x1E, NO_PRINT, b"\x02"))
    printed_before = len(sim.printed)
    shift.sell(MILK, card=8990)
    shift.sell(MILK, card=8990)
    assert len(sim.printed) == printed_before and shift.ok(cmd(0x1F, NO_PRINT)) == b"\x02"


# --- Internet settlement, prepayment and its offset ----------------------------------------
def test_a_prepayment_paid_on_the_site_keeps_its_tags(sim, shift):
    shift.ok(OPEN_RECEIPT)
    shift.ok(TEA)
    shift.ok(cmd(0xFF0C, tlv(1008, b"a@b.ru")))
    shift.ok(cmd(0xFF0C, tlv(1125, b"\x01")))
    shift.ok(cmd(0xFF0C, tlv(1187, "магазин.рф".encode("cp866"))))
    shift.ok(close(card=50_000))
    (receipt,) = sim.receipts
    assert receipt["tlv"]["1125"] == 1 and receipt["internet"] is True
    assert receipt["place"] == receipt["tlv"]["1187"] == "магазин.рф"
    assert receipt["items"][0]["payment_method"] == 1 and receipt["prepaid"] == 0
    assert "ПРЕДОПЛАТА 100%" in sim.printed[-1] and "магазин.рф" in sim.printed[-1]


def test_the_offset_of_a_prepayment_is_sum_14(sim, shift):
    shift.ok(OPEN_RECEIPT)
    shift.ok(item("Чай", 25_000, 2))
    assert shift.error(close(prepaid=50_001)) == 0x4D  # the offset is cashless: ≤ total
    result = parse_close(shift.ok(close(cash=1000, prepaid=49_000)))
    (receipt,) = sim.receipts
    assert receipt["prepaid"] == receipt["1215"] == 49_000 and result["change"] == 0
    assert {"kind": "prepayment", "index": 14, "sum": 49_000} in receipt["payments"]
    assert sim.cash_in_drawer == 1000  # only the cash part is money in the drawer
    _, data = read_document(shift, result["fd"])
    pairs = tlvs(data)
    assert int.from_bytes(value(pairs, 1215), "little") == 49_000
    assert int.from_bytes(value(pairs, 1031), "little") == 1000


# --- correction receipts -------------------------------------------------------------------
def correction_basis(by_order: int, when: int, number: bytes = b"") -> list[bytes]:
    inner = tlv(1178, u(when, 4)) + (tlv(1179, number) if number else b"")
    return [cmd(0xFF0C, tlv(1173, bytes([by_order]))), cmd(0xFF0C, tlv(1174, inner))]


@pytest.mark.parametrize(
    ("open_type", "op_type", "title"), [(0x80, 1, "ПРИХОД"), (0x82, 2, "ВОЗВРАТ ПРИХОДА")]
)
def test_a_correction_receipt_is_filed_as_type_31(sim, shift, open_type, op_type, title):
    shift.ok(cmd(0x50, u(10_000, 5)))
    shift.ok(cmd(0x8D, bytes([open_type])))
    assert shift.status()["mode"] & 0x0F == 8
    assert shift.error(item("Кофе", 5000, op=3 - op_type)) == 0x49  # the other operation
    shift.ok(item("Кофе", 5000, op=op_type))
    for basis in correction_basis(1, 1767571200, "№ 12".encode("cp866")):
        shift.ok(basis)
    result = parse_close(shift.ok(close(cash=5000)))
    assert sim.receipts == [] and len(sim.corrections) == 1
    (doc,) = sim.corrections
    assert (doc["type"], doc["doc_type"], doc["op_type"], doc["total"]) == (
        "correction",
        31,
        op_type,
        5000,
    )
    assert doc["correction"] == {
        "1173": 1,
        "1178": 1767571200,
        "1179": "№ 12",
        "date": "2026-01-05",
    }
    found = shift.ok(cmd(0xFF0A, u(result["fd"], 4)))
    assert (
        found[0] == 31 and found[15] == op_type and int.from_bytes(found[16:21], "little") == 5000
    )
    assert "ЧЕК КОРРЕКЦИИ" in sim.printed[-1] and title in sim.printed[-1]
    assert "ПО ПРЕДПИСАНИЮ" in sim.printed[-1] and "№ 12" in sim.printed[-1]
    doc_type, data = read_document(shift, result["fd"])
    pairs = tlvs(data)
    assert doc_type == 31 and value(pairs, 1173) == b"\x01"
    assert value(tlvs(value(pairs, 1174)), 1178) == u(1767571200, 4)


def test_a_correction_without_its_basis_is_refused_at_close(sim, shift):
    shift.ok(cmd(0x8D, bytes([0x80])))
    shift.ok(item("Кофе", 5000))
    assert shift.error(close(cash=5000)) == 0xA4  # 1173 / 1174 missing
    shift.ok(correction_basis(0, 1767139200)[0])
    assert shift.error(close(cash=5000)) == 0xA4
    shift.ok(correction_basis(0, 1767139200)[1])
    shift.ok(close(cash=5000))
    assert sim.corrections[0]["correction"] == {
        "1173": 0,
        "1178": 1767139200,
        "1179": None,
        "date": "2025-12-31",
    }
    assert shift.error(cmd(0x8D, bytes([0x84]))) == 0x33  # no such receipt type


# --- a document read back as TLV ------------------------------------------------------------
def test_a_receipt_reads_back_as_tlv_with_its_items(sim, shift):
    shift.ok(OPEN_RECEIPT)
    shift.ok(TEA)
    shift.ok(item("Молоко 3.2%", 8990, vat=0x82))
    shift.ok(cmd(0xFF0C, tlv(1008, b"a@b.ru")))
    result = parse_close(shift.ok(close(card=58_990)))
    doc_type, data = read_document(shift, result["fd"])
    pairs = tlvs(data)
    assert doc_type == 3
    assert value(pairs, 1054) == b"\x01" and int.from_bytes(value(pairs, 1020), "little") == 58_990
    assert int.from_bytes(value(pairs, 1081), "little") == 58_990
    assert int.from_bytes(value(pairs, 1040), "little") == result["fd"]
    assert int.from_bytes(value(pairs, 1077)[2:], "big") == result["fp"]
    assert value(pairs, 1008) == b"a@b.ru"
    tea, milk = [tlvs(v) for t, v in pairs if t == 1059]
    assert value(tea, 1030).decode("cp866") == "Чай" and value(tea, 1023) == b"\x00\x02"
    assert int.from_bytes(value(tea, 1079), "little") == 25_000 and value(tea, 1214) == b"\x01"
    assert int.from_bytes(value(tea, 1043), "little") == 50_000 and value(tea, 1199) == b"\x0b"
    assert value(milk, 1199) == b"\x08"  # 7 %: tag 1199 value 8
    assert shift.error(cmd(0xFF3B)) == 0x08  # read to the end already
    assert shift.error(cmd(0xFF3A, u(999, 4))) == 0x08  # no such document


# --- VAT of the simplified tax system -------------------------------------------------------
def test_items_at_5_and_7_percent_are_archived_with_their_rates(sim, shift):
    rates = [(0x81, "5%"), (0x82, "7%"), (0x84, "5/105"), (0x88, "7/107")]
    shift.ok(OPEN_RECEIPT)
    for n, (byte, _) in enumerate(rates):
        shift.ok(item(f"Товар {n}", 1000, vat=byte))
    shift.ok(close(cash=4000))
    (receipt,) = sim.receipts
    assert [i["vat"] for i in receipt["items"]] == [label for _, label in rates]
    assert "НДС 5%" in sim.printed[-1] and "НДС 7/107" in sim.printed[-1]
