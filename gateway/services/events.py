"""The bodies of outbound events (MQTT-CONTRACT.md, gateway → cloud)."""

from gateway.domain.orders import Order
from gateway.domain.staff import Staff


def emit_order_reserved(uow, order: Order) -> None:
    uow.outbox.emit(
        "order.reserved",
        {
            "order_id": order.order_id,
            "status": order.reservation_status,
            "order_status": order.status,  # extension: confirmed, partially_shipped, shipped, ...
            "lines": [
                {
                    "line_id": line.line_id,
                    "sku": line.sku,
                    "qty": line.qty_ordered,
                    "reserved": line.qty_reserved,
                    "shipped": line.qty_shipped,
                    "cancelled": line.qty_cancelled,
                }
                for line in order.lines
            ],
        },
    )


def emit_order_cancelled(
    uow, order: Order, reason: str, by: Staff, released: dict[str, int], **extra
) -> None:
    released_list = [{"sku": sku, "qty": qty} for sku, qty in released.items()]
    uow.outbox.emit(
        "order.cancelled",
        {"order_id": order.order_id, "reason": reason, **by.event, "released": released_list}
        | extra,
    )


def emit_order_released(
    uow, order: Order, lines: list[dict], reason: str, text: str | None, by: Staff
) -> None:
    """A line's reserve released by hand, the order kept (contract 1.1). `qty` is what went
    back to stock; `order_status` (an extension) the order's status after it."""
    data = {
        "order_id": order.order_id,
        "lines": lines,
        "reason": reason,
        **by.event,
        "order_status": order.status,
    }
    if text:
        data["text"] = text
    uow.outbox.emit("order.released", data)


def actor_event(by: Staff | None) -> dict:
    """`by` and `staff_id` of an event; both null when no one was named (local tools)."""
    return by.event if by is not None else {"by": None, "staff_id": None}


def emit_order_rejected(uow, order_id: str, reason: str, detail: str) -> None:
    uow.outbox.emit("order.rejected", {"order_id": order_id, "reason": reason, "detail": detail})


def emit_message_rejected(
    uow, ref_id: str | None, topic: str | None, reason: str, detail: str, **about: str | None
) -> None:
    """`about`: what in the message was refused, when not all of it (`product_id`)."""
    uow.outbox.emit(
        "message.rejected",
        {"ref_id": ref_id, "topic": topic, "reason": reason, "detail": detail, **about},
    )


def order_summary(order: Order) -> dict:
    """What a command returns to its caller (and what a replayed idempotency key gives back)."""
    return {
        "order_id": order.order_id,
        "status": order.status,
        "version": order.version,
        "needs_attention": order.needs_attention,
        "lines": [
            {
                "line_id": line.line_id,
                "sku": line.sku,
                "ordered": line.qty_ordered,
                "reserved": line.qty_reserved,
                "shipped": line.qty_shipped,
                "cancelled": line.qty_cancelled,
                "short": line.short_qty,
            }
            for line in order.lines
        ],
    }
