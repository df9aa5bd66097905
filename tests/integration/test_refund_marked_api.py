"""Refunding some of a receipt's marked pieces through the staff API of a running gateway with
the register simulator: the refund dialog's view lists the codes left; a code not sold on the
receipt, one already refunded, a count instead of codes are refused with a clear reason and
change nothing; the codes of the pieces brought back reach the register's refund receipt; the
rest of the receipt goes back without scanning, the codes taken from the receipt."""

import time

import pytest

from tests.integration.test_marking_api import CRYPTO, on_hand, start, wait_done
from tests.signin import desk_clients

CODES = [f"0104601234567893215back000{n}{CRYPTO}" for n in (1, 2, 3)]


@pytest.fixture
def api(tmp_path, sim):
    gateway = start(tmp_path, sim.slave_path)
    client = desk_clients(gateway)
    with client, client.manager:
        yield client
    gateway.stop()


def refunds(sim) -> list[dict]:
    return [r for r in sim.receipts if r["op_type"] == 2]  # возврат прихода


def test_some_marked_pieces_go_back_by_their_codes_and_bad_codes_change_nothing(api, sim):
    items = [{"sku": "SH-42", "qty": 3, "marking_codes": CODES}]
    sold = api.post("/api/sales", json={"items": items, "payment": "card"})
    assert sold.status_code == 200, sold.text
    receipt_id = sold.json()["receipt_id"]
    wait_done(api, 1)
    assert on_hand(api) == 0
    path = f"/api/receipts/{receipt_id}/refund"
    [line] = api.get(path).json()["lines"]
    assert (line["marked"], line["left"], line["codes"]) == (
        True,
        3,
        {"left": CODES, "refunded": []},
    )

    manager = api.manager
    never = "0104601234567893215back0009" + CRYPTO
    bad = {
        "not sold": ([{"sku": "SH-42", "marking_codes": [never]}], "refund_code"),
        "twice": ([{"sku": "SH-42", "marking_codes": [CODES[1], CODES[1]]}], "refund_code"),
        "by count": ([{"sku": "SH-42", "qty": 1}], "refund_codes_needed"),
        "not a code": ([{"sku": "SH-42", "marking_codes": ["4600000000015"]}], "marking_code"),
    }
    for what, (request, reason) in bad.items():
        refused = manager.post(path, json={"items": request})
        assert refused.status_code == 422, (what, refused.text)
        assert refused.json()["error"] == reason, what
    said = manager.post(path, json={"items": bad["not sold"][0]}).json()["detail"]
    assert "back0009 of SH-42 was not sold on this receipt" in said
    assert "Код маркировки 0104601234567893215back0009 не продавался по этому чеку" in said
    assert on_hand(api) == 0 and len(api.get("/api/receipts").json()) == 1  # nothing changed

    # Typed without its GS separators, the code still names the piece as it was sold.
    typed = CODES[1].replace("\x1d", "")
    back = manager.post(path, json={"items": [{"sku": "SH-42", "marking_codes": [typed]}]})
    assert back.status_code == 200, back.text
    assert back.json()["total"] == 499000
    wait_done(api, 2)
    [first] = refunds(sim)
    assert first["marking_codes"] == [CODES[1]]
    assert on_hand(api) == 1
    [line] = api.get(path).json()["lines"]
    assert line["codes"] == {"left": [CODES[0], CODES[2]], "refunded": [CODES[1]]}

    again = manager.post(path, json={"items": [{"sku": "SH-42", "marking_codes": [CODES[1]]}]})
    assert again.status_code == 422 and again.json()["error"] == "refund_code"
    assert "already refunded" in again.json()["detail"]
    assert "уже возвращён по этому чеку" in again.json()["detail"]

    # The rest, as the dialog's «Всё оставшееся» sends it: no scanning, the receipt's codes.
    rest = manager.post(path, json={})
    assert rest.status_code == 200, rest.text
    wait_done(api, 3)
    assert [r["marking_codes"] for r in refunds(sim)] == [[CODES[1]], [CODES[0], CODES[2]]]
    assert on_hand(api) == 3
    time.sleep(0.2)
    assert api.get(path).json()["refund"] == "done"
