"""The four layouts, each written onto any python-escpos ``Escpos`` as one job ending in a cut.

``render`` builds the whole job into bytes first (on a ``Dummy``), so a bad field fails before a
single byte reaches the printer and the job goes out in one write.
"""

from __future__ import annotations

from escpos.escpos import Escpos
from escpos.printer import Dummy

from drivers.printer.documents import (
    PAPER_80MM,
    Document,
    Paper,
    PickSlip,
    ReceivingReport,
    ShelfLabel,
    TestPage,
)
from drivers.printer.slip import CODE_PAGE, Slip
from drivers.printer.text import format_money, format_quantity

TIME_FORMAT = "%d.%m.%Y %H:%M"
TEST_BARCODE = "4600000000015"  # a valid EAN-13 in the Russian (460) prefix range


def write_pick_slip(printer: Escpos, slip: PickSlip, paper: Paper = PAPER_80MM) -> None:
    out = Slip(printer, paper)
    out.start()
    out.title("Сборочный лист", double_width=False)
    out.title(f"Заказ № {slip.order_number}")
    out.line(f"Покупатель: {slip.customer}")
    if slip.phone:
        out.line(f"Телефон: {slip.phone}")
    if slip.comment:
        out.line(f"Комментарий: {slip.comment}")
    out.rule()
    out.pair("Артикул / наименование", "Кол.", bold=True)
    out.rule()
    for line in slip.lines:
        out.pair(f"[ ] {line.sku}", format_quantity(line.quantity))
        out.indented(line.name)
    out.rule()
    out.pair("Позиций:", str(len(slip.lines)))
    out.pair("Всего:", format_quantity(sum(line.quantity for line in slip.lines)), bold=True)
    if slip.total_kopecks is not None:
        out.pair("Сумма заказа:", format_money(slip.total_kopecks), bold=True)
    out.feed()
    out.code128(slip.order_number)
    out.cut()


def write_receiving_report(
    printer: Escpos, report: ReceivingReport, paper: Paper = PAPER_80MM
) -> None:
    out = Slip(printer, paper)
    out.start()
    out.title("Приёмка", double_width=False)
    out.title(f"Документ № {report.document_id}")
    if report.supplier:  # the supplier's invoice number, as the receiving screen asks for it
        out.line(f"Накладная поставщика: {report.supplier}")
    out.rule()
    out.pair("Артикул / наименование", "Кол.", bold=True)
    out.rule()
    for line in report.lines:
        out.pair(line.sku, format_quantity(line.quantity))
        out.indented(line.name)
    out.rule()
    out.pair("Позиций:", str(len(report.lines)))
    out.pair("Принято всего:", format_quantity(sum(ln.quantity for ln in report.lines)), bold=True)
    if report.unresolved:
        out.rule()
        out.line("Нераспознанные коды:", bold=True)
        for unresolved in report.unresolved:
            out.pair(unresolved.code, f"x {unresolved.count}")
        # A posted receiving cannot be linked any more: the back office maps these codes.
        out.line(
            "На склад не добавлены: коды переданы в учётную систему (облако) для сопоставления."
        )
        out.line("Отложите этот товар и не продавайте его, пока коды не сопоставят.")
    out.rule()
    out.line(f"Провёл: {report.posted_by}")
    out.line(f"Проведено: {report.posted_at.strftime(TIME_FORMAT)}")
    out.cut()


def write_shelf_label(printer: Escpos, label: ShelfLabel, paper: Paper = PAPER_80MM) -> None:
    out = Slip(printer, paper)
    out.start()
    out.line(label.name, bold=True, align="center")
    for name, value in label.characteristics.items():
        out.line(f"{name}: {value}", align="center")
    if label.sku:
        out.line(f"Арт. {label.sku}", align="center")
    out.feed()
    out.title(format_money(label.price_kopecks))
    if label.ean13:
        out.feed()
        out.ean13(label.ean13)
    out.cut()


def write_test_page(printer: Escpos, page: TestPage, paper: Paper = PAPER_80MM) -> None:
    out = Slip(printer, paper)
    out.start()
    out.title("Тестовая страница", double_width=False)
    out.line("Нефискальный документ", align="center")
    if page.printer_name:
        out.line(f"Принтер: {page.printer_name}")
    out.line(f"Ширина: {paper.columns} символов, кодовая страница {CODE_PAGE}")
    out.rule("=")
    out.line("".join(str(i % 10) for i in range(1, paper.columns + 1)))
    out.line("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
    out.line("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
    out.line("0123456789 № % + - = / ( ) . , ; :")
    out.line("Жирный шрифт", bold=True)
    out.title("Крупный", double_width=True)
    out.pair("Сумма:", format_money(129900))
    for extra in page.extra_lines:
        out.line(extra)
    out.rule("=")
    out.ean13(TEST_BARCODE)
    out.cut()


def write_document(printer: Escpos, document: Document, paper: Paper = PAPER_80MM) -> None:
    writers = {
        PickSlip: write_pick_slip,
        ReceivingReport: write_receiving_report,
        ShelfLabel: write_shelf_label,
        TestPage: write_test_page,
    }
    writer = writers.get(type(document))
    if writer is None:
        raise TypeError(f"no layout for {type(document).__name__}")
    writer(printer, document, paper)


def render(document: Document, paper: Paper = PAPER_80MM, profile=None) -> bytes:
    """The whole job as ESC/POS bytes. ``profile`` is the target printer's escpos profile (its
    code page numbers and barcode support); the default profile suits Epson-compatible printers."""
    job = Dummy()
    if profile is not None:
        job.profile = profile
    write_document(job, document, paper)
    return job.output
