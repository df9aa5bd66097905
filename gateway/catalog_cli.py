"""`storegw catalog import FILE`: apply a catalog.upsert JSON file to the database."""

import argparse
import json
import sys

from gateway.adapters.sqlite.database import Database
from gateway.cli_errors import CliError
from gateway.config import Config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog


def cmd_catalog_import(args: argparse.Namespace, config: Config) -> int:
    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CliError(f"{args.file} is not valid UTF-8 JSON: {exc}") from exc
    # Either a whole message envelope or just its data.
    if isinstance(document, dict) and "data" in document:
        if document.get("type", "catalog.upsert") != "catalog.upsert":
            raise CliError(f"{args.file} holds a {document.get('type')!r} message, not a catalog")
        document = document["data"]
    upsert = parse_catalog_upsert(document)
    del document  # the parsed products are all we keep: half the memory while writing
    bar = _progress(len(upsert.products))
    database = Database(config.database_path)
    try:
        result = database.run(apply_catalog, upsert, report=False, progress=bar.update)
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


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="product", disable=not sys.stderr.isatty(), file=sys.stderr)
