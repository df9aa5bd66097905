"""Applying `catalog.upsert` to a real database (MQTT-CONTRACT.md; DOMAIN.md edges 26-30):
a broken product is rejected whole and its local data is left alone, archiving never deletes,
and catalog changes never disturb stock or reservations."""

import json
from contextlib import closing

import pytest

from gateway.adapters.sqlite.queries import stock_rows
from gateway.domain.catalog import CHARACTERISTICS_MISMATCH as MISMATCH
from gateway.services.catalog import import_catalog
from gateway.services.orders import create_order, ship_order
from tests.builders import CASHIER, catalog, order, product, simple_product, variant

EAN = "4601234567893"


def tshirt(size_m="M", size_l="L", price=129900, m_sku="TS-RED-M", **fields) -> dict:
    return product(
        "P-100",
        [
            variant(m_sku, price, [{"code": EAN, "pack": 1}], Цвет="красный", Размер=size_m),
            variant("TS-RED-L", price, Цвет="красный", Размер=size_l),
        ],
        ["Цвет", "Размер"],
        **fields,
    )


def rows(shop, sql: str, *args) -> list[tuple]:
    with closing(shop.db.reader()) as conn:
        return [tuple(row) for row in conn.execute(sql, args)]


def of_product(shop, product_id: str) -> dict[str, list[tuple]]:
    """Every local row that belongs to one product."""
    join = "JOIN variant v ON v.sku = t.sku WHERE v.product_id = ? ORDER BY 1, 2"
    return {
        "product": rows(shop, "SELECT * FROM product WHERE id = ?", product_id),
        "variant": rows(shop, "SELECT * FROM variant WHERE product_id = ? ORDER BY 1", product_id),
        **{t: rows(shop, f"SELECT t.* FROM {t} t {join}", product_id) for t in SKU_TABLES},
    }


SKU_TABLES = ("barcode", "stock_level", "stock_move", "order_line")


def everything(shop) -> dict[str, list[tuple]]:
    tables = (*SKU_TABLES, "variant", "customer_order", "outbox", "shipment")
    dump = {t: rows(shop, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
    dump["product"] = rows(shop, "SELECT * FROM product ORDER BY id")
    dump["product"] = [row[:-1] for row in dump["product"]]  # all but catalog_version
    dump["counter"] = rows(shop, "SELECT * FROM counter WHERE name != 'catalog_version'")
    return dump


def variants(shop, product_id: str) -> dict[str, tuple]:
    found = rows(
        shop, "SELECT sku, char_key, archived, price FROM variant WHERE product_id = ?", product_id
    )
    return {sku: (char_key, archived, price) for sku, char_key, archived, price in found}


def archived(shop, product_id: str) -> dict[str, int]:
    return {sku: flag for sku, (_, flag, _) in variants(shop, product_id).items()}


def barcodes(shop, code: str) -> list[tuple]:
    return rows(shop, "SELECT sku, pack_qty FROM barcode WHERE code = ? ORDER BY sku", code)


def stock_row(shop, sku: str) -> dict:
    with closing(shop.db.reader()) as conn:
        (row,) = stock_rows(conn, sku)
    return row


def missing_size(**fields) -> dict:
    broken = tshirt(**fields)
    del broken["variants"][1]["characteristics"]["Размер"]
    return broken


def test_a_broken_product_is_rejected_whole_and_the_others_apply(shop):
    result = shop.load_catalog(missing_size(), simple_product("MUG"))

    assert result["applied"] == ["P-MUG"]
    assert [(r["product_id"], r["reason"]) for r in result["rejected"]] == [("P-100", MISMATCH)]
    assert rows(shop, "SELECT id FROM product") == [("P-MUG",)]
    assert shop.level("TS-RED-M") is None  # its valid variant was not applied either
    assert shop.level("MUG").on_hand == 0


def test_local_data_of_a_rejected_product_stays_exactly_as_it_was(shop):
    shop.load_catalog(tshirt())
    shop.stock(**{"TS-RED-M": 5})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2)))
    before = of_product(shop, "P-100")
    broken = missing_size(size_m="S", price=1, name="Новое имя", archived=True)
    broken["variants"][0]["barcodes"] = [{"code": "999", "pack": 3}]
    broken["variants"].append(variant("TS-NEW", Цвет="синий"))

    result = shop.load_catalog(broken, simple_product("MUG"), full=True)

    assert result["applied"] == ["P-MUG"]
    assert result["archived"] == []
    assert of_product(shop, "P-100") == before


def test_a_sku_that_belongs_to_another_product_locally_is_rejected(shop):
    shop.load_catalog(tshirt())
    thief = product("P-200", [variant("TS-RED-M", Размер="S"), variant("X-1", Размер="M")])

    result = shop.load_catalog(thief, simple_product("MUG"))

    assert result["applied"] == ["P-MUG"]
    (rejection,) = result["rejected"]
    assert (rejection["product_id"], rejection["reason"]) == ("P-200", MISMATCH)
    assert "sku TS-RED-M already belongs to product P-100" in rejection["detail"]
    assert rows(shop, "SELECT product_id FROM variant WHERE sku = 'TS-RED-M'") == [("P-100",)]
    assert rows(shop, "SELECT id FROM product WHERE id = 'P-200'") == []
    assert shop.level("X-1") is None


