"""The idle lock counts a person's touches only (the gateway keeps the clock): a page load, an
automatic refresh marked `X-Storegw-Background` and the page's first read of its idle time
never keep a session alive, whatever idle time they carry; a reported touch moves the clock
to that touch and no further; `/api/me` says how long ago the last touch was, so a page just
loaded (a reload every 10 s on «Устройства и связь») starts its idle clock there, not at zero."""

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Gateway
from gateway.domain.staff import CASHIER, MANAGER, TERMINAL
from gateway.services import staff as staff_service
from gateway.services.pins import new_token, token_hash
from tests.integration.test_web_security import Clock, gateway_config  # idle_lock = 5 min
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, sign_in

BACKGROUND = {"X-Storegw-Background": "1"}


@pytest.fixture
def gateway(tmp_path):
    gateway = Gateway(gateway_config(tmp_path)).start()
    gateway.manager = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    gateway.cashier = add_person(gateway.run, "Анна", CASHIER, CASHIER_PIN)
    gateway.auth.clock = Clock(1000.0)
    yield gateway
    gateway.stop()


@pytest.fixture
def tablet(gateway):
    client = TestClient(gateway.web_app(), follow_redirects=False)
    return sign_in(client, gateway.cashier, CASHIER_PIN)


def test_page_loads_and_background_refreshes_are_nobodys_touch(gateway, tablet):
    clock = gateway.auth.clock
    for _ in range(28):  # «Устройства и связь» left alone: it reads itself every 10 s
        clock.now += 10
        assert tablet.get("/devices").status_code == 200  # a reload
        # Its in-place refresh, from a page that (wrongly) thinks it was just touched.
        refresh = tablet.get("/devices", headers={**BACKGROUND, "X-Storegw-Idle": "0"})
        assert refresh.status_code == 200
    me = tablet.get("/api/me", headers={**BACKGROUND, "X-Storegw-Idle": "0"})
    assert me.status_code == 200
    assert me.json()["idle"] == 280  # what a freshly loaded page starts its idle clock from

    clock.now += 25  # 5 min 5 s since the PIN: past idle_lock
    locked = tablet.get("/api/me", headers=BACKGROUND)
    assert (locked.status_code, locked.json()["error"]) == (401, "locked")
    page = tablet.get("/devices")
    assert (page.status_code, page.headers["location"]) == (303, "/signin?next=/devices")


def test_a_reported_touch_moves_the_clock_to_the_touch_and_no_further(gateway, tablet):
    clock = gateway.auth.clock
    clock.now += 200
    assert tablet.get("/api/me", headers={"X-Storegw-Idle": "50"}).json()["idle"] == 50
    clock.now += 100
    assert tablet.get("/api/me", headers={"X-Storegw-Idle": "400"}).json()["idle"] == 150
    assert tablet.get("/api/me").json()["idle"] == 150  # no idle time: proves nothing
    clock.now += 151  # 5 min 1 s since the touch the page reported
    answer = tablet.get("/api/me", headers={"X-Storegw-Idle": "301"})
    assert (answer.status_code, answer.json()["error"]) == (401, "locked")


def test_an_api_token_has_no_idle_clock(gateway):
    token = new_token()
    gateway.run(staff_service.add_token, "export", CASHIER, token_hash(token), by=TERMINAL)
    client = TestClient(gateway.web_app(), headers={"Authorization": f"Bearer {token}"})
    gateway.auth.clock.now += 3600
    assert "idle" not in client.get("/api/me", headers=BACKGROUND).json()
