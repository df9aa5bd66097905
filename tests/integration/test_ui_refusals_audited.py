"""Every refusal of a PIN is in «Журнал» (QA): a PIN typed during a lockout (wrong or right: it
is not even checked), a right PIN that is not a manager's on a manager's-PIN request, each with
whose action the manager's PIN was to allow; and a role change says from what to what."""

import pytest
from fastapi.testclient import TestClient

from gateway.domain.staff import CASHIER, MANAGER
from tests.signin import add_person, sign_in, start_gateway


class Clock:
    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def gateway(tmp_path):
    gateway = start_gateway(tmp_path, "shop-refusals")
    gateway.manager = add_person(gateway.run, "Ольга", MANAGER, "1111")
    gateway.cashier = add_person(gateway.run, "Анна", CASHIER, "2222")
    gateway.auth.clock = Clock(1000.0)
    yield gateway
    gateway.stop()


def refusals(gateway) -> list[dict]:
    with gateway.reader() as conn:
        rows = conn.execute(
            "SELECT a.detail, s.name AS staff, t.name AS subject FROM audit a"
            " LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN staff t ON t.id = a.subject_id"
            " WHERE a.kind = 'pin_refused' ORDER BY a.id"
        ).fetchall()
    return [dict(row) for row in rows]


def test_pins_typed_during_a_lockout_are_audited_unchecked(gateway):
    client = TestClient(gateway.web_app())
    anna = gateway.cashier

    def attempt(pin):
        return client.post("/api/signin", json={"staff_id": anna.id, "pin": pin}).status_code

    assert [attempt("0000") for _ in range(3)] == [401, 401, 429]  # the third locks 30 s
    gateway.auth.clock.now += 10
    assert attempt("0000") == 429  # a fourth wrong one, unchecked
    assert attempt("2222") == 429  # the right one, unchecked too
    # One row per lock: a guessing run during it must not write a row per try.
    assert [attempt("0000") for _ in range(20)] == [429] * 20
    rows = refusals(gateway)
    assert [row["detail"] for row in rows] == [
        "wrong PIN",
        "wrong PIN",
        "wrong PIN; locked for 30 s",
        "refused unchecked while locked (20 s left)",
    ]
    assert {row["subject"] for row in rows} == {"Анна"}
    assert {row["staff"] for row in rows} == {None}  # nobody signed in: a sign-in screen


def test_a_managers_pin_refused_names_whose_action_it_was_for(gateway):
    app = gateway.web_app()
    client = sign_in(TestClient(app), gateway.cashier, "2222")
    olga = gateway.manager
    not_manager = client.post(
        "/api/lock", headers={"X-Storegw-Override": f"{gateway.cashier.id}:2222"}
    )
    assert not_manager.json()["error"] == "not_manager"
    for _ in range(3):  # Ольга's account locks on the third wrong PIN
        client.post("/api/lock", headers={"X-Storegw-Override": f"{olga.id}:9999"})
    locked = client.post("/api/lock", headers={"X-Storegw-Override": f"{olga.id}:1111"})
    assert locked.json()["error"] == "locked"
    rows = refusals(gateway)
    assert rows[0] == {
        "detail": "not a manager; manager's approval for POST /api/lock",
        "staff": "Анна",
        "subject": "Анна",
    }
    assert rows[-1] == {
        "detail": "refused unchecked while locked (30 s left);"
        " manager's approval for POST /api/lock",
        "staff": "Анна",
        "subject": "Ольга",
    }


def test_a_role_change_is_audited_from_what_to_what(gateway):
    manager = sign_in(TestClient(gateway.web_app()), gateway.manager, "1111")
    anna = gateway.cashier
    assert manager.post(f"/api/staff/{anna.id}/change", json={"role": MANAGER}).status_code == 200
    (row,) = manager.get("/api/audit?group=staff&limit=1").json()
    assert row["detail"] == "Анна: role=manager (was cashier)"
