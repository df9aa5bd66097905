"""Reconciliation by the receipt's items (FF3Ah/FF3Bh): after a lost close answer, a receipt in
the drive is ours only if its items are the ones we sent; a model without FF3Ah falls back to type,
operation and total. Against the scripted register (``fiscal_scripted.py``)."""

import logging

import pytest

from drivers.fiscal.errors import AnswerLost, ReceiptNotFiscalised
from drivers.fiscal.receipt import Correction, Item, Payments, Receipt
from tests.unit.fiscal_scripted import item_tlv

BREAD = Item("Хлеб", price=4990, quantity=2000, vat="vat22")
OURS = Receipt((BREAD,), Payments(cash=10000))
SAME_TOTAL = [item_tlv("Булка", 1_000_000, 9980, 9980)]  # a keyboard sale, same total


def test_of_two_receipts_with_the_same_total_the_one_with_our_items_is_found(
    register, register_state
):
    register_state.add_receipt(9980, SAME_TOTAL)  # FD 11: someone else's
    ours = register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)])
    found = register.reconcile_close(10, OURS, 1)
    assert (found.fd, found.fp) == (ours, 1000 + ours) and ours == 12


def test_a_receipt_with_the_same_total_but_other_items_is_not_taken_for_ours(
    register, register_state, caplog
):
    register_state.add_receipt(9980, SAME_TOTAL)
    with (
        caplog.at_level(logging.WARNING, logger="drivers.fiscal"),
        pytest.raises(ReceiptNotFiscalised),
    ):
        register.reconcile_close(10, OURS, 1)
    assert "FD 11 has our type and total but is another receipt" in caplog.text
    assert "Булка" in caplog.text


@pytest.mark.parametrize(
    "stored",
    [
        [item_tlv("Хлеб", 1_000_000, 9980, 9980)],  # quantity and price differ
        [item_tlv("Хлеб", 2_000_000, 4990, 9980), item_tlv("Хлеб", 1_000_000, 0, 0)],  # one more
    ],
)
def test_quantities_prices_and_the_number_of_items_count(register, register_state, stored):
    register_state.add_receipt(9980, stored)
    with pytest.raises(ReceiptNotFiscalised):
        register.reconcile_close(10, OURS, 1)


def test_a_long_name_is_compared_as_the_drive_keeps_it(register, register_state):
    """FF46 carries 128 bytes of the name; a character CP866 lacks is '?' in the drive."""
    name = "Чай «Ассам» " + "x" * 200
    kept = ("Чай ?Ассам? " + "x" * 200)[:128]
    register_state.add_receipt(5000, [item_tlv(kept, 1_000_000, 5000, 5000)])
    receipt = Receipt((Item(name, 5000),), Payments(cash=5000))
    assert register.reconcile_close(10, receipt, 1).fd == 11


def test_a_document_longer_than_one_ff3b_chunk_is_read_whole(register, register_state):
    items = [Item(f"Товар номер {n}", 100 + n) for n in range(12)]
    stored = [item_tlv(f"Товар номер {n}", 1_000_000, 100 + n, 100 + n) for n in range(12)]
    fd = register_state.add_receipt(sum(i.amount for i in items), stored)
    document = register.read_document(fd)
    assert len(register_state.documents[fd][1]) > 3 * 100  # several FF3Bh answers
    assert [item.name for item in document.items] == [f"Товар номер {n}" for n in range(12)]
    found = register.reconcile_close(10, Receipt(tuple(items), Payments(cash=10_000)), 1)
    assert found.fd == fd


def test_a_correction_is_looked_for_among_correction_receipts(register, register_state):
    register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)])  # a receipt
    correction = Receipt(OURS.items, OURS.payments, correction=Correction(date="2026-01-05"))
    with pytest.raises(ReceiptNotFiscalised):
        register.reconcile_close(10, correction, 1)
    fd = register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)], 31)
    assert register.reconcile_close(10, correction, 1).fd == fd


def test_without_ff3a_the_match_falls_back_to_type_and_total(
    register, register_state, device, caplog
):
    register_state.unsupported.add("ff3a")
    register_state.add_receipt(9980, SAME_TOTAL)
    with caplog.at_level(logging.WARNING, logger="drivers.fiscal"):
        found = register.reconcile_close(10, OURS, 1)
    assert found.fd == 11 and "FF3Ah not supported" in caplog.text
    register.reconcile_close(10, OURS, 1)
    assert device.executed_commands.count("ff3a") == 1  # not asked again


def test_a_document_that_is_not_a_tlv_list_is_not_guessed_about(register, register_state):
    fd = register_state.add_receipt(9980, [item_tlv("Хлеб", 2_000_000, 4990, 9980)])
    doc_type, content = register_state.documents[fd]
    register_state.documents[fd] = (doc_type, content[:-3])  # a truncated TLV
    with pytest.raises(AnswerLost, match="could not be read back"):
        register.reconcile_close(10, OURS, 1)
