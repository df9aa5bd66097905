"""Barcode lookup with 100 000 skus in the catalog (issue 5): a scan's way from the scanner's
text to the item and its stock, and a scan counted into an open receiving through the writer.

1. The catalog of bench_catalog.py (20 000 products × 5 variants, one EAN-13 each) is applied
   through the gateway's own catalog service into a fresh database, with stock.
2. Lookup, timed one scan at a time for BENCH_BARCODE_SCANS random codes: the scanner parser
   (check digit, kind), then the read-side query (barcode -> sku -> stock) on a read connection.
   Baseline, same run, same database: a bare `SELECT sku FROM barcode WHERE code = ?`.
3. A scan into an open receiving document through the single writer (one committed, fsynced
   transaction each): what a storekeeper waits for between two beeps.

Prints:
  BENCH barcode_lookup_p50_us, barcode_lookup_p99_us   (aim: p99 <= 1000 us)
  BENCH barcode_raw_select_p50_us, barcode_raw_select_p99_us
  BENCH barcode_lookup_vs_raw_p50_ratio
  BENCH receiving_scan_p50_ms, receiving_scan_p99_ms
Exits 1 if a known code is not found or the counts on the receiving are wrong."""

import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_catalog's generator

from bench_catalog import SKUS, catalog_products, ean13, sku_name  # noqa: E402

from drivers.scanner import parse_code  # noqa: E402
from gateway.adapters.sqlite.connection import open_connection  # noqa: E402
from gateway.adapters.sqlite.database import Database  # noqa: E402
from gateway.adapters.sqlite.queries import lookup_code  # noqa: E402
from gateway.adapters.sqlite.writer import Writer  # noqa: E402
from gateway.domain.catalog import parse_catalog_upsert  # noqa: E402
from gateway.domain.staff import Staff  # noqa: E402
from gateway.domain.stock import parse_stock_change  # noqa: E402
from gateway.services.catalog import apply_catalog  # noqa: E402
from gateway.services.receiving import scan_into_receiving, start_receiving  # noqa: E402
from gateway.services.stock import apply_stock_change  # noqa: E402

BATCH = 2_000  # products per catalog transaction while loading
AIM_P99_US = 1000
BENCH = Staff(1, "bench", "cashier")


def load_catalog(db_path: Path) -> None:
    database = Database(db_path)
    try:
        batch: list[dict] = []
        for product in catalog_products():
            batch.append(product)
            if len(batch) == BATCH:
                database.run(apply_catalog, parse_catalog_upsert({"products": batch}))
                batch = []
        if batch:
            database.run(apply_catalog, parse_catalog_upsert({"products": batch}))
        for start in range(0, SKUS, 10_000):
            items = [{"sku": sku_name(i), "on_hand": 5} for i in range(start, start + 10_000)]
            database.run(
                apply_stock_change,
                parse_stock_change("set", {"reason": "initial", "items": items}),
            )
    finally:
        database.close()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_lookups(db_path: Path, codes: list[tuple[str, str]]) -> tuple[list[float], list[float]]:
    lookups, raw = [], []
    with closing(open_connection(db_path, readonly=True)) as conn:
        for code, _ in codes[:200]:  # warm the page cache alike for both
            lookup_code(conn, code)
            conn.execute("SELECT sku FROM barcode WHERE code = ?", (code,)).fetchall()
        for code, sku in codes:
            started = time.perf_counter()
            parsed = parse_code(code)
            found = lookup_code(conn, parsed.code, parsed.gtin)
            lookups.append(time.perf_counter() - started)
            if found is None or found["items"][0]["sku"] != sku:
                raise SystemExit(f"FAIL: {code} did not find {sku}: {found}")
            started = time.perf_counter()
            row = conn.execute("SELECT sku FROM barcode WHERE code = ?", (code,)).fetchone()
            raw.append(time.perf_counter() - started)
            if row[0] != sku:
                raise SystemExit(f"FAIL: raw select of {code} gave {row[0]}")
    return lookups, raw


def time_receiving_scans(db_path: Path, codes: list[tuple[str, str]]) -> list[float]:
    writer = Writer(db_path).start()
    try:
        doc = writer.call(start_receiving, by=BENCH)["doc_id"]
        samples = []
        for code, _ in codes:
            started = time.perf_counter()
            writer.call(scan_into_receiving, doc, code, by=BENCH)
            samples.append(time.perf_counter() - started)
        view = writer.call(lambda uow: uow.receiving.lines(doc))
        if sum(line.qty for line in view) != len(codes):
            raise SystemExit(f"FAIL: {len(codes)} scans, {sum(line.qty for line in view)} counted")
        return samples
    finally:
        writer.stop()


def main() -> int:
    scans = int(os.environ.get("BENCH_BARCODE_SCANS", "5000"))
    rng = random.Random(int(os.environ.get("BENCH_BARCODE_SEED", "1")))
    with tempfile.TemporaryDirectory(prefix="bench-barcode-") as workdir:
        db_path = Path(workdir) / "gateway.db"
        started = time.perf_counter()
        load_catalog(db_path)
        print(f"catalog of {SKUS} skus loaded in {time.perf_counter() - started:.1f} s")
        picks = [rng.randrange(SKUS) for _ in range(scans)]
        codes = [(ean13(i), sku_name(i)) for i in picks]
        lookups, raw = time_lookups(db_path, codes)
        receiving = time_receiving_scans(db_path, codes[:500])
    p50, p99 = percentile(lookups, 0.5) * 1e6, percentile(lookups, 0.99) * 1e6
    raw50, raw99 = percentile(raw, 0.5) * 1e6, percentile(raw, 0.99) * 1e6
    print(f"BENCH barcode_lookup_p50_us {p50:.0f} us")
    print(f"BENCH barcode_lookup_p99_us {p99:.0f} us")
    print(f"BENCH barcode_raw_select_p50_us {raw50:.1f} us")
    print(f"BENCH barcode_raw_select_p99_us {raw99:.1f} us")
    print(f"BENCH barcode_lookup_vs_raw_p50_ratio {raw50 / p50:.3f} ratio")
    print(f"BENCH receiving_scan_p50_ms {statistics.median(receiving) * 1e3:.2f} ms")
    print(f"BENCH receiving_scan_p99_ms {percentile(receiving, 0.99) * 1e3:.2f} ms")
    verdict = "met" if p99 <= AIM_P99_US else "NOT met"
    print(f"aim: barcode_lookup_p99_us <= {AIM_P99_US}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
