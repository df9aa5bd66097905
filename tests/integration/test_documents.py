"""Paper that goes with an action (gateway/services/documents.py): the receiving report queued
with the posting, never blocking it and never twice; pick slips and shelf labels from the
catalog and the order."""

from contextlib import closing

from gateway.services.documents import (
    post_receiving_and_print,
    print_pick_slip,
    print_shelf_label,
)
from gateway.services.orders import create_order
from gateway.services.receiving import scan_into_receiving, start_receiving
from tests import builders
from tests.builders import CASHIER

MUG = "4600000000015"


def print_jobs(shop) -> list[tuple[str, str]]:
    with closing(shop.db.reader()) as conn:
        return conn.execute("SELECT kind, payload_json FROM print_job ORDER BY id").fetchall()


def received(shop, name: str = "Кружка") -> str:
    variant = builders.variant("MUG", 45000, [{"code": MUG}])
    shop.load_catalog(builders.product("P-MUG", [variant], [], name=name))
    doc = shop.run(start_receiving, by=CASHIER)["doc_id"]
    shop.run(scan_into_receiving, doc, MUG, by=CASHIER, qty=10)
    return doc


def test_a_name_too_long_for_paper_is_cut_on_the_report_and_the_goods_are_posted(shop):
    doc = received(shop, name="Футболка мужская " + "очень длинное описание " * 9)
    posted = shop.run(post_receiving_and_print, doc, by=CASHIER)
    assert shop.level("MUG").on_hand == 10 and posted["print_job"]
    [(kind, payload)] = print_jobs(shop)
    assert kind == "receiving_report" and "…" in payload


def test_a_retried_post_queues_its_report_once(shop):
    doc = received(shop)
    first = shop.run(post_receiving_and_print, doc, by=CASHIER, idem_key="tap-1")
    again = shop.run(post_receiving_and_print, doc, by=CASHIER, idem_key="tap-1")
    later = shop.run(post_receiving_and_print, doc, by=CASHIER)
    assert first["print_job"] and again.get("replayed") and later.get("already")
    assert len(print_jobs(shop)) == 1 and shop.level("MUG").on_hand == 10


def test_a_pick_slip_lists_what_is_left_to_pick_and_a_label_has_the_ean(shop):
    received(shop)
    shop.stock(MUG=5)
    shop.run(create_order, builders.order("W-9", ("MUG", 2)))
    shop.run(print_pick_slip, "W-9", by=CASHIER)
    shop.run(print_shelf_label, "MUG", by=CASHIER)
    [(slip_kind, slip), (label_kind, label)] = print_jobs(shop)
    assert slip_kind == "pick_slip" and '"order_number": "W-9"' in slip and '"quantity": 2' in slip
    assert label_kind == "shelf_label" and f'"ean13": "{MUG}"' in label
