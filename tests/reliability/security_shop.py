"""The shop the security campaign attacks: a real gateway process (`storegw run`) on a database
seeded with staff, an API token per role, goods, stock and web orders; and the list of its
routes, read from the app the same configuration builds (every method of every path)."""

from __future__ import annotations

import hashlib
import re
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi.routing import APIRoute

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import CASHIER, MANAGER, TERMINAL, Staff
from gateway.domain.stock import parse_stock_change
from gateway.services import staff as staff_service
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.pins import new_token, token_hash
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.gateway_process import GatewayProcess
from tests.loopback import free_port
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person

METRICS_TOKEN = "metrics-secret-for-the-campaign"
GOODS = {"A": 50, "B": 50, "C": 50}


@dataclass
class Shop:
    workdir: Path
    port: int = field(default_factory=free_port)
    manager: Staff | None = None
    cashier: Staff | None = None
    spare_cashier: Staff | None = None  # the one the staff actions change
    cashier_token: str = ""
    manager_token: str = ""
    gateway: GatewayProcess | None = None
    register: str = ""  # the register simulator's port: cash-out, close-shift, refunds

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.workdir / "gateway.db"

    def config_text(self, db_path: Path, register: str) -> str:
        text = f"""
[store]
id = "shop-sec"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"   # nobody listens: the shop is offline
[database]
path = "{db_path}"
[web]
listen = "127.0.0.1:{self.port}"
[metrics]
token = "{METRICS_TOKEN}"
"""
        if register:
            text += f"""
[fiscal]
port = "{register}"
poll = 0.2
"""  # the link's own timeouts: a busy machine must not fail a manager's control action
        return text

    def prepare(self) -> Shop:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "gateway.toml").write_text(
            self.config_text(self.db_path, self.register), "utf-8"
        )
        database = Database(self.db_path)
        try:
            run = database.run
            self.manager = add_person(run, "Ольга", MANAGER, MANAGER_PIN)
            self.cashier = add_person(run, "Анна", CASHIER, CASHIER_PIN)
            self.spare_cashier = add_person(run, "Пётр", CASHIER, "3333")
            self.cashier_token, self.manager_token = new_token(), new_token()
            run(staff_service.add_token, "касса-скрипт", CASHIER, token_hash(self.cashier_token),
                by=TERMINAL)  # fmt: skip
            run(staff_service.add_token, "отчёты", MANAGER, token_hash(self.manager_token),
                by=TERMINAL)  # fmt: skip
            products = [builders.simple_product(sku) for sku in GOODS]
            run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
            run(apply_stock_change, parse_stock_change("set", builders.stock_set(**GOODS)))
            for n in range(1, 4):
                run(create_order, builders.order(f"W-{n}", ("A", 1), ("B", 1)))
        finally:
            database.close()
        return self

    def start(self) -> Shop:
        with (self.workdir / "gateway.log").open("ab") as log:
            self.gateway = GatewayProcess(self.workdir / "gateway.toml", log, self.port).start()
        self.gateway.wait_ready()
        return self

    def stop(self) -> None:
        if self.gateway is not None:
            self.gateway.stop()

    def client(self, **options) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30, **options)

    def signed_in(self, staff: Staff, pin: str) -> httpx.Client:
        """A tablet's session: the cookie, and the CSRF token sent with every request."""
        client = self.client()
        answer = client.post("/api/signin", json={"staff_id": staff.id, "pin": pin})
        if answer.status_code != 200:
            raise RuntimeError(f"{staff.name} could not sign in: {answer.text}")
        client.headers["X-CSRF-Token"] = answer.json()["csrf"]
        return client

    def with_token(self, token: str) -> httpx.Client:
        return self.client(headers={"Authorization": f"Bearer {token}"})

    def wait_fiscalised(self, client: httpx.Client, receipt_id: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            rows = client.get("/api/receipts").json()
            state = next((r["state"] for r in rows if r["receipt_id"] == receipt_id), None)
            if state == "done":
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"receipt {receipt_id} is {state}, not fiscalised")
            time.sleep(0.05)

    def snapshot(self, skip: tuple[str, ...] = ()) -> dict[str, str]:
        """A digest of every table's rows, read directly: what a refused request must not
        change (`skip`: tables a refusal itself writes, like the audit). The register's health
        reading is left out: the fiscal worker refreshes it on its own schedule."""
        with closing(open_connection(self.db_path, readonly=True)) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return {
                table: hashlib.sha256(
                    repr([tuple(row) for row in conn.execute(f'SELECT * FROM "{table}"')]).encode()
                ).hexdigest()
                for table in tables
                if table not in (*skip, "fiscal_health")
            }

    def log_text(self) -> str:
        return (self.workdir / "gateway.log").read_text("utf-8", errors="replace")


def routes(shop: Shop) -> list[tuple[str, str]]:
    """Every (method, path) the running gateway's app has, its path parameters filled in. The
    app is built by an in-process gateway on the same configuration (but the register, which
    adds no route and has one owner) and a database of its own."""
    other = shop.workdir / "routes"
    other.mkdir(exist_ok=True)
    (other / "gateway.toml").write_text(shop.config_text(other / "gateway.db", ""), "utf-8")
    gateway = Gateway(load_config(other / "gateway.toml", env={})).start()
    try:
        app = gateway.web_app()
        found = {
            (method, re.sub(r"\{[^}]+\}", "1", route.path))
            for route in app.routes
            if isinstance(route, APIRoute)
            for method in route.methods
        }
    finally:
        gateway.stop()
    return sorted(found)


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    )
