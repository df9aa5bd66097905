"""Signed-in staff for tests: people made as the terminal makes them (`storegw staff add`), a
TestClient signed in by PIN (it then sends the session's CSRF token with every request), and
a browser tab signed in on the PIN pad."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gateway.domain.staff import TERMINAL, Staff
from gateway.services import staff as staff_service
from gateway.services.pins import hash_pin

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
