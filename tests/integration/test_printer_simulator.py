"""The printer driver against the printer simulator over TCP, through python-escpos's ``Network``.

The simulator decodes the stream with its own code (Epson's tables, not python-escpos's), so text
that comes out right here went out right on the wire.
"""

import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from escpos.printer import Network
from PIL import Image, ImageDraw

from drivers.printer import (
    PAPER_58MM,
    PAPER_80MM,
    PaperOut,
    PickLine,
    PickSlip,
    Printer,
    PrinterOffline,
    PrinterStatus,
    ReceivingLine,
    ReceivingReport,
    ShelfLabel,
    TestPage,
    UnresolvedCode,
    render,
)
from simulators.printer import PrinterSimulator
from simulators.printer.decoder import Decoder
from simulators.printer.page import Page

ROOT = Path(__file__).resolve().parents[2]
DLE_EOT_PAPER = b"\x10\x04\x04"

SLIP = PickSlip(
    order_number="1001",
    customer="Иванова Мария",
    lines=[
        PickLine("TS-001-RED-M", "Футболка хлопковая оверсайз, тёмно-зелёная, размер M", 2),
        PickLine("CAP-7", "Кепка", 1),
    ],
    total_kopecks=259800,
)
REPORT = ReceivingReport(
    document_id="ПР-0042",
    lines=[ReceivingLine("TS-001-RED-M", "Футболка хлопковая", 10)],
    posted_by="Петров Иван",
    posted_at=datetime(2024, 5, 1, 14, 32),
    unresolved=[UnresolvedCode("4601234567899", 2)],
)
LABEL = ShelfLabel(
    name="Футболка хлопковая",
    price_kopecks=129900,
    ean13="4600000000015",
    sku="TS-001-RED-M",
    characteristics={"Цвет": "красный", "Размер": "M"},
)


@pytest.fixture
def simulator():
    sim = PrinterSimulator(port=0)
    sim.start()
    yield sim
    sim.stop()


def connect(sim: PrinterSimulator, paper=PAPER_80MM, **options) -> Printer:
    return Printer(Network(sim.host, sim.port, timeout=2), paper, **options)


@pytest.fixture
def printer(simulator):
    p = connect(simulator)
    yield p
    p.close()


def print_one(sim, printer, document):
    before = len(sim.documents)
    printer.print(document)
    return sim.wait_for_documents(before + 1)[-1]


# what comes out --------------------------------------------------------------------------------


def test_pick_slip_prints_russian_text_and_the_order_barcode(simulator, printer):
    doc = print_one(simulator, printer, SLIP)
    lines = doc.text.splitlines()
    assert lines[:3] == ["Сборочный лист", "Заказ № 1001", "Покупатель: Иванова Мария"]
    assert "[ ] TS-001-RED-M" + " " * 27 + "2 шт." in lines
    assert "    Футболка хлопковая оверсайз, тёмно-зелёная," in lines
    assert "Сумма заказа:                      2 598,00 руб." in lines
    assert [(b.kind, b.data, b.hri) for b in doc.barcodes] == [("CODE128", "1001", "below")]
    assert doc.cut and doc.code_pages == [17]
    assert doc.unknown_commands == [] and doc.wrapped_lines == 0


def test_titles_are_bold_and_large(simulator, printer):
    doc = print_one(simulator, printer, SLIP)
    order = next(line for line in doc.lines if line.text == "Заказ № 1001")
    assert order.align == "center"
    assert {(run.style.bold, run.style.width, run.style.height) for run in order.runs} == {
        (True, 2, 2)
    }
    customer = next(line for line in doc.lines if line.text.startswith("Покупатель"))
    assert not any(run.style.bold or run.style.width > 1 for run in customer.runs)


def test_receiving_report(simulator, printer):
    doc = print_one(simulator, printer, REPORT)
    for expected in (
        "Приёмка",
        "Документ № ПР-0042",
        "Нераспознанные коды:",
        "4601234567899                                x 2",
        "Провёл: Петров Иван",
        "Проведено: 01.05.2024 14:32",
    ):
        assert expected in doc.text.splitlines()
    assert doc.barcodes == [] and doc.cut


