"""`storegw`: run the gateway and look at its data. Errors are one line and a non-zero exit."""

import argparse
import json
import logging
import os
import signal
import sqlite3
import sys
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from gateway.adapters.sqlite.connection import open_connection
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.queries import order_rows, stock_history, stock_rows
from gateway.adapters.sqlite.store_identity import WrongStore
from gateway.appliance_cli import add_appliance_parsers
from gateway.catalog_cli import cmd_catalog_import
from gateway.cli_errors import CliError, database_error
from gateway.config import Config, ConfigError, load_config
from gateway.config_location import choose_config
from gateway.domain.errors import DomainError
from gateway.fiscal_cli import add_fiscal_parser
from gateway.log_setup import configure_logging
from gateway.staff_cli import StaffCliError, add_staff_parser
from gateway.systemd_notify import Notifier
from gateway.training import enter_training
from gateway.watchdog import Watchdog, announce_ready


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = None
    try:
        if getattr(args, "loads_config_itself", False):  # doctor: a broken config is a finding
            return args.handler(args, None) or 0
        choice = choose_config(getattr(args, "config", None))
        config = load_config(choice.path)
        if getattr(args, "db", None):
            config = replace(config, database_path=Path(args.db))
        elif choice.by_default and not getattr(args, "uses_no_database", False):
            # never a silent ./var/gateway.db beside the real one
            print(choice.defaults_warning(config.database_path), file=sys.stderr)
        if getattr(args, "training", False) or config.appliance.training:
            config = enter_training(config)  # every command sees the training database
        return args.handler(args, config) or 0
    except (CliError, ConfigError, DomainError, StaffCliError, WrongStore) as exc:
        print(f"storegw: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        database = config.database_path if config else config_path_hint(args)
        print(f"storegw: error: {database_error(database, exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line for the user; STOREGW_DEBUG=1 shows more
        if os.environ.get("STOREGW_DEBUG"):
            raise
        print(
            f"storegw: error: unexpected {type(exc).__name__}: {exc}"
            " (run with STOREGW_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


def config_path_hint(args: argparse.Namespace) -> str:
    return getattr(args, "db", None) or "(from the configuration)"


def _parser() -> argparse.ArgumentParser:
    # SUPPRESS: a sub-command's absent option must not overwrite one given before it.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--config",
        metavar="FILE",
        help="gateway TOML file (default: $STOREGW_CONFIG, else /etc/storegw/gateway.toml if it"
        " exists, else the built-in defaults)",
    )
    common.add_argument("--db", metavar="PATH", help="database file (overrides the config)")
    common.add_argument(
        "--training",
        action="store_true",
        help="training mode: the training database (gateway.training.db), simulated devices,"
        " no cloud link (as [store] training = true)",
    )
    parser = argparse.ArgumentParser(prog="storegw", description=__doc__, parents=[common])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="start the gateway and its web UI")
    run.set_defaults(handler=cmd_run)

    catalog = commands.add_parser("catalog", parents=[common], help="catalog replica")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    imp = catalog_commands.add_parser(
        "import", parents=[common], help="apply a catalog.upsert JSON file"
    )
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=cmd_catalog_import)

    stock = commands.add_parser(
        "stock", parents=[common], help="stock levels (one sku: its moves of goods)"
    )
    stock.add_argument("sku", nargs="?")
    stock.add_argument("--json", action="store_true", help="machine-readable output")
    stock.set_defaults(handler=cmd_stock)

    orders = commands.add_parser("orders", parents=[common], help="orders and their reserves")
    orders.add_argument("--status", help="only orders in this status")
    orders.add_argument("--json", action="store_true", help="machine-readable output")
    orders.set_defaults(handler=cmd_orders)

    check = commands.add_parser("check", parents=[common], help="verify the stock invariants")
    check.set_defaults(handler=cmd_check)

    add_staff_parser(commands, common)
    add_appliance_parsers(commands, common)  # doctor, backup, restore
    add_fiscal_parser(commands)  # no --config/--db: it talks to the register only
    return parser


class _Terminated(Exception):
    pass


