"""Training mode as a person meets it: `storegw run --training` as a real process, configured
like a real shop -- a real broker as its cloud, a "real" register and printer (simulators the test
owns) and a real database with a catalog in it. A cashier signs in and sells: the receipt comes
out of the training register simulator the gateway started itself, while the shop's register and
printer hear nothing, the broker never sees a client, and the real database is not touched.
Every page carries the banner; SIGTERM stops the simulators with the gateway."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import psutil
import pytest

from gateway.adapters.sqlite.database import Database
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from gateway.training import seed_from_real, training_database
from gateway.web.frame import TRAINING_BANNER
from simulators.fiscal_register import FiscalRegisterSimulator
from simulators.printer import PrinterSimulator
from tests import builders
from tests.clean_env import storegw_free_env
from tests.loopback import free_port

STOREGW = Path(sys.executable).parent / "storegw"
ENV = storegw_free_env()
START_S = 30.0
CASHIER_PIN, MANAGER_PIN = "2222", "1111"
PAGES = ("/orders", "/sale", "/shift", "/stock", "/receiving", "/summary", "/devices")


def seed(path: Path, sku: str, name: str) -> None:
    database = Database(path)
    try:
        product = builders.product(
            f"P-{sku}", [builders.variant(sku, 45000, [{"code": "4600000000015"}])], [], name=name
        )
        database.run(apply_catalog, parse_catalog_upsert(builders.catalog(product)))
        database.run(apply_stock_change, parse_stock_change("set", builders.stock_set(**{sku: 5})))
    finally:
        database.close()


def fingerprint(database: Path) -> dict[str, str]:
    """The database's files (with any -wal, -shm or -journal) and their contents' hashes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in database.parent.iterdir()
        if p.name.startswith(database.name)
    }


