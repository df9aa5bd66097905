"""Printer layouts: the exact ESC/POS bytes python-escpos's ``Dummy`` collects for each layout."""

from datetime import datetime

import pytest
from escpos.capabilities import get_profile
from escpos.printer import Dummy

from drivers.printer import (
    PAPER_58MM,
    PAPER_80MM,
    PickLine,
    PickSlip,
    Printer,
    PrinterStatus,
    ReceivingLine,
    ReceivingReport,
    ShelfLabel,
    TestPage,
    UnresolvedCode,
    format_money,
    render,
    write_document,
)
from drivers.printer.text import justify, printable

INIT_AND_CP866 = b"\x1b@\x1bt\x11"  # ESC @, ESC t 17 (PC866 in Epson's table)
FULL_CUT = b"\x1dV\x00"
LONG_NAME = "Футболка хлопковая оверсайз с длинным рукавом и принтом «Зимний лес», тёмно-зелёная"


def pick_slip(order_number: str = "1001", **changes) -> PickSlip:
    fields = dict(
        order_number=order_number,
        customer="Иванова Мария",
        lines=[
            PickLine("TS-001-RED-M", LONG_NAME, 2),
            PickLine("CAP-7", "Кепка", 1),
        ],
        total_kopecks=259800,
        phone="+7 900 000-00-00",
    )
    return PickSlip(**(fields | changes))


def receiving_report(**changes) -> ReceivingReport:
    fields = dict(
        document_id="ПР-0042",
        lines=[ReceivingLine("TS-001-RED-M", "Футболка хлопковая", 10)],
        posted_by="Петров Иван",
        posted_at=datetime(2024, 5, 1, 14, 32),
        unresolved=[UnresolvedCode("4601234567899", 2)],
        supplier="ООО «Ромашка»",
    )
    return ReceivingReport(**(fields | changes))


def shelf_label(**changes) -> ShelfLabel:
    fields = dict(
        name="Футболка хлопковая",
        price_kopecks=129900,
        ean13="4600000000015",
        sku="TS-001-RED-M",
        characteristics={"Цвет": "красный", "Размер": "M"},
    )
    return ShelfLabel(**(fields | changes))


ALL_LAYOUTS = [pick_slip(), receiving_report(), shelf_label(), TestPage("XP-80")]


# code page and Cyrillic --------------------------------------------------------------------------


@pytest.mark.parametrize("document", ALL_LAYOUTS, ids=lambda d: type(d).__name__)
def test_every_job_resets_selects_cp866_and_ends_with_one_cut(document):
    output = render(document)
    assert output.startswith(INIT_AND_CP866)
    assert output.endswith(FULL_CUT)
    assert output.count(FULL_CUT) == 1
    assert output.count(b"\x1bt") == 1  # no code page switching in the middle


def test_russian_text_is_cp866_bytes_not_utf8():
    output = render(pick_slip())
    for text in ("Сборочный лист", "Иванова Мария", "Заказ № 1001", "2 598,00 руб."):
        assert text.encode("cp866") in output
    assert "Иванова".encode() not in output
    assert b"?" not in output  # every character had a CP866 code


def test_yo_and_typographic_quotes_are_printable():
    output = render(receiving_report())
    assert "Приёмка".encode("cp866") in output and b"\xf1" in output  # ё is 0xF1 in CP866
    assert 'ООО "Ромашка"'.encode("cp866") in output  # «» are not in CP866


def test_the_printers_profile_decides_the_code_page_number():
    # The POS-5890 (a common 58 mm printer) has PC866 at 59, not at Epson's 17.
    output = render(pick_slip(), PAPER_58MM, profile=get_profile("POS-5890"))
    assert output.startswith(b"\x1b@\x1bt\x3b")
    assert "Иванова Мария".encode("cp866") in output


def test_a_reused_printer_object_selects_the_code_page_again_after_each_reset():
    device = Dummy()
    write_document(device, shelf_label())
    write_document(device, shelf_label())
    assert device.output.count(INIT_AND_CP866) == 2  # ESC @ forgets the code page every time


def test_data_cannot_inject_printer_commands():
    output = render(pick_slip(customer="Мария\x1b@\x1dV\x00\nКто-то"))
    assert output.count(b"\x1b@") == 1 and output.count(FULL_CUT) == 1
    assert "Мария @ V  Кто-то".encode("cp866") in output  # only the control bytes are blanked


# barcodes --------------------------------------------------------------------------------------


def test_pick_slip_barcode_is_code128_of_the_order_number_in_code_set_c():
    # GS k 73 n data: 4 bytes "{C" 10 01 -> the digits 1001
    assert b"\x1dkI\x04{C\x0a\x01" in render(pick_slip("1001"))


@pytest.mark.parametrize(
    ("order_number", "payload"),
    [("WEB-1001", b"{BWEB-1001"), ("10015", b"{B10015"), ("A{1", b"{BA{{1")],
)
def test_pick_slip_barcode_uses_code_set_b_for_other_numbers(order_number, payload):
    assert b"\x1dkI" + bytes([len(payload)]) + payload in render(pick_slip(order_number))


def test_barcode_module_width_shrinks_to_fit_58mm():
    number = "WEB-1001"  # 143 modules with quiet zones: 3 dots each fit 576 dots, not 384
    assert b"\x1dw\x03" in render(pick_slip(number), PAPER_80MM)
    assert b"\x1dw\x02" in render(pick_slip(number), PAPER_58MM)