def test_rejections_are_published_on_the_rejected_topic_naming_product_and_rule(shop):
    duplicate = product("P-300", [variant("D-1", Размер="M"), variant("D-2", Размер="M")])
    shop.load_catalog(missing_size(), simple_product("MUG"), duplicate)

    published = rows(
        shop, "SELECT topic, data_json FROM outbox WHERE type = 'message.rejected' ORDER BY seq"
    )
    assert [topic for topic, _ in published] == ["rejected", "rejected"]
    bodies = [json.loads(data) for _, data in published]
    assert [b["reason"] for b in bodies] == [MISMATCH, MISMATCH]
    assert "P-100, variant TS-RED-L: characteristic 'Размер' is missing" in bodies[0]["detail"]
    assert "product P-300: variants D-1 and D-2 have the same" in bodies[1]["detail"]
    assert [b["product_id"] for b in bodies] == ["P-100", "P-300"]  # not only in the words
    assert len(shop.events("message.rejected")) == 2  # nothing for the good product


def test_a_rejected_product_without_a_readable_id_is_named_null(shop):
    nameless = simple_product("CUP") | {"id": 7}
    result = shop.run(import_catalog, catalog(nameless, simple_product("MUG")), ref_id="c-1")
    assert result["applied"] == ["P-MUG"]
    (body,) = shop.events("message.rejected")
    assert body["product_id"] is None and body["ref_id"] == "c-1"


def test_full_catalog_archives_absent_products_and_deletes_nothing(shop):
    shop.load_catalog(tshirt(), simple_product("MUG"), simple_product("PEN"))
    shop.stock(**{"TS-RED-M": 5, "MUG": 3})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2), ("MUG", 1)))
    kept = {t: of_product(shop, "P-100")[t] for t in SKU_TABLES}
    bad_pen = simple_product("PEN") | {"vat": "vat20"}

    result = shop.load_catalog(simple_product("MUG"), bad_pen, full=True)

    assert result["archived"] == ["P-100"]
    assert [r["product_id"] for r in result["rejected"]] == ["P-PEN"]
    assert rows(shop, "SELECT id, archived FROM product ORDER BY id") == [
        ("P-100", 1),
        ("P-MUG", 0),
        ("P-PEN", 0),  # in the message, but rejected: never archived
    ]
    assert archived(shop, "P-100") == {"TS-RED-M": 1, "TS-RED-L": 1}
    assert {t: of_product(shop, "P-100")[t] for t in SKU_TABLES} == kept
    level = shop.level("TS-RED-M")
    assert (level.on_hand, level.reserved) == (5, 2)
    assert [line.qty_reserved for line in shop.order("W-1").lines] == [2, 1]


def archive_by_dropping(shop):
    shop.load_catalog(product("P-100", [tshirt()["variants"][1]], ["Цвет", "Размер"]))


def archive_by_flag(shop):
    shop.load_catalog(tshirt(archived=True))


def archive_by_full_catalog(shop):
    shop.load_catalog(simple_product("MUG"), full=True)


ARCHIVE_WAYS = [archive_by_dropping, archive_by_flag, archive_by_full_catalog]


@pytest.mark.parametrize("archive", ARCHIVE_WAYS)
def test_an_archived_sku_refuses_new_orders(shop, archive):
    shop.load_catalog(tshirt(), simple_product("MUG"))
    shop.stock(**{"TS-RED-M": 5, "MUG": 5})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2)))
    archive(shop)

    result = shop.run(create_order, order("W-2", ("MUG", 1), ("TS-RED-M", 1)))

    assert (result["status"], result["reason"]) == ("rejected", "archived_sku")
    assert shop.order("W-2") is None
    (event,) = shop.events("order.rejected")
    assert (event["order_id"], event["reason"]) == ("W-2", "archived_sku")
    assert "TS-RED-M" in event["detail"]
    assert (shop.level("TS-RED-M").reserved, shop.level("MUG").reserved) == (2, 0)
    assert shop.order("W-1").lines[0].qty_reserved == 2


@pytest.mark.parametrize("archive", ARCHIVE_WAYS)
def test_an_existing_order_holding_an_archived_sku_still_ships(shop, archive):
    shop.load_catalog(tshirt())
    shop.stock(**{"TS-RED-M": 5})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2)))
    archive(shop)
    assert stock_row(shop, "TS-RED-M")["archived"] == 1

    shipped = shop.run(ship_order, "W-1", by=CASHIER)

    assert shipped["status"] == "shipped"
    level = shop.level("TS-RED-M")
    assert (level.on_hand, level.reserved) == (3, 0)