def test_shelf_label_price_and_ean13(simulator, printer):
    doc = print_one(simulator, printer, LABEL)
    price = next(line for line in doc.lines if "руб." in line.text)
    assert price.text == "1 299,00 руб." and price.runs[0].style.width == 2
    assert "Цвет: красный" in doc.text and "Арт. TS-001-RED-M" in doc.text
    [barcode] = doc.barcodes
    assert (barcode.kind, barcode.data, barcode.check_digit_ok) == ("EAN13", "4600000000015", True)


def test_test_page_shows_the_whole_alphabet(simulator, printer):
    doc = print_one(simulator, printer, TestPage("XP-80"))
    assert "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ" in doc.text.splitlines()
    assert "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" in doc.text.splitlines()
    assert "Принтер: XP-80" in doc.text and doc.barcodes[0].kind == "EAN13"


@pytest.mark.parametrize("document", [SLIP, REPORT, LABEL, TestPage("XP-58")], ids=repr)
def test_58mm_layouts_fit_a_58mm_printer(document):
    with PrinterSimulator(paper_dots=384) as sim:
        printer = connect(sim, PAPER_58MM)
        doc = print_one(sim, printer, document)
        printer.close()
    assert doc.wrapped_lines == 0 and doc.unknown_commands == [] and doc.cut


def test_an_80mm_layout_overflows_a_58mm_printer():
    """The width check above can fail: the simulator breaks lines that do not fit the paper."""
    with PrinterSimulator(paper_dots=384) as sim:
        printer = connect(sim, PAPER_80MM)
        doc = print_one(sim, printer, SLIP)
        printer.close()
    assert doc.wrapped_lines > 0


def test_jobs_on_one_connection_are_split_at_cuts(simulator, printer):
    printer.print(SLIP)
    printer.print(LABEL)
    printer.print(REPORT)
    docs = simulator.wait_for_documents(3)
    assert [doc.text.splitlines()[0] for doc in docs] == [
        "Сборочный лист",
        "Футболка хлопковая",
        "Приёмка",
    ]
    assert all(doc.cut for doc in docs)


def test_a_stream_split_anywhere_decodes_the_same():
    job = render(SLIP)
    whole, pieces = Page(576), Page(576)
    [expected] = Decoder(whole, lambda _: None, lambda *_: None, lambda: True).feed(job)
    decoder = Decoder(pieces, lambda _: None, lambda *_: None, lambda: True)
    got = [doc for i in range(0, len(job), 3) for doc in decoder.feed(job[i : i + 3])]
    assert [doc.transcript() for doc in got] == [expected.transcript()]


def test_raster_images_and_qr_codes_are_decoded(simulator):
    picture = Image.new("1", (100, 40), 1)
    ImageDraw.Draw(picture).rectangle([10, 10, 59, 29], fill=0)  # black box, 50 x 20 dots
    device = Network(simulator.host, simulator.port, timeout=2)
    device.image(picture, impl="bitImageRaster")  # GS v 0
    device.image(picture, impl="bitImageColumn")  # ESC *, in 24-dot stripes
    device.qr("https://shop.example/o/1001", native=True, size=4)  # GS ( k
    device.cut()
    device.close()
    [doc] = simulator.wait_for_documents(1)
    raster, *stripes = doc.images
    assert (raster.width_bytes, raster.height) == (13, 40)
    for image, y in [(raster, 20), (stripes[0], 20)]:
        assert [x for x in range(image.width_bytes * 8) if image.black(x, y)] == list(range(10, 60))
    assert not raster.black(5, 20) and not raster.black(30, 35)
    assert [stripe.height for stripe in stripes] == [24, 24]
    assert [(qr.data, qr.module_size) for qr in doc.qr_codes] == [
        ("https://shop.example/o/1001", 4)
    ]
    assert doc.unknown_commands == []


# status ----------------------------------------------------------------------------------------


