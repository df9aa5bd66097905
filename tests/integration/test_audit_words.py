"""«Журнал» in words an owner understands, against a real database (QA): a cancel a manager's
PIN allowed names the order by the number the screens show and the reason given; a shift's
close carries the cash counted against the books; a refund a manager's PIN allowed is one row
naming both people, not an override row beside it. The page itself: test_ui_audit_signin.py."""

from contextlib import closing

from gateway.adapters.sqlite.staff_queries import audit_rows
from gateway.services.fiscal import shift_closed, shift_opened
from gateway.services.orders import cancel_order, create_order
from gateway.services.refunds import refund
from tests.builders import CASHIER, MANAGER, order, product, variant
from tests.fiscal_service_helpers import (  # noqa: F401 (staff: an autouse fixture)
    FN,
    fiscalise,
    sale,
    staff,
)

APPROVED = CASHIER.approved(MANAGER)  # Анна with Ольга's PIN


def rows(shop, group=None):
    with closing(shop.db.reader()) as conn:
        return audit_rows(conn, group=group)


def test_a_cancel_names_the_order_number_and_the_reason(shop):
    shop.stock(A=2)
    shop.run(create_order, order("W6b117f74-3", ("A", 1), number="3"))
    shop.run(cancel_order, "W6b117f74-3", by=APPROVED, reason="no_show")
    shop.run(create_order, order("W6b117f74-4", ("A", 1), number="4"))
    shop.run(cancel_order, "W6b117f74-4", by=APPROVED, reason="other", text="передумал")
    other, no_show = rows(shop)
    assert no_show["kind"] == "override"
    assert (no_show["staff"], no_show["approved_by"]) == ("Анна", "Ольга")
    assert (no_show["order_number"], no_show["reason"]) == ("3", "no_show")
    assert (other["order_number"], other["reason"], other["reason_text"]) == (
        "4",
        "other",
        "передумал",
    )


def test_a_shift_close_carries_the_counted_cash_and_the_difference(shop):
    shop.load_catalog(product("P-X", [variant("X", 98180)], []))
    shop.stock(X=1)
    shop.run(shift_opened, 1, fn=FN, by=MANAGER, fd=1, fp=1)
    fiscalise(shop, sale(shop, ("X", 1))["receipt_id"], fd=2)
    shop.run(shift_closed, 1, fn=FN, by=APPROVED, fd=3, fp=3, counted=90000)
    (closed,) = [row for row in rows(shop, "money") if row["kind"] == "close_shift"]
    assert closed["amount"] == 98180  # what the books expected
    assert (closed["cash_counted"], closed["cash_expected"], closed["cash_difference"]) == (
        90000,
        98180,
        -8180,
    )
    assert (closed["staff"], closed["approved_by"]) == ("Анна", "Ольга")
    assert [row["kind"] for row in rows(shop)] == ["close_shift"]  # one act, one row


def test_a_refund_a_manager_allowed_is_one_row_naming_both(shop):
    shop.stock(A=2)
    sold = sale(shop, ("A", 1))["receipt_id"]
    fiscalise(shop, sold, fd=10)
    shop.run(refund, sold, None, by=APPROVED)
    for group in (None, "money", "overrides"):
        (row,) = rows(shop, group)
        assert (row["kind"], row["staff"], row["approved_by"], row["amount"]) == (
            "refund",
            "Анна",
            "Ольга",
            10000,
        ), group
    with closing(shop.db.reader()) as conn:  # both audit rows are kept; the view shows one
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 2
