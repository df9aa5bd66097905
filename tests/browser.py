"""Browser tests' plugin: Debian's chromium driven by Playwright, and a whole shop to point it at
-- a running gateway (its web server on a free loopback port) with the fiscal register, the
printer and the scanner simulators wired in, a small catalog with barcodes and stock.

Fixtures: `browser` (one chromium per session); `page` (a fresh tab per test, Russian locale,
a 1280×800 tablet viewport; the test fails if the page's script throws); `live_shop` (`shop` is
the database fixture): `.url`, `.gateway`, `.register` (FiscalRegisterSimulator), `.printer`
(PrinterSimulator), `.scanner` (ScannerSimulator), `.manager` and `.cashier` (staff accounts,
PINs `signin.MANAGER_PIN` and `signin.CASHIER_PIN`), `.sign_in(page, who, path)` (the PIN pad),
`.screenshot(page, name)` (saved under the test's tmp dir, to look at); `fit_shop` (no devices, a
catalog of four items with characteristics, 500 of each in stock, for the screens' fit to a
tablet: see tests/tablet_fit.py)."""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import CASHIER, MANAGER, Staff
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from simulators.fiscal_register import FiscalRegisterSimulator
from simulators.printer import PrinterSimulator
from simulators.scanner import ScannerSimulator
from tests import builders, tablet_fit
from tests.loopback import free_port, port_accepts
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in_on_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = {"width": 1280, "height": 800}

# The catalog every browser test starts with (prices in kopecks, EAN-13s with right check digits).
SHIRT_M, SHIRT_BOX, MUG, SHOES = "4601234567893", "14601234567890", "4600000000015", "4607000000014"


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.fail("chromium is not installed: `make deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A tab whose page script must never throw: a refused request is said, not an error."""
    context = browser.new_context(viewport=TABLET, locale="ru-RU")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    yield tab
    context.close()
    assert errors == [], f"the page's script failed: {errors}"


@dataclass
class LiveShop:
    url: str
    gateway: Gateway
    register: FiscalRegisterSimulator
    printer: PrinterSimulator
    scanner: ScannerSimulator
    shots: Path
    manager: Staff
    cashier: Staff

    def sign_in(self, page, who: Staff | None = None, path: str = "/") -> None:
        """Sign in on the PIN pad (the cashier by default) and land on `path`."""
        who = who or self.cashier
        pin = MANAGER_PIN if who.role == MANAGER else CASHIER_PIN
        sign_in_on_page(page, self.url, who.name, pin, path)

    def screenshot(self, page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def _catalog() -> dict:
    shirts = builders.product(
        "P-TS",
        [builders.variant("TS-M", 129900, [{"code": SHIRT_M}, {"code": SHIRT_BOX, "pack": 6}])],
        [],
        name="Футболка базовая",
    )
    mugs = builders.product(
        "P-MUG", [builders.variant("MUG", 45000, [{"code": MUG}])], [], name="Кружка"
    )
    shoes = builders.product(
        "P-SH", [builders.variant("SH-42", 499000, [{"code": SHOES}])], [], name="Кеды",
        marked=True,
    )  # fmt: skip
    return builders.catalog(shirts, mugs, shoes)


def _start_gateway(tmp_path: Path, store_id: str, web_port: int, devices: str = "") -> Gateway:
    """A gateway started from the gateway.toml it writes in `tmp_path`: shop `store_id`, its
    database there, its pages to be served on `web_port`, no broker on its MQTT port; `devices`:
    the config's sections that wire its devices in (none by default)."""
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "{store_id}"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[web]
listen = "127.0.0.1:{web_port}"
{devices}""",
        encoding="utf-8",
    )
    return Gateway(load_config(tmp_path / "gateway.toml", env={})).start()


@contextmanager
def _serving(gateway: Gateway, web_port: int):
    """The gateway's pages served on `web_port` (uvicorn on a thread of its own) in the block."""
    server = uvicorn.Server(
        uvicorn.Config(gateway.web_app(), host="127.0.0.1", port=web_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not port_accepts(web_port):
        assert time.monotonic() < deadline, "the gateway's web server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_shop(tmp_path):
    register = FiscalRegisterSimulator(archive_path=tmp_path / "fn.json")
    register_port = register.start()
    printer = PrinterSimulator(port=0)
    host, printer_port = printer.start()
    scanner = ScannerSimulator(link_path=tmp_path / "scanner")
    scanner.start()
    web_port = free_port()
    devices = f"""[fiscal]
port = "{register_port}"
poll = 0.2
site = "https://shop.example.ru"
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
[printer]
url = "tcp://{host}:{printer_port}"
poll = 0.2
[scanner]
port = "{tmp_path / "scanner"}"
"""
    gateway = _start_gateway(tmp_path, "shop-ui", web_port, devices)
    gateway.run(apply_catalog, parse_catalog_upsert(_catalog()))
    stock = builders.stock_set(**{"TS-M": 10, "MUG": 5, "SH-42": 2})
    gateway.run(apply_stock_change, parse_stock_change("set", stock))
    manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN, inn="500100732259")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    url = f"http://127.0.0.1:{web_port}"
    with _serving(gateway, web_port):
        yield LiveShop(url, gateway, register, printer, scanner, shots, manager, cashier)
    gateway.stop()
    scanner.stop()
    printer.stop()
    register.stop()


@pytest.fixture
def fit_shop(tmp_path):
    """A gateway (no devices) serving its pages on a loopback port: a catalog of four items with
    characteristics and stock, Ольга the manager and Анна the cashier (a `tablet_fit.Shop`)."""
    web_port = free_port()
    gateway = _start_gateway(tmp_path, "shop-fit", web_port)
    products = [
        builders.product(
            f"P-{n}",
            [builders.variant(f"A000{n}-RED-XS", 129900 + n, Цвет="красный", Размер="XS")],
            name=name,
        )
        for n, name in enumerate(tablet_fit.PRODUCTS, start=1)
    ]
    gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
    stock = builders.stock_set(**{f"A000{n}-RED-XS": 500 for n in range(1, 5)})
    gateway.run(apply_stock_change, parse_stock_change("set", stock))
    manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with _serving(gateway, web_port):
        yield tablet_fit.Shop(f"http://127.0.0.1:{web_port}", gateway, manager, cashier, shots)
    gateway.stop()
