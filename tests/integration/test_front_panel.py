"""The front panel on a running gateway (gpiozero's MockFactory standing in for the Pi's pins):
the LEDs follow the gateway's real status, and the button reprints the last slip on the real
printer simulator."""

import time
from pathlib import Path

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import FRONT_PANEL
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.printing import TEST_PAGE, queue_print
from gateway.services.stock import apply_stock_change
from simulators.printer import PrinterSimulator
from tests.builders import CASHIER, catalog, simple_product, stock_set
from tests.loopback import free_port

ONLINE, BACKLOG, FAULT, BUZZER, BUTTON = 17, 27, 22, 23, 24


@pytest.fixture
def pins():
    saved = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = saved


def start(tmp_path, printer_url: str) -> Gateway:
    (tmp_path / "gateway.toml").write_text(
        f"""
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[printer]
url = "{printer_url}"
poll = 0.2
[gpio.pins]
led_online = {ONLINE}
led_backlog = {BACKLOG}
led_fault = {FAULT}
buzzer = {BUZZER}
button = {BUTTON}
""",
        encoding="utf-8",
    )
    return Gateway(load_config(tmp_path / "gateway.toml", env={})).start()


def wait_for(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_the_lights_follow_the_gateway_and_the_button_reprints(tmp_path, pins):
    printer = PrinterSimulator(port=0)
    host, port = printer.start()
    gateway = start(tmp_path, f"tcp://{host}:{port}")
    try:
        assert gateway.devices()["gpio"] == "ok"
        gateway.run(apply_catalog, parse_catalog_upsert(catalog(simple_product("MUG"))))
        gateway.run(apply_stock_change, parse_stock_change("set", stock_set(MUG=3)))
        gateway.run(queue_print, TEST_PAGE, {}, by=CASHIER)
        printer.wait_for_documents(1)
        # No broker: the online LED stays dark; nothing is wrong with the devices: no fault.
        time.sleep(1.5)
        assert pins.pin(ONLINE).state is False and pins.pin(FAULT).state is False
        # stock.changed waits for the cloud: the backlog LED blinks.
        assert gateway.status()["outbox"]["backlog"] > 0
        assert {change.state for change in pins.pin(BACKLOG).states} == {True, False}
        printer.paper_out = True
        wait_for(lambda: pins.pin(FAULT).state is True, "the fault LED for paper out")
        printer.paper_out = False
        wait_for(lambda: pins.pin(FAULT).state is False, "the fault LED off again")
        pins.pin(BUTTON).drive_low()  # reprint the last slip
        pins.pin(BUTTON).drive_high()
        printer.wait_for_documents(2)
        assert printer.documents[1].text == printer.documents[0].text
        reprint, first = gateway.run(lambda uow: uow.prints.recent(2))
        assert (reprint["created_by"], first["created_by"]) == (FRONT_PANEL.name, CASHIER.name)
        wait_for(lambda: any(s.state for s in pins.pin(BUZZER).states[1:]), "the good beep")
    finally:
        gateway.stop()
        printer.stop()


@pytest.mark.filterwarnings("ignore::gpiozero.PinFactoryFallback")
def test_pins_that_cannot_be_driven_leave_the_gateway_running(tmp_path):
    saved = Device.pin_factory
    Device.pin_factory = None  # on a PC gpiozero finds no way to drive pins
    gateway = start(tmp_path, f"tcp://127.0.0.1:{free_port()}")
    try:
        on_a_pi = Path("/proc/device-tree/model").exists()
        assert gateway.devices()["gpio"] == ("ok" if on_a_pi else "error")
        assert gateway.status()["catalog"] == {"products": 0, "skus": 0}
    finally:
        gateway.stop()
        Device.pin_factory = saved
