"""Every MQTT payload of the contract, by message type, both ways. docs/asyncapi.yaml's
components/schemas are generated from these models (tools/asyncapi_gen.py); a test fails when
the document and the models differ."""

from dataclasses import dataclass

from pydantic import BaseModel

from .payloads_catalog import CatalogUpsertData
from .payloads_envelope import CloudEnvelope, GatewayEnvelope, StatusEnvelope
from .payloads_order_events import (
    OrderCancelledOutData,
    OrderConfirmedData,
    OrderRejectedData,
    OrderReleasedData,
    OrderReservedData,
    OrderShippedData,
)
from .payloads_orders import (
    OrderCancelledInData,
    OrderCreatedData,
    OrderPaidData,
    OrderRefundedData,
    OrderUpdatedData,
)
from .payloads_stock import (
    ReceivingPostedData,
    StockAdjustData,
    StockAdjustedData,
    StockChangedData,
    StockLowData,
    StockSetData,
)
from .payloads_sync import (
    CmdReplayData,
    CmdResyncData,
    GatewayStatusData,
    MessageRejectedData,
    SyncAckData,
    SyncResendData,
)
from .payloads_till import FiscalAlarmData, ReceiptFiscalizedData, ShiftClosedData, ShiftOpenedData


@dataclass(frozen=True)
class Payload:
    type: str  # the envelope's `type`
    envelope: type[BaseModel]
    data: type[BaseModel]

    @property
    def schema_name(self) -> str:
        """The whole message's schema: OrderCancelledInData → OrderCancelledInMessage."""
        return self.data.__name__.removesuffix("Data") + "Message"


def _cloud(type_: str, data: type[BaseModel]) -> Payload:
    return Payload(type_, CloudEnvelope, data)


def _gateway(type_: str, data: type[BaseModel]) -> Payload:
    return Payload(type_, GatewayEnvelope, data)


INBOUND_PAYLOADS = (
    _cloud("catalog.upsert", CatalogUpsertData),
    _cloud("stock.set", StockSetData),
    _cloud("stock.adjust", StockAdjustData),
    _cloud("order.created", OrderCreatedData),
    _cloud("order.cancelled", OrderCancelledInData),
    _cloud("order.updated", OrderUpdatedData),
    _cloud("order.paid", OrderPaidData),  # since 1.1
    _cloud("order.refunded", OrderRefundedData),  # since 1.1
    _cloud("cmd.resync", CmdResyncData),
    _cloud("cmd.replay", CmdReplayData),
    _cloud("sync.ack", SyncAckData),
)
OUTBOUND_PAYLOADS = (
    _gateway("stock.changed", StockChangedData),
    _gateway("order.reserved", OrderReservedData),
    _gateway("order.rejected", OrderRejectedData),
    _gateway("order.confirmed", OrderConfirmedData),
    _gateway("order.shipped", OrderShippedData),
    _gateway("order.cancelled", OrderCancelledOutData),
    _gateway("order.released", OrderReleasedData),  # since 1.1
    _gateway("receiving.posted", ReceivingPostedData),
    _gateway("stock.adjusted", StockAdjustedData),
    _gateway("receipt.fiscalized", ReceiptFiscalizedData),
    _gateway("shift.opened", ShiftOpenedData),
    _gateway("shift.closed", ShiftClosedData),
    _gateway("stock.low", StockLowData),  # since 1.1
    _gateway("fiscal.alarm", FiscalAlarmData),  # since 1.1
    _gateway("sync.resend", SyncResendData),
    _gateway("message.rejected", MessageRejectedData),
    Payload("gateway.status", StatusEnvelope, GatewayStatusData),
)
ENVELOPES = (CloudEnvelope, GatewayEnvelope, StatusEnvelope)


def inbound_model(message_type: str) -> type[BaseModel]:
    return next(p.data for p in INBOUND_PAYLOADS if p.type == message_type)


def outbound_model(message_type: str) -> type[BaseModel]:
    return next(p.data for p in OUTBOUND_PAYLOADS if p.type == message_type)