def test_a_dropped_variant_is_archived_and_its_stock_stays_visible(shop):
    shop.load_catalog(tshirt())
    shop.stock(**{"TS-RED-M": 5})
    archive_by_dropping(shop)

    row = stock_row(shop, "TS-RED-M")
    assert (row["on_hand"], row["archived"]) == (5, 1)
    assert archived(shop, "P-100") == {"TS-RED-M": 1, "TS-RED-L": 0}


def test_a_product_gains_its_first_variants_then_loses_them(shop):
    shop.stock(MUG=4)  # a simple product P-MUG with its stock on sku MUG
    cups = [variant("MUG-S", Объём="S"), variant("MUG-L", Объём="L")]

    assert shop.load_catalog(product("P-MUG", cups))["rejected"] == []

    assert variants(shop, "P-MUG") == {
        "MUG": ("", 1, 10000),
        "MUG-S": ("Объём=S", 0, 10000),
        "MUG-L": ("Объём=L", 0, 10000),
    }
    old = stock_row(shop, "MUG")
    assert (old["on_hand"], old["archived"]) == (4, 1)

    assert shop.load_catalog(simple_product("MUG"))["applied"] == ["P-MUG"]

    assert archived(shop, "P-MUG") == {"MUG": 0, "MUG-S": 1, "MUG-L": 1}
    assert shop.level("MUG").on_hand == 4


def test_a_variant_deleted_and_recreated_with_a_new_sku_keeps_the_old_stock(shop):
    shop.load_catalog(tshirt())
    shop.stock(**{"TS-RED-M": 5})

    assert shop.load_catalog(tshirt(m_sku="TS-RED-M2"))["rejected"] == []

    assert variants(shop, "P-100")["TS-RED-M"][:2] == ("Размер=M|Цвет=красный", 1)
    assert variants(shop, "P-100")["TS-RED-M2"][:2] == ("Размер=M|Цвет=красный", 0)
    assert stock_row(shop, "TS-RED-M")["on_hand"] == 5
    assert stock_row(shop, "TS-RED-M2")["on_hand"] == 0
    assert barcodes(shop, EAN) == [("TS-RED-M", 1), ("TS-RED-M2", 1)]


def test_two_variants_swap_characteristics_in_one_message(shop):
    shop.load_catalog(tshirt())
    shop.stock(**{"TS-RED-M": 5})

    result = shop.load_catalog(tshirt(size_m="L", size_l="M"))

    assert result["rejected"] == []
    assert variants(shop, "P-100") == {
        "TS-RED-M": ("Размер=L|Цвет=красный", 0, 129900),
        "TS-RED-L": ("Размер=M|Цвет=красный", 0, 129900),
    }
    assert shop.level("TS-RED-M").on_hand == 5  # stock follows the sku, not the meaning


def test_a_barcode_moves_from_one_variant_to_another(shop):
    shop.load_catalog(tshirt())
    moved = tshirt()
    moved["variants"][0]["barcodes"] = []
    moved["variants"][1]["barcodes"] = [{"code": EAN, "pack": 1}]

    shop.load_catalog(moved)

    assert barcodes(shop, EAN) == [("TS-RED-L", 1)]


def test_pack_barcodes_are_stored_with_their_pack_qty(shop):
    mug = simple_product("MUG")
    mug["variants"][0]["barcodes"] = [{"code": EAN}, {"code": "14601234567890", "pack": 6}]

    shop.load_catalog(mug)

    assert (barcodes(shop, EAN), barcodes(shop, "14601234567890")) == ([("MUG", 1)], [("MUG", 6)])


def test_a_price_only_update_does_not_touch_reservations(shop):
    shop.load_catalog(tshirt())
    shop.stock(**{"TS-RED-M": 1})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2)))  # short: 1 of 2 reserved
    before = everything(shop)

    shop.load_catalog(tshirt(price=99900))

    after = everything(shop)
    assert {price for _, _, price in variants(shop, "P-100").values()} == {99900}
    assert after.pop("variant") != before.pop("variant")
    assert after == before
    assert shop.order("W-1").status == "short"


def test_resending_the_same_catalog_changes_nothing_but_the_catalog_version(shop):
    catalog = (tshirt(), simple_product("MUG"))
    shop.load_catalog(*catalog)
    shop.stock(**{"TS-RED-M": 5})
    shop.run(create_order, order("W-1", ("TS-RED-M", 2)))
    archive_by_dropping(shop)
    shop.load_catalog(*catalog)
    before = everything(shop)
    version = rows(shop, "SELECT value FROM counter WHERE name = 'catalog_version'")[0][0]

    result = shop.load_catalog(*catalog)

    assert result == {"applied": ["P-100", "P-MUG"], "archived": [], "rejected": []}
    assert everything(shop) == before
    assert rows(shop, "SELECT DISTINCT catalog_version FROM product") == [(version + 1,)]
