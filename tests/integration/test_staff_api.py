"""«Сотрудники» and «Журнал» through the JSON API of a running gateway (issue 9): a manager adds,
re-PINs, promotes, disables people and makes API tokens; each change takes effect on the next
request; the shop keeps a manager; a cashier is refused every route; bad input changes nothing;
the audit shows who signed in, who typed a wrong PIN and who changed whom."""

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.staff import CASHIER, MANAGER, Staff
from tests.loopback import free_port
from tests.signin import CASHIER_PIN, MANAGER_PIN, add_person, signed_in_client

ANNA_INN = "500100732259"


@pytest.fixture
def gateway(tmp_path):
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-staff"
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
""",
        encoding="utf-8",
    )
    gateway = Gateway(load_config(tmp_path / "gateway.toml", env={})).start()
    gateway.olga = add_person(gateway.run, "Ольга", MANAGER, MANAGER_PIN)
    gateway.app = gateway.web_app()
    yield gateway
    gateway.stop()


@pytest.fixture
def olga(gateway):
    with signed_in_client(gateway.app, gateway.olga, MANAGER_PIN) as client:
        yield client


def add_anna(olga, pin: str = CASHIER_PIN) -> Staff:
    answer = olga.post(
        "/api/staff", json={"name": "Анна", "role": CASHIER, "pin": pin, "inn": ANNA_INN}
    )
    assert answer.status_code == 200, answer.text
    return Staff(answer.json()["id"], "Анна", CASHIER, ANNA_INN)


def person(olga, name: str) -> dict:
    return next(p for p in olga.get("/api/staff").json()["people"] if p["name"] == name)


def sign_in(gateway, staff: Staff, pin: str):
    return TestClient(gateway.app).post("/api/signin", json={"staff_id": staff.id, "pin": pin})


def test_a_manager_adds_a_cashier_who_signs_in_with_the_new_pin(gateway, olga):
    anna = add_anna(olga, pin="2468")
    listed = olga.get("/api/staff")
    assert listed.status_code == 200
    assert "scrypt" not in listed.text and "hash" not in listed.text  # never a secret
    row = person(olga, "Анна")
    assert (row["role"], row["active"], row["inn"], row["last_sign_in"]) == (
        CASHIER, True, ANNA_INN, None,
    )  # fmt: skip
    assert sign_in(gateway, anna, "1111").status_code == 401
    with signed_in_client(gateway.app, anna, "2468") as client:
        me = client.get("/api/me").json()
        assert me == {"id": anna.id, "name": "Анна", "role": CASHIER, "idle": 0}
    assert person(olga, "Анна")["last_sign_in"] is not None
    taken = olga.post("/api/staff", json={"name": "Анна", "role": CASHIER, "pin": "1234"})
    assert taken.status_code == 422 and taken.json()["error"] == "name_taken"


def test_a_new_pin_ends_the_cashiers_session_at_once(gateway, olga):
    anna = add_anna(olga)
    with signed_in_client(gateway.app, anna, CASHIER_PIN) as client:
        assert client.get("/api/me").status_code == 200
        assert olga.post(f"/api/staff/{anna.id}/pin", json={"pin": "97531"}).status_code == 200
        assert client.get("/api/me").status_code == 401
    assert sign_in(gateway, anna, CASHIER_PIN).status_code == 401
    assert sign_in(gateway, anna, "97531").status_code == 200


def test_disabling_ends_sessions_and_refuses_the_next_request(gateway, olga):
    anna = add_anna(olga)
    with signed_in_client(gateway.app, anna, CASHIER_PIN) as client:
        assert olga.post(f"/api/staff/{anna.id}/disable").status_code == 200
        refused = client.get("/api/me")
        assert refused.status_code == 401 and refused.json()["error"] == "signed_out"
        assert client.post("/api/lock").status_code == 401
    assert person(olga, "Анна")["active"] is False
    assert sign_in(gateway, anna, CASHIER_PIN).status_code == 401
    assert olga.post(f"/api/staff/{anna.id}/enable", json={}).status_code == 200
    assert sign_in(gateway, anna, CASHIER_PIN).status_code == 200  # the old PIN again


def test_the_last_manager_cannot_be_disabled_or_made_a_cashier(gateway, olga):
    me = gateway.olga.id
    for action, body in (("disable", {}), ("change", {"role": CASHIER})):
        refused = olga.post(f"/api/staff/{me}/{action}", json=body)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "last_manager"
        assert "управляющий" in refused.json()["detail"]
    assert (person(olga, "Ольга")["role"], person(olga, "Ольга")["active"]) == (MANAGER, True)
    assert olga.get("/api/me").status_code == 200

    second = {"name": "Пётр", "role": MANAGER, "pin": "8642"}
    assert olga.post("/api/staff", json=second).status_code == 200
    assert olga.post(f"/api/staff/{me}/change", json={"role": CASHIER}).status_code == 200
    refused = olga.get("/api/staff")  # the session follows the new role at once
    assert refused.status_code == 403 and refused.json()["error"] == "needs_manager"


def test_a_token_is_shown_once_acts_in_its_role_and_stops_when_revoked(gateway, olga):
    made = olga.post("/api/staff/tokens", json={"name": "Обмен с 1С", "role": CASHIER})
    assert made.status_code == 200, made.text
    token = made.json()["token"]
    assert token.startswith("sgw_") and made.json()["role"] == CASHIER
    listed = olga.get("/api/staff")
    assert token not in listed.text and "sha256" not in listed.text
    assert [t["name"] for t in listed.json()["tokens"]] == ["Обмен с 1С"]
    program = TestClient(gateway.app, headers={"Authorization": f"Bearer {token}"})
    me = program.get("/api/me").json()
    assert (me["name"], me["role"]) == ("Обмен с 1С", CASHIER)
    assert program.get("/api/staff").status_code == 403  # a cashier's token, a cashier's rights

    boss = olga.post("/api/staff/tokens", json={"name": "Отчёты", "role": MANAGER}).json()
    reports = TestClient(gateway.app, headers={"Authorization": f"Bearer {boss['token']}"})
    assert reports.get("/api/staff").status_code == 200

    assert olga.post(f"/api/staff/{made.json()['id']}/disable").status_code == 200
    refused = program.get("/api/me")
    assert refused.status_code == 401 and refused.json()["error"] == "bad_token"
    again = olga.post(f"/api/staff/{made.json()['id']}/enable")
    assert again.status_code == 409  # a revoked token stays revoked
    assert olga.get("/api/staff").json()["tokens"][-1]["active"] is False


STAFF_ROUTES = [
    ("GET", "/api/staff", None),
    ("POST", "/api/staff", {"name": "Вера", "role": CASHIER, "pin": "1234"}),
    ("POST", "/api/staff/{id}/disable", {}),
    ("POST", "/api/staff/{id}/enable", {}),
    ("POST", "/api/staff/{id}/pin", {"pin": "5555"}),
    ("POST", "/api/staff/{id}/change", {"role": CASHIER}),
    ("POST", "/api/staff/tokens", {"name": "Скрипт", "role": MANAGER}),
    ("GET", "/api/audit", None),
    ("GET", "/api/audit?group=refusals", None),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
def test_a_cashier_is_refused_every_staff_and_audit_route(gateway, olga, method, path, body):
    anna = add_anna(olga)
    with signed_in_client(gateway.app, anna, CASHIER_PIN) as client:
        before = olga.get("/api/staff").json(), olga.get("/api/audit").json()
        answer = client.request(method, path.format(id=gateway.olga.id), json=body)
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"] == "needs_manager"
    assert (olga.get("/api/staff").json(), olga.get("/api/audit").json()) == before


def test_a_cashier_with_a_managers_pin_may_add_a_person_and_the_audit_says_who_allowed(
    gateway, olga
):
    anna = add_anna(olga)
    with signed_in_client(gateway.app, anna, CASHIER_PIN) as client:
        override = {"X-Storegw-Override": f"{gateway.olga.id}:{MANAGER_PIN}"}
        body = {"name": "Вера", "role": CASHIER, "pin": "1234"}
        assert client.post("/api/staff", json=body, headers=override).status_code == 200
    # One act, one row: the new person's row names Анна and the manager who allowed it.
    (row,) = olga.get("/api/audit?group=overrides").json()
    assert (row["kind"], row["staff"], row["approved_by"]) == ("staff_added", "Анна", "Ольга")


INVALID = [
    ("/api/staff", {"name": "Вера", "role": CASHIER, "pin": "123"}, "bad_pin", "PIN — от 4 до 8"),
    ("/api/staff", {"name": "Вера", "role": CASHIER, "pin": "12ab"}, "bad_pin", "4 to 8 digits"),
    ("/api/staff", {"name": "  ", "role": CASHIER, "pin": "1234"}, "bad_name", "имя"),
    ("/api/staff", {"role": CASHIER, "pin": "1234"}, "bad_name", "имя"),
    ("/api/staff", {"name": "Вера", "role": "boss", "pin": "1234"}, "bad_role", "роль"),
    ("/api/staff", {"name": "Вера", "role": CASHIER, "pin": "1234", "inn": "123"}, "bad_inn",
     "ИНН — 12 цифр"),
    ("/api/staff/{id}/pin", {"pin": "123"}, "bad_pin", "PIN"),
    ("/api/staff/{id}/pin", {}, "bad_pin", "PIN"),
    ("/api/staff/{id}/change", {"role": "boss"}, "bad_role", "роль"),
    ("/api/staff/{id}/change", {"inn": "77"}, "bad_inn", "ИНН"),
    # Twelve digits whose check digits do not match: a typo, refused where it is typed.
    ("/api/staff", {"name": "Вера", "role": CASHIER, "pin": "1234", "inn": "123456789012"},
     "bad_inn", "контрольные цифры не сходятся"),
    ("/api/staff/{id}/change", {"inn": "500100732258"}, "bad_inn", "контрольные цифры"),
    ("/api/staff/tokens", {"name": "", "role": CASHIER}, "bad_name", "имя"),
    ("/api/staff/tokens", {"name": "Скрипт", "role": "root"}, "bad_role", "роль"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "reason", "words"), INVALID)
def test_invalid_input_is_a_422_that_says_why_and_changes_nothing(
    gateway, olga, path, body, reason, words
):
    anna = add_anna(olga)
    before = olga.get("/api/staff").json()
    audit_before = olga.get("/api/audit").json()
    answer = olga.post(path.format(id=anna.id), json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == reason and words in answer.json()["detail"]
    assert olga.get("/api/staff").json() == before
    assert olga.get("/api/audit").json() == audit_before
    assert sign_in(gateway, anna, CASHIER_PIN).status_code == 200  # the PIN is unchanged


def test_unknown_people_and_audit_groups_are_refused(olga):
    assert olga.post("/api/staff/999/disable").status_code == 404
    assert olga.post("/api/staff/999/pin", json={"pin": "1234"}).status_code == 404
    bad = olga.get("/api/audit?group=everything")
    assert bad.status_code == 422 and bad.json()["error"] == "bad_group"


def test_the_audit_lists_sign_ins_a_wrong_pin_and_staff_changes(gateway, olga):
    anna = add_anna(olga)
    assert sign_in(gateway, anna, "0000").status_code == 401
    with signed_in_client(gateway.app, anna, CASHIER_PIN) as client:
        assert client.post("/api/lock").status_code == 200
    olga.post(f"/api/staff/{anna.id}/pin", json={"pin": "4321"})
    olga.post(f"/api/staff/{anna.id}/change", json={"role": MANAGER, "inn": None})

    sign_ins = olga.get("/api/audit?group=sign_ins").json()
    assert [(r["kind"], r["staff"]) for r in sign_ins] == [
        ("lock", "Анна"), ("sign_in", "Анна"), ("sign_in", "Ольга"),
    ]  # fmt: skip
    assert {r["client"] for r in sign_ins} == {"testclient"}
    (refused,) = olga.get("/api/audit?group=refusals").json()
    assert (refused["kind"], refused["subject"], refused["client"]) == (
        "pin_refused", "Анна", "testclient",
    )  # fmt: skip
    changes = olga.get("/api/audit?group=staff").json()
    assert [(r["kind"], r["staff"], r["subject"]) for r in changes] == [
        ("staff_changed", "Ольга", "Анна"),
        ("pin_reset", "Ольга", "Анна"),
        ("staff_added", "Ольга", "Анна"),
        ("staff_added", None, "Ольга"),  # made from the terminal
    ]
    assert "role=manager" in changes[0]["detail"] and "inn=None" in changes[0]["detail"]
    everything = olga.get("/api/audit?limit=2").json()
    assert [r["kind"] for r in everything] == ["staff_changed", "pin_reset"]
    assert "secret" not in str(olga.get("/api/audit").json())


def test_the_pages_show_a_manager_the_screens_and_a_cashier_who_they_are_for(gateway, olga):
    anna = add_anna(olga)
    staff_page = olga.get("/staff")
    assert staff_page.status_code == 200 and 'id="add-form"' in staff_page.text
    assert "Добавить сотрудника" in staff_page.text
    audit_page = olga.get("/audit?lang=en")
    assert audit_page.status_code == 200 and "Wrong PINs" in audit_page.text
    with signed_in_client(gateway.app, anna, CASHIER_PIN) as client:
        for path in ("/staff", "/audit"):
            page = client.get(path)
            assert page.status_code == 200
            assert "Этот экран — для управляющего" in page.text
            assert 'id="add-form"' not in page.text and "data-group" not in page.text
    stranger = TestClient(gateway.app).get("/staff", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/signin")
