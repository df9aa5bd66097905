"""The fiscal worker against the register simulator when the fiscal drive is replaced between
two days (issue 11): the new drive's shift 1 is a shift of its own in the books, with its own
receipts."""

from contextlib import closing

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.fiscal_repo import FiscalRepo
from gateway.services.fiscal import counter_sale
from tests.builders import CASHIER, MANAGER
from tests.integration.test_fiscal_worker import (  # the worker's fixtures
    all_done,
    start_worker,  # noqa: F401
    wait_for,
    writer,  # noqa: F401
)

NEW_FN = "9999078902009999"


# --- the worker against the register simulator: the drive is replaced between two days ---------


def test_the_worker_keeps_a_replaced_drives_shift_1_apart(writer, sim, start_worker):  # noqa: F811
    worker = start_worker()
    writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "cash"}, by=CASHIER)
    wait_for(lambda: all_done(writer, 1), "the first drive's receipt")
    first_fn = sim.fn_serial
    worker.request("close_shift", by=MANAGER)
    sim.replace_fn(NEW_FN)
    worker.request("open_shift", by=CASHIER)  # the new drive's shift 1
    for _ in range(2):
        writer.call(counter_sale, {"items": [{"sku": "MUG"}], "payment": "card"}, by=CASHIER)
    wait_for(lambda: all_done(writer, 3), "the new drive's receipts")
    with closing(open_connection(writer.path, readonly=True)) as conn:
        shifts = conn.execute("SELECT fn, number, closed_at IS NULL FROM fiscal_shift ORDER BY id")
        assert [tuple(row) for row in shifts] == [(first_fn, 1, 0), (NEW_FN, 1, 1)]
        totals = FiscalRepo(conn, "").shift_receipts(1, NEW_FN)
    assert [(kind, card) for kind, _total, _cash, card, _prepaid, _change, _site in totals] == [
        ("sell", 45000),
        ("sell", 45000),
    ]
    assert [doc["fn"] for doc in sim.all_documents if doc["type"] == "receipt"] == [
        first_fn,
        NEW_FN,
        NEW_FN,
    ]
