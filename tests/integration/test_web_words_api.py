"""What the gateway's web API says and refuses, over HTTP on a real gateway:
- the PIN lock's refusal says the same wait in Russian and English (it said «1 мин.» in Russian
  for a 30 s lock), on the sign-in and on a manager's override;
- a count or a quantity that is not a whole number in the JSON (`1e2` is the float 100.0) is
  refused with what was wrong, and changes nothing;
- «Сводка» names the site's payments for what they are, in both languages: the shift the
  register opened for a site prepayment's receipt, and the «По кассирам» line of those receipts
  (it said «открыл(а): Кассир.» and «без имени»)."""

import json

import pytest
from fastapi.testclient import TestClient

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.fiscal import PREPAYMENT, SELL
from gateway.domain.staff import CASHIER, Staff
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.signin import desk_clients, start_gateway
from tests.tablet_fit import DAY, Shop


@pytest.fixture
def desk(tmp_path):
    gateway = start_gateway(tmp_path, "shop-words")
    gateway.run(
        apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
    )
    gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=5)))
    client = desk_clients(gateway)
    yield client
    gateway.stop()


def halves(answer) -> tuple[str, str]:
    english, russian = answer.json()["detail"].split(" / ")
    return english, russian


def test_the_lock_says_thirty_seconds_in_russian_too(desk):
    stranger = TestClient(desk.gateway.web_app())
    staff_id = desk.get("/api/me").json()["id"]  # Анна's
    answers = [
        stranger.post("/api/signin", json={"staff_id": staff_id, "pin": "0000"}) for _ in range(3)
    ]
    locked = answers[-1]
    assert locked.status_code == 429 and locked.json()["wait"] == 30
    english, russian = halves(locked)
    assert english == "too many wrong PINs: try again in 30 seconds"
    assert russian == "слишком много ошибок: попробуйте через 30 секунд"
    again = stranger.post("/api/signin", json={"staff_id": staff_id, "pin": "2222"})
    assert again.status_code == 429
    assert "попробуйте через" in halves(again)[1] and "секунд" in halves(again)[1]
    assert "мин" not in halves(again)[1]  # still under a minute


def test_a_locked_managers_override_says_the_wait_in_both_languages(desk):
    manager_id = desk.manager.get("/api/me").json()["id"]
    body = {"on_hand": 4, "reason": "damage", "note": "", "idem_key": "k-1"}
    for pin in ("0000", "0001", "0002"):
        answer = desk.post("/api/stock/MUG/correct", json=body,
                           headers={"X-Storegw-Override": f"{manager_id}:{pin}"})  # fmt: skip
    assert answer.status_code == 403 and answer.json()["error"] == "locked"
    english, russian = halves(answer)
    assert english.endswith("try again in 30 seconds")
    assert russian.endswith("попробуйте через 30 секунд")


def post_raw(client, path: str, text: str):
    """A JSON body as the text says it (`1e2` stays a float, as any JSON parser reads it)."""
    return client.post(path, content=text, headers={"Content-Type": "application/json"})


def test_counts_that_are_not_whole_numbers_are_refused_and_change_nothing(desk):
    olga = desk.manager
    receiving_id = olga.post("/api/receivings", json={}).json()["doc_id"]
    take_id = olga.post("/api/stocktakes", json={"skus": ["MUG"]}).json()["take_id"]
    tries = {
        "/api/stock/MUG/correct": '{"on_hand": %s, "reason": "found", "note": "", "idem_key": "x"}',
        "/api/stock/MUG/min": '{"min_stock": %s}',
        f"/api/receivings/{receiving_id}/qty": '{"line": "MUG", "qty": %s}',
        f"/api/stocktakes/{take_id}/count": '{"sku": "MUG", "counted": %s}',
    }
    for path, body in tries.items():
        for bad in ("1e2", "100.0", "5.5", '"100"', "true"):
            answer = post_raw(olga, path, body % bad)
            assert 400 <= answer.status_code < 500, (path, bad, answer.status_code)
            detail = json.dumps(answer.json(), ensure_ascii=False)
            assert "integer" in detail, (path, bad, detail)
    card = olga.get("/api/stock/MUG").json()
    assert card["on_hand"] == 5 and card["local_min"] is None
    assert olga.get(f"/api/receivings/{receiving_id}").json()["lines"] == []
    report = olga.get(f"/api/stocktakes/{take_id}").json()
    assert all(line.get("counted") is None for line in report["lines"])


def test_the_summary_names_the_sites_payments_in_both_languages(desk):
    shop = Shop("", desk.gateway, None, None, None)
    shop.receipt(DAY, PREPAYMENT, 150000)  # the day's first receipt: the cloud's, no cashier
    shop.receipt(DAY, PREPAYMENT, 99000)
    olga = desk.manager
    anna = Staff(desk.get("/api/me").json()["id"], "Анна", CASHIER)
    shop.receipt(DAY, SELL, 45000, by=anna)
    ru = olga.get(f"/summary?day={DAY.isoformat()}").text
    assert "автоматически — чеком по оплате на сайте" in ru
    assert "Кассир." not in ru and "без имени" not in ru
    assert 'data-cashier="оплаты на сайте"' in ru
    en = olga.get(f"/summary?day={DAY.isoformat()}&lang=en").text
    assert "automatically, by the receipt of a payment made on the site" in en
    assert 'data-cashier="paid on the site"' in en and "no name" not in en
