"""Applying `catalog.upsert`: the cloud is authoritative for the catalog; the gateway keeps a
versioned replica. A product that breaks the characteristic rules is rejected whole and its
local data stays as it was; the others apply. A variant's `min_stock` is the catalog's
threshold; a manager's own (services/stock.py `set_min_stock`) outlives every upsert.

One path for every catalog, whatever its size: the products are staged as they come (a file read
as a stream never sits in memory whole), the message-wide rules are checked on the stage, and
what passes is written in a few set-based statements inside the command's one transaction."""

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from gateway.domain.catalog import (
    CatalogUpsert,
    ProductRejection,
    parse_catalog_head,
    parse_product,
)
from gateway.domain.errors import InvalidInput

from .events import emit_message_rejected


class CatalogImport:
    """One catalog message applied product by product as it is read: `add` each product of
    `data.products` (raw, as parsed JSON) or `add_parsed`, then `finish` once. A product
    another process reads (gateway/catalog_readers.py) is `skip`ped, its share `take`n."""

    def __init__(self, uow, progress: Callable[[int], None] | None = None):
        self.uow = uow
        self.progress = progress
        self.rejected: list[tuple[int, ProductRejection]] = []  # (its place, why), as met
        self.count = 0
        uow.catalog.begin_stage()

    def add(self, item: Any) -> None:
        """A broken product is rejected alone (as `parse_catalog_upsert` does)."""
        index, self.count = self.count, self.count + 1
        product_id = item.get("id") if isinstance(item, dict) else None
        label = product_id if isinstance(product_id, str) else f"#{index}"
        try:
            product = parse_product(item, f"product {label}")
        except InvalidInput as exc:
            named = product_id if isinstance(product_id, str) else None
            reason = getattr(exc, "reason", "invalid")
            self.reject(ProductRejection(named, reason, exc.detail), index)
        else:
            self._stage(product, index)

    def add_parsed(self, product) -> None:
        index, self.count = self.count, self.count + 1
        self._stage(product, index)

    def _stage(self, product, index: int) -> None:
        self.uow.catalog.stage(product, index + 1)
        if self.progress is not None:
            self.progress(1)

    def skip(self) -> None:
        """A product of the message that another reader stages."""
        self.count += 1
        if self.progress is not None:
            self.progress(1)

    def reject(self, rejection: ProductRejection, index: int | None = None) -> None:
        """`index`: the product's place in the message (None: where reading has got to)."""
        self.rejected.append((self.count if index is None else index, rejection))
        if rejection.product_id:
            self.uow.catalog.stage_named(rejection.product_id)

    def take(self, schema: str, rejected: list[tuple[int, ProductRejection]]) -> None:
        """What another reader of the message staged (its file attached as `schema`) and
        refused (with each product's place)."""
        self.uow.catalog.take_stage(schema)
        self.rejected += rejected

    def finish(
        self, *, full: bool, ref_id: str | None = None, topic: str | None = None, report: bool
    ) -> dict:
        """`full`: archive every product the message does not name. `report`: publish
        `message.rejected` for each rejected product (the cloud sent it)."""
        uow = self.uow
        try:
            read = sorted(self.rejected, key=lambda placed: placed[0])  # stable: in message order
            rejected = [rejection for _, rejection in read] + uow.catalog.check_stage()
            applied, thresholds_changed = uow.catalog.apply_stage(
                uow.next_counter("catalog_version")
            )
            uow.stock.ensure_levels_of(uow.catalog.staged_skus_query())
            uow.stock.watch(thresholds_changed)  # a new min_stock may put a sku at or below it
            archived = uow.catalog.archive_unstaged() if full else []
        finally:
            uow.catalog.end_stage()
        if report:
            for rejection in rejected:
                emit_message_rejected(
                    uow,
                    ref_id,
                    topic,
                    rejection.reason,
                    rejection.detail,
                    product_id=rejection.product_id,
                )
        return {
            "applied": applied,
            "archived": archived,
            "rejected": [asdict(r) for r in rejected],
        }


def import_catalog(
    uow,
    data: Any,
    *,
    ref_id: str | None = None,
    topic: str | None = None,
    report: bool = True,
) -> dict:
    """A `catalog.upsert` body as received (MQTT: parsed JSON): its products go to the stage
    one by one, each checked once (`parse_product`), the message-wide rules on the stage.
    Raises InvalidInput only for a broken envelope (not an object, no product list)."""
    head = parse_catalog_head(data)
    staging = CatalogImport(uow)
    for item in head.products:
        staging.add(item)
    return staging.finish(full=head.full, ref_id=ref_id, topic=topic, report=report)


def apply_catalog(
    uow,
    upsert: CatalogUpsert,
    *,
    ref_id: str | None = None,
    topic: str | None = None,
    report: bool = True,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """A message already parsed by `parse_catalog_upsert` (tests, seeds). `progress(n)` is
    told as products are staged."""
    staging = CatalogImport(uow, progress)
    for rejection in upsert.rejected:
        staging.reject(rejection)
    for product in upsert.products:
        staging.add_parsed(product)
    return staging.finish(full=upsert.full, ref_id=ref_id, topic=topic, report=report)
