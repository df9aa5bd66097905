"""Payments made on the site, their refunds, and what of an order's money is where (m013)."""

import sqlite3
from dataclasses import dataclass

from gateway.domain.payments import OnlinePayment, OnlineRefund


@dataclass(frozen=True)
class StoredPayment:
    payment_id: str
    order_id: str
    amount: int
    method: str
    paid_at: str
    receipt_id: int  # the prepayment receipt job
    refunded: int  # what of it went back to the buyer


@dataclass(frozen=True)
class OrderMoney:
    """An order's money as the books hold it (kopecks)."""

    paid: int  # paid on the site (every order.paid)
    refunded: int  # given back (every order.refunded)
    offset: int  # prepayment offset at handovers (tag 1215 of the handover receipts)
    taken: int  # taken at handovers in cash or by card (the handover receipts less the offset)

    @property
    def unused_prepayment(self) -> int:
        """Paid on the site, neither given back nor yet offset against goods handed over."""
        return self.paid - self.refunded - self.offset


_PAYMENT_COLUMNS = "payment_id, order_id, amount, method, paid_at, receipt_id, refunded"


class PaymentRepo:
    def __init__(self, conn: sqlite3.Connection, now: str):
        self.conn = conn
        self.now = now

    def get(self, payment_id: str) -> StoredPayment | None:
        row = self.conn.execute(
            f"SELECT {_PAYMENT_COLUMNS} FROM order_payment WHERE payment_id = ?", (payment_id,)
        ).fetchone()
        return StoredPayment(*row) if row else None

    def of_order(self, order_id: str) -> list[StoredPayment]:
        rows = self.conn.execute(
            f"SELECT {_PAYMENT_COLUMNS} FROM order_payment WHERE order_id = ? ORDER BY rowid",
            (order_id,),
        )
        return [StoredPayment(*row) for row in rows]

    def add(self, payment: OnlinePayment, receipt_id: int, msg_id: str | None) -> None:
        self.conn.execute(
            "INSERT INTO order_payment(payment_id, order_id, amount, method, paid_at, receipt_id,"
            " msg_id, created_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                payment.payment_id,
                payment.order_id,
                payment.amount,
                payment.method,
                payment.paid_at,
                receipt_id,
                msg_id,
                self.now,
            ),
        )

    def refund_known(self, refund: OnlineRefund) -> int | None:
        """The refund receipt of this very refund if it was recorded already, else None."""
        row = self.conn.execute(
            "SELECT receipt_id FROM order_refund"
            " WHERE payment_id = ? AND refunded_at = ? AND amount = ?",
            (refund.payment_id, refund.refunded_at, refund.amount),
        ).fetchone()
        return row[0] if row else None

    def add_refund(self, refund: OnlineRefund, receipt_id: int, msg_id: str | None) -> None:
        self.conn.execute(
            "INSERT INTO order_refund(payment_id, order_id, amount, refunded_at, receipt_id,"
            " msg_id, created_at) VALUES (?,?,?,?,?,?,?)",
            (
                refund.payment_id,
                refund.order_id,
                refund.amount,
                refund.refunded_at,
                receipt_id,
                msg_id,
                self.now,
            ),
        )
        self.conn.execute(
            "UPDATE order_payment SET refunded = refunded + ? WHERE payment_id = ?",
            (refund.amount, refund.payment_id),
        )

    def money(self, order_id: str) -> OrderMoney:
        row = self.conn.execute(
            "SELECT"
            " (SELECT coalesce(sum(amount), 0) FROM order_payment WHERE order_id = :o),"
            " (SELECT coalesce(sum(refunded), 0) FROM order_payment WHERE order_id = :o),"
            " (SELECT coalesce(sum(prepaid), 0) FROM receipt_job"
            "   WHERE order_id = :o AND receipt_kind = 'sell'),"
            " (SELECT coalesce(sum(total - prepaid), 0) FROM receipt_job"
            "   WHERE order_id = :o AND receipt_kind = 'sell')",
            {"o": order_id},
        ).fetchone()
        return OrderMoney(*row)

    def set_paid(self, order_id: str, paid: bool) -> bool:
        """The order's `paid` flag; a change is a change of the order (a screen showing the
        old one is stale: the money to take at pickup changed). True if it changed."""
        cursor = self.conn.execute(
            "UPDATE customer_order SET paid = ?, version = version + 1, updated_at = ?"
            " WHERE id = ? AND paid != ?",
            (int(paid), self.now, order_id, int(paid)),
        )
        return cursor.rowcount == 1
