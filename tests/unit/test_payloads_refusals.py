"""Each kind of bad order, stock and control message is refused by its parse function (through
its model, gateway/domain/payloads*.py) with one line naming the place and the problem, and
today's reason."""

import pytest

from gateway.domain.errors import InvalidInput
from gateway.domain.messages import parse_replay_from, parse_through_seq
from gateway.domain.orders import parse_order_cancelled, parse_order_created, parse_order_updated
from gateway.domain.payments import parse_order_paid, parse_order_refunded
from gateway.domain.stock import parse_stock_change
from tests import builders

TS = "2026-11-27T10:15:00Z"


def _line(**changes) -> dict:
    order = builders.order("W-1", ("A", 1))
    order["lines"][0].update(changes)
    return order


@pytest.mark.parametrize(
    ("body", "reason", "detail"),
    [
        ("W-1", "invalid", "data must be an object"),
        ({"lines": []}, "invalid", "order_id must be a string"),
        ({"order_id": "W-1", "lines": []}, "empty_order", "order W-1 has no lines"),
        ({"order_id": "W-1", "lines": {}}, "invalid", "order W-1: lines must be a list"),
        ({"order_id": "W-1", "lines": [7]}, "invalid", "order W-1, line 1 must be an object"),
        (
            _line(qty=1.5),
            "invalid_qty",
            "order W-1, line 1: qty must be a whole number above zero, got 1.5",
        ),
        (
            _line(qty=True),
            "invalid_qty",
            "order W-1, line 1: qty must be a whole number above zero, got True",
        ),
        (
            _line(qty="2"),
            "invalid_qty",
            "order W-1, line 1: qty must be a whole number above zero, got '2'",
        ),
        (
            _line(qty=10**7),
            "invalid",
            "order W-1, line 1: qty must be at most 1000000, got 10000000",
        ),
        (_line(price=-1), "invalid", "order W-1, line 1: price must be at least 0, got -1"),
        (_line(sku=None), "invalid", "order W-1, line 1: sku must be a string"),
        ({**_line(), "paid": "yes"}, "invalid", "order W-1: paid must be true or false"),
        ({**_line(), "customer": []}, "invalid", "order W-1: customer must be an object"),
        ({**_line(), "customer": {"email": 5}}, "invalid", "customer.email must be a string"),
        (
            {
                **builders.order("W-1", ("A", 1), ("B", 1)),
                "lines": [{"line_id": "1", "sku": "A", "qty": 1}] * 2,
            },
            "invalid",
            "order W-1: line_id 1 appears twice",
        ),
    ],
)
def test_a_bad_order_is_refused_with_one_line_and_its_reason(body, reason, detail):
    with pytest.raises(InvalidInput) as refused:
        parse_order_created(body)
    assert (refused.value.reason, refused.value.detail) == (reason, detail)


@pytest.mark.parametrize(
    ("parse", "body", "detail"),
    [
        (parse_order_updated, builders.order("W-1", ("A", 1)), "version must be an integer"),
        (
            parse_order_updated,
            {**builders.order("W-1", ("A", 1)), "version": 0},
            "version must be at least 1, got 0",
        ),
        (parse_order_cancelled, {"reason": "x"}, "order_id must be a string"),
        (parse_order_cancelled, {"order_id": "W-1", "reason": ""}, "reason must not be empty"),
        (parse_through_seq, {"through_seq": "1"}, "through_seq must be an integer"),
        (parse_through_seq, {"through_seq": -1}, "through_seq must be at least 0, got -1"),
        (parse_replay_from, {"from_seq": 0}, "from_seq must be at least 1, got 0"),
        (
            parse_replay_from,
            {"from_seq": 2**62 + 1},
            f"from_seq must be at most {2**62}, got {2**62 + 1}",
        ),
        (
            parse_order_paid,
            {"order_id": "W-1", "payment_id": "p", "amount": 1, "paid_at": TS},
            "method must be one of card_online, sbp, other_electronic",
        ),
        (
            parse_order_paid,
            {"order_id": "W-1", "payment_id": "p", "amount": 1, "method": "cash", "paid_at": TS},
            "method must be one of card_online, sbp, other_electronic, got 'cash'",
        ),
        (
            parse_order_refunded,
            {
                "order_id": "W-1",
                "payment_id": "p",
                "amount": 1,
                "refunded_at": " 2026-11-27T10:15:00Z",
            },
            "refunded_at must be an RFC 3339 date and time, got ' 2026-11-27T10:15:00Z'",
        ),
        (
            parse_order_refunded,
            {"order_id": "W-1", "payment_id": "p", "amount": 10**12 + 1, "refunded_at": TS},
            "amount must be at most 1000000000000, got 1000000000001",
        ),
    ],
)
def test_the_other_cloud_messages_are_refused_with_one_line(parse, body, detail):
    with pytest.raises(InvalidInput) as refused:
        parse(body)
    assert (refused.value.reason, refused.value.detail) == ("invalid", detail)


@pytest.mark.parametrize(
    ("kind", "body", "detail"),
    [
        ("set", [], "data must be an object"),
        ("set", {"items": "A"}, "items must be a list"),
        ("set", {"items": []}, "items must not be empty"),
        ("set", {"reason": 5, "items": [{"sku": "A", "on_hand": 1}]}, "reason must be a string"),
        ("set", {"items": [{"on_hand": 1}]}, "item 1: sku must be a string"),
        (
            "set",
            {"items": [{"sku": "A", "on_hand": -1}]},
            "sku A: on_hand must be at least 0, got -1",
        ),
        (
            "set",
            {"items": [{"sku": "A", "on_hand": 1, "safety": "2"}]},
            "sku A: safety must be an integer",
        ),
        ("adjust", {"items": [{"sku": "A", "delta": 0}]}, "sku A: delta must not be zero"),
        ("adjust", {"items": [{"sku": "A"}]}, "sku A: delta must be an integer"),
        (
            "adjust",
            {"items": [{"sku": "A", "delta": 1}, {"sku": "A ", "delta": 1}]},
            "sku A appears twice in one message",
        ),
    ],
)
def test_a_bad_stock_message_is_refused_with_one_line(kind, body, detail):
    with pytest.raises(InvalidInput) as refused:
        parse_stock_change(kind, body)
    assert (refused.value.reason, refused.value.detail) == ("invalid", detail)
