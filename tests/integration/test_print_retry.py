"""A print request retried with its idempotency key prints once (found by the power-cut
campaign, tests/reliability/power.py): a tablet whose pick-slip request was committed just
before a power cut never got the answer, sent it again after the restart, and the shop got two
slips nobody asked for. Now the retry gets the first job back — even after the order shipped
meanwhile — and only a request without the key (a person asking again) queues another."""

from contextlib import closing

from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.documents import print_pick_slip, print_shelf_label
from gateway.services.orders import create_order, ship_order
from gateway.services.printing import print_done, print_started, reprint_job
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.builders import CASHIER
from tests.signin import desk_clients, start_gateway

MUG = builders.simple_product("MUG")


def jobs(conn) -> list[tuple[str, str]]:
    return [tuple(row) for row in conn.execute("SELECT kind, ref FROM print_job ORDER BY id")]


def test_a_retried_pick_slip_label_or_reprint_is_queued_once_even_after_the_order_shipped(shop):
    shop.stock(MUG=5)
    shop.run(create_order, builders.order("W-9", ("MUG", 2)))
    first = shop.run(print_pick_slip, "W-9", by=CASHIER, idem_key="slip-1")
    shop.run(ship_order, "W-9", by=CASHIER)
    assert shop.run(print_pick_slip, "W-9", by=CASHIER, idem_key="slip-1") == first
    label = shop.run(print_shelf_label, "MUG", by=CASHIER, idem_key="label-1")
    assert shop.run(print_shelf_label, "MUG", by=CASHIER, idem_key="label-1") == label
    shop.run(print_started, first)
    shop.run(print_done, first)
    copy = shop.run(reprint_job, first, by=CASHIER, idem_key="reprint-1")
    assert (
        shop.run(reprint_job, first, by=CASHIER, idem_key="reprint-1")["print_job_id"]
        == (copy["print_job_id"])
    )
    with closing(shop.db.reader()) as conn:
        assert jobs(conn) == [("pick_slip", "W-9"), ("shelf_label", "MUG"), ("pick_slip", "W-9")]


def test_the_print_routes_take_the_key_and_a_request_without_one_is_a_new_job(tmp_path):
    gateway = start_gateway(tmp_path, "shop-print")
    try:
        client = desk_clients(gateway)
        gateway.run(apply_catalog, parse_catalog_upsert(builders.catalog(MUG)))
        stock = parse_stock_change("set", builders.stock_set(MUG=5))
        gateway.run(apply_stock_change, stock)
        gateway.run(create_order, builders.order("W-1", ("MUG", 1)))
        path = "/api/print/pick-slip/W-1"
        first, again = (client.post(path, json={"idem_key": "tap-1"}) for _ in range(2))
        assert first.status_code == again.status_code == 200, first.text
        assert first.json()["print_job"] == again.json()["print_job"]
        asked_again = client.post(path)  # no key: a person asking for another copy
        assert asked_again.status_code == 200
        assert asked_again.json()["print_job"] != first.json()["print_job"]
        label = "/api/print/label/MUG"
        labels = [client.post(label, json={"idem_key": "tap-2"}).json() for _ in range(2)]
        tests = [client.post("/api/print/test-page", json={"idem_key": "tap-3"}).json()
                 for _ in range(2)]  # fmt: skip
        assert labels[0] == labels[1] and tests[0] == tests[1]
        with gateway.reader() as conn:
            kinds = [kind for kind, _ in jobs(conn)]
        assert kinds == ["pick_slip", "pick_slip", "shelf_label", "test_page"]
    finally:
        gateway.stop()


def test_the_order_screens_pick_slip_button_sends_a_key_and_prints_one_slip(page, live_shop):
    """The tablet's button (order.js) sends its key: the slip comes out of the printer once,
    and the gateway kept the key (a retry of that request would get the same job)."""
    data = builders.order("W-7", ("MUG", 1))
    live_shop.gateway.run(create_order, data)
    live_shop.sign_in(page, live_shop.cashier, "/orders/W-7")
    page.locator("#order").wait_for()
    page.click("#pick-slip")
    [slip] = live_shop.printer.wait_for_documents(1, timeout=10)
    assert "W-7" in slip.text
    with live_shop.gateway.reader() as conn:
        keys = [row[0] for row in conn.execute("SELECT idem_key FROM command_log")]
    assert [key for key in keys if key.startswith("slip-")], keys
