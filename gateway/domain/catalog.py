"""The catalog replica: products, variants (skus), barcodes, and the seed's first criterion —
characteristics that match on every variant of a product."""

from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput
from .payloads_catalog import CatalogUpsertHead
from .payloads_catalog import Product as ProductPayload
from .payloads_catalog import Variant as VariantPayload
from .payloads_errors import Problem, dotted, validated

# Valid only for refunds and corrections of sales made before 2026, never for a new sale.
VAT_CODES_BEFORE_2026 = frozenset({"vat20", "vat120"})

CHARACTERISTICS_MISMATCH = "characteristics_mismatch"


# Values, not changed after they are made; not frozen only because a frozen dataclass is made
# several times slower, and a catalog makes hundreds of thousands of them (issue 12).
@dataclass(slots=True)
class Barcode:
    code: str
    pack: int = 1


@dataclass(slots=True)
class Variant:
    sku: str
    characteristics: dict[str, str]
    price: int
    barcodes: tuple[Barcode, ...] = ()
    min_stock: int | None = None  # the back-office's «неснижаемый остаток» (contract 1.1)
    # Canonical form of the values, e.g. 'Размер=M|Цвет=красный' (sorted by name). Separators
    # inside names and values are escaped, so two combinations never collide. Computed once
    # here: a catalog has 100 000 of them and every one is compared and stored.
    char_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        chars = self.characteristics
        self.char_key = "|".join([f"{_escape(k)}={_escape(chars[k])}" for k in sorted(chars)])


def _escape(text: str) -> str:
    if "\\" not in text and "|" not in text and "=" not in text:
        return text  # the usual case, and a catalog has hundreds of thousands of these
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("=", "\\=")


@dataclass(slots=True)
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


def parse_catalog_head(data: Any) -> CatalogUpsertHead:
    """A `catalog.upsert` body with its products unread (`.full`, `.products` as received):
    raises only for a broken envelope (not an object, no product list). Each product is then
    read on its own (`parse_product`), so a broken one is rejected alone."""
    return validated(CatalogUpsertHead, data, _body_problem)


def parse_catalog_upsert(data: Any) -> CatalogUpsert:
    """Parse a `catalog.upsert` body. A broken product is rejected alone; the rest still apply.
    Only a broken envelope (not an object, no product list) raises."""
    head = parse_catalog_head(data)
    upsert = CatalogUpsert(full=head.full)
    for index, item in enumerate(head.products):
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


def _body_problem(problem: Problem) -> InvalidInput:
    return InvalidInput(f"{dotted(('data', *problem.loc))} {problem.words}")


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mismatch(detail: str) -> InvalidInput:
    return InvalidInput(detail, reason=CHARACTERISTICS_MISMATCH)


def parse_product(item: Any, where: str) -> Product:
    """One product of a catalog (`where` names it in errors: "product P-100"). The shapes are
    the model's (payloads_catalog.Product); the characteristic rules are checked here."""
    payload = validated(
        ProductPayload, item, lambda problem: _product_problem(problem, item, where)
    )
    names = tuple(payload.characteristics)
    if len(set(names)) != len(names):
        raise _mismatch(f"{where}: a characteristic is declared twice")
    declared = frozenset(names)
    variants = tuple([_variant(v, where, names, declared) for v in payload.variants])
    _check_variants_distinct(variants, where)
    return Product(
        id=payload.id,
        article=payload.article,
        name=payload.name,
        vat=payload.vat,
        marked=payload.marked,
        characteristics=names,
        archived=payload.archived,
        variants=variants,
    )


def _product_problem(problem: Problem, item: Any, where: str) -> InvalidInput:
    """Today's words for what the model found: "product P-100, variant TS-RED-M: price must be
    an integer"."""
    loc, words = problem.loc, problem.words
    if not loc:
        return InvalidInput(f"{where} {words}")
    field = loc[0]
    # A vat that is a list or an object is no code at all (and cannot be looked up in a set).
    if field == "vat" and isinstance(problem.input, str) and problem.input in VAT_CODES_BEFORE_2026:
        return InvalidInput(
            f"{where}: vat {problem.input!r} is valid only for corrections of pre-2026 sales"
        )
    if field == "characteristics" and len(loc) > 1:
        return InvalidInput(f"{where}: characteristic name {words}")
    if field != "variants" or len(loc) == 1:
        if field == "variants" and problem.kind == "too_short":
            return InvalidInput(f"{where}: has no variants (a simple product has exactly one)")
        return InvalidInput(f"{where}: {field} {words}")
    variant, rest = item["variants"][loc[1]], loc[2:]
    if not rest:
        return InvalidInput(f"{where}: variant {words}")
    if rest[0] == "sku":
        return InvalidInput(f"{where}: variant sku {words}")
    at = f"{where}, variant {_text(variant.get('sku'), f'#{loc[1]}')}"
    if rest[0] == "characteristics" and len(rest) > 1:
        name = rest[1]
        if name.strip() not in [_text(n, "") for n in item.get("characteristics") or []]:
            return _mismatch(f"{at}: characteristic {name!r} is not declared by the product")
        return _mismatch(f"{at}: characteristic {name.strip()!r} is missing or empty")
    if rest[0] == "barcodes" and len(rest) > 1:
        if len(rest) == 2:
            return InvalidInput(f"{at}: barcode {words}")
        if rest[2] == "pack":
            code = _text(variant["barcodes"][rest[1]].get("code"), f"#{rest[1]}")
            return InvalidInput(f"{at}: barcode {code} pack {words}")
        return InvalidInput(f"{at}: barcode {rest[2]} {words}")
    return InvalidInput(f"{at}: {rest[0]} {words}")


def _text(value: Any, otherwise: str) -> str:
    """A name for the message: the value if it is a string, else `otherwise`."""
    return value.strip() if isinstance(value, str) else otherwise


def _variant(
    payload: VariantPayload, where: str, names: tuple[str, ...], declared: frozenset[str]
) -> Variant:
    given = payload.characteristics
    if given.keys() != declared:
        given = _names_trimmed(given, f"{where}, variant {payload.sku}", names)
    return Variant(
        payload.sku,
        {name: given[name] for name in names},
        payload.price,
        tuple([Barcode(b.code, b.pack) for b in payload.barcodes]),
        payload.min_stock,
    )


def _names_trimmed(given: dict[str, str], at: str, declared: tuple[str, ...]) -> dict[str, str]:
    """The variant's values by names without the white space around them, which must be
    exactly the declared names; else which rule it breaks."""
    values = {name.strip(): value for name, value in given.items()}
    if len(values) != len(given):
        raise _mismatch(f"{at}: a characteristic is given twice")
    undeclared = sorted(set(values) - set(declared))
    if undeclared:
        raise _mismatch(f"{at}: characteristic {undeclared[0]!r} is not declared by the product")
    missing = next((name for name in declared if name not in values), None)
    if missing is not None:
        raise _mismatch(f"{at}: characteristic {missing!r} is missing or empty")
    return values


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


# A value, not changed after it is made; not frozen only because a frozen dataclass is made
# four times slower, and every order makes one (issue 12).
@dataclass(slots=True)
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
    return fold(" ".join([part for part in parts if part]))
