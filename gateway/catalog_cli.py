"""`storegw catalog import FILE`: apply a catalog.upsert JSON file to the database.

The file is read as a stream (ijson's C parser): each product is parsed and staged as soon as
its closing brace is read, so a catalog of 100 000 variants never sits in memory whole.
Everything happens in one transaction: a file broken halfway changes nothing.

One pass in the usual case: the first few events say where the products are (a whole message
envelope, `data.products`, or just its data, `products`) and usually the flags too; the products
are then read by ijson in C. A flag (`type`, `full`) that comes after the products, or is absent,
is then looked for by ijson in C again (no product is built twice), before anything is decided.
A big file's products are read and checked by every core (catalog_readers.py), and a command
alone on the database writes through a rollback journal (`Database.alone`)."""

import argparse
import gc
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from gateway.adapters.sqlite.database import Database
from gateway.catalog_readers import read_in_shares, readers_for
from gateway.cli_errors import CliError
from gateway.config import Config
from gateway.domain.catalog import parse_catalog_head
from gateway.domain.errors import InvalidInput
from gateway.services.catalog import CatalogImport

ENVELOPE_PRODUCTS, DATA_PRODUCTS = "data.products", "products"
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")
_FLAGS = frozenset({"type", "full", "data.full"})
_PRODUCT_LISTS = frozenset({ENVELOPE_PRODUCTS, DATA_PRODUCTS})


def cmd_catalog_import(args: argparse.Namespace, config: Config) -> int:
    bar = _progress_bar()
    database = Database(config.database_path)
    # The import makes millions of short-lived objects and next to no cycles: the collector's
    # passes (over them and over everything loaded at start) are wasted time in this command.
    gc.freeze()
    gc.disable()
    try:
        told = {} if bar is None else {"progress": bar.update, "total": _total_of(bar)}
        with database.alone():
            result = database.run(
                import_catalog_file, args.file, readers=readers_for(args.file), **told
            )
    finally:
        gc.enable()
        if bar is not None:
            bar.close()
        database.close()
    print(
        f"applied {len(result['applied'])} products, archived {len(result['archived'])},"
        f" rejected {len(result['rejected'])}"
    )
    for rejection in result["rejected"]:
        print(f"  rejected ({rejection['reason']}): {rejection['detail']}")
    return 1 if result["rejected"] else 0


def import_catalog_file(
    uow,
    path: Path,
    *,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
    report: bool = False,
    readers: int = 1,
) -> dict:
    """One command: stream the file's products into the catalog stage, then apply them.
    `progress(1)` is told as each product is staged (or passed to another reader), `total(n)`
    how many the file listed once it has been read (one pass: not before). `readers`: the
    processes that read and check the products (catalog_readers.py), this one included.
    Raises CliError (and the transaction rolls back) for a file that is not a catalog."""
    staging = CatalogImport(uow, progress)
    try:
        with path.open("rb") as file:
            head = FileHead()
            products_at = head.read(ijson.parse(file, use_float=True))
            if products_at is not None:
                file.seek(0)
                prefix = f"{products_at}.item"
                items = ijson.items(file, prefix, use_float=True)
                if readers > 1:
                    read_in_shares(staging, path, prefix, items, readers)
                else:
                    for item in items:
                        staging.add(item)
                if total is not None:
                    total(staging.count)
                for flag in head.flags_unread():  # after the products, or absent
                    file.seek(0)
                    for value in ijson.items(file, flag, use_float=True):
                        head.flags[flag] = value  # the first one, as above
                        break
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    except ijson.JSONError as exc:
        lines = str(exc).strip().splitlines() or ["broken"]
        raise CliError(
            f"{path} is not valid UTF-8 JSON ({lines[0]}) after {staging.count} products;"
            " nothing was imported"
        ) from exc
    message_type = head.flags.get("type") if head.envelope else None
    if message_type not in (None, "catalog.upsert"):
        raise CliError(f"{path} holds a {message_type!r} message, not a catalog")
    # The envelope's own checks, in the domain's words (the products were checked one by one).
    try:
        full = parse_catalog_head(head.data()).full
    except InvalidInput as exc:
        raise CliError(f"{path}: {exc.detail}") from exc
    return staging.finish(full=full, report=report)


@dataclass
class FileHead:
    """Everything in a catalog file but its products, read from ijson's events without
    building anything: whether it is a whole message envelope (its first top-level key of
    `data` and `products` is `data`) or just its data, the message type, the `full` flag and
    whether the products are a list. The first value of a key repeated is the one kept."""

    keys: list[str] = field(default_factory=list)  # the top-level ones
    flags: dict[str, Any] = field(default_factory=dict)
    arrays: set[str] = field(default_factory=set)  # which of the product keys hold a list

    @property
    def envelope(self) -> bool:
        first = next((key for key in self.keys if key in ("data", "products")), None)
        return first == "data"

    @property
    def products_key(self) -> str:
        return ENVELOPE_PRODUCTS if self.envelope else DATA_PRODUCTS

    def read(self, events: Iterable[tuple[str, str, Any]]) -> str | None:
        """Read the events up to where the product list starts and return its prefix (None:
        the file has no product list where it should be, and all of it was read)."""
        for prefix, event, value in events:
            if prefix in _FLAGS:
                if event in _OPEN:
                    self.flags.setdefault(prefix, [])  # a container where a flag belongs: refused
                elif event not in _CLOSE and event != "map_key":
                    self.flags.setdefault(prefix, value)
            elif event == "start_array" and prefix in _PRODUCT_LISTS:
                self.arrays.add(prefix)
                if prefix == self.products_key:
                    return prefix
            elif event == "map_key" and not prefix:
                self.keys.append(value)
        return None

    def flags_unread(self) -> list[str]:
        """The flags not met before the products: each is then looked for by ijson in C."""
        flags = ("type", "data.full") if self.envelope else ("full",)
        return [flag for flag in flags if flag not in self.flags]

    def data(self) -> dict:
        """The message's data without its products: `{"full": ..., "products": []}`."""
        at = "data." if self.envelope else ""
        data: dict[str, Any] = {"products": []} if f"{at}products" in self.arrays else {}
        if f"{at}full" in self.flags:
            data["full"] = self.flags[f"{at}full"]
        return data


def _total_of(bar) -> Callable[[int], None]:
    def told(count: int) -> None:
        bar.total = count
        bar.refresh()

    return told


def _progress_bar():
    """A progress bar on a terminal; None when stderr is not one (nor tqdm imported: 50 ms)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="product", file=sys.stderr)
