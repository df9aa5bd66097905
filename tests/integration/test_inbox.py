"""Cloud → gateway messages through the inbox service, on a real database (the MQTT transport
is tested separately against a real broker)."""

import json

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.domain.messages import MAX_MESSAGE_BYTES
from gateway.services.inbox import receive_cloud_message, request_resend, skip_gap
from gateway.services.sync import prune_history
from tests import builders
from tests.conftest import Shop

PREFIX = "storegw/shop-001"


class Cloud:
    """Builds envelopes the way the contract says; numbers them like the cloud does."""

    def __init__(self):
        self.seq = 0

    def message(self, type_, data, *, seq=True, msg_id=None, v=1) -> dict:
        if seq:
            self.seq += 1
        envelope = {
            "v": v,
            "id": msg_id or f"m-{self.seq}-{type_}",
            "type": type_,
            "ts": "2026-11-27T10:00:00Z",
            "data": data,
        }
        if seq:
            envelope["seq"] = self.seq
        return envelope


TOPICS = {
    "catalog.upsert": "in/catalog",
    "stock.set": "in/stock",
    "stock.adjust": "in/stock",
    "order.created": "in/orders",
    "order.cancelled": "in/orders",
    "order.updated": "in/orders",
    "sync.ack": "in/cmd",
    "cmd.replay": "in/cmd",
    "cmd.resync": "in/cmd",
}


def deliver(shop: Shop, envelope: dict | bytes, suffix: str | None = None) -> dict:
    payload = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
    suffix = suffix or TOPICS[envelope["type"]]
    return shop.run(receive_cloud_message, PREFIX, suffix, payload)


@pytest.fixture
def cloud(shop):
    cloud = Cloud()
    catalog = builders.catalog(builders.simple_product("A"), builders.simple_product("B"))
    deliver(shop, cloud.message("catalog.upsert", catalog))
    deliver(shop, cloud.message("stock.set", builders.stock_set(A=3, B=3)))
    return cloud


def test_messages_apply_once_whatever_the_redelivery(shop, cloud):
    """Edge 8: QoS 1 redelivery and cloud retries reserve once."""
    created = cloud.message("order.created", builders.order("W-1", ("A", 2)))
    assert deliver(shop, created)["outcome"] == "applied"
    assert deliver(shop, created)["outcome"] == "duplicate"
    retry = {**created, "id": "another-id"}  # the same seq again, under a new id
    assert deliver(shop, retry)["outcome"] == "duplicate"
    assert shop.level("A").reserved == 2


def test_a_retry_the_cloud_numbered_anew_applies_once_and_takes_its_seq(shop, cloud):
    """QA: the same id under a new seq was dropped without advancing the cloud's seq, so the
    next message waited for a seq that could never come (its resend was a duplicate too)."""
    adjust = cloud.message("stock.adjust", builders.stock_adjust(A=1), msg_id="adjust-1")
    deliver(shop, adjust)
    renumbered = cloud.message("stock.adjust", builders.stock_adjust(A=1), msg_id="adjust-1")
    after = cloud.message("stock.adjust", builders.stock_adjust(A=2))
    assert deliver(shop, after)["outcome"] == "parked"  # it came first: held for the retry
    result = deliver(shop, renumbered)
    assert result["outcome"] == "duplicate" and result["parked"] is False
    with shop.db.transaction() as uow:
        assert uow.sync.counter("in_seq") == after["seq"]
    assert shop.level("A").on_hand == 3 + 1 + 2  # the retry applied once


