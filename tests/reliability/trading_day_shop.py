"""The trading day's shop floor (tests/reliability/trading_day.py): a real Mosquitto, the
back-office simulator as the cloud, the register simulator on a pty, the printer simulator on
TCP, and the gateway as its own process (`storegw run --config`), reached only through its real
entry points: the staff API over HTTP and MQTT. Its resources are read from outside, in /proc."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.outbox import OUTBOX_HEAD
from gateway.domain.staff import CASHIER, MANAGER, Staff
from simulators.fiscal_register import FiscalRegisterSimulator
from simulators.printer import PrinterSimulator
from tests.brokers import Broker
from tests.gateway_process import GatewayProcess
from tests.loopback import free_port
from tests.mqtt_helpers import STORE, gateway_env, start_cloud
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in

CASHIER_INN = "500100732259"
START_TIMEOUT_S = 60.0


class ShopError(AssertionError):
    pass


def write_config(
    workdir: Path, web_port: int, broker_url: str, register: str, printer: tuple[str, int]
) -> Path:
    sync = {
        key.removeprefix("STOREGW_SYNC_").lower(): value
        for key, value in gateway_env(workdir / "gateway.db", broker_url).items()
        if key.startswith("STOREGW_SYNC_")
    }
    host, port = printer
    lines = [
        f'[store]\nid = "{STORE}"',
        f'[mqtt]\nurl = "{broker_url}"',
        f'[database]\npath = "{workdir / "gateway.db"}"',
        f'[web]\nlisten = "127.0.0.1:{web_port}"',
        # A pty answers in milliseconds (as in tests/fiscal_campaign.py).
        f'[fiscal]\nport = "{register}"\npoll = 0.1\ncontrol_timeout = 0.08\n'
        "byte_timeout = 0.1\ntimeout_scale = 0.01",
        f'[printer]\nurl = "tcp://{host}:{port}"\npoll = 0.2',
        "[sync]",
        *(f'{key} = "{value}"' for key, value in sync.items()),
    ]
    config = workdir / "gateway.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


class Shop:
    """Everything started by `open()`, everything stopped by `close()` (also on failure)."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.db_path = self.workdir / "gateway.db"
        self.broker = Broker(self.workdir / "broker")
        self.register = FiscalRegisterSimulator(archive_path=None)
        self.printer = PrinterSimulator(port=0)
        self.gateway: GatewayProcess | None = None
        self.log = None
        self.cloud = None
        self.staff: dict[str, tuple[Staff, str]] = {}  # role → (person, PIN)
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._clients_lock = threading.Lock()

    # life cycle ------------------------------------------------------------------------------
    def open(self) -> Shop:
        self.broker.start()
        register = self.register.start()
        printer = self.printer.start()
        self.hire()
        self.web_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.config = write_config(self.workdir, self.web_port, self.broker.url, register, printer)
        self.log = (self.workdir / "gateway.log").open("ab")
        self.gateway = GatewayProcess(self.config, self.log, self.web_port).start()
        self.cloud = start_cloud(self.broker.url)
        self.gateway.wait_ready(START_TIMEOUT_S)
        if not self.cloud.wait_for(lambda c: (c.status or {}).get("online") is True, 30):
            raise ShopError(f"the gateway never said online: see {self.log.name}")
        return self

    def hire(self) -> None:
        """A manager and a cashier, made as `storegw staff add` makes them, before the start."""
        database = Database(self.db_path)
        try:
            cashier = add_person(database.run, "Анна", CASHIER, CASHIER_PIN, inn=CASHIER_INN)
            manager = add_person(database.run, "Ольга", MANAGER, MANAGER_PIN)
        finally:
            database.close()
        self.staff = {CASHIER: (cashier, CASHIER_PIN), MANAGER: (manager, MANAGER_PIN)}

    def stop_gateway(self) -> int:
        """SIGTERM, as systemd stops it; returns the exit code (0 is a clean stop)."""
        code = self.gateway.stop()
        if code is None:
            raise ShopError("the gateway did not stop on SIGTERM")
        return code

    def close(self) -> None:
        for client in self._clients:
            client.close()
        if self.cloud is not None:
            self.cloud.stop()
        if self.gateway is not None and self.gateway.alive():
            self.gateway.kill()
        self.register.stop()
        self.printer.stop()
        self.broker.stop()
        if self.log is not None:
            self.log.close()

    def alive(self) -> None:
        if not self.gateway.alive():
            code = self.gateway.process.returncode
            raise ShopError(f"the gateway died ({code}): see {self.log.name}")

    def _wait(self, condition, what: str, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            self.alive()
            if time.monotonic() > deadline:
                raise ShopError(f"timed out waiting for {what}")
            time.sleep(0.05)

    # the staff API, one signed-in tablet per worker thread and role ---------------------------
    def api(self, role: str = CASHIER) -> httpx.Client:
        clients = self._local.__dict__.setdefault("clients", {})
        if role not in clients:
            client = sign_in(httpx.Client(base_url=self.base_url, timeout=60), *self.staff[role])
            clients[role] = client
            with self._clients_lock:
                self._clients.append(client)
        return clients[role]

    # read from outside ---------------------------------------------------------------------------
    def read(self, query: str, *args) -> list[tuple]:
        uri = f"file:{self.db_path}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as conn:
            return conn.execute(query, args).fetchall()

    def resources(self) -> dict[str, int]:
        """The gateway process as the kernel sees it, and its database files on disk."""
        proc = Path(f"/proc/{self.gateway.process.pid}")
        status = (proc / "status").read_text()
        rss_kb = int(
            next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
        )
        wal = Path(f"{self.db_path}-wal")
        # What the database holds, checkpointed or still in the WAL (the file lags behind).
        [(pages, page_size, free)] = self.read(
            "SELECT * FROM pragma_page_count, pragma_page_size, pragma_freelist_count"
        )
        return {
            "rss_kb": rss_kb,
            "open_files": len(os.listdir(proc / "fd")),
            "threads": len(os.listdir(proc / "task")),
            "db_bytes": (pages - free) * page_size,
            "db_file_bytes": self.db_path.stat().st_size,
            "wal_bytes": wal.stat().st_size if wal.exists() else 0,
        }

    def wait_quiet(self, patience: float = 60.0) -> None:
        """Every receipt and print job done, the cloud holding every gateway message; fails
        when nothing moves for `patience` seconds (a backlog that drains is waited for)."""
        last, deadline = None, time.monotonic() + patience
        while True:
            self.alive()
            backlog = self.backlog()
            if self.quiet(backlog):
                return
            if backlog != last:
                last, deadline = backlog, time.monotonic() + patience
            if time.monotonic() > deadline:
                jobs = self.read(
                    "SELECT id, state, attempts, error FROM receipt_job WHERE state != 'done'"
                )
                raise ShopError(f"stuck for {patience:.0f} s: {backlog}; receipts {jobs[:5]}")
            time.sleep(0.1)

    def backlog(self) -> dict:
        """What is still on its way: receipts, print jobs, and messages either way."""
        # A failed receipt waits for a person: settled for the day, counted by the verdict.
        [(receipts,)] = self.read(
            "SELECT count(*) FROM receipt_job WHERE state NOT IN ('done', 'failed')"
        )
        [(prints,)] = self.read("SELECT count(*) FROM print_job WHERE state != 'done'")
        counters = dict(self.read("SELECT name, value FROM counter"))
        [(head,)] = self.read(OUTBOX_HEAD)
        return {
            "receipts": receipts,
            "prints": prints,
            "outbox_seq": head,
            "acked_seq": counters.get("acked_seq", 0),
            "cloud_applied": self.cloud.applied_through,
            "cloud_seq": self.cloud.last_seq,
            "in_seq": counters.get("in_seq", 0),
        }

    @staticmethod
    def quiet(b: dict) -> bool:
        synced = (
            b["cloud_applied"] >= b["outbox_seq"] <= b["acked_seq"]
            and b["in_seq"] >= b["cloud_seq"]
        )
        return b["receipts"] == 0 and b["prints"] == 0 and synced
