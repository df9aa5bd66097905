"""A gateway-like process applying a deterministic stream of commands through the single
writer, printing `ACK <i> <outcome>` only after each command has committed (or been refused).
The crash test kills it with SIGKILL at random moments.

python -m tests.workers.crash DB FIRST LAST"""

import sys

from gateway.adapters.sqlite.writer import Writer
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import DomainError
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import cancel_order, create_order, ship_order
from gateway.services.stock import apply_stock_change
from tests.builders import MANAGER

SKUS = ["K0", "K1", "K2"]


def catalog() -> dict:
    return {
        "full": False,
        "products": [
            {
                "id": f"P-{sku}",
                "name": sku,
                "vat": "vat22",
                "characteristics": [],
                "variants": [{"sku": sku, "characteristics": {}, "price": 100}],
            }
            for sku in SKUS
        ],
    }


def command(i: int):
    """(callable, args, kwargs) of the i-th command; each is idempotent by a key or an id."""
    sku = SKUS[i % len(SKUS)]
    kind = i % 5
    if kind == 0:
        change = parse_stock_change(
            "adjust", {"reason": "delivery", "items": [{"sku": sku, "delta": 3}]}
        )
        return apply_stock_change, (change,), {"idem_key": f"adj-{i}"}
    if kind in (1, 3):
        body = {"order_id": f"W-{i}", "lines": [{"line_id": "1", "sku": sku, "qty": 1 + i % 2}]}
        return create_order, (body,), {}
    if kind == 2:
        return ship_order, (f"W-{i - 1}",), {"by": MANAGER, "idem_key": f"ship-{i}"}
    return cancel_order, (f"W-{i - 1}",), {"by": MANAGER, "idem_key": f"cancel-{i}"}


def main() -> None:
    db_path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    writer = Writer(db_path).start()
    writer.call(apply_catalog, parse_catalog_upsert(catalog()), report=False)
    for i in range(first, last):
        fn, args, kwargs = command(i)
        try:
            writer.call(fn, *args, **kwargs)
            outcome = "ok"
        except DomainError:
            outcome = "refused"
        print(f"ACK {i} {outcome}", flush=True)
    writer.stop()


if __name__ == "__main__":
    main()
