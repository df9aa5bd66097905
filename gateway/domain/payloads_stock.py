"""Stock payloads as models: `stock.set` and `stock.adjust` (cloud → gateway); `stock.changed`,
`stock.adjusted` and `stock.low` (gateway → cloud). A sku repeated in one message is refused by
gateway/domain/stock.py (a schema cannot say "each sku at most once")."""

from pydantic import Field

from .payloads_types import (
    MAX_QTY,
    Actor,
    Bool,
    CloudData,
    Count,
    GatewayData,
    Id,
    Quantity,
    ScannedCode,
    Sku,
    StaffId,
    Str,
    integer,
    nonzero,
    text,
)

UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class StockSetItem(CloudData):
    sku: Sku
    on_hand: integer(0, MAX_QTY)
    safety: integer(0, MAX_QTY) | None = Field(
        None,
        description="Extension: the safety buffer withheld from the web shop (available ="
        " on_hand − reserved − safety).",
    )


class StockSetData(CloudData):
    reason: text(64) = Field(
        "set", description="Why (e.g. `initial`, `count`); reported back in `stock.adjusted`."
    )
    items: list[StockSetItem] = Field(min_length=1, description="Each sku at most once.")


class StockAdjustItem(CloudData):
    sku: Sku
    delta: nonzero(
        -MAX_QTY,
        MAX_QTY,
        description="Pieces to add (positive) or take away (negative); never zero.",
    )


class StockAdjustData(CloudData):
    reason: text(64) = Field(
        "adjust",
        description="Why (e.g. `transfer_in`, `loss`); reported back in `stock.adjusted`.",
    )
    items: list[StockAdjustItem] = Field(min_length=1, description="Each sku at most once.")


class StockChangedItem(GatewayData):
    """`available` = max(0, on_hand − reserved − safety stock), what the web shop may sell.
    `seq` (an extension) is the sku's own change counter, growing on every change of its
    numbers, so a consumer can drop a stale snapshot of a sku."""

    sku: Sku
    on_hand: Count
    reserved: Count
    available: Count
    seq: Count


class StockChangedData(GatewayData):
    full: Bool = Field(description="true — the answer to `cmd.resync`, listing every sku.")
    items: list[StockChangedItem]


class StockAdjustedItem(GatewayData):
    sku: Sku
    delta: nonzero()
    on_hand: Count


class StockAdjustedData(GatewayData):
    """`reason`: the reason of the correction (the cloud's `reason` for `stock.set` and
    `stock.adjust`), or `stocktake` (a count's differences, applied in one transaction),
    `counter_sale` (goods sold at the counter left the shelf) or `return` (goods given back with
    a refund receipt are on the shelf again). Per item, `delta` is the change of on_hand (never
    zero) and `on_hand` the value after it. A stocktake lists only the skus whose on_hand
    changed: delta = counted − on_hand at the sku's first scan (what moved during the count
    stays moved; a result below zero is clamped to 0), and a count that zeroes what it did not
    find takes the skus in scope nobody scanned to 0. Extensions: `staff_id` is the account of
    `by` (null for the cloud and local tools); `receipt_id` (only with `counter_sale` and
    `return`) is the receipt job queued in the same transaction (`receipt.fiscalized`
    `receipt_id`); `stocktake_id` (only with `stocktake`) is the count document (`INV-<n>`,
    unique in the shop). A manager's correction on the tablet (always one sku) has `reason`
    `regrade` (пересорт: counted as another variant), `damage` (порча), `loss` (потеря), `found`
    (найдено) or `other`, with the manager's `note` (required with `other`) and its
    `correction_id`."""

    reason: Str = Field(
        min_length=1,
        examples=[
            "initial",
            "count",
            "transfer_in",
            "stocktake",
            "counter_sale",
            "return",
            "regrade",
            "damage",
            "loss",
            "found",
            "other",
        ],
    )
    items: list[StockAdjustedItem] = Field(min_length=1)
    by: Actor
    staff_id: StaffId
    receipt_id: integer(1) = Field(
        None, description="Extension, with `counter_sale` and `return` only: the receipt job."
    )
    stocktake_id: Id = None
    note: Str | None = Field(
        None,
        max_length=200,
        description="Extension, a manager's correction only: the manager's words, or null.",
    )
    correction_id: integer(1) = Field(
        None,
        description="Extension, a manager's correction only: the shop's correction number.",
    )


class StockLowData(GatewayData):
    sku: Sku
    available: Count = Field(
        description="The sku's `available` after the change (as `stock.changed` carries it)."
    )
    min_stock: integer(1) = Field(
        description="The threshold in force (always ≥ 1; `available` ≤ `min_stock`)."
    )


class UnknownCode(GatewayData):
    code: ScannedCode
    scans: Quantity


class ResolvedCode(GatewayData):
    code: ScannedCode
    sku: Sku
    pack: Quantity
    learned: Bool


class ReceivedLine(GatewayData):
    sku: Sku
    qty: Quantity


class ReceivingPostedData(GatewayData):
    """The fields the contract names: `doc_id` (the receiving document, `R-<n>`, unique in the
    shop), `lines` (the units added to stock per sku, each sku once, in the order first scanned;
    empty when every code was left unknown), `unknown_codes` (the codes nobody linked to a sku;
    no stock was added for them) and `by` (who posted it). Extensions: `staff_id` (the account
    of who posted it), `sync_id` (the document's UUID, fixed when the draft was started: the
    cloud creates its supply document once under it, e.g. as MoySklad `syncId`), `supplier_ref`
    (the supplier's invoice number, or null), `unknown` (the same codes as `unknown_codes`, in
    the same order, with how many times each was scanned) and `resolved_codes` (unknown codes a
    manager linked to a sku in this document)."""

    doc_id: Id
    lines: list[ReceivedLine] = Field(
        description="Units, not scans: a pack barcode counts its `pack` units per scan, a linked"
        " code `scans × pack`."
    )
    unknown_codes: list[ScannedCode] = Field(
        description="Scanned codes that match no barcode of the catalog and were not linked to a"
        " sku, each once. For a Честный ЗНАК marking code this is its GTIN (EAN-13 when it starts"
        " with 0, otherwise GTIN-14), which names the product, not the unit's whole code."
    )
    by: Actor
    staff_id: StaffId
    sync_id: Str = Field(
        pattern=UUID,
        json_schema_extra={"format": "uuid"},
        description="Extension. The document's UUID (lower-case, with hyphens).",
    )
    supplier_ref: Str | None = Field(
        min_length=1,
        max_length=500,
        description="Extension. The supplier's invoice (накладная) number, or null.",
    )
    unknown: list[UnknownCode] = Field(
        description="Extension. `unknown_codes` with their scan counts (scans, not units)."
    )
    resolved_codes: list[ResolvedCode] = Field(
        description="Extension. Codes that were unknown when scanned and that a manager linked to"
        " a sku in this document (in the order they were linked): each scan counted `pack` units"
        " of `sku`, already included in `lines`. `learned: true` — the gateway added the code to"
        " its local catalog as a barcode of `sku` with that `pack`, and the cloud should add it"
        " to the product (the cloud's next `catalog.upsert` of the product replaces the local"
        " barcodes); `learned: false` — a link for this document only."
    )