def test_an_order_number_too_long_for_any_barcode_is_refused_before_printing():
    with pytest.raises(ValueError, match="does not fit"):
        render(pick_slip("X" * 40), PAPER_58MM)


def test_order_number_must_be_ascii_for_code128():
    with pytest.raises(ValueError, match="ASCII"):
        render(pick_slip("Заказ-1"))


def test_shelf_label_has_ean13_and_the_price_in_roubles():
    output = render(shelf_label())
    assert b"\x1dk\x024600000000015\x00" in output  # GS k 2 (EAN13, function A), NUL-terminated
    assert "1 299,00 руб.".encode("cp866") in output
    assert "₽".encode() not in output
    assert b"\x1b!\x30" in output  # the price in double width and height


def test_shelf_label_refuses_a_wrong_ean13_check_digit():
    with pytest.raises(ValueError, match="check digit"):
        render(shelf_label(ean13="4600000000016"))


def test_shelf_label_without_barcode_has_no_gs_k():
    assert b"\x1dk" not in render(shelf_label(ean13=None))


# money and text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kopecks", "text"),
    [
        (129900, "1 299,00 руб."),
        (5, "0,05 руб."),
        (123456789, "1 234 567,89 руб."),
        (-100, "-1,00 руб."),
        (0, "0,00 руб."),
    ],
)
def test_money_is_formatted_from_integer_kopecks(kopecks, text):
    assert format_money(kopecks) == text


@pytest.mark.parametrize("bad", [12.5, True, "100"])
def test_money_refuses_anything_but_integer_kopecks(bad):
    with pytest.raises(TypeError):
        format_money(bad)


def test_printable_replaces_what_cp866_lacks():
    assert printable("Цена — 100 ₽ «хит»\t№1") == 'Цена - 100 руб. "хит" №1'
    assert printable("emoji 😀") == "emoji ?"


def test_justify_puts_the_right_part_flush_right_and_wraps_the_left():
    assert justify("Всего:", "3 шт.", 20) == ["Всего:         3 шт."]
    lines = justify("очень длинное наименование товара", "10 шт.", 20)
    assert all(len(line) == 20 for line in lines[-1:]) and lines[-1].endswith("10 шт.")
    assert " ".join(line.strip() for line in lines).startswith("очень длинное наименование")


@pytest.mark.parametrize("right", ["3 шт.", "2 598,00 руб.", "x" * 19, "x" * 20, "x" * 25])
def test_justify_never_exceeds_the_width_and_keeps_a_gap(right):
    for words in range(12):
        left = " ".join(["слово"] * words) + "ab"[: words % 3]
        lines = justify(left, right, 20)
        assert all(len(line) <= 20 for line in lines), (left, lines)
        joined = " ".join(lines)
        assert right[:20] in joined and " ".join(left.split()[:1]) in joined
        if len(right) < 20:
            assert lines[-1].endswith(" " + right)


# widths ----------------------------------------------------------------------------------------


class WidthRecorder(Dummy):
    """A Dummy that keeps each printed line with the character width it was printed at."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[str, int]] = []
        self._wide = 1

    def set(self, *args, double_width=None, normal_textsize=None, **kwargs):
        if normal_textsize or double_width is not None:
            self._wide = 2 if double_width else 1
        super().set(*args, double_width=double_width, normal_textsize=normal_textsize, **kwargs)

    def text(self, txt):
        self.lines.extend((part, self._wide) for part in txt.split("\n") if part)
        super().text(txt)


@pytest.mark.parametrize("paper", [PAPER_80MM, PAPER_58MM], ids=["80mm", "58mm"])
@pytest.mark.parametrize("document", ALL_LAYOUTS, ids=lambda d: type(d).__name__)
def test_no_line_is_wider_than_the_paper(document, paper):
    recorder = WidthRecorder()
    write_document(recorder, document, paper)
    assert recorder.lines
    too_wide = [(text, wide) for text, wide in recorder.lines if len(text) * wide > paper.columns]
    assert too_wide == []


def test_a_long_name_wraps_onto_indented_lines_on_58mm():
    recorder = WidthRecorder()
    write_document(recorder, pick_slip(), PAPER_58MM)
    texts = [text for text, _ in recorder.lines]
    name_lines = texts[texts.index(next(t for t in texts if "TS-001-RED-M" in t)) + 1 :][:4]
    assert name_lines[0] == "    Футболка хлопковая оверсайз"
    assert all(line.startswith("    ") for line in name_lines[:3])
    assert "[ ] TS-001-RED-M" in texts[texts.index(next(t for t in texts if "TS-001" in t))]


def test_rules_span_the_full_width():
    for paper in (PAPER_80MM, PAPER_58MM):
        output = render(pick_slip(), paper)
        assert b"\n" + b"-" * paper.columns + b"\n" in output
        assert b"-" * (paper.columns + 1) not in output


# the Printer wrapper on a Dummy ----------------------------------------------------------------


def test_printer_sends_the_rendered_job_in_one_write():
    device = Dummy()
    Printer(device).print(pick_slip())
    assert device._output_list == [render(pick_slip())]  # one _raw call: one job


def test_a_bad_document_sends_nothing():
    device = Dummy()
    with pytest.raises(ValueError):
        Printer(device).print(shelf_label(ean13="123"))
    assert device.output == b""


def test_a_connection_that_cannot_read_reports_unknown_status():
    assert Printer(Dummy()).status() is PrinterStatus.UNKNOWN
