"""What the back-office knows from the gateway's messages, applied strictly in seq order.

Applying in seq order is what makes the web shop's stock safe: a `stock.changed` is an absolute
snapshot, so an older one processed after a newer one would reopen sold-out units (DOMAIN.md 1.7,
edge 38). The inbound stream (model.Inbound) only hands messages here once they are contiguous."""

from collections import Counter
from dataclasses import dataclass


@dataclass
class Answer:
    """The gateway's first answer to one of the cloud's orders (for the CLI's event lines)."""

    order_id: str
    status: str  # reserved | short | rejected
    lag: float | None  # seconds from sending order.created to receiving this answer
    detail: str = ""


class ShopView:
    def __init__(self) -> None:
        self.available: dict[str, int] = {}  # sku → what the web shop may sell
        self.stock: dict[str, dict] = {}  # sku → the last {on_hand, reserved, available}
        self.orders: dict[str, str] = {}  # order_id → last status seen
        self.first_status: dict[str, str] = {}  # order_id → the gateway's first answer
        self.rejected: list[dict] = []  # message.rejected bodies
        self.answers: list[Answer] = []  # append-only, read by the CLI
        self.lags: list[float] = []  # order.created → order.reserved, seconds
        self.sent_at: dict[str, float] = {}  # order_id → when the cloud sent order.created
        self.oversold: dict[str, str] = {}  # sku → why (first time seen)
        # Units the cloud's own orders hold, per the gateway's latest order.reserved of each.
        self.held: dict[str, Counter] = {}
        self.held_by_sku: Counter = Counter()
        self.running_out: dict[str, dict] = {}  # sku → the last stock.low (contract 1.1)
        self.receipts: Counter = Counter()  # receipt.fiscalized per kind (sell, prepayment, ...)
        self.receipted_payments: dict[str, list[str]] = {}  # payment_id → its receipts' kinds
        self.fiscal_alarms: list[dict] = []  # fiscal.alarm bodies (contract 1.1)

    def note_order_sent(self, order_id: str, at: float) -> None:
        self.sent_at.setdefault(order_id, at)

    def apply(self, env: dict, arrived_at: float) -> None:
        handler = getattr(self, "_" + env["type"].replace(".", "_"), None)
        if handler is not None:
            handler(env["data"], arrived_at)

    # --- stock ---------------------------------------------------------------------------------

    def _stock_changed(self, data: dict, _at: float) -> None:
        if data.get("full"):  # a resync: the whole list, skus not in it are gone
            self.available, self.stock = {}, {}
        for item in data["items"]:
            sku = item["sku"]
            on_hand, reserved, available = item["on_hand"], item["reserved"], item["available"]
            self.available[sku] = available
            self.stock[sku] = {"on_hand": on_hand, "reserved": reserved, "available": available}
            low = self.running_out.get(sku)
            if low is not None and available > low["min_stock"]:
                del self.running_out[sku]  # recovered: the gateway announces the next fall
            if on_hand < 0 or reserved < 0 or available < 0:
                self._flag(sku, f"negative numbers {self.stock[sku]}")
            elif reserved > on_hand:
                self._flag(sku, f"reserved {reserved} > on_hand {on_hand}")
            elif available > on_hand - reserved:
                self._flag(sku, f"available {available} > on_hand − reserved {on_hand - reserved}")

    def _stock_low(self, data: dict, _at: float) -> None:
        """Contract 1.1: the sku fell to or below its threshold (once per crossing)."""
        sku = data.get("sku")
        if isinstance(sku, str):
            self.running_out[sku] = {
                "available": data.get("available"),
                "min_stock": data.get("min_stock"),
            }

    def check_held(self) -> None:
        """Sold more than stock: the units our orders hold exceed on_hand. Only meaningful at a
        quiet moment (one gateway transaction publishes several messages; mid-way the counts
        need not agree), so the caller runs it when the stream has been idle, and at the end."""
        for sku, units in self.held_by_sku.items():
            numbers = self.stock.get(sku)
            if numbers is not None and units > numbers["on_hand"]:
                self._flag(sku, f"web orders hold {units} > on_hand {numbers['on_hand']}")

    def _flag(self, sku: str, why: str) -> None:
        self.oversold.setdefault(sku, why)

    # --- orders --------------------------------------------------------------------------------

    def _set_held(self, order_id: str, units: Counter) -> None:
        self.held_by_sku.subtract(self.held.pop(order_id, Counter()))
        if units:
            self.held[order_id] = units
            self.held_by_sku.update(units)
        self.held_by_sku = +self.held_by_sku  # drop zero entries

    def _answer(self, order_id: str, status: str, at: float, detail: str = "") -> None:
        self.orders[order_id] = status
        if order_id in self.first_status:
            return
        self.first_status[order_id] = status
        sent = self.sent_at.get(order_id)
        lag = None if sent is None else max(0.0, at - sent)
        if lag is not None and status != "rejected":
            self.lags.append(lag)
        self.answers.append(Answer(order_id, status, lag, detail))

    def _order_reserved(self, data: dict, at: float) -> None:
        units: Counter = Counter()
        for line in data["lines"]:
            units[line["sku"]] += max(0, line["reserved"])
        self._set_held(data["order_id"], units)
        self._answer(data["order_id"], data["status"], at)

    def _order_rejected(self, data: dict, at: float) -> None:
        self._set_held(data["order_id"], Counter())
        detail = f"{data.get('reason', '')}: {data.get('detail', '')}".strip(": ")
        self._answer(data["order_id"], "rejected", at, detail)

    def _order_cancelled(self, data: dict, _at: float) -> None:
        self._set_held(data["order_id"], Counter())
        self.orders[data["order_id"]] = "cancelled"

    def _order_shipped(self, data: dict, _at: float) -> None:
        # Shipped units leave both the reserve and on_hand: stop counting them as held.
        units = Counter(self.held.get(data["order_id"], Counter()))
        for line in data.get("lines") or []:
            if isinstance(line, dict) and isinstance(line.get("qty"), int):
                units[line.get("sku")] -= line["qty"]
        self._set_held(data["order_id"], +units)
        self.orders[data["order_id"]] = "shipped"

    def _message_rejected(self, data: dict, _at: float) -> None:
        self.rejected.append(data)

    # --- the till (contract 1.1: payments on the site are receipted too) ------------------------

    def _receipt_fiscalized(self, data: dict, _at: float) -> None:
        kind = data.get("kind")
        self.receipts[kind] += 1
        payment_id = data.get("payment_id")
        if isinstance(payment_id, str):
            self.receipted_payments.setdefault(payment_id, []).append(kind)

    def _fiscal_alarm(self, data: dict, _at: float) -> None:
        self.fiscal_alarms.append(data)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]
