"""The catalog replica: products, variants (skus), barcodes, and the seed's first criterion —
characteristics that match on every variant of a product."""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import InvalidInput
from .validation import (
    MAX_MONEY,
    require_bool,
    require_dict,
    require_id,
    require_int,
    require_list,
    require_str,
)

VAT_CODES = frozenset(
    {"none", "vat0", "vat5", "vat7", "vat10", "vat22", "vat105", "vat107", "vat110", "vat122"}
)
# Valid only for refunds and corrections of sales made before 2026, never for a new sale.
VAT_CODES_BEFORE_2026 = frozenset({"vat20", "vat120"})

CHARACTERISTICS_MISMATCH = "characteristics_mismatch"


@dataclass(frozen=True)
class Barcode:
    code: str
    pack: int = 1


@dataclass(frozen=True)
class Variant:
    sku: str
    characteristics: dict[str, str]
    price: int
    barcodes: tuple[Barcode, ...] = ()
    min_stock: int | None = None  # the back-office's «неснижаемый остаток» (contract 1.1)

    @cached_property
    def char_key(self) -> str:
        """Canonical form of the values, e.g. 'Размер=M|Цвет=красный' (sorted by name).
        Separators inside names and values are escaped, so two combinations never collide."""
        return "|".join(
            f"{_escape(k)}={_escape(v)}" for k, v in sorted(self.characteristics.items())
        )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("=", "\\=")


@dataclass(frozen=True)
class Product:
    id: str
    article: str
    name: str
    vat: str
    marked: bool
    characteristics: tuple[str, ...]
    archived: bool
    variants: tuple[Variant, ...]

    def variant_name(self, variant: Variant) -> str:
        if not variant.characteristics:
            return self.name
        values = ", ".join(variant.characteristics[c] for c in self.characteristics)
        return f"{self.name} ({values})"


@dataclass(frozen=True)
class ProductRejection:
    product_id: str | None
    reason: str  # "characteristics_mismatch" or "invalid"
    detail: str


@dataclass
class CatalogUpsert:
    full: bool
    products: list[Product] = field(default_factory=list)
    rejected: list[ProductRejection] = field(default_factory=list)


def parse_catalog_upsert(data: Any) -> CatalogUpsert:
    """Parse a `catalog.upsert` body. A broken product is rejected alone; the rest still apply.
    Only a broken envelope (not an object, no product list) raises."""
    body = require_dict(data, "data")
    full = require_bool(body.get("full", False), "data.full")
    items = require_list(body.get("products"), "data.products")
    upsert = CatalogUpsert(full=full)
    for index, item in enumerate(items):
        product_id = item.get("id") if isinstance(item, dict) else None
        label = product_id if isinstance(product_id, str) else f"#{index}"
        try:
            upsert.products.append(parse_product(item, f"product {label}"))
        except InvalidInput as exc:
            reason = getattr(exc, "reason", "invalid")
            upsert.rejected.append(ProductRejection(_str_or_none(product_id), reason, exc.detail))
    _reject_repeated_products(upsert)
    _reject_skus_shared_between_products(upsert)
    return upsert


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mismatch(detail: str) -> InvalidInput:
    return InvalidInput(detail, reason=CHARACTERISTICS_MISMATCH)


def parse_product(item: Any, where: str) -> Product:
    data = require_dict(item, where)
    product_id = require_id(data.get("id"), f"{where}: id")
    vat = data.get("vat")
    if vat in VAT_CODES_BEFORE_2026:
        raise InvalidInput(f"{where}: vat {vat!r} is valid only for corrections of pre-2026 sales")
    if vat not in VAT_CODES:
        raise InvalidInput(f"{where}: vat must be one of {', '.join(sorted(VAT_CODES))}")
    declared = require_list(data.get("characteristics", []), f"{where}: characteristics")
    names = tuple(require_str(n, f"{where}: characteristic name", max_len=100) for n in declared)
    if len(set(names)) != len(names):
        raise _mismatch(f"{where}: a characteristic is declared twice")
    raw_variants = require_list(data.get("variants"), f"{where}: variants")
    if not raw_variants:
        raise InvalidInput(f"{where}: has no variants (a simple product has exactly one)")
    variants = tuple(_parse_variant(v, where, names) for v in raw_variants)
    _check_variants_distinct(variants, where)
    return Product(
        id=product_id,
        article=require_str(data.get("article", ""), f"{where}: article", allow_empty=True),
        name=require_str(data.get("name"), f"{where}: name"),
        vat=vat,
        marked=require_bool(data.get("marked", False), f"{where}: marked"),
        characteristics=names,
        archived=require_bool(data.get("archived", False), f"{where}: archived"),
        variants=variants,
    )


