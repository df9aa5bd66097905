"""A 100 000-sku catalog: import time and memory, against bare SQLite and a bare interpreter.

1. Generate a catalog.upsert of 20 000 products × 5 variants (Цвет/Размер, one EAN-13 each).
2. Baseline: the same rows written by bare executemany (same pragmas, one transaction).
3. `storegw --db DB catalog import FILE` as a subprocess: wall time, CPU time and peak RSS
   (startup, JSON parsing, validation and the transaction all included), on a fresh database
   each of IMPORT_REPEATS times (the median kept, as for the baseline); then the same file
   again (updates).
4. A fresh process that starts the gateway core on that database, asks its status, places a few
   orders through the writer thread, and reports its own RSS. Baseline: a bare interpreter.
Speed and size are never pass/fail; the script exits 1 only if something is wrong.

Run as `python bench/bench_catalog.py`; `--rss-child DB` is the measured child process."""

import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from measured_child import child_result, compiled_env, run_measured, storegw_argv

PRODUCTS = 20_000
VARIANTS_PER_PRODUCT = 5
SKUS = PRODUCTS * VARIANTS_PER_PRODUCT
RAW_REPEATS = 3
IMPORT_REPEATS = 3  # one run on a shared machine varies by ±10 %
CHILD_ORDERS = 5
REIMPORT_UNLESS_SLOWER_S = 45  # keeps the script within its time bound on a slow machine
AIM_IMPORT_S = 5  # issue 12
AIM_RSS_MB = 120

COLOURS = ("красный", "синий", "зелёный", "чёрный", "белый", "серый", "бежевый")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")


def ean13(number: int) -> str:
    """A 13-digit code with a valid check digit (prefix 460: Russia)."""
    body = f"460{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def sku_name(index: int) -> str:
    return f"SKU-{index:06d}"


def catalog_products() -> Iterator[dict]:
    """The products one at a time: this process never holds the catalog as one JSON document
    (only the baseline's rows), so it stays small next to the import it measures."""
    for p in range(PRODUCTS):
        variants = []
        for v in range(VARIANTS_PER_PRODUCT):
            index = p * VARIANTS_PER_PRODUCT + v
            variants.append(
                {
                    "sku": sku_name(index),
                    "characteristics": {
                        "Цвет": COLOURS[(p + v) % len(COLOURS)],
                        "Размер": SIZES[v],  # distinct per product: no two variants alike
                    },
                    "price": 49_900 + (index % 1000) * 100,
                    "barcodes": [{"code": ean13(index), "pack": 1}],
                }
            )
        yield {
            "id": f"P-{p:06d}",
            "article": f"ART-{p:06d}",
            "name": f"Футболка хлопковая, модель {p}",
            "vat": "vat22",
            "marked": p % 10 == 0,
            "characteristics": ["Цвет", "Размер"],
            "archived": False,
            "variants": variants,
        }


def write_catalog(path: Path) -> tuple[list, list, list, list]:
    """Write the whole envelope as JSON; return the same data as rows for the raw baseline."""
    rows: tuple[list, list, list, list] = ([], [], [], [])
    with path.open("w", encoding="utf-8") as out:
        out.write('{"v": 1, "id": "bench-catalog-100k", "type": "catalog.upsert",')
        out.write(' "data": {"full": false, "products": [\n')
        for n, product in enumerate(catalog_products()):
            out.write((",\n" if n else "") + json.dumps(product, ensure_ascii=False))
            add_raw_rows(product, rows)
        out.write("\n]}}\n")
    return rows


def open_raw(path: Path) -> sqlite3.Connection:
    """The gateway's pragmas, tables shaped like its product/variant/barcode/stock_level."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(
        """
CREATE TABLE product(id TEXT PRIMARY KEY, article TEXT NOT NULL, name TEXT NOT NULL,
  vat TEXT NOT NULL, marked INTEGER NOT NULL, characteristics_json TEXT NOT NULL,
  archived INTEGER NOT NULL, catalog_version INTEGER NOT NULL) STRICT;
CREATE TABLE variant(sku TEXT PRIMARY KEY, product_id TEXT NOT NULL REFERENCES product(id),
  name TEXT NOT NULL, characteristics_json TEXT NOT NULL, char_key TEXT NOT NULL,
  price INTEGER NOT NULL, archived INTEGER NOT NULL) STRICT;
CREATE INDEX variant_product ON variant(product_id);
CREATE UNIQUE INDEX variant_live_char_key ON variant(product_id, char_key) WHERE archived = 0;
CREATE TABLE barcode(code TEXT NOT NULL, sku TEXT NOT NULL REFERENCES variant(sku),
  pack_qty INTEGER NOT NULL, PRIMARY KEY (code, sku)) STRICT;
