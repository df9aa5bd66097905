"""The durable print queue (issue 5): the printer worker against the printer simulator on TCP,
with the single writer on a real SQLite file. What was printed is counted in the simulator's
decoded documents, never taken from the gateway's own records."""

import time

import pytest
from escpos.printer import Network

from drivers.printer import TestPage, render
from gateway.adapters.printer import PrinterSettings, PrinterWorker, open_device
from gateway.adapters.sqlite.writer import Writer
from gateway.domain.errors import InvalidInput, InvalidTransition, NotFound
from gateway.services.printing import (
    confirm_printed,
    print_started,
    queue_print,
    reprint_job,
    reprint_last,
)
from simulators.printer import PrinterSimulator
from tests.builders import CASHIER

WAIT = 10.0
FAST = {"poll": 0.05, "retry_max": 0.2, "timeout": 1}
SLIP = {
    "order_number": "1001",
    "customer": "Иванова Мария",
    "lines": [
        {"sku": "TS-RED-M", "name": "Футболка красная, M", "quantity": 2},
        {"sku": "MUG", "name": "Кружка", "quantity": 1},
    ],
    "total_kopecks": 304800,
}
LABEL = {
    "name": "Футболка",
    "price_kopecks": 129900,
    "ean13": "4600000000015",
    "sku": "TS-RED-M",
    "characteristics": {"Цвет": "красный", "Размер": "M"},
}
REPORT = {
    "document_id": "ПР-7",
    "lines": [{"sku": "MUG", "name": "Кружка", "quantity": 12}],
    "posted_at": "2024-05-01T11:32:00Z",
    "unresolved": [{"code": "4601234567899", "count": 2}],
}


@pytest.fixture
def sim():
    simulator = PrinterSimulator(port=0)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def writer(tmp_path):
    writer = Writer(tmp_path / "gateway.db").start()
    yield writer
    writer.stop()


@pytest.fixture
def start_worker(writer, sim):
    workers = []

    def start(open_device=open_device, **options) -> PrinterWorker:
        config = {"url": f"tcp://{sim.host}:{sim.port}", **FAST, **options}
        worker = PrinterWorker(config, writer, open_device)
        writer.on_commit(worker.wake)
        workers.append(worker.start())
        return worker

    yield start
    for worker in workers:
        worker.stop()


def queue(writer, kind, payload, **kwargs) -> int:
    return writer.call(queue_print, kind, payload, by=CASHIER, **kwargs)


def job(writer, job_id):
    return writer.call(lambda uow: uow.prints.job(job_id))


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def first_lines(documents) -> list[str]:
    return [doc.text.splitlines()[0] for doc in documents]


def settle(worker, jobs: int = 0):
    """Give the worker time to do anything it should not (print twice)."""
    wait_for(lambda: worker.snapshot()["queued"] == jobs, f"{jobs} queued")
    time.sleep(0.3)


# printing in order, once -----------------------------------------------------------------------


def test_each_job_prints_once_in_order(writer, sim, start_worker):
    worker = start_worker()
    ids = [
        queue(writer, "pick_slip", SLIP),
        queue(writer, "shelf_label", LABEL),
        queue(writer, "receiving_report", REPORT),
        queue(writer, "test_page", {"printer_name": "XP-80"}),
    ]
    sim.wait_for_documents(4, WAIT)
    settle(worker)
    assert first_lines(sim.documents) == [
        "Сборочный лист",
        "Футболка",
        "Приёмка",
        "Тестовая страница",
    ]
    assert [job(writer, i).state for i in ids] == ["done"] * 4
    assert [job(writer, i).attempts for i in ids] == [1] * 4
    slip, label, report, _ = sim.documents
    assert [b.data for b in slip.barcodes] == ["1001"]
    assert [(b.kind, b.check_digit_ok) for b in label.barcodes] == [("EAN13", True)]
    assert f"Провёл: {CASHIER.name}" in report.text  # posted_by defaults to who queued it
    assert worker.snapshot() == {
        "state": "ok",
        "detail": "",
        "queued": 0,
        "unknown": 0,
        "failed": 0,
    }


def test_a_repeated_request_queues_one_job(writer, sim, start_worker):
    first = queue(writer, "pick_slip", SLIP, idem_key="tablet-tap-1")
    again = queue(writer, "pick_slip", SLIP, idem_key="tablet-tap-1")
    assert first == again
    worker = start_worker()
    sim.wait_for_documents(1, WAIT)
    settle(worker)
    assert len(sim.documents) == 1


# paper out, offline, restarts --------------------------------------------------------------------


def test_paper_out_holds_the_jobs_until_paper_is_back(writer, sim, start_worker):
    sim.paper_out = True
    worker = start_worker()
    ids = [queue(writer, "pick_slip", SLIP), queue(writer, "shelf_label", LABEL)]
    wait_for(lambda: worker.snapshot()["state"] == "paper_out", "paper_out")
    time.sleep(0.3)
    snapshot = worker.snapshot()
    assert snapshot["queued"] == 2 and "Нет бумаги" in snapshot["detail"]
    assert sim.documents == [] and [job(writer, i).state for i in ids] == ["queued"] * 2
    sim.paper_out = False
    sim.wait_for_documents(2, WAIT)
    settle(worker)
    assert first_lines(sim.documents) == ["Сборочный лист", "Футболка"]
    assert worker.snapshot()["state"] == "ok"


