"""`storegw fiscal correction` and `storegw fiscal corrections`: correction receipts (чек коррекции,
FFD 1.2) from the gateway's terminal, for a shop integrator or a manager at the box.

A correction is queued in the gateway's database like any receipt, with its reason in the audit;
the running gateway prints it on the register within its poll interval ([fiscal] poll), or when
it next starts. It is a manager's act: `--manager` names the person and their PIN is read from
the terminal without echo (or one line of standard input, for scripts); a wrong PIN is refused
and recorded. Nothing is queued anonymously.

Two cases:

  A sale made while the register was down (a correction of приход, dated the day of the sale):
    storegw fiscal correction --manager Ольга --date 2026-11-30 --sku MUG --qty 2 --cash \\
        --reason "Касса не работала 30.11, продажа записана в тетрадь"

  A wrong receipt (its reverse, then the right one if --then-sku is given):
    storegw fiscal correction --manager Ольга --reverse 57 --then-sku MUG --then-qty 1 \\
        --card --reason "Пробили две кружки вместо одной"

Each --sku (or --then-sku) takes the matching --qty and --price in order (give one for every
--sku, or none: 1 piece at the catalog's price). Prices are roubles: 450, 450.50 or 450,50.
How it was paid: --cash, --card, or a split: --cash-amount RUB --card-amount RUB (together the
total; a correction gives no change). The receipt of --reverse is its № on the «Смена» screen
(not the ФД). --date is the day of the sale (tag 1178); with --reverse it defaults to the wrong
receipt's day. --order-number makes it a correction by the tax authority's order (tag 1173 = 1,
its number in 1179); without it the shop corrects on its own initiative. --take-from-stock also
takes the goods off the stock (and, with --reverse, puts the wrong receipt's back): leave it out
when the stock was already corrected. --dry-run checks everything and prints what would be
printed, queueing nothing.

Output is one JSON document. Exit status: 0 queued (or checked); 2 refused, the message says why
(a wrong PIN, not a manager, a date in the future, an unknown sku, a receipt already corrected);
1 a database error. `storegw fiscal corrections` lists the latest corrections and their state.
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from contextlib import closing

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.correction_queries import correctable_receipts, correction_rows
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.staff_repo import staff_from_row
from gateway.domain.errors import InvalidInput
from gateway.domain.staff import Staff
from gateway.domain.timestamps import parse_stamp
from gateway.services.corrections import preview_correction, queue_correction
from gateway.services.pins import verify_pin
from gateway.services.staff import pin_refused

_ROUBLES = re.compile(r"^(\d{1,10})(?:[.,](\d{1,2}))?$")
CLIENT = "terminal"  # where the audit says a terminal's PIN came from


def add_correction_parsers(sub) -> None:
    """Under `storegw fiscal`: `correction` (queue one) and `corrections` (list them)."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--config", metavar="FILE", help="gateway TOML file (default: built-in)")
    common.add_argument("--db", metavar="PATH", help="database file (overrides the config)")

    correction = sub.add_parser(
        "correction",
        parents=[common],
        help="queue a correction receipt (a sale made while the register was down, a wrong one)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    who = correction.add_argument_group("who and why")
    who.add_argument(
        "--manager",
        required=True,
        metavar="NAME_OR_ID",
        help="the manager doing it (their PIN is asked for)",
    )
    who.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why, up to 200 characters (kept in the audit log)",
    )
    what = correction.add_argument_group("what")
    what.add_argument(
        "--reverse",
        type=int,
        metavar="RECEIPT_ID",
        help="the wrong receipt's number (the gateway's receipt id) to reverse",
    )
    for prefix, whose in (("", "the sale's"), ("then-", "the right receipt's")):
        what.add_argument(
            f"--{prefix}sku",
            action="append",
            default=[],
            metavar="SKU",
            help=f"{whose} item (repeat for more)",
        )
        what.add_argument(
            f"--{prefix}qty",
            action="append",
            default=[],
            type=int,
            metavar="N",
            help="pieces of the matching sku (default 1)",
        )
        what.add_argument(
            f"--{prefix}price",
            action="append",
            default=[],
            metavar="RUB",
            help="price of one piece of the matching sku (default: the catalog's)",
        )
    paid = what.add_mutually_exclusive_group()
    paid.add_argument(
        "--cash", action="store_const", const="cash", dest="payment", help="paid in cash"
    )
    paid.add_argument(
        "--card", action="store_const", const="card", dest="payment", help="paid by card"
    )
    what.add_argument(
        "--cash-amount",
        metavar="RUB",
        help="a split payment: this much in cash (with --card-amount)",
    )
    what.add_argument(
        "--card-amount",
        metavar="RUB",
        help="a split payment: this much by card (with --cash-amount)",
    )
    basis = correction.add_argument_group("basis")
    basis.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="the day of the sale (tag 1178); with --reverse: the wrong receipt's",
    )
    basis.add_argument(
        "--order-number", metavar="N", help="the tax authority's order number (tag 1179)"
    )
    correction.add_argument(
        "--take-from-stock",
        action="store_true",
        help="also move the stock (default: the goods already left it)",
    )
    correction.add_argument(
        "--dry-run", action="store_true", help="check and show what would be printed; queue nothing"
    )
    correction.set_defaults(handler=cmd_correction)  # fmt: skip

    listing = sub.add_parser(
        "corrections", parents=[common], help="the latest correction receipts and their state"
    )
    listing.add_argument("--limit", type=int, default=20, metavar="N")
    listing.set_defaults(handler=cmd_corrections)