def test_status_ok_uses_real_time_status_requests(simulator, printer):
    assert printer.status() is PrinterStatus.OK
    assert ("dle_eot", 4) in simulator.status_requests
    assert ("dle_eot", 1) in simulator.status_requests


def test_paper_out_status_and_the_job_is_not_sent(simulator, printer):
    simulator.paper_out = True
    assert printer.status() is PrinterStatus.PAPER_OUT
    with pytest.raises(PaperOut, match="Нет бумаги"):
        printer.print(SLIP)
    simulator.paper_out = False
    printer.print(LABEL)
    docs = simulator.wait_for_documents(1)
    time.sleep(0.1)  # anything wrongly printed before the label would have arrived by now
    assert [doc.text.splitlines()[0] for doc in simulator.documents] == ["Футболка хлопковая"]
    assert docs[0].barcodes[0].data == "4600000000015"


def test_a_printer_without_paper_prints_nothing(simulator):
    printer = connect(simulator, check_status=False)  # the job goes out regardless
    simulator.paper_out = True
    printer.print(SLIP)
    printer.close()
    time.sleep(0.2)
    assert simulator.documents == []


def test_paper_near_end_still_prints(simulator, printer):
    simulator.paper_low = True
    assert printer.status() is PrinterStatus.OK
    assert print_one(simulator, printer, LABEL).cut


def test_cover_open_is_offline(simulator, printer):
    simulator.offline = True
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterOffline):
        printer.print(SLIP)


def test_no_printer_listening_is_offline_and_a_restarted_one_is_found_again():
    sim = PrinterSimulator()
    host, port = sim.start()
    printer = connect(sim)
    assert printer.status() is PrinterStatus.OK  # a connection is now open
    sim.stop()
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrinterOffline, match="не отвечает"):
        printer.print(SLIP)
    with PrinterSimulator(host, port) as again:
        assert printer.status() is PrinterStatus.OK
        assert print_one(again, printer, SLIP).barcodes[0].data == "1001"
    printer.close()


@pytest.mark.parametrize(
    ("paper_out", "paper_low", "answer"),
    [(False, False, 0x12), (False, True, 0x1E), (True, False, 0x7E)],
)
def test_paper_status_bytes_on_the_wire(simulator, paper_out, paper_low, answer):
    simulator.paper_out, simulator.paper_low = paper_out, paper_low
    with socket.create_connection((simulator.host, simulator.port), timeout=2) as sock:
        sock.sendall(DLE_EOT_PAPER)
        assert sock.recv(16) == bytes([answer])


# pictures and the command line -----------------------------------------------------------------


def test_png_of_a_slip_is_a_readable_picture(simulator, printer, tmp_path):
    doc = print_one(simulator, printer, SLIP)
    path = simulator.render_png(0, tmp_path / "slip.png")
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width == 576 + 2 * 16  # the paper in dots plus margins
        assert 30 * len(doc.lines) < height < 3000
        grey = image.convert("L")
        ink = sum(grey.histogram()[:128]) / (width * height)
        assert 0.01 < ink < 0.5  # text and bars, not a blank or a black page
        barcode_rows = [
            y for y in range(height) if grey.crop((0, y, width, y + 1)).getextrema()[0] == 0
        ]
        assert barcode_rows  # some row has pure black ink


def test_command_line_saves_text_and_png_per_slip(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.printer", "--port", "0", "--out", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("listening on 127.0.0.1:")
        port = int(first.rsplit(":", 1)[1])
        printer = Printer(Network("127.0.0.1", port, timeout=2))
        printer.print(SLIP)
        printer.close()
        png = tmp_path / "slip-0001.png"
        deadline = time.monotonic() + 5
        while not png.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)  # the PNG is written after the .txt; let the write finish
        text = (tmp_path / "slip-0001.txt").read_text(encoding="utf-8")
        assert "Заказ № 1001" in text and "[CODE128: 1001]" in text and "[cut]" in text
        with Image.open(png) as image:
            assert image.size[0] == 608
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert process.returncode == 0
