"""The shop of the power-cut campaign (`tests/reliability/power.py`): the real gateway process
(`storegw run --config`) with every outside party it talks to, each a separate observer — the
back-office simulator over a real Mosquitto, the register simulator on a pty, the printer
simulator on TCP — and a staff API token for the "tablet".

The gateway is SIGKILLed and started again on the same database; the simulators and the broker
live on (a power cut takes the box down, not the cloud, the register or the printer). The next
gateway process is always started ahead with its imports done (about 1 s of a start on this
machine) and waits on its stdin; let go, it runs `storegw run --config FILE` — `gateway.cli.main`
with those arguments — as the service does. So the campaign spends its minutes on cuts, and
the cuts "while starting" land in what a start does to the database, not in Python's imports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.domain.staff import MANAGER, TERMINAL
from gateway.services.pins import new_token, token_hash
from gateway.services.staff import add_token
from simulators.backoffice.shop import ean13
from simulators.fiscal_register import FiscalRegisterSimulator
from simulators.printer import PrinterSimulator
from tests import builders
from tests.brokers import Broker
from tests.loopback import free_port, port_accepts
from tests.mqtt_helpers import FAST_SYNC, STORE, start_cloud

# A gateway process with its imports done, waiting for "go" to run `storegw run`.
SPARE = (
    "import sys, uvicorn, gateway.cli, gateway.bootstrap, gateway.web.app\n"
    "if sys.stdin.readline().strip() == 'go':\n"
    "    sys.exit(gateway.cli.main(sys.argv[1:]))\n"
)
SKUS = tuple(f"S{n}" for n in range(6))  # small: a restart must stay fast
START_STOCK = 20  # tight: web orders go short and sales are refused now and then
START_TIMEOUT = 60.0


BOX = 10  # units a box's barcode counts


def barcode(sku: str, pack: int = 1) -> str:
    """The sku's own EAN-13, or its box's (`pack` units)."""
    return ean13(int(sku[1:]) + 1, pack)


def catalog() -> dict:
    products = [
        builders.product(
            f"P-{sku}",
            [
                builders.variant(
                    sku, 10_000, [{"code": barcode(sku, n), "pack": n} for n in (1, BOX)]
                )
            ],
            [],
        )
        for sku in SKUS
    ]
    return builders.catalog(*products)


class GatewayDied(AssertionError):
    pass


class Shop:
    def __init__(self, workdir: Path, db_dir: Path | None = None):
        """`db_dir`: where the database lives (a LazyFS mount), `workdir` by default."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_path = Path(db_dir or workdir) / "gateway.db"
        self.log = (self.workdir / "gateway.log").open("ab")
        self.broker = Broker(self.workdir / "broker")
        self.register = FiscalRegisterSimulator(archive_path=None)
        self.printer = PrinterSimulator()
        self.web_port = free_port()
        self.process: subprocess.Popen | None = None
        self.spare: subprocess.Popen | None = None
        self.cloud = None
        self.token = new_token()
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def open(self) -> Shop:
        self.broker.start()
        pty = self.register.start()
        _, printer_port = self.printer.start()
        self._write_config(pty, printer_port)
        self._add_token()
        self.start_gateway()
        self.cloud = start_cloud(self.broker.url)
        self.cloud.send("catalog.upsert", catalog())
        self.cloud.send("stock.set", builders.stock_set(**dict.fromkeys(SKUS, START_STOCK)))
        self.wait_ready()
        return self

    def close(self) -> None:
        for process in (self.process, self.spare):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        if self.cloud is not None:
            self.cloud.stop()
        self.printer.stop()
        self.register.stop()
        self.broker.stop()
        self.log.close()

    def _write_config(self, pty: str, printer_port: int) -> None:
        sync = "\n".join(
            f'{key.removeprefix("STOREGW_SYNC_").lower()} = "{value}"'
            for key, value in FAST_SYNC.items()
        )
        (self.workdir / "gateway.toml").write_text(
            f"""
[store]
id = "{STORE}"
[mqtt]
url = "{self.broker.url}"
[database]
path = "{self.db_path}"
[web]
listen = "127.0.0.1:{self.web_port}"
[sync]
{sync}
[fiscal]
port = "{pty}"
poll = 0.2
# A pty answers in milliseconds (as in tests/fiscal_campaign.py).
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
[printer]
url = "tcp://127.0.0.1:{printer_port}"
""",
            encoding="utf-8",
        )

    def _add_token(self) -> None:
        """The tablet's credentials: a manager's API token (ships, sells, prints, receives)."""
        database = Database(self.db_path)
        try:
            database.run(add_token, "Планшет", MANAGER, token_hash(self.token), by=TERMINAL)
        finally:
            database.close()

    # the gateway process ---------------------------------------------------------------------
    def start_gateway(self) -> None:
        """Power on: the spare runs `storegw run --config FILE`; a new spare gets ready."""
        process = self.spare or self._spare()
        process.stdin.write(b"go\n")
        process.stdin.flush()
        self.process, self.spare = process, self._spare()
        self.starts += 1

    def _spare(self) -> subprocess.Popen:
        config = str(self.workdir / "gateway.toml")
        return subprocess.Popen(
            [sys.executable, "-c", SPARE, "run", "--config", config],
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def kill_gateway(self) -> None:
        """A power cut: SIGKILL, nothing flushed, nothing said to anyone."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop_gateway(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not port_accepts(self.web_port):
            if self.process.poll() is not None:
                raise GatewayDied(f"the gateway exited with {self.process.returncode}: see log")
            if time.monotonic() > deadline:
                raise GatewayDied(f"the gateway did not come up in {START_TIMEOUT:.0f} s")
            time.sleep(0.02)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None
