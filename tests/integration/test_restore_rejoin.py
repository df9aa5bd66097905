"""After `storegw restore`, the cloud may hold messages the lost database sent after the backup.
Their numbers must not be reused -- the cloud would drop new messages as repeats -- so the first
sync.ack beyond the restored head moves numbering past them and sends a full stock snapshot."""

import json
from pathlib import Path

from gateway import cli
from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.invariants import check_invariants
from gateway.adapters.sqlite.store_identity import claim_store
from gateway.services.inbox import receive_cloud_message
from gateway.services.orders import create_order
from tests import builders
from tests.conftest import Shop

PREFIX = "storegw/shop-001"


def ack(through_seq: int, msg_id: str) -> bytes:
    body = {"v": 1, "id": msg_id, "type": "sync.ack", "ts": "2026-12-03T10:00:00Z"}
    return json.dumps({**body, "data": {"through_seq": through_seq}}).encode()


def head(shop: Shop) -> int:
    return shop.events()[-1]["seq"]


def order(shop: Shop, order_id: str) -> None:
    shop.run(create_order, builders.order(order_id, ("A", 1)))


def restored_behind(tmp_path: Path, before: tuple, after: tuple) -> tuple[Shop, int, int]:
    """Orders `before` a backup and `after` it (sent, acknowledged by the cloud, then the SD card
    died), the backup restored: (the restored shop, its head, the head the cloud has)."""
    db_path = tmp_path / "gateway.db"
    config = tmp_path / "gateway.toml"
    config.write_text(f'[database]\npath = "{db_path}"\n', encoding="utf-8")
    database = Database(db_path)
    shop = Shop(database)
    shop.run(claim_store, "shop-001")
    shop.stock(A=10)
    for order_id in before:
        order(shop, order_id)
    at_backup = head(shop)
    assert cli.main(["--config", str(config), "backup", str(tmp_path / "b.db")]) == 0
    for order_id in after:
        order(shop, order_id)
    cloud_has = head(shop)
    database.close()
    assert cli.main(["--config", str(config), "restore", str(tmp_path / "b.db")]) == 0
    return Shop(Database(db_path)), at_backup, cloud_has


def test_the_first_ack_beyond_a_restored_head_moves_numbering_past_the_clouds(tmp_path: Path):
    shop, at_backup, cloud_has = restored_behind(tmp_path, ("W-1",), ("W-2", "W-3"))
    assert head(shop) == at_backup
    result = shop.run(receive_cloud_message, PREFIX, "in/cmd", ack(cloud_has, "ack-1"))
    assert result["acked_seq"] == cloud_has
    snapshot = shop.events()[-1]
    assert snapshot["seq"] == cloud_has + 1 and snapshot["type"] == "stock.changed"
    assert snapshot["full"] is True
    assert [i["reserved"] for i in snapshot["items"] if i["sku"] == "A"] == [1]
    order(shop, "W-4")  # its events follow the snapshot, without a gap
    assert [e["seq"] for e in shop.events()] == list(range(cloud_has + 1, head(shop) + 1))
    assert head(shop) > cloud_has + 1
    with shop.db.transaction() as uow:
        alarms = [r[0] for r in uow.conn.execute("SELECT name FROM alarm")]
        assert "restored_behind_cloud" in alarms
        assert check_invariants(uow.conn) == []
    # Once only: a later ack ahead of the head is the cloud's mistake again, and refused.
    later = shop.run(receive_cloud_message, PREFIX, "in/cmd", ack(cloud_has + 50, "ack-2"))
    assert later["outcome"] == "rejected"
    shop.db.close()


def stock_adjust(seq: int) -> bytes:
    body = {"v": 1, "id": f"stock-{seq}", "type": "stock.adjust", "seq": seq}
    return json.dumps({**body, "data": builders.stock_adjust(A=1)}).encode()


def alarms(shop: Shop) -> list[str]:
    with shop.db.transaction() as uow:
        return [r[0] for r in uow.conn.execute("SELECT name FROM alarm")]


def test_the_restored_behind_cloud_alarm_clears_once_the_gap_is_filled(tmp_path: Path):
    """QA: doctor failed forever after a restore. The alarm ends when the cloud has
    acknowledged what was sent after the rejoin and no cloud message is missing."""
    shop, _, cloud_has = restored_behind(tmp_path, (), ("W-2",))
    shop.run(receive_cloud_message, PREFIX, "in/cmd", ack(cloud_has, "ack-1"))
    assert "restored_behind_cloud" in alarms(shop)
    # The cloud's messages the restored database lacks: 2 arrives first, 1 is missing.
    parked = shop.run(receive_cloud_message, PREFIX, "in/stock", stock_adjust(2))
    assert parked["outcome"] == "parked"
    shop.run(receive_cloud_message, PREFIX, "in/cmd", ack(head(shop), "ack-2"))
    assert "restored_behind_cloud" in alarms(shop)  # a cloud message is still missing
    shop.run(receive_cloud_message, PREFIX, "in/stock", stock_adjust(1))  # the resend fills it
    assert "restored_behind_cloud" in alarms(shop)  # until the cloud acknowledges
    shop.run(receive_cloud_message, PREFIX, "in/cmd", ack(head(shop), "ack-3"))
    assert "restored_behind_cloud" not in alarms(shop)
    shop.db.close()
