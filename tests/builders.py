"""Builders for cloud messages in tests: the payload shapes of MQTT-CONTRACT.md."""

from typing import Any


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
