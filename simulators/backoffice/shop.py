"""A back-office catalog and a web shop that orders like a real one (pure: no MQTT, seeded RNG).

Since contract 1.1 some buyers pay on the site: `order.paid` follows their `order.created`, and
cancelling such an order gives the money back (`order.refunded`). The others pay at pickup."""

import random
from collections import Counter
from datetime import UTC, datetime

COLORS = [
    ("красный", "RED"),
    ("синий", "BLUE"),
    ("чёрный", "BLACK"),
    ("белый", "WHITE"),
    ("зелёный", "GREEN"),
    ("серый", "GREY"),
    ("жёлтый", "YELLOW"),
    ("бежевый", "BEIGE"),
]
SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
KINDS = ["Футболка", "Толстовка", "Джинсы", "Куртка", "Кепка", "Шарф", "Рубашка", "Платье"]
CUSTOMERS = ["Анна", "Иван", "Мария", "Олег", "Екатерина", "Дмитрий", "Ольга", "Сергей"]
PAYMENT_METHODS = ["card_online", "card_online", "sbp", "other_electronic"]  # cards the most


def rfc3339_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ean13_check_digit(first12: str) -> str:
    """GS1 check digit: weights 1,3,1,3… over the first 12 digits, rounded up to a ten."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def ean13(product: int, variant: int) -> str:
    first12 = f"460{product:06d}{variant:03d}"  # 460–469: GS1 Russia
    return first12 + ean13_check_digit(first12)


def make_catalog(products: int, variants_per_product: int, *, full: bool = True) -> dict:
    """The `data` of a catalog.upsert. Each product declares Цвет and Размер and has that many
    variants, each a distinct (colour, size) pair; 0 variants per product means simple products
    (one variant with no characteristics, as the contract wants); every third variant has a
    low-stock threshold (`min_stock`). Deterministic."""
    limit = len(COLORS) * len(SIZES)
    if not 0 <= variants_per_product <= limit:
        raise ValueError(f"variants_per_product must be 0..{limit}")
    items = []
    for p in range(products):
        article = f"A{p + 1:04d}"
        kind = KINDS[p % len(KINDS)]
        price = (490 + 100 * (p % 25)) * 100 + 90  # kopecks: 590.90 ₽, 690.90 ₽, ...
        product = {
            "id": f"P-{p + 1:04d}",
            "article": article,
            "name": f"{kind} модель {p + 1}",
            "vat": "vat22",
            "marked": False,
            "characteristics": ["Цвет", "Размер"] if variants_per_product else [],
            "archived": False,
            "variants": [],
        }
        for v in range(max(1, variants_per_product)):
            if variants_per_product:
                (color, code), size = COLORS[v // len(SIZES)], SIZES[v % len(SIZES)]
                sku, chars = f"{article}-{code}-{size}", {"Цвет": color, "Размер": size}
            else:
                sku, chars = article, {}
            variant = {"sku": sku, "characteristics": chars, "price": price}
            variant["barcodes"] = [{"code": ean13(p + 1, v), "pack": 1}]
            if (p + v) % 3 == 0:  # the back-office's «неснижаемый остаток» (contract 1.1)
                variant["min_stock"] = 2
            product["variants"].append(variant)
        items.append(product)
    return {"full": full, "products": items}


def skus_and_prices(catalog: dict) -> dict[str, int]:
    return {v["sku"]: v["price"] for p in catalog["products"] for v in p["variants"]}


def initial_stock(catalog: dict, on_hand: int = 5, rng: random.Random | None = None) -> dict:
    """The `data` of a stock.set: `on_hand` of every sku, or 0..2×on_hand at random with rng."""
    items = []
    for sku in skus_and_prices(catalog):
        qty = rng.randint(0, 2 * on_hand) if rng else on_hand
        items.append({"sku": sku, "on_hand": qty})
    return {"reason": "initial", "items": items}


class WebShop:
    """Customers who only buy what the shop's page shows as available.

    The page shows the cloud's `available` minus units of the shop's own orders the gateway has
    not answered yet (a real shop decrements at checkout, before the store confirms). Bursts
    model several customers looking at the same last units at once: each sees them available,
    together they want more — the gateway must make the late ones short, never oversell."""

    def __init__(
        self,
        catalog: dict,
        rng: random.Random,
        *,
        cancel_ratio: float = 0.1,
        order_prefix: str = "W-",
        max_qty: int = 2,
        pay_online: float = 0.0,
    ) -> None:
        self.prices = skus_and_prices(catalog)
        self.rng = rng
        self.cancel_ratio = cancel_ratio
        self.pay_online = pay_online  # the share of orders paid on the site
        self.paid: dict[str, dict] = {}  # order_id → the order.paid data sent for it
        self.order_prefix = order_prefix
        self.max_qty = max_qty
        self.placed: dict[str, Counter] = {}  # order_id → units per sku
        self.cancelled: set[str] = set()
        self.count = 0

    def page(self, available: dict[str, int], answered: dict[str, str]) -> dict[str, int]:
        """The shop's view: the cloud's available minus its own unanswered orders."""
        pending: Counter = Counter()
        for order_id, units in self.placed.items():
            if order_id not in answered:
                pending.update(units)
        return {sku: available.get(sku, 0) - pending[sku] for sku in self.prices}

    def _order(self, lines: list[tuple[str, int]]) -> dict:
        self.count += 1
        order_id = f"{self.order_prefix}{self.count}"
        name = self.rng.choice(CUSTOMERS)
        data = {
            "order_id": order_id,
            "number": str(self.count),
            "channel": "web",
            "paid": False,  # paid at pickup, or on the site: then order.paid says so
            "customer": {
                "name": name,
                "email": f"buyer{self.count}@example.ru",
                "phone": f"+7900{self.rng.randint(0, 9999999):07d}",
            },
            "lines": [
                {"line_id": str(i + 1), "sku": sku, "qty": qty, "price": self.prices[sku]}
                for i, (sku, qty) in enumerate(lines)
            ],
        }
        units: Counter = Counter()
        for sku, qty in lines:
            units[sku] += qty
        self.placed[order_id] = units
        return data

    def order(self, page: dict[str, int]) -> dict | None:
        """One order (`order.created` data) for skus shown available, or None if sold out."""
        in_stock = sorted(sku for sku, n in page.items() if n > 0)
        if not in_stock:
            return None
        count = 2 if len(in_stock) > 1 and self.rng.random() < 0.2 else 1
        chosen = self.rng.sample(in_stock, count)
        return self._order(
            [(sku, self.rng.randint(1, min(self.max_qty, page[sku]))) for sku in chosen]
        )

    def burst(self, page: dict[str, int]) -> list[dict]:
        """Customers racing for the last units of the scarcest sku still shown: one more
        one-unit order than there are units (up to three more)."""
        in_stock = [(n, sku) for sku, n in page.items() if n > 0]
        if not in_stock:
            return []
        units, sku = min(in_stock)
        return [self._order([(sku, 1)]) for _ in range(units + self.rng.randint(1, 3))]

    def restock(self, page: dict[str, int], qty: int, below: float = 0.25) -> dict | None:
        """A delivery (`stock.adjust` data, +qty of every sold-out sku) once fewer than `below`
        of the skus are still on sale, so a long run (or a resumed one) keeps trading."""
        sold_out = sorted(sku for sku, n in page.items() if n <= 0)
        if qty <= 0 or not page or len(page) - len(sold_out) >= below * len(page):
            return None
        return {"reason": "transfer_in", "items": [{"sku": s, "delta": qty} for s in sold_out]}

    def payment(self, order: dict) -> dict | None:
        """`order.paid` data for a new order, for the share of buyers who pay on the site."""
        if self.pay_online <= 0 or self.rng.random() >= self.pay_online:
            return None
        total = sum(line["qty"] * line["price"] for line in order["lines"])
        data = {
            "order_id": order["order_id"],
            "payment_id": f"pay-{order['order_id']}",
            "amount": total,
            "method": self.rng.choice(PAYMENT_METHODS),
            "paid_at": rfc3339_now(),
        }
        self.paid[order["order_id"]] = data
        return data

    def refund(self, order_id: str) -> dict | None:
        """`order.refunded` data giving a cancelled order's payment back (None if unpaid)."""
        payment = self.paid.pop(order_id, None)
        if payment is None:
            return None
        return {
            "order_id": order_id,
            "payment_id": payment["payment_id"],
            "amount": payment["amount"],
            "refunded_at": rfc3339_now(),
        }

    def maybe_cancel(self, statuses: dict[str, str]) -> dict | None:
        """With probability cancel_ratio, a customer cancels one of the shop's open orders."""
        if self.rng.random() >= self.cancel_ratio:
            return None
        open_orders = sorted(
            o
            for o in self.placed
            if statuses.get(o) in ("reserved", "short") and o not in self.cancelled
        )
        if not open_orders:
            return None
        order_id = self.rng.choice(open_orders)
        self.cancelled.add(order_id)
        return {"order_id": order_id, "reason": "customer"}