CREATE INDEX barcode_sku ON barcode(sku);
CREATE TABLE stock_level(sku TEXT NOT NULL REFERENCES variant(sku), location_id TEXT NOT NULL,
  on_hand INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sku, location_id)) STRICT;
"""
    )
    return conn


def add_raw_rows(p: dict, rows: tuple[list, list, list, list]) -> None:
    """What the gateway stores for one product, as plain tuples."""
    products, variants, barcodes, levels = rows
    chars = json.dumps(p["characteristics"], ensure_ascii=False)
    products.append((p["id"], p["article"], p["name"], p["vat"], int(p["marked"]), chars, 0, 1))
    for v in p["variants"]:
        values = v["characteristics"]
        key = "|".join(f"{k}={val}" for k, val in sorted(values.items()))
        name = f"{p['name']} ({', '.join(values.values())})"
        values_json = json.dumps(values, ensure_ascii=False)
        variants.append((v["sku"], p["id"], name, values_json, key, v["price"], 0))
        barcodes.extend((b["code"], v["sku"], b["pack"]) for b in v["barcodes"])
        levels.append((v["sku"], "main"))


def raw_insert_s(path: Path, rows: tuple[list, list, list, list]) -> float:
    products, variants, barcodes, levels = rows
    conn = open_raw(path)
    try:
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO product VALUES (?,?,?,?,?,?,?,?)", products)
        conn.executemany("INSERT INTO variant VALUES (?,?,?,?,?,?,?)", variants)
        conn.executemany("INSERT INTO barcode VALUES (?,?,?)", barcodes)
        conn.executemany("INSERT INTO stock_level(sku, location_id) VALUES (?,?)", levels)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        count = conn.execute("SELECT COUNT(*) FROM variant").fetchone()[0]
    finally:
        conn.close()
    if count != SKUS:
        raise RuntimeError(f"raw baseline wrote {count} variants, not {SKUS}")
    return elapsed


def compile_modules(tmp: Path, env: dict[str, str]) -> None:
    """An untimed import of a one-product catalog: writes the bytecode of what it loads."""
    small = tmp / "small.json"
    small.write_text(json.dumps({"products": [next(catalog_products())]}), encoding="utf-8")
    argv = [*storegw_argv(), "--db", str(tmp / "small.db"), "catalog", "import", str(small)]
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)


def check_database(path: Path) -> list[str]:
    from gateway.adapters.sqlite.connection import open_connection
    from gateway.adapters.sqlite.invariants import check_invariants

    conn = open_connection(path, readonly=True)
    try:
        problems = check_invariants(conn)
        for table, expected in (
            ("product", PRODUCTS),
            ("variant", SKUS),
            ("barcode", SKUS),
            ("stock_level", SKUS),
        ):
            count = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            if count != expected:
                problems.append(f"{table}: {count} rows after the import, expected {expected}")
    finally:
        conn.close()
    return problems


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="storegw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        catalog_file = tmp / "catalog.json"
        rows = write_catalog(catalog_file)
        size_mb = catalog_file.stat().st_size / 1e6
        print(f"catalog: {PRODUCTS} products, {SKUS} skus, {size_mb:.1f} MB of JSON")

        raw_times = [raw_insert_s(tmp / f"raw{i}.db", rows) for i in range(RAW_REPEATS)]
        del rows
        print("raw insert runs: " + ", ".join(f"{t:.2f} s" for t in raw_times))
        raw_s = statistics.median(raw_times)
        print(f"BENCH sqlite_raw_insert_100k_s {raw_s:.2f} s")

        expected = f"applied {PRODUCTS} products, archived 0, rejected 0"
        env = compiled_env(tmp)
        compile_modules(tmp, env)
        runs = []  # (wall s, peak MB, cpu s) of each import into a fresh database
        for n in range(IMPORT_REPEATS):
            db = tmp / f"gateway{n}.db"
            code, import_s, import_peak, import_cpu = run_measured(
                [*storegw_argv(), "--db", str(db), "catalog", "import", str(catalog_file)],
                tmp / "import.out",
                env,
            )
            output = (tmp / "import.out").read_text(encoding="utf-8", errors="replace").strip()
            print(f"storegw catalog import (exit {code}, {import_s:.2f} s): {output[-500:]}")
            if code != 0 or expected not in output:
                problems.append(f"catalog import failed (exit {code}): {output[-500:]}")
                break
            runs.append((import_s, import_peak, import_cpu))
        if runs:
            import_s = statistics.median(r[0] for r in runs)
            import_peak = max(r[1] for r in runs)
            print(f"BENCH catalog_import_100k_s {import_s:.2f} s")
            print(f"BENCH catalog_import_100k_cpu_s {statistics.median(r[2] for r in runs):.2f} s")
            print(f"BENCH catalog_import_vs_raw_ratio {import_s / raw_s:.1f} ratio")
            print(f"BENCH rss_import_peak_mb {import_peak:.1f} MB")
            verdict = "met" if import_s <= AIM_IMPORT_S else "NOT met"
            print(f"aim: import ≤ {AIM_IMPORT_S} s: {verdict}")
            verdict = "met" if import_peak <= AIM_RSS_MB else "NOT met"
            print(f"aim: import rss ≤ {AIM_RSS_MB} MB: {verdict}")

        if not problems and import_s <= REIMPORT_UNLESS_SLOWER_S:
            # The daily case: the same catalog again (every product updated in place).
            code, reimport_s, _, _ = run_measured(
                [*storegw_argv(), "--db", str(db), "catalog", "import", str(catalog_file)],
                tmp / "reimport.out",
                env,
            )
            output = (tmp / "reimport.out").read_text(encoding="utf-8", errors="replace")
            if code != 0 or expected not in output:
                problems.append(f"catalog re-import failed (exit {code}): {output[-500:]}")
            print(f"BENCH catalog_reimport_100k_s {reimport_s:.2f} s")
        elif not problems:
            print(f"import took over {REIMPORT_UNLESS_SLOWER_S} s: re-import skipped (time bound)")

        if not problems:
            problems += check_database(db)

        bare = "import psutil, sqlite3; print(psutil.Process().memory_info().rss)"
        code, _, _, _ = run_measured([sys.executable, "-c", bare], tmp / "bare.out")
        bare_mb = int((tmp / "bare.out").read_text().split()[0]) / 2**20 if code == 0 else 0.0
        print(f"BENCH rss_python_baseline_mb {bare_mb:.1f} MB")

        if not problems:
            out = tmp / "child.out"
            code, _, child_peak, _ = run_measured(
                [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(db)], out
            )
            if code != 0:
                problems.append(f"gateway child failed (exit {code}): {out.read_text()[-2000:]}")
            else:
                result = child_result(out)
                problems += result["problems"]
                print(
                    f"gateway child: start {result['start_s']:.2f} s (includes the invariant"
                    f" check), status {result['status_s'] * 1000:.0f} ms, {CHILD_ORDERS} orders"
                    f" {result['orders_s'] * 1000:.0f} ms, status says {result['skus']} skus"
                )
                print(f"BENCH gateway_start_100k_s {result['start_s']:.2f} s")
                print(f"BENCH rss_100k_mb {result['rss_mb']:.1f} MB")
                print(f"BENCH rss_100k_peak_mb {child_peak:.1f} MB")
                verdict = "met" if result["rss_mb"] <= AIM_RSS_MB else "NOT met"
                print(f"aim: rss ≤ {AIM_RSS_MB} MB: {verdict}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


def rss_child(db: str) -> int:
    """The measured process: the gateway core with the 100k catalog, as `storegw run` has it
    (without the web server). Prints one RESULT line of JSON."""
    import psutil

    from gateway.bootstrap import Gateway
    from gateway.config import load_config
    from gateway.domain.stock import parse_stock_change
    from gateway.services.orders import create_order
    from gateway.services.stock import apply_stock_change

    problems = []
    start = time.perf_counter()
    gateway = Gateway(load_config(None, env={"STOREGW_DATABASE_PATH": db})).start()
    start_s = time.perf_counter() - start
    try:
        t = time.perf_counter()
        status = gateway.status()
        status_s = time.perf_counter() - t
        skus = [sku_name(i * (SKUS // CHILD_ORDERS)) for i in range(CHILD_ORDERS)]
        items = [{"sku": sku, "on_hand": 10} for sku in skus]
        gateway.writer.call(
            apply_stock_change, parse_stock_change("set", {"reason": "bench", "items": items})
        )
        t = time.perf_counter()
        for n, sku in enumerate(skus):
            order = {
                "order_id": f"RSS-{n}",
                "lines": [{"line_id": "1", "sku": sku, "qty": 2, "price": 49_900}],
            }
            result = gateway.writer.call(create_order, order)
            if result["status"] != "reserved":
                problems.append(f"order RSS-{n} came back {result['status']}")
        orders_s = time.perf_counter() - t
        after = gateway.status()
        rss_mb = psutil.Process().memory_info().rss / 2**20
        if not status["ok"] or status["catalog"]["skus"] != SKUS:
            problems.append(f"status at start: ok={status['ok']}, {status['catalog']}")
        if after["orders"]["reserved"] != CHILD_ORDERS:
            problems.append(f"status after the orders: {after['orders']}")
        problems += gateway.check()
    finally:
        gateway.stop()
    result = {
        "rss_mb": rss_mb,
        "start_s": start_s,
        "status_s": status_s,
        "orders_s": orders_s,
        "skus": status["catalog"]["skus"],
        "problems": problems,
    }
    print("RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--rss-child":
        sys.exit(rss_child(sys.argv[2]))
    sys.exit(main())
