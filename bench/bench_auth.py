"""What signing in costs on the box (issue 9): the session check every request pays, and the
PIN hash a sign-in pays on purpose.

1. 50 people signed in on a real gateway database (the gateway's own Auth, through the writer),
   then 10 000 checks, each a random tablet's cookie: the session look-up, the idle clock and
   the CSRF comparison a state-changing request adds -- the middleware's work, no HTTP.
   Baseline, same run, same database: a bare SELECT of the session row by its key.
2. The PIN hash (scrypt, the gateway's parameters), hashing and checking: 20 of each.
   Baseline: one SHA-256 of an API token (what a token request pays).

Prints:
  BENCH ui_session_check_p50_us, ui_session_check_p99_us   (aim: p99 <= 200 us)
  BENCH sqlite_session_select_p99_us, ui_session_check_vs_select_p99_ratio
  BENCH pin_hash_ms, pin_verify_ms                           (aim: 50 to 300 ms)
  BENCH token_sha256_us"""

import hmac
import random
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from gateway.adapters.auth import Auth
from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.writer import Writer
from gateway.config import WebConfig
from gateway.domain.staff import TERMINAL
from gateway.services import staff as staff_service
from gateway.services.pins import hash_pin, new_token, token_hash, verify_pin

PEOPLE = 50
CHECKS = 10_000
PINS = 20


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def bench_sessions(db: Path) -> None:
    writer = Writer(db).start()
    auth = Auth(writer, db, WebConfig()).start()
    tablets = []
    for n in range(PEOPLE):
        pin = f"{1000 + n}"
        made = writer.call(
            staff_service.add_staff, f"Кассир {n}", "cashier", hash_pin(pin, n=2**10), by=TERMINAL
        )
        token, session = auth.sign_in(made["id"], pin, f"10.0.0.{n}")
        tablets.append((token, session.csrf, session.id))
    timings = []
    for _ in range(CHECKS):
        token, csrf, _ = random.choice(tablets)
        start = time.perf_counter()
        session, why = auth.session(token, 3.0)
        ok = session is not None and hmac.compare_digest(csrf.encode(), session.csrf.encode())
        timings.append(time.perf_counter() - start)
        if not ok:
            sys.exit(f"a live session was refused: {why}")
    raw = []
    with closing(open_connection(db, readonly=True)) as conn:
        for _ in range(CHECKS):
            _, _, session_id = random.choice(tablets)
            start = time.perf_counter()
            conn.execute(
                "SELECT staff_id, csrf, expires_at FROM staff_session WHERE id = ?", (session_id,)
            ).fetchone()
            raw.append(time.perf_counter() - start)
    auth.stop()
    writer.stop()
    check_p99, raw_p99 = p(timings, 0.99) * 1e6, p(raw, 0.99) * 1e6
    print(f"BENCH ui_session_check_p50_us {p(timings, 0.5) * 1e6:.1f} us")
    print(f"BENCH ui_session_check_p99_us {check_p99:.1f} us")
    print(f"BENCH sqlite_session_select_p99_us {raw_p99:.1f} us")
    print(f"BENCH ui_session_check_vs_select_p99_ratio {check_p99 / raw_p99:.2f} x")


def bench_pins() -> None:
    hashes, checks = [], []
    for n in range(PINS):
        pin = f"{4000 + n}"
        start = time.perf_counter()
        stored = hash_pin(pin)
        hashes.append(time.perf_counter() - start)
        start = time.perf_counter()
        if not verify_pin(pin, stored):
            sys.exit("a right PIN was refused")
        checks.append(time.perf_counter() - start)
    token = new_token()
    sha = []
    for _ in range(1000):
        start = time.perf_counter()
        token_hash(token)
        sha.append(time.perf_counter() - start)
    print(f"BENCH pin_hash_ms {statistics.median(hashes) * 1e3:.1f} ms")
    print(f"BENCH pin_verify_ms {statistics.median(checks) * 1e3:.1f} ms")
    print(f"BENCH token_sha256_us {statistics.median(sha) * 1e6:.2f} us")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_sessions(Path(tmp) / "gateway.db")
    bench_pins()


if __name__ == "__main__":
    main()
