"""The printed receiving report says what the screen says (outside QA): the supplier's field is
its invoice number, and codes left unknown went to the back office to be matched -- a posted
receiving can no longer be linked, so the paper must not ask for it."""

from drivers.printer import render
from tests.unit.test_printer_layouts import receiving_report


def printed(**changes) -> str:
    report = receiving_report(supplier="ТН-0042", **changes)
    return render(report).decode("cp866", errors="replace")


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
