"""History pruning (issue 12, bounded disk): what only answers a repeat goes once no repeat can
come; what an invariant, the fiscal record or an unacknowledged message needs stays."""

from contextlib import closing
from datetime import UTC, datetime, timedelta

from gateway.services.orders import create_order
from gateway.services.printing import print_done, print_started, queue_print, reprint_job
from gateway.services.sync import acknowledge, prune_history
from tests.builders import MANAGER, hire, order

NOW = datetime.now(UTC)


def count(shop, table: str) -> int:
    with closing(shop.db.reader()) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def seqs(shop) -> list[int]:
    with closing(shop.db.reader()) as conn:
        return [row[0] for row in conn.execute("SELECT seq FROM outbox ORDER BY seq")]


def prune(shop, days: float, **kwargs) -> dict:
    return shop.run(prune_history, NOW + timedelta(days=days), **kwargs)


def test_acknowledged_messages_go_after_a_week_unacknowledged_ones_never(shop):
    shop.stock(A=5, B=5)
    for n in range(6):
        shop.run(create_order, order(f"W-{n}", ("A", 1)))
    head = seqs(shop)[-1]
    assert prune(shop, 30, keep_last=0)["outbox"] == 0  # nothing acknowledged yet
    shop.run(acknowledge, head - 4)
    assert prune(shop, 6, keep_last=0)["outbox"] == 0  # acknowledged, but not a week old
    assert prune(shop, 8, keep_last=0)["outbox"] == head - 4  # the 4 unacknowledged stay
    assert seqs(shop) == list(range(head - 3, head + 1))
    shop.run(acknowledge, head)
    assert prune(shop, 8, keep_last=3)["outbox"] == 1  # the newest 3 stay for cmd.replay
    assert seqs(shop) == [head - 2, head - 1, head]
    assert shop.problems() == []  # still gap-free, the counter untouched


def test_the_outbox_is_cut_only_from_its_oldest_end_when_the_clock_jumped(shop):
    shop.stock(A=5)
    for n in range(4):
        shop.run(create_order, order(f"W-{n}", ("A", 1)))
    all_seqs = seqs(shop)
    # A row in the middle written while the clock was years ahead: it stops the cut.
    middle = all_seqs[len(all_seqs) // 2]
    shop.run(
        lambda uow: uow.conn.execute(
            "UPDATE outbox SET created_at = '2099-01-01T00:00:00.000000Z' WHERE seq = ?", (middle,)
        )
    )
    shop.run(acknowledge, all_seqs[-1])
    assert prune(shop, 8, keep_last=0)["outbox"] == middle - all_seqs[0]
    assert seqs(shop)[0] == middle
    assert shop.problems() == []


def test_dedup_ids_idempotency_keys_and_orphan_order_messages_go_after_30_days(shop):
    def remember(uow):
        uow.sync.remember("cloud-msg-1", 1, "stock.set", "applied")
        uow.commands.remember("tablet-key-1", "confirm", {"ok": True})
        # A cancel that came before an order that never came (inbox._park_early).
        uow.sync.park_early("cloud-msg-2", "W-9", "order.cancelled", "in/orders", "{}")

    shop.run(remember)
    kept = prune(shop, 29)
    assert kept == {"outbox": 0, "inbox_seen": 0, "order_early": 0, "command_log": 0} | {
        "print_job": 0
    }
    result = prune(shop, 31)
    assert (result["inbox_seen"], result["command_log"], result["order_early"]) == (1, 1, 1)
    assert count(shop, "inbox_seen") == count(shop, "command_log") == 0
    assert count(shop, "order_early") == 0


def test_finished_print_jobs_go_after_90_days_unless_reprinted_or_unfinished(shop):
    shop.run(hire)
    slip = {"extra_lines": ["Тест"]}

    def job(uow) -> int:
        return queue_print(uow, "test_page", slip, by=MANAGER)

    done, reprinted, waiting = shop.run(job), shop.run(job), shop.run(job)
    for job_id in (done, reprinted):
        shop.run(print_started, job_id)
        shop.run(print_done, job_id)
    shop.run(reprint_job, reprinted, by=MANAGER)
    assert prune(shop, 89)["print_job"] == 0
    assert prune(shop, 91)["print_job"] == 1
    with closing(shop.db.reader()) as conn:
        left = {row[0] for row in conn.execute("SELECT id FROM print_job")}
    assert done not in left and {reprinted, waiting} <= left


def test_a_backlog_drains_in_batches(shop):
    def remember(uow):
        for n in range(25):
            uow.sync.remember(f"m-{n}", n, "stock.set", "applied")

    shop.run(remember)
    assert [prune(shop, 31, batch=10)["inbox_seen"] for _ in range(4)] == [10, 10, 5, 0]
