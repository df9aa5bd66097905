"""`storegw catalog import FILE`: apply a catalog.upsert JSON file to the database.

The file is read as a stream (ijson): each product is parsed and staged as soon as its closing
brace is read, so a catalog of 100 000 variants never sits in memory whole. Everything happens
in one transaction: a file broken halfway changes nothing."""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from gateway.adapters.sqlite.database import Database
from gateway.cli_errors import CliError
from gateway.config import Config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import InvalidInput
from gateway.services.catalog import CatalogImport

# Where the products are: a whole message envelope, or just its data.
ENVELOPE_ITEMS, DATA_ITEMS = "data.products.item", "products.item"
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")
_HEAD_SCALARS = frozenset({"type", "full", "data.full"})


def cmd_catalog_import(args: argparse.Namespace, config: Config) -> int:
    bar = _progress()
    database = Database(config.database_path)
    try:
        result = database.run(import_catalog_file, args.file, progress=bar.update, total=bar.reset)
    finally:
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
) -> dict:
    """One command: stream the file's products into the catalog stage, then apply them.
    `total(n)` is told how many products the file lists, `progress(1)` as each is staged.
    Raises CliError (and the transaction rolls back) for a file that is not a catalog."""
    staging = CatalogImport(uow, progress)
    try:
        with path.open("rb") as file:
            head = read_head(file)
            if total is not None:
                total(head["count"])
            file.seek(0)
            prefix = ENVELOPE_ITEMS if head["envelope"] else DATA_ITEMS
            for item in ijson.items(file, prefix, use_float=True):
                staging.add(item)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    except ijson.JSONError as exc:
        lines = str(exc).strip().splitlines() or ["broken"]
        raise CliError(
            f"{path} is not valid UTF-8 JSON ({lines[0]}) after {staging.count} products;"
            " nothing was imported"
        ) from exc
    if head["type"] not in (None, "catalog.upsert"):
        raise CliError(f"{path} holds a {head['type']!r} message, not a catalog")
    # The envelope's own checks, in the domain's words (the products were checked one by one).
    try:
        full = parse_catalog_upsert(head["data"]).full
    except InvalidInput as exc:
        raise CliError(f"{path}: {exc.detail}") from exc
    return staging.finish(full=full, report=report)


def read_head(file: BinaryIO) -> dict:
    """Everything but the products, in one pass that builds nothing: whether the file is a
    whole message envelope or just its data, the message type, the data without its products
    (`{"full": ..., "products": []}` when it lists any) and how many products it lists.
    Keys may come in any order."""
    scalars: dict[str, Any] = {}
    keys: set[str] = set()
    arrays: set[str] = set()
    items = {ENVELOPE_ITEMS: 0, DATA_ITEMS: 0}
    for prefix, event, value in ijson.parse(file, use_float=True):
        if prefix in items:
            if event not in _CLOSE and event != "map_key":  # an element starts
                items[prefix] += 1
        elif prefix in _HEAD_SCALARS:
            if event in _OPEN:
                scalars.setdefault(prefix, [])  # a container where a flag belongs: refused
            elif event not in _CLOSE and event != "map_key":
                scalars.setdefault(prefix, value)
        elif event == "start_array" and prefix in ("data.products", "products"):
            arrays.add(prefix)
        elif event == "map_key" and not prefix:
            keys.add(value)
    envelope = "data" in keys
    at = "data." if envelope else ""
    data: dict[str, Any] = {"products": []} if f"{at}products" in arrays else {}
    if f"{at}full" in scalars:
        data["full"] = scalars[f"{at}full"]
    return {
        "envelope": envelope,
        "type": scalars.get("type") if envelope else None,
        "data": data,
        "count": items[ENVELOPE_ITEMS if envelope else DATA_ITEMS],
    }


def _progress():
    from tqdm import tqdm

    return tqdm(unit="product", disable=not sys.stderr.isatty(), file=sys.stderr)