def test_a_gap_parks_later_messages_asks_for_resend_then_applies_in_order(shop, cloud):
    first = cloud.message("order.created", builders.order("W-1", ("A", 2)))
    second = cloud.message("order.created", builders.order("W-2", ("A", 2)))
    third = cloud.message("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    assert deliver(shop, third)["outcome"] == "parked"
    assert deliver(shop, second)["outcome"] == "parked"
    [resend] = shop.events("sync.resend")
    assert resend["from_seq"] == first["seq"]
    assert shop.level("A").reserved == 0  # nothing applied out of order
    result = deliver(shop, first)
    assert result["outcome"] == "applied" and result["parked"] is False
    # W-1 reserved 2, W-2 got 1 (short), then W-1's cancel freed 2 → W-2 filled.
    assert shop.order("W-1").status == "cancelled"
    assert shop.order("W-2").status == "reserved"


def test_a_cancel_or_an_edit_ahead_of_its_order_is_applied_right_after_it(shop, cloud):
    """DOMAIN.md edge 9 (QA): a cancel without a seq that came before its order was refused as
    not_found, and the order then took stock the cloud had already let go."""
    cancel = cloud.message("order.cancelled", {"order_id": "W-1", "reason": "customer"}, seq=False)
    assert deliver(shop, cancel)["outcome"] == "applied"
    assert shop.events("message.rejected") == [] and shop.order("W-1") is None
    edit = cloud.message(
        "order.updated", {**builders.order("W-2", ("A", 1), ("B", 2)), "version": 2}, seq=False
    )
    deliver(shop, edit)
    assert deliver(shop, cancel)["outcome"] == "duplicate"  # kept once

    created = cloud.message("order.created", builders.order("W-1", ("A", 2)), seq=False)
    deliver(shop, created)
    assert shop.order("W-1").status == "cancelled"
    assert shop.level("A").reserved == 0
    [cancelled] = shop.events("order.cancelled")
    assert cancelled["order_id"] == "W-1" and cancelled["reason"] == "customer"

    created = cloud.message("order.created", builders.order("W-2", ("A", 1)), msg_id="m-W-2")
    deliver(shop, created)
    lines = shop.order("W-2").lines
    assert [(line.sku, line.qty_ordered, line.qty_reserved) for line in lines] == [
        ("A", 1, 1),
        ("B", 2, 2),
    ]
    assert shop.order("W-2").src_version == 2
    with shop.db.transaction() as uow:
        assert uow.conn.execute("SELECT COUNT(*) FROM order_early").fetchone()[0] == 0


def test_an_early_message_the_order_refuses_is_answered_and_the_order_stands(shop, cloud):
    edit = {**builders.order("W-1", ("NOPE", 1)), "version": 2}  # an unknown sku
    deliver(shop, cloud.message("order.updated", edit, seq=False))
    deliver(shop, cloud.message("order.created", builders.order("W-1", ("A", 1)), seq=False))
    assert shop.order("W-1").status == "reserved"
    [rejected] = shop.events("message.rejected")
    assert rejected["reason"] == "unknown_sku" and rejected["topic"] == f"{PREFIX}/in/orders"


def test_a_gap_that_never_fills_is_skipped_with_an_alarm(shop, cloud):
    cloud.message("order.created", builders.order("W-lost", ("A", 1)))  # never delivered
    later = cloud.message("order.created", builders.order("W-2", ("A", 1)))
    deliver(shop, later)
    assert shop.run(request_resend)["outcome"] == "resend"  # the link's periodic reminder
    assert len(shop.events("sync.resend")) == 2
    result = shop.run(skip_gap, PREFIX)
    assert result["parked"] is False and shop.order("W-2").status == "reserved"
    with shop.db.transaction() as uow:
        alarm = uow.conn.execute("SELECT detail FROM alarm").fetchone()[0]
    assert "never arrived" in alarm


def alarms(shop) -> dict[str, str]:
    with shop.db.transaction() as uow:
        return dict(uow.conn.execute("SELECT name, detail FROM alarm").fetchall())


def test_a_skipped_gap_stays_visible_until_the_lost_messages_arrive(shop, cloud):
    """Issue 13: a cmd.resync held behind a lost seq used to clear the alarm skip_gap had just
    raised, in the same transaction: the loss was never shown."""
    lost = cloud.message("order.created", builders.order("W-lost", ("A", 1)))
    also_lost = cloud.message("stock.adjust", builders.stock_adjust(B=2))
    resync = cloud.message("cmd.resync", {})
    assert deliver(shop, resync)["outcome"] == "parked"
    result = shop.run(skip_gap, PREFIX)
    assert result["skipped"] == (lost["seq"], also_lost["seq"])
    assert shop.events("stock.changed")[-1]["full"] is True  # the held resync was applied
    assert f"{lost['seq']}..{also_lost['seq']}" in alarms(shop)["cloud_seq_gap"]

    assert deliver(shop, cloud.message("cmd.resync", {}))["outcome"] == "applied"
    assert "cloud_seq_gap" in alarms(shop)  # a later resync does not bring the orders back

    late = deliver(shop, also_lost)  # the cloud sends them again: applied, out of order
    assert late["late"] == also_lost["seq"] and late["missing"] == str(lost["seq"])
    assert shop.level("B").on_hand == 5
    assert alarms(shop)["cloud_seq_gap"].startswith(f"cloud messages {lost['seq']} never")
    assert deliver(shop, also_lost)["outcome"] == "duplicate"  # and only once

    assert deliver(shop, lost)["missing"] == ""
    assert shop.order("W-lost").status == "reserved"
    assert "cloud_seq_gap" not in alarms(shop)


@pytest.mark.parametrize(
    ("payload", "suffix", "reason"),
    [
        (b"{not json", "in/orders", "invalid_json"),
        (b"\xff\xfe", "in/orders", "invalid_json"),
        (b"[1, 2]", "in/orders", "invalid"),
        (
            json.dumps({"v": 2, "id": "x", "type": "order.created", "data": {}}).encode(),
            "in/orders",
            "wrong_version",
        ),
        (
            json.dumps({"v": 1, "id": "x", "type": "order.exploded", "data": {}}).encode(),
            "in/orders",
            "unknown_type",
        ),
        (
            json.dumps({"v": 1, "id": "x", "type": "order.created", "data": {}}).encode(),
            "in/stock",
            "wrong_topic",
        ),
        (
            json.dumps({"v": 1, "type": "order.created", "data": {}}).encode(),
            "in/orders",
            "invalid",
        ),
        (
            json.dumps({"v": 1, "id": "x", "type": "order.created", "data": []}).encode(),
            "in/orders",
            "invalid",
        ),
        (
            json.dumps({"v": 1, "id": "x", "type": "order.created", "seq": 0, "data": {}}).encode(),
            "in/orders",
            "invalid",
        ),
        (b" " * (MAX_MESSAGE_BYTES + 1), "in/orders", "oversize"),
    ],
)
def test_malformed_messages_are_rejected_with_a_reason_and_change_nothing(
    shop, cloud, payload, suffix, reason
):
    before = shop.level("A")
    result = deliver(shop, payload, suffix)
    assert result == {"outcome": "rejected", "reason": reason}
    [rejected] = shop.events("message.rejected")
    assert rejected["reason"] == reason and rejected["topic"] == f"{PREFIX}/{suffix}"
    assert rejected["detail"]
    assert shop.level("A") == before


def test_invalid_data_is_rejected_and_the_seq_still_advances(shop, cloud):
    bad = cloud.message("stock.adjust", {"reason": "x", "items": [{"sku": "A", "delta": 1.5}]})
    assert deliver(shop, bad)["outcome"] == "rejected"
    [rejected] = shop.events("message.rejected")
    assert rejected["ref_id"] == bad["id"] and "integer" in rejected["detail"]
    nxt = cloud.message("stock.adjust", builders.stock_adjust(A=1))
    assert deliver(shop, nxt)["outcome"] == "applied"  # no gap was left behind
    assert shop.level("A").on_hand == 4


def test_a_characteristics_mismatch_rejects_that_product_only(shop, cloud):
    good = builders.product("P-ok", [builders.variant("OK-M", Размер="M")])
    bad = builders.product("P-bad", [builders.variant("BAD", Цвет="red")], ["Размер"])
    deliver(shop, cloud.message("catalog.upsert", builders.catalog(good, bad)))
    [rejected] = shop.events("message.rejected")
    assert rejected["reason"] == "characteristics_mismatch" and "P-bad" in rejected["detail"]
    assert shop.level("OK-M") is not None and shop.level("BAD") is None


def test_sync_ack_is_monotonic_and_cannot_run_ahead(shop, cloud):
    head = shop.events()[-1]["seq"]
    ack = cloud.message("sync.ack", {"through_seq": head}, seq=False, msg_id="ack-1")
    assert deliver(shop, ack)["acked_seq"] == head
    older = cloud.message("sync.ack", {"through_seq": 1}, seq=False, msg_id="ack-2")
    assert deliver(shop, older)["acked_seq"] == head
    ahead = cloud.message("sync.ack", {"through_seq": head + 5}, seq=False, msg_id="ack-3")
    assert deliver(shop, ahead)["outcome"] == "rejected"


def test_resync_publishes_one_full_snapshot_however_often_it_is_delivered(shop, cloud):
    resync = cloud.message("cmd.resync", {}, seq=False, msg_id="r1")
    deliver(shop, resync)
    snapshot = shop.events("stock.changed")[-1]
    assert snapshot["full"] is True
    assert {item["sku"] for item in snapshot["items"]} == {"A", "B"}
    assert deliver(shop, resync)["outcome"] == "duplicate"  # QA: 13 redeliveries, 13 snapshots
    assert len([e for e in shop.events("stock.changed") if e["full"]]) == 1


def test_replay_of_pruned_history_starts_at_the_oldest_kept(shop, cloud):
    result = deliver(shop, cloud.message("cmd.replay", {"from_seq": 1}, seq=False, msg_id="r"))
    assert result["replay_from"] == 1
    with shop.db.transaction() as uow:
        assert uow.sync.prune_outbox(2, "9999", 10) == 2
    result = deliver(shop, cloud.message("cmd.replay", {"from_seq": 1}, seq=False, msg_id="q"))
    assert result["replay_from"] == 3


def test_pruning_keeps_what_is_unacknowledged_or_recent(shop, cloud):
    with shop.db.transaction() as uow:
        uow.conn.execute("UPDATE outbox SET created_at = '2020-01-01T00:00:00.000000Z'")
    assert shop.run(prune_history)["outbox"] == 0  # nothing acknowledged yet
    deliver(shop, cloud.message("order.created", builders.order("W-1", ("A", 1))))
    ack = cloud.message("sync.ack", {"through_seq": 2}, seq=False, msg_id="a")
    deliver(shop, ack)
    with shop.db.transaction() as uow:
        uow.conn.execute("UPDATE outbox SET created_at = '2020-01-01T00:00:00.000000Z'")
    assert shop.run(prune_history)["outbox"] == 0  # old and acknowledged, but among the last
    assert shop.run(prune_history, keep_last=0)["outbox"] == 2
    assert [e["seq"] for e in shop.events()][0] == 3  # the unacknowledged ones stay


def test_stock_changed_coalesces_while_offline_and_never_goes_stale(tmp_path):
    database = Database(tmp_path / "g.db", coalesce=True)
    shop = Shop(database)
    shop.stock(A=5, B=5)
    cloud = Cloud()
    for n in range(6):
        deliver(shop, cloud.message("order.created", builders.order(f"W-{n}", ("A", 1))))
    changes = shop.events("stock.changed")
    assert len(changes) == 1  # folded into one message while the link was down
    item_a = next(item for item in changes[0]["items"] if item["sku"] == "A")
    assert (item_a["reserved"], item_a["available"]) == (5, 0)  # the latest numbers
    shop.run(lambda uow: uow.outbox.mark_link(True))
    deliver(shop, cloud.message("order.created", builders.order("W-9", ("B", 1))))
    assert len(shop.events("stock.changed")) == 2  # online: a message of its own
    database.close()


def test_a_broken_numbered_message_is_rejected_in_its_place_and_blocks_nothing(shop, cloud):
    """A cloud message that fails the envelope check still takes its seq: the stream goes on."""
    first = cloud.message("order.created", builders.order("W-1", ("A", 1)))
    broken = cloud.message("cmd.bogus", {})
    last = cloud.message("order.created", builders.order("W-2", ("B", 1)))
    assert deliver(shop, last)["outcome"] == "parked"
    assert deliver(shop, broken, "in/cmd")["outcome"] == "parked"
    result = deliver(shop, first)
    assert result["parked"] is False
    with shop.db.transaction() as uow:
        assert uow.sync.counter("in_seq") == last["seq"]
    [rejected] = shop.events("message.rejected")
    assert (rejected["ref_id"], rejected["reason"]) == (broken["id"], "unknown_type")
    assert shop.order("W-2").status == "reserved"
    assert deliver(shop, broken, "in/cmd")["outcome"] == "duplicate"  # a resend changes nothing