class TrainingShop:
    """The shop's configuration and its real things; `start()` runs `storegw run --training`."""

    def __init__(self, tmp_path: Path, broker):
        self.tmp = tmp_path
        self.real_dir = tmp_path / "real"
        self.real_dir.mkdir()
        self.real_db = self.real_dir / "gateway.db"
        self.training_db = self.real_dir / "gateway.training.db"
        self.simulated = self.real_dir / "training"
        self.broker = broker
        self.register = FiscalRegisterSimulator(archive_path=tmp_path / "real-fn.json")
        self.printer = PrinterSimulator(port=0)
        self.web_port = free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.proc: subprocess.Popen | None = None

    def prepare(self) -> None:
        """The shop's own database and devices, and the training database's catalog and staff
        (as a technician makes them: `storegw --training staff add`)."""
        register_port = self.register.start()
        host, printer_port = self.printer.start()
        self.config = self.tmp / "gateway.toml"
        self.config.write_text(
            f"""
[store]
id = "shop-train"
[mqtt]
url = "{self.broker.url}"
[database]
path = "{self.real_db}"
[web]
listen = "127.0.0.1:{self.web_port}"
[fiscal]
port = "{register_port}"
poll = 0.2
[printer]
url = "tcp://{host}:{printer_port}"
poll = 0.2
""",
            encoding="utf-8",
        )
        seed(self.real_db, "REAL", "Настоящий товар")
        seed(self.training_db, "MUG", "Кружка")
        self.storegw("--training", "staff", "add", "Ольга", "--role", "manager", pin=MANAGER_PIN)
        self.storegw("--training", "staff", "add", "Анна", "--role", "cashier", pin=CASHIER_PIN)
        self.real_before = fingerprint(self.real_db)

    def storegw(self, *args: str, pin: str = "") -> str:
        done = subprocess.run(
            [str(STOREGW), "--config", str(self.config), *args],
            input=pin + "\n", env=ENV, cwd=self.tmp, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> dict:
        self.log = (self.tmp / "training.log").open("wb")
        self.proc = subprocess.Popen(
            [str(STOREGW), "run", "--training", "--config", str(self.config)],
            cwd=self.tmp, env=ENV, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
        )  # fmt: skip
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"storegw run --training exited: {self.log_text()}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=5).json()
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail(f"no /healthz within {START_S} s: {self.log_text()}")

    def log_text(self) -> str:
        return (self.tmp / "training.log").read_text(encoding="utf-8", errors="replace")

    def signed_in(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=10)
        people = client.get("/api/signin").json()
        anna = next(p for p in people if p["name"] == "Анна")
        answer = client.post("/api/signin", json={"staff_id": anna["id"], "pin": CASHIER_PIN})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf"]
        return client

    def simulators(self) -> list[psutil.Process]:
        return [
            child
            for child in psutil.Process(self.proc.pid).children()
            if "simulators." in " ".join(child.cmdline())
        ]

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            for child in psutil.Process(self.proc.pid).children(recursive=True):
                child.kill()
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.printer.stop()
        self.register.stop()


@pytest.fixture
def training_shop(tmp_path, broker):
    shop = TrainingShop(tmp_path, broker)
    shop.prepare()
    yield shop
    shop.close()


def wait_for_receipt(client: httpx.Client) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        receipts = client.get("/api/receipts").json()
        if receipts and receipts[0]["state"] == "done":
            return receipts[0]
        time.sleep(0.1)
    raise AssertionError(f"no receipt done: {client.get('/api/receipts').json()}")


def wait_for_text(path: Path, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in path.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, path.read_text(encoding="utf-8")
        time.sleep(0.05)


def test_a_training_sale_is_receipted_by_the_simulator_and_nothing_real_hears_of_it(
    training_shop,
):
    shop = training_shop
    broker_log_before = len(shop.broker.log_text().encode())  # its own start-up probe is in it
    health = shop.start()
    assert health["training"] is True and health["database"] == str(shop.training_db)
    assert health["mqtt"]["state"] == "not_configured" and health["catalog"]["skus"] == 1
    children = shop.simulators()
    assert sorted(" ".join(c.cmdline()).split(" -m ")[1].split()[0] for c in children) == [
        "simulators.fiscal_register",
        "simulators.printer",
    ]

    cashier = shop.signed_in()
    sold = cashier.post("/api/sales", json={"items": [{"sku": "MUG"}], "payment": "card"})
    assert sold.status_code == 200, sold.text
    assert wait_for_receipt(cashier)["receipt_id"] == sold.json()["receipt_id"]
    drive = json.loads((shop.simulated / "fiscal-fn.json").read_text(encoding="utf-8"))
    receipt = next(doc for doc in drive["documents"] if doc["type"] == "receipt")
    assert [item["name"] for item in receipt["items"]] == ["Кружка"]
    assert receipt["tlv"]["1021"] == "Анна" and receipt["total"] == 45000  # the cashier, 450 ₽
    wait_for_text(shop.simulated / "fiscal-printed.txt", "КАССОВЫЙ ЧЕК\nПРИХОД")

    for path in PAGES:
        page = cashier.get(path)
        assert page.status_code == 200 and TRAINING_BANNER["ru"] in page.text, path
    english = cashier.get("/orders?lang=en").text
    assert TRAINING_BANNER["en"] in english and TRAINING_BANNER["ru"] not in english
    # Signed out: the PIN pad carries it too (and /orders leads there).
    for path in ("/signin", "/orders", "/signin?lang=en"):
        public = httpx.get(f"{shop.url}{path}", follow_redirects=True)
        lang = "en" if "lang=en" in path else "ru"
        assert public.status_code == 200 and TRAINING_BANNER[lang] in public.text, path

    assert shop.stop() == 0
    assert all(not child.is_running() or child.status() == "zombie" for child in children)
    assert "Traceback" not in shop.log_text()

    # Nothing real heard of it: not the register, not the printer, not the database, not the cloud.
    assert shop.register.executed == {} and shop.register.document_count == 0
    assert shop.printer.documents == []
    assert fingerprint(shop.real_db) == shop.real_before
    broker_log = shop.broker._log_since(broker_log_before)
    assert "New connection" not in broker_log and "New client" not in broker_log, broker_log
    # The broker's log does name a client that connects: the check above could have failed.
    probe = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="the-test")
    probe.connect(shop.broker.host, shop.broker.port)
    probe.disconnect()
    deadline = time.monotonic() + 10
    while "the-test" not in shop.broker.log_text():
        assert time.monotonic() < deadline, shop.broker.log_text()
        time.sleep(0.05)


def test_the_training_database_is_its_own_and_never_run_for_real(training_shop):
    shop = training_shop
    shop.start()
    assert shop.stop() == 0
    # Its outbox holds practice sales: a real gateway pointed at it must refuse to start.
    for_real = subprocess.run(
        [str(STOREGW), "run", "--config", str(shop.config), "--db", str(shop.training_db)],
        env=ENV, cwd=shop.tmp, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert for_real.returncode == 2, for_real.stderr
    assert "is a training database" in for_real.stderr.splitlines()[-1]
    listed = json.loads(shop.storegw("--training", "staff", "list", "--json"))
    assert sorted(row["name"] for row in listed) == ["Анна", "Ольга"]
    real = json.loads(shop.storegw("stock", "--json"))
    training = json.loads(shop.storegw("--training", "stock", "--json"))
    assert [row["sku"] for row in real] == ["REAL"] and [row["sku"] for row in training] == ["MUG"]


def test_a_first_training_database_is_a_copy_of_the_shops_own_which_stays_untouched(tmp_path):
    real = tmp_path / "gateway.db"
    seed(real, "REAL", "Настоящий товар")
    before = fingerprint(real)
    training = training_database(real)
    assert seed_from_real(real, training)
    assert fingerprint(real) == before
    with closing(sqlite3.connect(training)) as conn:
        assert conn.execute("SELECT count(*) FROM variant WHERE sku = 'REAL'").fetchone() == (1,)
    # Made once: practice done since is kept at the next start.
    assert not seed_from_real(real, training)
