"""Bad HTTP requests: schemathesis (positive and negative generation) against the OpenAPI
document of the app a running gateway serves (gateway/web/app.py), signed in as a cashier and a
manager (session cookie + CSRF token, as a tablet) and with each role's API token. Any 5xx (or
an exception out of the app) is a bug; a refused request (4xx) must change no business table."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import CASHIER, MANAGER, TERMINAL
from gateway.domain.stock import parse_stock_change
from gateway.services import staff as staff_service
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.pins import new_token, token_hash
from gateway.services.stock import apply_stock_change
from simulators.fiscal_register import FiscalRegisterSimulator
from tests import builders
from tests.reliability.bad_input_junk import business_tables, digest, each_example
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, start_gateway

ROLES = ("cashier", "manager", "cashier_token", "manager_token")
# Requests that end the session the campaign signs in with; it would only test the 401 after.
SKIPPED = {("POST", "/api/signout"), ("POST", "/api/lock")}
# Written by refused requests on purpose: sessions, failed PIN attempts, the audit of refusals.
WRITTEN_BY_REFUSALS = ("staff", "staff_session", "audit")


@dataclass
class HttpOutcome:
    cases: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    half_applied: list[str] = field(default_factory=list)
    answers_after: bool = False  # the app still serves a signed-in manager afterwards


class Shop:
    """An in-process gateway on the register simulator (no broker) seeded with goods, orders
    and staff."""

    def __init__(self, workdir: Path):
        self.register = FiscalRegisterSimulator(archive_path=workdir / "fn.json")
        self.register.start()
        self.gateway = start_gateway(workdir, "shop-bad-input", fiscal=self.register.slave_path)
        run = self.gateway.run
        products = [builders.simple_product(sku) for sku in ("A", "B", "C")]
        run(apply_catalog, parse_catalog_upsert(builders.catalog(*products)))
        run(apply_stock_change, parse_stock_change("set", builders.stock_set(A=50, B=50, C=50)))
        for n in range(1, 4):
            run(create_order, builders.order(f"W-{n}", ("A", 1), ("B", 1)))
        self.app = self.gateway.web_app()
        self.people = {
            "manager": add_person(run, "Ольга", MANAGER, MANAGER_PIN),
            "cashier": add_person(run, "Анна", CASHIER, CASHIER_PIN),
        }
        self.tokens = {role: new_token() for role in ("manager", "cashier")}
        for role, token in self.tokens.items():
            run(staff_service.add_token, f"script-{role}", role, token_hash(token), by=TERMINAL)
        self.sessions: dict[str, dict] = {}

    def headers(self, role: str) -> dict[str, str]:
        if role.endswith("_token"):
            return {"Authorization": f"Bearer {self.tokens[role.removesuffix('_token')]}"}
        if role not in self.sessions or not self._alive(self.sessions[role]):
            self.sessions[role] = self._sign_in(role)
        return self.sessions[role]

    def _sign_in(self, role: str) -> dict[str, str]:
        from fastapi.testclient import TestClient  # noqa: PLC0415

        client = TestClient(self.app)
        pin = MANAGER_PIN if role == "manager" else CASHIER_PIN
        answer = client.post("/api/signin", json={"staff_id": self.people[role].id, "pin": pin})
        if answer.status_code != 200:  # the fuzzing changed the PIN or disabled the person
            self.people[role] = add_person(
                self.gateway.run, f"{role}-{len(self.sessions)}", role, pin
            )
            return self._sign_in(role)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return {"Cookie": cookie, "X-CSRF-Token": answer.json()["csrf"]}

    def _alive(self, headers: dict) -> bool:
        from fastapi.testclient import TestClient  # noqa: PLC0415

        return TestClient(self.app).get("/api/me", headers=headers).status_code == 200

    def stop(self) -> None:
        self.gateway.stop()
        self.register.stop()


def http_cases(app) -> st.SearchStrategy:
    # The document itself wants a signed-in person: read it from the app, as FastAPI builds it.
    schema = schemathesis.openapi.from_dict(app.openapi())
    strategies = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode))
    return st.one_of(strategies)


def run_http(workdir: Path, cases: int, seed: int) -> HttpOutcome:
    workdir.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    shop = Shop(workdir)
    outcome = HttpOutcome()
    reader = _reader(shop)
    tables = [t for t in business_tables(reader) if t not in WRITTEN_BY_REFUSALS]

    def send(request) -> None:
        role = ROLES[outcome.cases % len(ROLES)]  # in turn: a drawn role leans to the first
        outcome.cases += 1
        outcome.by_role[role] = outcome.by_role.get(role, 0) + 1
        headers = shop.headers(role)
        before = digest(reader, tables) if request.method.upper() != "GET" else None
        what = f"{role} {request.method} {request.formatted_path} {request.body!r:.200}"
        try:
            response = request.call(base_url="http://testserver", headers=headers, app=shop.app)
        except Exception as exc:  # noqa: BLE001 -- the app raised: a 500 the client never saw
            outcome.server_errors.append(f"{what}: {exc!r}")
            return
        status = response.status_code
        outcome.by_status[status] = outcome.by_status.get(status, 0) + 1
        if status >= 500:
            outcome.server_errors.append(f"{what}: {status} {response.text[:300]}")
        elif 400 <= status < 500 and before is not None and digest(reader, tables) != before:
            outcome.half_applied.append(f"{what}: {status} but the database changed")

    try:
        each_example(http_cases(shop.app), cases, seed, send, batch=10)
        from fastapi.testclient import TestClient  # noqa: PLC0415

        after = TestClient(shop.app).get("/api/stock", headers=shop.headers("manager"))
        outcome.answers_after = after.status_code == 200
    finally:
        reader.close()
        shop.stop()
    return outcome


def _reader(shop: Shop):
    from gateway.adapters.sqlite.connection import open_connection  # noqa: PLC0415

    return open_connection(shop.gateway.config.database_path, readonly=True)
