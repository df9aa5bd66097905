"""Signed-in staff for tests: people made as the terminal makes them (`storegw staff add`), a
TestClient signed in by PIN (it then sends the session's CSRF token with every request), and
a browser tab signed in on the PIN pad."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.staff import CASHIER, MANAGER, TERMINAL, Staff
from gateway.services import staff as staff_service
from gateway.services.pins import hash_pin
from tests.loopback import free_port

MANAGER_PIN, CASHIER_PIN = "1111", "2222"


def add_person(run, name: str, role: str, pin: str, inn: str | None = None) -> Staff:
    """`run`: a gateway's or a test database's `run` (one transaction through the writer)."""
    made = run(staff_service.add_staff, name, role, hash_pin(pin, n=2**10), by=TERMINAL, inn=inn)
    return Staff(made["id"], name, role, inn)


def sign_in(client: TestClient, staff: Staff, pin: str) -> TestClient:
    answer = client.post("/api/signin", json={"staff_id": staff.id, "pin": pin})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return client


def signed_in_client(app, staff: Staff, pin: str) -> TestClient:
    return sign_in(TestClient(app), staff, pin)


def sign_in_on_page(page, url: str, name: str, pin: str, next_path: str = "/") -> None:
    """The PIN pad as a person uses it: tap the name, the digits, «Войти»."""
    page.goto(f"{url}/signin?next={next_path}")
    pad = page.locator('[data-pad="signin"]')
    pad.locator(".person", has_text=name).click()
    for digit in pin:
        pad.locator(f'[data-digit="{digit}"]').click()
    with page.expect_navigation():
        pad.locator("[data-enter]").click()
    page.wait_for_load_state()


def start_gateway(tmp_path, store: str, fiscal: str | None = None) -> Gateway:
    """A running gateway on a database in `tmp_path`, its cloud link pointed at nothing, and the
    register simulator's port as `fiscal` (fast link timeouts)."""
    text = f"""
[store]
id = "{store}"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
"""
    if fiscal:
        text += f"""
[fiscal]
port = "{fiscal}"
poll = 0.1
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
"""
    (tmp_path / "gateway.toml").write_text(text, encoding="utf-8")
    return Gateway(load_config(tmp_path / "gateway.toml", env={})).start()


def desk_clients(gateway: Gateway) -> TestClient:
    """Анна's signed-in client (a cashier); `.manager` is Ольга's, `.gateway` the gateway."""
    app = gateway.web_app()
    manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN, inn="500100732259")
    client = signed_in_client(app, cashier, CASHIER_PIN)
    client.manager = signed_in_client(app, manager, MANAGER_PIN)
    client.gateway = gateway
    return client