def test_an_offline_printer_holds_the_jobs(writer, sim, start_worker):
    sim.offline = True
    worker = start_worker()
    queue(writer, "shelf_label", LABEL)
    wait_for(lambda: worker.snapshot()["state"] == "offline", "offline")
    time.sleep(0.3)
    assert sim.documents == []
    sim.offline = False
    sim.wait_for_documents(1, WAIT)
    settle(worker)
    assert len(sim.documents) == 1


def test_a_printer_that_never_answers_status_prints_when_told_not_to_ask(writer, sim, start_worker):
    sim.answers_status = False  # some cheap printers: the connection works, DLE EOT is ignored
    worker = start_worker(status="false")  # as an environment variable would say it
    queue(writer, "shelf_label", LABEL)
    sim.wait_for_documents(1, WAIT)
    settle(worker)
    assert worker.snapshot()["state"] == "ok" and len(sim.documents) == 1


def test_a_restarted_worker_resumes_the_queue(writer, sim, start_worker):
    sim.paper_out = True
    first = start_worker()
    ids = [queue(writer, "pick_slip", SLIP), queue(writer, "receiving_report", REPORT)]
    wait_for(lambda: first.snapshot()["state"] == "paper_out", "paper_out")
    first.stop()
    sim.paper_out = False
    second = start_worker()
    sim.wait_for_documents(2, WAIT)
    settle(second)
    assert first_lines(sim.documents) == ["Сборочный лист", "Приёмка"]
    assert [job(writer, i).state for i in ids] == ["done", "done"]


def test_a_job_cut_off_by_a_restart_is_not_resent_blind(writer, sim, start_worker):
    cut_off = queue(writer, "pick_slip", SLIP)
    writer.call(print_started, cut_off)  # the gateway died between `printing` and `done`
    after = queue(writer, "shelf_label", LABEL)
    worker = start_worker()
    sim.wait_for_documents(1, WAIT)
    settle(worker)
    assert first_lines(sim.documents) == ["Футболка"]  # the queue went on without it
    assert job(writer, cut_off).state == "unknown" and job(writer, after).state == "done"
    snapshot = worker.snapshot()
    assert snapshot["unknown"] == 1 and "may not have printed" in snapshot["detail"]
    # Staff looked: it did not come out. «Повторить» sends it again, as itself.
    assert writer.call(reprint_job, cut_off, by=CASHIER)["print_job_id"] == cut_off
    sim.wait_for_documents(2, WAIT)
    settle(worker)
    assert first_lines(sim.documents) == ["Футболка", "Сборочный лист"]
    assert job(writer, cut_off).state == "done" and worker.snapshot()["unknown"] == 0


def test_staff_may_confirm_that_a_cut_off_job_came_out(writer, sim, start_worker):
    cut_off = queue(writer, "pick_slip", SLIP)
    writer.call(print_started, cut_off)
    worker = start_worker()
    wait_for(lambda: job(writer, cut_off).state == "unknown", "unknown")
    writer.call(confirm_printed, cut_off, by=CASHIER)
    assert job(writer, cut_off).state == "done"
    settle(worker)
    assert sim.documents == []
    with pytest.raises(InvalidTransition):
        writer.call(confirm_printed, cut_off, by=CASHIER)


class BreaksOnce(Network):
    """A connection that drops in the middle of the first job it sends."""

    broken = False

    def _raw(self, msg: bytes) -> None:
        if len(msg) > 64 and not BreaksOnce.broken:
            BreaksOnce.broken = True
            super()._raw(msg[:40])
            raise ConnectionResetError("connection reset by peer")
        super()._raw(msg)


def test_a_send_that_breaks_off_is_sent_again_whole(writer, sim, start_worker):
    def flaky(settings: PrinterSettings):
        return BreaksOnce(sim.host, sim.port, timeout=settings.timeout)

    worker = start_worker(open_device=flaky)
    job_id = queue(writer, "pick_slip", SLIP)
    wait_for(lambda: job(writer, job_id).state == "done", "done")
    settle(worker)
    whole = [doc for doc in sim.documents if doc.cut]
    assert first_lines(whole) == ["Сборочный лист"]  # a torn piece without a cut, then it whole
    assert job(writer, job_id).attempts == 2


def test_data_the_layout_cannot_print_fails_and_the_queue_goes_on(writer, sim, start_worker):
    too_wide = {**SLIP, "order_number": "X" * 40}  # its barcode does not fit 80 mm
    bad = queue(writer, "pick_slip", too_wide)
    good = queue(writer, "shelf_label", LABEL)
    worker = start_worker()
    sim.wait_for_documents(1, WAIT)
    settle(worker)
    assert job(writer, bad).state == "failed" and "cannot lay it out" in job(writer, bad).error
    assert job(writer, good).state == "done" and worker.snapshot()["failed"] == 1


