"""`storegw staff ...`: accounts from the gateway's own terminal -- the first manager on a new
box, a PIN reset when the manager forgot theirs, a token for a script. Whoever has a shell on
the box is trusted (`TERMINAL`); each change is in the audit all the same. It writes to the
database beside a running gateway, which notices at once (sessions of a disabled account end).

A PIN is read twice from the terminal without echo, or one line from standard input (scripts).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from contextlib import closing

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.staff_queries import audit_rows, staff_rows
from gateway.domain.staff import ROLES, TERMINAL, check_pin
from gateway.services import staff as service
from gateway.services.pins import hash_pin, new_token, token_hash


class StaffCliError(Exception):
    """A problem the user can fix; cli.py prints it as one line."""


def add_staff_parser(commands, common: argparse.ArgumentParser) -> None:
    staff = commands.add_parser("staff", parents=[common], help="staff accounts, PINs, tokens")
    sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")

    listing = sub.add_parser("list", parents=[common], help="people and API tokens")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=cmd_list)

    add = sub.add_parser("add", parents=[common], help="a new person (PIN asked for)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--inn", help="the person's 12-digit INN, printed on receipts (tag 1203)")
    add.set_defaults(handler=cmd_add)

    for name, handler, text in (
        ("disable", cmd_disable, "disable a person or revoke a token: their sessions end"),
        ("enable", cmd_enable, "let a disabled person sign in again"),
        ("reset-pin", cmd_reset_pin, "a new PIN (asked for); their sessions end"),
    ):
        action = sub.add_parser(name, parents=[common], help=text)
        action.add_argument("who", metavar="NAME_OR_ID")
        action.set_defaults(handler=handler)

    token = sub.add_parser("token", parents=[common], help="a new API token (shown once)")
    token.add_argument("name", help="what uses it, e.g. 'accounting export'")
    token.add_argument("--role", choices=ROLES, required=True)
    token.set_defaults(handler=cmd_token)

    audit = sub.add_parser("audit", parents=[common], help="sign-ins, overrides, money actions")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true", help="machine-readable output")
    audit.set_defaults(handler=cmd_audit)


def _database(config) -> Database:
    return Database(config.database_path)  # created and brought up to date if need be


def _run(config, command, *args, **kwargs):
    database = _database(config)
    try:
        return database.run(command, *args, **kwargs)
    finally:
        database.close()


def _rows(config, query, **kwargs) -> list[dict]:
    _database(config).close()
    with closing(open_connection(config.database_path, readonly=True)) as conn:
        return query(conn, **kwargs)


def _read_pin(prompt: str = "PIN (4-8 digits): ") -> str:
    if sys.stdin.isatty():
        pin = getpass.getpass(prompt)
        if getpass.getpass("The same PIN again: ") != pin:
            raise StaffCliError("the two PINs differ")
    else:
        pin = sys.stdin.readline().strip()
    check_pin(pin)
    return pin


def _staff_id(config, who: str) -> int:
    if who.isdigit():
        return int(who)
    matches = [row for row in _rows(config, staff_rows) if row["name"].lower() == who.lower()]
    active = [row for row in matches if row["active"]] or matches
    if len(active) != 1:
        raise StaffCliError(
            f"no one called {who!r}"
            if not active
            else f"{len(active)} accounts called {who!r}: give the id (storegw staff list)"
        )
    return active[0]["id"]


def cmd_list(args, config) -> int:
    rows = _rows(config, staff_rows)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no staff yet: storegw staff add NAME --role manager")
        return 0
    for row in rows:
        state = "active" if row["active"] else "disabled"
        print(f"{row['id']:>4}  {row['kind']:<6} {row['role']:<8} {state:<8} {row['name']}")
    return 0


def cmd_add(args, config) -> int:
    made = _run(config, service.add_staff, args.name, args.role, hash_pin(_read_pin()),
                by=TERMINAL, inn=args.inn)  # fmt: skip
    print(f"added {made['name']} ({made['role']}), id {made['id']}")
    return 0


def cmd_disable(args, config) -> int:
    _run(config, service.disable_staff, _staff_id(config, args.who), by=TERMINAL)
    print(f"disabled {args.who}: signed out everywhere")
    return 0


def cmd_enable(args, config) -> int:
    _run(config, service.enable_staff, _staff_id(config, args.who), by=TERMINAL)
    print(f"enabled {args.who}")
    return 0


def cmd_reset_pin(args, config) -> int:
    staff_id = _staff_id(config, args.who)
    _run(config, service.reset_pin, staff_id, hash_pin(_read_pin("New PIN (4-8 digits): ")),
         by=TERMINAL)  # fmt: skip
    print(f"new PIN set for {args.who}: signed out everywhere")
    return 0


def cmd_token(args, config) -> int:
    token = new_token()
    made = _run(config, service.add_token, args.name, args.role, token_hash(token), by=TERMINAL)
    print(f"token {made['id']} for {made['name']} ({made['role']}); it is shown only now:")
    print(token)
    print("use it as the header  Authorization: Bearer <token>; revoke: storegw staff disable ID",
          file=sys.stderr)  # fmt: skip
    return 0


def cmd_audit(args, config) -> int:
    rows = _rows(config, audit_rows, limit=max(1, min(args.limit, 10_000)))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        who = row["staff"] or ""
        if row["approved_by"]:
            who += f" (approved by {row['approved_by']})"
        extra = " ".join(
            str(x) for x in (row["subject"], row["amount"], row["detail"], row["client"]) if x
        )
        print(f"{row['created_at']}  {row['kind']:<14} {who}  {extra}".rstrip())
    return 0