def _terminate(signum, frame):
    raise _Terminated


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    import uvicorn  # imported here: the other commands start faster without the web stack

    from gateway.bootstrap import Gateway

    class WebServer(uvicorn.Server):
        def handle_exit(self, sig: int, frame) -> None:
            stopping()  # systemd hears it at once, before the connections drain
            super().handle_exit(sig, frame)

    configure_logging()
    log = logging.getLogger("storegw")
    notifier = Notifier()
    told_stopping: list[bool] = []

    def stopping() -> None:
        if not told_stopping:
            told_stopping.append(True)
            notifier.stopping()

    gateway = Gateway(config, progress=notifier.status).start()
    log.info("store %s: UI on %s", config.store_id, config.web_url)
    tls = config.web
    server = WebServer(
        uvicorn.Config(
            gateway.web_app(),
            host=config.web_host,
            port=config.web_port,
            log_level="warning",
            ssl_certfile=str(tls.tls_cert) if tls.tls else None,
            ssl_keyfile=str(tls.tls_key) if tls.tls else None,
        )
    )
    done = threading.Event()
    watchdog = Watchdog(gateway.writer, notifier, gateway.status_line)
    threading.Thread(
        target=announce_ready, args=(server, gateway, notifier, watchdog, done), daemon=True
    ).start()
    notifier.status(f"starting the web server on {config.web_url}")
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal to the handler that
    # was there before it: ours, so the gateway stops cleanly and exits 0 (systemd expects it).
    signal.signal(signal.SIGTERM, _terminate)
    try:
        server.run()
    except _Terminated:
        pass
    finally:
        done.set()
        stopping()
        watchdog.stop()
        gateway.stop()
        log.info("stopped")
    return 0


def _existing(path: Path) -> Path:
    if not path.exists():
        raise CliError(
            f"database {path} does not exist yet: start the gateway or import a catalog first"
        )
    return path


def _read(config: Config) -> "closing[sqlite3.Connection]":
    Database(_existing(config.database_path)).close()  # brings an older schema up to date
    return closing(open_connection(config.database_path, readonly=True))


def cmd_stock(args: argparse.Namespace, config: Config) -> int:
    with _read(config) as conn:
        rows = stock_rows(conn, args.sku)
        if args.sku and not rows:
            raise CliError(f"unknown sku {args.sku}")
        history = stock_history(conn, args.sku) if args.sku else None
    if args.json:
        print(
            json.dumps(
                {"stock": rows, "history": history} if args.sku else rows,
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    _table(rows, ["sku", "on_hand", "reserved", "safety", "available", "name"])
    if history:
        print()
        _table(
            history, ["id", "d_on_hand", "d_reserved", "reason", "ref_id", "actor", "created_at"]
        )
    return 0


def cmd_orders(args: argparse.Namespace, config: Config) -> int:
    with _read(config) as conn:
        rows = order_rows(conn, args.status)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    _table(
        rows,
        [
            "order_id",
            "number",
            "status",
            "ordered",
            "reserved",
            "short",
            "shipped",
            "cancelled",
            "needs_attention",
        ],
    )
    return 0


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    """Exit 1 only for broken invariants; a file that is no database (or too damaged to be read)
    is an error like a missing one (2). Read-only, and immutable when no one has it open (no
    -wal beside it): checking a backup leaves no -wal or -shm next to it."""
    path = _existing(config.database_path)
    immutable = "" if path.with_name(path.name + "-wal").exists() else "&immutable=1"
    uri = f"file:{quote(str(path.absolute()))}?mode=ro{immutable}"
    try:
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
            problems = check_invariants(conn)
    except sqlite3.DatabaseError as exc:
        raise CliError(database_error(path, exc)) from None
    for problem in problems:
        print(" ".join(problem.split()))  # quick_check's answer may span lines: one per problem
    print("invariants hold" if not problems else f"{len(problems)} problem(s) found")
    return 1 if problems else 0


def _table(rows: list[dict], columns: list[str]) -> None:
    if not rows:
        print("(none)")
        return
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
