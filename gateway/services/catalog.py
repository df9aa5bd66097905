"""Applying `catalog.upsert`: the cloud is authoritative for the catalog; the gateway keeps a
versioned replica. A product that breaks the characteristic rules is rejected whole and its
local data stays as it was; the others apply. A variant's `min_stock` is the catalog's
threshold; a manager's own (services/stock.py `set_min_stock`) outlives every upsert."""

from collections.abc import Callable
from dataclasses import asdict

from gateway.domain.catalog import CHARACTERISTICS_MISMATCH, CatalogUpsert, ProductRejection

from .events import emit_message_rejected


def apply_catalog(
    uow,
    upsert: CatalogUpsert,
    *,
    ref_id: str | None = None,
    topic: str | None = None,
    report: bool = True,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """`report`: publish `message.rejected` for each rejected product (the cloud sent it).
    `progress(n)` is told as products are written (a progress bar on a terminal)."""
    rejected = list(upsert.rejected)
    owners = uow.catalog.owners([v.sku for p in upsert.products for v in p.variants])
    listed = {p.id: {v.sku for v in p.variants} for p in upsert.products}
    version = uow.next_counter("catalog_version")
    applied = []
    for product in upsert.products:
        foreign = next(
            (v.sku for v in product.variants if _held_elsewhere(v.sku, product.id, owners, listed)),
            None,
        )
        if foreign is not None:
            rejected.append(
                ProductRejection(
                    product.id,
                    CHARACTERISTICS_MISMATCH,
                    f"product {product.id}: sku {foreign} already belongs to product"
                    f" {owners[foreign][0]} (a sku belongs to one product)",
                )
            )
            continue
        thresholds_changed = uow.catalog.upsert_product(product, version)
        uow.stock.ensure_levels([variant.sku for variant in product.variants])
        uow.stock.watch(thresholds_changed)  # a new min_stock may put a sku at or below it
        applied.append(product.id)
        if progress is not None:
            progress(1)
    mentioned = set(applied) | {r.product_id for r in rejected if r.product_id}
    archived = uow.catalog.archive_products_except(mentioned) if upsert.full else []
    if report:
        for rejection in rejected:
            emit_message_rejected(uow, ref_id, topic, rejection.reason, rejection.detail)
    return {
        "applied": applied,
        "archived": archived,
        "rejected": [asdict(r) for r in rejected],
    }


def _held_elsewhere(sku: str, product_id: str, owners: dict, listed: dict) -> bool:
    """A sku may move to another product only once its old product no longer offers it:
    archived there, or dropped from it in this same message."""
    owner, archived = owners.get(sku, (product_id, False))
    if owner == product_id or archived:
        return False
    return owner not in listed or sku in listed[owner]
