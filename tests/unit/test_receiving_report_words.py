"""The printed receiving report says what the screen says (outside QA): the supplier's field is
its invoice number, and codes left unknown went to the back office to be matched -- a posted
receiving can no longer be linked, so the paper must not ask for it."""

from datetime import datetime

from drivers.printer import ReceivingLine, ReceivingReport, UnresolvedCode, render


def printed(**changes) -> str:
    fields = dict(
        document_id="R-42",
        lines=[ReceivingLine("TS-M", "Футболка", 3)],
        posted_by="Ольга",
        posted_at=datetime(2024, 5, 1, 14, 32),
        unresolved=[UnresolvedCode("2900000000018", 2)],
        supplier="ТН-0042",
    )
    return render(ReceivingReport(**(fields | changes))).decode("cp866", errors="replace")


def test_the_suppliers_field_is_named_as_the_form_names_it():
    text = printed()
    assert "Накладная поставщика: ТН-0042" in text
    assert "Поставщик:" not in text


def test_unknown_codes_are_said_to_be_sent_to_the_back_office_and_the_goods_kept_aside():
    text = " ".join(printed().split())  # the lines wrap at the paper's width
    assert "Привяжите" not in text
    assert "переданы в учётную систему (облако) для сопоставления" in text
    assert "Отложите этот товар" in text
    assert "учётную систему" not in printed(unresolved=[])
