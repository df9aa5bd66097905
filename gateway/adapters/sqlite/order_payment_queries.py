"""Read side of an order's money for the order screen: what was paid on the site (each payment
with its prepayment receipt and the refunds of it), what the handovers offset and took, and what
is left to pay at pickup (issue 11)."""

from __future__ import annotations

import sqlite3

METHOD_WORDS = {  # order.paid `method` → (Russian, English)
    "card_online": ("картой на сайте", "by card on the site"),
    "sbp": ("через СБП", "by SBP"),
    "other_electronic": ("электронно", "electronically"),
}


def roubles(kopecks: int) -> str:
    """1 299 ₽ or 1 299,50 ₽ (a narrow no-break space between the thousands)."""
    whole, kop = divmod(abs(kopecks), 100)
    text = f"{whole:,}".replace(",", "\u202f") + (f",{kop:02d}" if kop else "")
    return f"{'−' if kopecks < 0 else ''}{text} ₽"


def _receipt(row) -> dict:
    return {"receipt_id": row["receipt_id"], "state": row["state"], "fd": row["fd"]}


def payment_block(conn: sqlite3.Connection, order_id: str, total: int, paid_flag: bool) -> dict:
    """`total`: the order's goods not cancelled. `received` is the money the fiscalised
    receipts took (cash net of change, card; an offset is not money received again)."""
    payments = []
    for row in conn.execute(
        "SELECT p.payment_id, p.amount, p.method, p.paid_at, p.refunded, p.receipt_id,"
        " r.state, r.fd FROM order_payment p JOIN receipt_job r ON r.id = p.receipt_id"
        " WHERE p.order_id = ? ORDER BY p.rowid",
        (order_id,),
    ):
        refunds = [
            {"amount": back["amount"], "refunded_at": back["refunded_at"], **_receipt(back)}
            for back in conn.execute(
                "SELECT f.amount, f.refunded_at, f.receipt_id, r.state, r.fd FROM order_refund f"
                " JOIN receipt_job r ON r.id = f.receipt_id WHERE f.payment_id = ? ORDER BY f.id",
                (row["payment_id"],),
            )
        ]
        payments.append(
            {
                "payment_id": row["payment_id"],
                "amount": row["amount"],
                "method": row["method"],
                "paid_at": row["paid_at"],
                "refunded": row["refunded"],
                "receipt": _receipt(row),
                "refunds": refunds,
            }
        )
    money = conn.execute(
        "SELECT"
        " coalesce(sum(CASE WHEN receipt_kind = 'sell' THEN prepaid END), 0),"
        " coalesce(sum(CASE WHEN receipt_kind = 'sell' THEN total - prepaid END), 0),"
        " coalesce(sum(CASE WHEN state = 'done'"
        "   THEN (cash - change + card) * (CASE kind WHEN 'sell' THEN 1 ELSE -1 END) END), 0)"
        " FROM receipt_job WHERE order_id = ?",
        (order_id,),
    ).fetchone()
    offset, taken, received = money[0], money[1], money[2]
    paid = sum(p["amount"] for p in payments)
    refunded = sum(p["refunded"] for p in payments)
    online = paid - refunded
    return {
        "paid_online": paid_flag,  # the order's flag: paid in full (contract v1 or order.paid)
        "total": total,
        "receipts": received,
        "online": online,  # paid on the site, less what went back
        "paid": paid,
        "refunded": refunded,
        "offset": offset,  # of it, offset against goods handed over
        "due": max(0, total - online - taken),  # what is left to pay at pickup
        "payments": payments,
    }


def describe_payment(what: str, detail: dict) -> tuple[str, str] | None:
    """The order history's words for a payment on the site and a refund of one."""
    amount = roubles(detail.get("amount") or 0)
    receipt = detail.get("receipt_id")
    if what == "paid":
        how_ru, how_en = METHOD_WORDS.get(detail.get("method"), ("", ""))
        ru = f"Оплачено на сайте: {amount} {how_ru}, чек предоплаты № {receipt}"
        en = f"Paid on the site: {amount} {how_en}, prepayment receipt no. {receipt}"
        if detail.get("fully_paid"):
            ru, en = f"{ru} — заказ оплачен полностью", f"{en} — the order is paid in full"
        return ru, en
    if what == "refunded":
        return (
            f"Возврат на сайте: {amount}, чек возврата № {receipt}",
            f"Refunded on the site: {amount}, refund receipt no. {receipt}",
        )
    return None