def test_a_write_only_printer_prints_blind(writer, tmp_path):
    device = tmp_path / "lp0"  # like /dev/usb/lp0: bytes go in, no status comes back
    worker = PrinterWorker({"url": f"file://{device}", **FAST}, writer).start()
    job_id = queue(writer, "test_page", {})
    wait_for(lambda: job(writer, job_id).state == "done", "done")
    assert worker.snapshot()["state"] == "ok" and "sent blind" in worker.snapshot()["detail"]
    worker.stop()
    assert device.read_bytes() == render(TestPage())  # the whole job, once


def test_a_device_that_cannot_be_opened_is_offline_and_costs_no_attempt(writer, tmp_path):
    missing = tmp_path / "unplugged" / "lp0"
    worker = PrinterWorker({"url": f"file://{missing}", **FAST}, writer).start()
    job_id = queue(writer, "test_page", {})
    wait_for(lambda: worker.snapshot()["state"] == "offline", "offline")
    time.sleep(0.5)
    worker.stop()
    assert (job(writer, job_id).state, job(writer, job_id).attempts) == ("queued", 0)
    assert "cannot open the printer" in worker.snapshot()["detail"]


# reprint ----------------------------------------------------------------------------------------


def test_reprint_last_prints_the_last_slip_again(writer, sim, start_worker):
    worker = start_worker()
    queue(writer, "shelf_label", LABEL)
    slip = queue(writer, "pick_slip", SLIP)
    sim.wait_for_documents(2, WAIT)
    settle(worker)
    result = writer.call(reprint_last, by=CASHIER)
    assert result["reprint_of"] == slip and result["print_job_id"] > slip
    sim.wait_for_documents(3, WAIT)
    settle(worker)
    original, copy = sim.documents[1], sim.documents[2]
    assert copy.transcript() == original.transcript()
    assert job(writer, result["print_job_id"]).reprint_of == slip


def test_reprint_last_with_nothing_printed_is_refused(writer):
    queue(writer, "pick_slip", SLIP)  # queued, not printed: nothing to reprint yet
    with pytest.raises(NotFound):
        writer.call(reprint_last, by=CASHIER)


def test_no_printer_configured(writer):
    worker = PrinterWorker(None, writer).start()
    queue(writer, "test_page", {})
    assert worker.snapshot()["state"] == "not_configured"
    worker.stop()


# what may be queued ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        ("receipt", {}, "unknown print kind"),
        ("shelf_label", {**LABEL, "ean13": "4600000000016"}, "check digit"),
        ("shelf_label", {**LABEL, "price_kopecks": 12.5}, "must be an integer"),
        ("shelf_label", {**LABEL, "colour": "red"}, "unknown keys"),
        ("pick_slip", {**SLIP, "lines": []}, "1 to 500 lines"),
        ("pick_slip", {**SLIP, "order_number": "Заказ 1"}, "printable ASCII"),
        ("pick_slip", {**SLIP, "lines": [{"sku": "A", "name": "x", "quantity": 0}]}, "at least 1"),
        ("receiving_report", {**REPORT, "posted_at": "вчера"}, "ISO date"),
        ("test_page", {"extra_lines": ["x"] * 21}, "at most 20"),
    ],
)
def test_bad_payloads_are_refused_when_queued(writer, kind, payload, message):
    with pytest.raises(InvalidInput, match=message):
        queue(writer, kind, payload)
    assert writer.call(lambda uow: uow.prints.open_counts()) == {}


# settings --------------------------------------------------------------------------------------


def test_printer_urls():
    def device(url):
        return open_device(PrinterSettings.from_mapping({"url": url, "timeout": "2.5"}))

    network = device("tcp://192.168.1.50")
    assert (network.host, network.port, network.timeout) == ("192.168.1.50", 9100, 2.5)
    assert device("serial:///dev/ttyUSB0?baudrate=19200").baudrate == 19200
    assert device("file:///dev/usb/lp0").devfile == "/dev/usb/lp0"
    usb = PrinterSettings.from_mapping({"url": "usb://0416:5011", "paper": "58mm"})
    assert usb.paper_size.columns == 32


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "printer.url is required"),
        ({"url": "lpt://1"}, "the scheme must be one of"),
        ({"url": "usb://printer"}, "VID:PID"),
        ({"url": "tcp://:9100"}, "no host"),
        ({"url": "tcp://h:9100", "paper": "110mm"}, "printer.paper"),
        ({"url": "tcp://h:9100", "poll": "often"}, "not a float"),
        ({"url": "tcp://h:9100", "adress": "x"}, "unknown printer keys"),
    ],
)
def test_bad_printer_settings_are_refused(config, message):
    with pytest.raises(ValueError, match=message):
        PrinterSettings.from_mapping(config)
