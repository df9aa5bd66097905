"""Builders for cloud messages in tests: the payload shapes of MQTT-CONTRACT.md; and the staff
who act in them."""

from typing import Any

from gateway.domain.staff import Staff

# The actor id columns have no foreign key: these need no staff rows, but the audit (overrides,
# money) does: `hire` them first where a test refunds or moves cash.
CASHIER = Staff(1, "Анна", "cashier")
MANAGER = Staff(2, "Ольга", "manager", inn="500100732259")


def hire(uow) -> None:
    """CASHIER and MANAGER as staff rows of a new database (a command: `shop.run(hire)`)."""
    for person in (CASHIER, MANAGER):
        staff_id = uow.staff.add("person", person.name, person.role, "-", person.inn, None)
        assert staff_id == person.id, "hire them first, into a database without staff"


def variant(sku: str, price: int = 10000, barcodes: list[dict] | None = None, **chars: str) -> dict:
    return {"sku": sku, "characteristics": chars, "price": price, "barcodes": barcodes or []}


def product(
    product_id: str, variants: list[dict], characteristics: list[str] | None = None, **fields: Any
) -> dict:
    if characteristics is None:
        characteristics = sorted({name for v in variants for name in v["characteristics"]})
    return {
        "id": product_id,
        "article": product_id,
        "name": f"Товар {product_id}",
        "vat": "vat22",
        "marked": False,
        "characteristics": characteristics,
        "archived": False,
        "variants": variants,
        **fields,
    }


def simple_product(sku: str, price: int = 10000) -> dict:
    """A product without variants: exactly one variant with no characteristics."""
    return product(f"P-{sku}", [variant(sku, price)], [])


def catalog(*products: dict, full: bool = False) -> dict:
    return {"full": full, "products": list(products)}


def order(order_id: str, *lines: tuple[str, int], **fields: Any) -> dict:
    """order("W-1", ("SKU-A", 2), ("SKU-B", 1)) — line ids are 1, 2, ..."""
    return {
        "order_id": order_id,
        "number": order_id,
        "channel": "web",
        "paid": True,
        "customer": {"name": "Анна", "email": "anna@example.ru", "phone": "+79001234567"},
        "lines": [
            {"line_id": str(i), "sku": sku, "qty": qty, "price": 10000}
            for i, (sku, qty) in enumerate(lines, start=1)
        ],
        **fields,
    }


def stock_set(reason: str = "initial", **on_hand: int) -> dict:
    return {"reason": reason, "items": [{"sku": s, "on_hand": q} for s, q in on_hand.items()]}


def stock_adjust(reason: str = "transfer_in", **delta: int) -> dict:
    return {"reason": reason, "items": [{"sku": s, "delta": d} for s, d in delta.items()]}
