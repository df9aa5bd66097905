"""A database stamped by a first start with the example's placeholder store id, and nothing
else in it, takes the configured id at the next start (with a log line); a database with any
business in it keeps refusing another store (the gateway's message stays)."""

import logging
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.adapters.sqlite.store_identity import WrongStore
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog
from gateway.store_adoption import has_business
from tests import builders


def config(path: Path, store_id: str):
    env = {"STOREGW_STORE_ID": store_id, "STOREGW_MQTT_URL": "mqtt://127.0.0.1:1"}
    return replace(load_config(None, env=env), database_path=path)


def started_once(path: Path, store_id: str = "shop-001") -> None:
    Gateway(config(path, store_id)).start().stop()


def recorded(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT store_id FROM store_identity").fetchone()[0]


def test_a_database_with_no_business_takes_the_configured_store(tmp_path, caplog):
    database = tmp_path / "gateway.db"
    started_once(database)  # install.sh's old first start, with the example's id

    with caplog.at_level(logging.WARNING, logger="storegw"):
        gateway = Gateway(config(database, "shop-042")).start()
    gateway.stop()

    assert recorded(database) == "shop-042"
    [line] = [r.getMessage() for r in caplog.records if "holds no business" in r.getMessage()]
    assert "'shop-001'" in line and "'shop-042'" in line


def test_a_database_with_a_catalog_keeps_refusing_another_store(tmp_path):
    database = tmp_path / "gateway.db"
    started_once(database)
    gateway = Gateway(config(database, "shop-001"))
    gateway.start()
    try:
        upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
        gateway.run(apply_catalog, upsert)
    finally:
        gateway.stop()

    with pytest.raises(WrongStore, match="the database belongs to store 'shop-001', the"
                       " configuration says 'shop-042'"):  # fmt: skip
        Gateway(config(database, "shop-042")).start()
    assert recorded(database) == "shop-001"


@pytest.mark.parametrize(
    "business",
    [
        "INSERT INTO staff(kind, name, role, secret_hash, created_at, updated_at) VALUES"
        " ('person', 'Ольга', 'manager', 'x', '2026-01-01', '2026-01-01')",
        "INSERT INTO counter(name, value) VALUES ('out_seq', 3)",
        "INSERT INTO alarm(name, detail, raised_at) VALUES ('gap', 'x', '2026-01-01')",
    ],
)
def test_any_business_counts(tmp_path, business):
    database = tmp_path / "gateway.db"
    started_once(database)
    with closing(sqlite3.connect(database)) as conn:
        assert not has_business(conn)
        conn.execute(business)
        assert has_business(conn)