def cmd_correction(args: argparse.Namespace, config) -> int:
    body = request(args, config)
    database = Database(config.database_path)
    try:
        by = identify(database, args.manager, read_pin(args.manager))
        if args.dry_run:
            result = database.run(preview_correction, body, by=by)
        else:
            result = database.run(queue_correction, body, by=by)
            result["note"] = "queued: the running gateway prints it (storegw fiscal corrections)"
    finally:
        database.close()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_corrections(args: argparse.Namespace, config) -> int:
    Database(config.database_path).close()  # created or brought up to date
    with closing(open_connection(config.database_path, readonly=True)) as conn:
        rows = correction_rows(conn, limit=args.limit)
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


def request(args: argparse.Namespace, config) -> dict:
    """The command line as the API's request body (domain/corrections.parse_request)."""
    if args.reverse is None and (args.then_sku or args.then_qty or args.then_price):
        raise InvalidInput("--then-sku is the right receipt of a --reverse: use --sku")
    if args.reverse is not None and (args.sku or args.qty or args.price):
        raise InvalidInput("with --reverse, the right receipt's goods are --then-sku")
    prefix = "then_" if args.reverse is not None else ""
    skus, qtys, prices = (getattr(args, prefix + name) for name in ("sku", "qty", "price"))
    body: dict = {"reason": args.reason, "take_from_stock": args.take_from_stock}
    if skus:
        body["items"] = _items(skus, qtys, prices, prefix.replace("_", "-"))
        body["payment"] = _payment(args)
    if args.reverse is not None:
        body["corrects"] = args.reverse
    body["date"] = args.date or (_receipt_day(config, args.reverse) if args.reverse else None)
    if args.order_number:
        body["basis"], body["order_number"] = "order", args.order_number
    return body


def _items(skus: list, qtys: list, prices: list, prefix: str) -> list[dict]:
    for name, given in (("qty", qtys), ("price", prices)):
        if given and len(given) != len(skus):
            raise InvalidInput(f"give one --{prefix}{name} per --{prefix}sku, or none")
    items = []
    for n, sku in enumerate(skus):
        item: dict = {"sku": sku, "qty": qtys[n] if qtys else 1}
        if prices:
            item["price"] = kopecks(prices[n], f"--{prefix}price")
        items.append(item)
    return items


def _payment(args: argparse.Namespace):
    split = (args.cash_amount, args.card_amount)
    if any(amount is not None for amount in split):
        if args.payment is not None or None in split:
            raise InvalidInput("a split payment is --cash-amount RUB with --card-amount RUB")
        return {
            "cash": kopecks(args.cash_amount, "--cash-amount"),
            "card": kopecks(args.card_amount, "--card-amount"),
        }
    if args.payment is None:
        raise InvalidInput("say how it was paid: --cash, --card, or --cash-amount + --card-amount")
    return args.payment


def kopecks(text: str, option: str) -> int:
    """Roubles as typed (450, 450.50, 450,50) -> kopecks; never through a float."""
    found = _ROUBLES.match(text.strip())
    if not found:
        raise InvalidInput(f"{option} {text!r}: roubles, e.g. 450 or 450.50")
    return int(found[1]) * 100 + int((found[2] or "").ljust(2, "0"))


def _receipt_day(config, receipt_id: int) -> str | None:
    """A wrong receipt's day as the books saw it, when the register's answer had no time."""
    Database(config.database_path).close()
    with closing(open_connection(config.database_path, readonly=True)) as conn:
        rows = correctable_receipts(conn, str(receipt_id), 1)
    if not rows or rows[0]["fiscal_ts"]:
        return None  # unknown (the gateway says so) or the register's own date (the default)
    return parse_stamp(rows[0]["created_at"]).astimezone().date().isoformat()


def read_pin(who: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"PIN of {who}: ")
    return sys.stdin.readline().strip()


def identify(database: Database, who: str, pin: str) -> Staff:
    """The person named, proven by their PIN (a refusal is in the audit, as on the tablet)."""
    row = database.run(_person, who)
    if row is None:
        raise InvalidInput(f"no one called {who!r} works here: see storegw staff list")
    if not verify_pin(pin, row["secret_hash"]):
        database.run(pin_refused, row["id"], client=CLIENT, detail="wrong PIN (storegw fiscal)")
        raise InvalidInput(f"wrong PIN for {row['name']}", reason="wrong_pin")
    return staff_from_row(row)


def _person(uow, who: str):
    row = uow.staff.get(int(who)) if who.isdigit() else uow.staff.find_person(who)
    return row if row is not None and row["kind"] == "person" and row["active"] else None
