"""`catalog.upsert` (cloud → gateway) as models. The rules a schema cannot state (each variant
gives exactly the characteristics its product declares, no two variants alike, a sku in one
product) are checked in gateway/domain/catalog.py after these."""

from typing import Any, Literal, get_args

from pydantic import Field, create_model

from .payloads_types import MAX_QTY, Bool, CloudData, Id, Money, Sku, integer, text

Vat = Literal[
    "none", "vat0", "vat5", "vat7", "vat10", "vat22", "vat105", "vat107", "vat110", "vat122"
]  # fmt: skip
VAT_CODES = frozenset(get_args(Vat))


class Barcode(CloudData):
    code: text(200)
    pack: integer(1, MAX_QTY) = Field(
        1, description="Scanning this barcode counts this many units."
    )


class Variant(CloudData):
    sku: Sku
    characteristics: dict[str, text(None)] = Field(
        default_factory=dict,
        json_schema_extra={"default": {}},
        description="A non-empty value for every characteristic the product declares and none"
        " other; no two variants of one product with the same values.",
    )
    price: Money
    barcodes: list[Barcode] = Field(default_factory=list, json_schema_extra={"default": []})
    min_stock: integer(0, MAX_QTY) | None = Field(
        None,
        description="Since 1.1. The back-office's «неснижаемый остаток»: at this `available` or"
        " below the sku is running out (`stock.low`); 0 or absent: no threshold from the catalog"
        " (the gateway's configured default applies when absent). Staff may override it in the"
        " shop; a later catalog.upsert does not undo their override.",
    )


class Product(CloudData):
    """A product and its variants. A product without variants in the shop is sent with exactly
    one variant whose `characteristics` is `{}`."""

    id: Id
    article: text(500, blank=True) = ""
    name: text()
    vat: Vat = Field(
        description="VAT rate: none, 0, 5, 7, 10, 22 %, or the calculated rates 5/105, 7/107,"
        " 10/110, 22/122. `vat20` and `vat120` remain valid only for refunds and corrections of"
        " sales made before 2026, never in the catalog."
    )
    marked: Bool = Field(
        False,
        description="Each unit carries a Честный ЗНАК marking code that must be scanned when sold.",
    )
    characteristics: list[text(100)] = Field(
        default_factory=list,
        json_schema_extra={"default": [], "uniqueItems": True},
        description="The characteristic names every variant must give a non-empty value for (no"
        " name twice).",
    )
    archived: Bool = Field(
        False, description="New orders for the skus of an archived product are rejected."
    )
    variants: list[Variant] = Field(min_length=1)


class CatalogUpsertData(CloudData):
    full: Bool = Field(
        False,
        description="true — the message is the whole catalog; products absent from it are"
        " archived.",
    )
    products: list[Product]


# The message without its products: each product is read on its own (parse_product), so that a
# broken one is rejected alone and a big catalog never becomes one big validation.
CatalogUpsertHead = create_model(
    "CatalogUpsertHead", __base__=CatalogUpsertData, products=(list[Any], ...)
)
