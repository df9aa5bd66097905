"""The order desk's read side (issue 10): what `GET /api/orders` and `GET /api/orders/counts`
cost the server, on a shop with 1 000 open orders and 5 000 finished ones.

Each request opens its own read-only connection, as the gateway does, so the baseline is that:
opening a read connection and `SELECT 1`. Then, interleaved round by round: the board (the
counts and one page of the «new» tab), the counts alone (every tablet polls them each second),
and a search by a buyer's name in Cyrillic (a scan of every order's folded search text).
Speed is never pass/fail; the script exits 1 only if the board's numbers are wrong.

Environment: BENCH_DESK_ROUNDS (default 300)."""

import os
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.order_queries import board_counts, board_page
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.staff import Staff
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import cancel_order, create_order
from gateway.services.stock import apply_stock_change

OPEN, DONE, PRODUCTS = 1000, 5000, 200
ROUNDS = int(os.environ.get("BENCH_DESK_ROUNDS", "300"))
AIM_BOARD_MS = 50
MANAGER = Staff(2, "Ольга", "manager")
NAMES = ("Анна Петрова", "Пётр Сёмин", "Ольга Иванова", "Иван Смирнов")


def catalog() -> dict:
    products = [
        {
            "id": f"P{p}",
            "article": f"A{p}",
            "name": f"Футболка {p}",
            "vat": "vat22",
            "marked": False,
            "characteristics": ["Размер", "Цвет"],
            "archived": False,
            "variants": [
                {"sku": f"S{p}-{size}", "price": 99000, "barcodes": []}
                | {"characteristics": {"Цвет": "красный", "Размер": size}}
                for size in ("S", "M", "L")
            ],
        }
        for p in range(PRODUCTS)
    ]
    return {"full": False, "products": products}


def order(n: int) -> dict:
    lines = [
        {"line_id": str(i), "sku": f"S{(n + i) % PRODUCTS}-M", "qty": 1, "price": 99000}
        for i in (1, 2)
    ]
    customer = {"name": NAMES[n % len(NAMES)], "phone": f"+7900{n:07d}"}
    return {"order_id": f"W-{n}", "number": f"{100000 + n}", "paid": n % 2 == 0,
            "customer": customer, "lines": lines}  # fmt: skip


def fill(uow) -> None:
    for n in range(DONE + OPEN):
        create_order(uow, order(n))
    for n in range(DONE):
        cancel_order(uow, f"W-{n}", by=MANAGER, reason="no_show")


def timed(path: Path, query) -> float:
    start = time.perf_counter()
    with closing(open_connection(path, readonly=True)) as conn:
        query(conn)
    return (time.perf_counter() - start) * 1000


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gateway.db"
        database = Database(path)
        database.run(apply_catalog, parse_catalog_upsert(catalog()))
        levels = {"reason": "initial", "items": [
            {"sku": f"S{p}-M", "on_hand": 10**6} for p in range(PRODUCTS)]}  # fmt: skip
        database.run(apply_stock_change, parse_stock_change("set", levels))
        database.run(fill)
        database.close()
        now = datetime.now(UTC)
        phases = {
            "baseline": lambda conn: conn.execute("SELECT 1").fetchone(),
            "board": lambda conn: board_page(conn, now, tab="new"),
            "counts": lambda conn: board_counts(conn, now),
            "search": lambda conn: board_page(conn, now, tab="new", search="сёмин"),
        }
        samples: dict[str, list[float]] = {name: [] for name in phases}
        for round_ in range(ROUNDS):
            names = list(phases)
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                samples[name].append(timed(path, phases[name]))
        with closing(open_connection(path, readonly=True)) as conn:
            page = board_page(conn, now, tab="new")
            found = board_page(conn, now, tab="new", search="сёмин")
    print(f"BENCH sqlite_read_open_p99_ms {p99(samples['baseline']):.2f} ms")
    board = p99(samples["board"])
    print(f"BENCH orders_board_p99_ms {board:.2f} ms")
    print(f"BENCH orders_counts_p99_ms {p99(samples['counts']):.2f} ms")
    print(f"BENCH orders_search_p99_ms {p99(samples['search']):.2f} ms")
    medians = ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in samples.items())
    print(f"medians (ms): {medians}")
    print(f"aim: board ≤ {AIM_BOARD_MS} ms {'met' if board <= AIM_BOARD_MS else 'NOT met'}")
    wrong = page["counts"]["new"] != OPEN or len(page["orders"]) != 30 or not page["more"]
    wrong |= page["unseen"] != OPEN or page["latest"] != OPEN + DONE
    wrong |= len(found["orders"]) != 30 or "Сёмин" not in found["orders"][0]["customer"]["name"]
    if wrong:
        print(f"wrong board: {page['counts']} unseen {page['unseen']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