def _parse_variant(item: Any, where: str, declared: tuple[str, ...]) -> Variant:
    data = require_dict(item, f"{where}: variant")
    sku = require_id(data.get("sku"), f"{where}: variant sku")
    at = f"{where}, variant {sku}"
    raw_values = require_dict(data.get("characteristics", {}), f"{at}: characteristics")
    values = {str(name).strip(): value for name, value in raw_values.items()}
    if len(values) != len(raw_values):
        raise _mismatch(f"{at}: a characteristic is given twice")
    undeclared = sorted(set(values) - set(declared))
    if undeclared:
        raise _mismatch(f"{at}: characteristic {undeclared[0]!r} is not declared by the product")
    characteristics = {}
    for name in declared:
        value = values.get(name)
        if not isinstance(value, str) or not value.strip():
            raise _mismatch(f"{at}: characteristic {name!r} is missing or empty")
        characteristics[name] = value.strip()
    barcodes = []
    for raw in require_list(data.get("barcodes", []), f"{at}: barcodes"):
        code_data = require_dict(raw, f"{at}: barcode")
        code = require_str(code_data.get("code"), f"{at}: barcode code", max_len=200)
        pack = require_int(code_data.get("pack", 1), f"{at}: barcode {code} pack", minimum=1)
        barcodes.append(Barcode(code, pack))
    price = require_int(data.get("price"), f"{at}: price", minimum=0, maximum=MAX_MONEY)
    min_stock = data.get("min_stock")
    if min_stock is not None:
        min_stock = require_int(min_stock, f"{at}: min_stock", minimum=0)
    return Variant(sku, characteristics, price, tuple(barcodes), min_stock)


def _check_variants_distinct(variants: tuple[Variant, ...], where: str) -> None:
    seen_skus: set[str] = set()
    seen_keys: dict[str, str] = {}
    for variant in variants:
        if variant.sku in seen_skus:
            raise InvalidInput(f"{where}: sku {variant.sku} is listed twice")
        seen_skus.add(variant.sku)
        other = seen_keys.get(variant.char_key)
        if other is not None:
            raise _mismatch(
                f"{where}: variants {other} and {variant.sku} have the same characteristics"
                f" ({variant.char_key or 'none'})"
            )
        seen_keys[variant.char_key] = variant.sku


def _reject_repeated_products(upsert: CatalogUpsert) -> None:
    """The same product twice in one message: which one is meant? Neither is applied."""
    counts: dict[str, int] = {}
    for product in upsert.products:
        counts[product.id] = counts.get(product.id, 0) + 1
    repeated = {product_id for product_id, n in counts.items() if n > 1}
    for product_id in sorted(repeated):
        upsert.rejected.append(
            ProductRejection(
                product_id, "invalid", f"product {product_id} appears more than once in the message"
            )
        )
    upsert.products = [p for p in upsert.products if p.id not in repeated]


def _reject_skus_shared_between_products(upsert: CatalogUpsert) -> None:
    owners: dict[str, set[str]] = {}
    for product in upsert.products:
        for variant in product.variants:
            owners.setdefault(variant.sku, set()).add(product.id)
    shared = {sku: ids for sku, ids in owners.items() if len(ids) > 1}
    if not shared:
        return
    kept = []
    for product in upsert.products:
        clash = next((v.sku for v in product.variants if v.sku in shared), None)
        if clash is None:
            kept.append(product)
            continue
        others = ", ".join(sorted(shared[clash] - {product.id}))
        upsert.rejected.append(
            ProductRejection(
                product.id,
                CHARACTERISTICS_MISMATCH,
                f"product {product.id}: sku {clash} also belongs to product {others}"
                " in the same message (a sku belongs to one product)",
            )
        )
    upsert.products = kept


# --- low-stock thresholds (contract 1.1 "min_stock", `stock.low`) --------------------------------
# Where a sku's threshold comes from: a manager's own, the catalog's, the configured default.
LOCAL, FROM_CATALOG, DEFAULT = "local", "catalog", "default"


def threshold(local: int | None, catalog: int | None, default: int) -> tuple[int, str | None]:
    """(min_stock, where it comes from). 0 is no threshold: a manager's or the catalog's 0
    switches it off for this sku; a default of 0 means none was configured (source None)."""
    for value, source in ((local, LOCAL), (catalog, FROM_CATALOG)):
        if value is not None:
            return value, source
    return (default, DEFAULT) if default > 0 else (0, None)


def is_low(available: int, min_stock: int) -> bool:
    """At or below the threshold; a sku without one (0) is never low."""
    return min_stock > 0 and available <= min_stock


@dataclass(frozen=True)
class ThresholdState:
    sku: str
    available: int
    min_stock: int
    was_low: bool
    stocked: bool  # it ever had a stock movement: a sku never stocked is not "running out"
    archived: bool


def low_stock_crossings(states: list[ThresholdState]) -> tuple[list[ThresholdState], list[str]]:
    """(skus that have just become low: announce each once, skus that are no longer low).
    A sku that stays low is not announced again until it has recovered above its threshold."""
    fell, recovered = [], []
    for state in states:
        low = state.stocked and not state.archived and is_low(state.available, state.min_stock)
        if low and not state.was_low:
            fell.append(state)
        elif state.was_low and not low:
            recovered.append(state.sku)
    return fell, recovered


def fold(text: str) -> str:
    """Case and ё folded (SQLite's lower() knows only ASCII): «Ёлка» and «ЕЛКА» find each other."""
    return text.casefold().replace("ё", "е")


def search_text(*parts: str) -> str:
    return fold(" ".join(part for part in parts if part))
