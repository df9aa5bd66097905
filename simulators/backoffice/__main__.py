"""python -m simulators.backoffice — the cloud back-office playing a web shop against a gateway.

Publishes the catalog and the initial stock, then orders at --rate per second (bursts on the last
units, occasional cancellations, a delivery of --stock units per sold-out sku when most are sold
out), consuming and acknowledging what the gateway publishes. A --pay-online share of the orders
is paid on the site (contract 1.1: `order.paid` right after `order.created`; cancelling one gives
the money back with `order.refunded`); the rest are paid at pickup. Ends on SIGINT/SIGTERM or
after --duration with a summary (the gateway's receipts by kind among it); always exits 0 (the
figures are the result).
A broker that is down is waited for, so it can start before the broker and the gateway.

With --summary it plays no web shop: it is the owner away from the shop. It asks the gateway to
replay the events it keeps, computes the owner's summary from them alone (summary.py) for
--day, prints it (--json: as JSON) and exits."""

import argparse
import random
import signal
import threading
import time

from .cloud import Cloud
from .owner import print_summary, say
from .shop import WebShop, initial_stock, make_catalog
from .view import percentile

RESTOCK_COOLDOWN = 5.0  # seconds between deliveries


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m simulators.backoffice", description=__doc__)
    p.add_argument("--url", default="mqtt://127.0.0.1:1883", help="mqtt:// or mqtts:// broker")
    p.add_argument("--store", default="shop-001", help="store id (topic storegw/<store>/...)")
    p.add_argument("--prefix", default="storegw", help="topic prefix")
    p.add_argument("--products", type=int, default=20)
    p.add_argument("--variants", type=int, default=3, help="variants per product (0: simple)")
    p.add_argument("--stock", type=int, default=5, help="initial on_hand of every sku")
    p.add_argument("--rate", type=float, default=2.0, help="orders per second (0: none)")
    p.add_argument("--duration", type=float, default=None, help="seconds (default: until signal)")
    p.add_argument(
        "--burst-every", type=float, default=30.0, help="seconds between bursts (0: off)"
    )
    p.add_argument("--cancel-ratio", type=float, default=0.1, help="chance an order is cancelled")
    p.add_argument(
        "--pay-online",
        type=float,
        default=0.5,
        help="share of orders paid on the site: order.paid after order.created (0: none)",
    )
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--state-file", default=None, help="keep the cloud's seq across restarts")
    p.add_argument("--client-id", default=None, help="default: storegw-cloud-<store>")
    p.add_argument("--summary", action="store_true", help="print the owner's summary and exit")
    p.add_argument("--day", default=None, help="with --summary: YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="with --summary: print JSON")
    p.add_argument("--wait", type=float, default=15.0, help="with --summary: seconds to gather")
    return p.parse_args(argv)


class Run:
    def __init__(self, args: argparse.Namespace, stop: threading.Event) -> None:
        self.args, self.stop = args, stop
        self.rng = random.Random(args.seed)
        self.catalog = make_catalog(args.products, args.variants)
        run_id = format(int(time.time()) % 36**6, "x")  # order ids stay unique across runs
        self.shop = WebShop(
            self.catalog,
            self.rng,
            cancel_ratio=args.cancel_ratio,
            order_prefix=f"W{run_id}-",
            pay_online=args.pay_online,
        )
        client_id = args.client_id or f"storegw-cloud-{args.store}"
        # adopt_acked: joining a long-running gateway, start after what an earlier run acked
        # (its history may be pruned) instead of asking a replay from seq 1.
        self.cloud = Cloud(
            args.url,
            args.store,
            args.prefix,
            client_id,
            state_file=args.state_file,
            adopt_acked=True,
            log=say,
        )
        self.deadline = None if args.duration is None else time.monotonic() + args.duration
        self.sent = self.burst_orders = self.cancels = self.shown = self.restocks = 0
        self.payments = self.refunds = self.paid_total = self.refunded_total = 0
        self.last_sync = ""

    def over(self) -> bool:
        return self.stop.is_set() or (
            self.deadline is not None and time.monotonic() >= self.deadline
        )

    def run(self) -> None:
        say(f"back-office for {self.args.store} on {self.args.url}: {len(self.shop.prices)} skus")
        self.cloud.start()
        while not self.cloud.wait_connected(1.0):
            if self.over():
                return
        # The retained gateway.status tells how far the gateway got with our seq (in_seq).
        if not self.cloud.wait_for(lambda c: c.status is not None, 2.0):
            say("no gateway status yet: messages it misses are resent when it comes online")
        status = self.cloud.status or {}
        in_seq = status.get("in_seq")
        fresh = not self.cloud.resumed and status.get("online") and isinstance(in_seq, int)
        if fresh and self.cloud.continue_seq(in_seq):  # restarted without --state-file
            say(f"gateway already applied cloud seq {in_seq}: numbering on from there")
        self.cloud.send("catalog.upsert", self.catalog)
        if self.cloud.resumed:
            say("resumed from the state file: stock not reset, asking the gateway for a resync")
            self.cloud.resync()
        else:
            self.cloud.send("stock.set", initial_stock(self.catalog, self.args.stock))
        self.play()

    def play(self) -> None:
        rate, every = self.args.rate, self.args.burst_every
        now = time.monotonic()
        next_order = now + self.rng.expovariate(rate) if rate > 0 else float("inf")
        next_burst = now + every if every > 0 else float("inf")
        next_sync, next_restock = now + 10, now + RESTOCK_COOLDOWN
        while not self.over():
            now = time.monotonic()
            if now >= next_order:
                self.place_order()
                next_order = max(next_order + self.rng.expovariate(rate), now - 1)
            if now >= next_burst:
                self.burst()
                next_burst = now + every
            if now >= next_restock and self.restock():
                next_restock = now + RESTOCK_COOLDOWN  # let the gateway's answer come back
            self.print_answers()
            if now >= next_sync:
                self.print_sync()
                next_sync = now + 10
            self.stop.wait(0.02)

    def page(self) -> dict[str, int]:
        return self.shop.page(self.cloud.available, self.cloud.orders)

    def place_order(self) -> None:
        data = self.shop.order(self.page())
        if data is not None:
            self.send_order(data)
            self.sent += 1
        cancel = self.shop.maybe_cancel(self.cloud.orders)
        if cancel is not None:
            self.cloud.send("order.cancelled", cancel)
            self.cancels += 1
            back = self.shop.refund(cancel["order_id"])
            if back is None:
                say(f"order {cancel['order_id']}: customer cancels")
                return
            self.cloud.send("order.refunded", back)
            self.refunds += 1
            self.refunded_total += back["amount"]
            say(f"order {cancel['order_id']}: customer cancels, {rub(back['amount'])} refunded")

    def send_order(self, data: dict) -> None:
        """order.created, and order.paid when this buyer pays on the site."""
        self.cloud.send("order.created", data)
        payment = self.shop.payment(data)
        if payment is not None:
            self.cloud.send("order.paid", payment)
            self.payments += 1
            self.paid_total += payment["amount"]

    def restock(self) -> bool:
        data = self.shop.restock(self.page(), self.args.stock)
        if data is None:
            return False
        self.cloud.send("stock.adjust", data)
        self.restocks += 1
        say(f"restock: +{self.args.stock} of {len(data['items'])} sold-out skus")
        return True

    def burst(self) -> None:
        orders = self.shop.burst(self.page())
        for data in orders:
            self.send_order(data)
        if orders:
            self.sent += len(orders)
            self.burst_orders += len(orders)
            sku = orders[0]["lines"][0]["sku"]
            say(f"burst: {len(orders)} customers race for the last units of {sku}")

    def print_answers(self) -> None:
        answers = self.cloud.answers
        for a in answers[self.shown :]:
            lag = "" if a.lag is None else f" in {a.lag * 1000:.0f} ms"
            word = {"reserved": "accepted", "short": "SHORT"}.get(a.status, a.status)
            say(f"order {a.order_id}: {word}{lag}" + (f" ({a.detail})" if a.detail else ""))
        self.shown = len(answers)

    def print_sync(self) -> None:
        stats, status = self.cloud.stats(), self.cloud.status or {}
        line = (
            f"sync: cloud holds gateway seq 1..{stats['applied_through']}, acked"
            f" {stats['acked']}; gateway's last status: out_seq {status.get('out_seq', '?')},"
            f" in_seq {status.get('in_seq', '?')} (cloud sent {stats['cloud_seq']});"
            f" gaps replayed {stats['gaps_replayed']}, duplicates {stats['duplicates']}"
        )
        if line != self.last_sync:
            say(line)
            self.last_sync = line

    def payments_refused(self) -> int:
        """order.paid / order.refunded the gateway refused: money the cloud must give back."""
        return sum(1 for r in self.cloud.rejected if r.get("reason") == "payment_not_applicable")

    def finish(self) -> None:
        """Give outstanding orders a moment, acknowledge, disconnect, print the summary."""
        mine = {f"{self.shop.order_prefix}{n}" for n in range(1, self.shop.count + 1)}
        if self.cloud.connected:
            self.cloud.wait_for(lambda c: mine <= c.first_status.keys(), 3.0)
        self.print_answers()
        oversold = self.cloud.check_oversold()
        self.cloud.stop()
        first, stats = self.cloud.first_status, self.cloud.stats()
        outcome = {s: sum(1 for o in mine if first.get(o) == s) for s in ("reserved", "short")}
        rejected = sum(1 for o in mine if first.get(o) == "rejected")
        confirmed = sum(1 for o in self.shop.cancelled if self.cloud.orders.get(o) == "cancelled")
        lags = self.cloud.lags
        say(
            f"summary: orders sent {self.sent} ({self.burst_orders} in bursts),"
            f" reserved {outcome['reserved']}, short {outcome['short']}, rejected {rejected},"
            f" unanswered {len(mine - first.keys())}; cancelled {self.cancels}"
            f" ({confirmed} confirmed by the gateway); restocks {self.restocks}"
        )
        say(
            f"payments on the site: {self.payments} ({rub(self.paid_total)}), refunded"
            f" {self.refunds} ({rub(self.refunded_total)}), refused by the gateway"
            f" {self.payments_refused()}"
        )
        receipts = ", ".join(f"{kind} {n}" for kind, n in sorted(self.cloud.receipts.items()))
        say(f"receipts fiscalised: {receipts or 'none'}")
        say(f"oversold: {len(oversold)}")
        for sku, why in sorted(oversold.items()):
            say(f"  OVERSOLD {sku}: {why}")
        say(
            f"messages: received {stats['received']}, duplicates {stats['duplicates']},"
            f" gaps replayed {stats['gaps_replayed']}, protocol errors {stats['protocol_errors']},"
            f" resent to the gateway {stats['resent']}, acks {stats['acks_sent']}"
        )
        p50, p99 = percentile(lags, 50), percentile(lags, 99)
        fmt = "n/a" if p50 is None else f"p50 {p50:.3f} s, p99 {p99:.3f} s ({len(lags)} orders)"
        say(f"lag order.created → order.reserved: {fmt}")


def rub(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d} ₽"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.summary:
        return print_summary(args)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run = Run(args, stop)
    try:
        run.run()
    finally:
        run.finish()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
