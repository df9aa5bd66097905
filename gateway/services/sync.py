"""The cloud's control messages: acknowledgements, replays, full resyncs, and housekeeping of
what has been acknowledged."""

from datetime import datetime, timedelta

from gateway.domain.stock import stock_changed_items
from gateway.domain.timestamps import format_stamp, parse_stamp

ACKED_SEQ = "acked_seq"
KEEP_DAYS = 7  # acknowledged messages stay at least this long for cmd.replay ...
KEEP_LAST = 100_000  # ... or while among the newest this many; then they are pruned
DEDUP_DAYS = 30  # inbound message ids and idempotency keys
PRINT_DAYS = 90  # finished print jobs
PRUNE_BATCH = 5000


def acknowledge(uow, through_seq: int) -> int:
    """`sync.ack`: the cloud durably has everything up to `through_seq`. Never goes back."""
    acked = max(uow.sync.counter(ACKED_SEQ), through_seq)
    uow.sync.set_counter(ACKED_SEQ, acked)
    if uow.sync.counter(RESTORED):  # the cloud and a restored database agree: nothing to rejoin
        uow.sync.set_counter(RESTORED, 0)
    rejoined_at = uow.sync.counter(REJOINED_AT)
    if rejoined_at and through_seq >= rejoined_at and caught_up(uow):
        uow.sync.clear_alarm(BEHIND_ALARM)
        uow.sync.set_counter(REJOINED_AT, 0)
    return acked


RESTORED = "restored_from_backup"  # a counter `storegw restore` sets to 1 in what it restores
BEHIND_ALARM = "restored_behind_cloud"
REJOINED_AT = "restored_rejoined_at"  # the seq of the snapshot sent at the rejoin (0: none)


def caught_up(uow) -> bool:
    """Every cloud message this gateway has heard of is applied: nothing parked behind a gap,
    no seq given up on. The cloud resends what the restored database lacks as soon as it sees
    our `in_seq`, so once it also acknowledged what we sent after the rejoin the gap is filled."""
    return uow.sync.parked_count() == 0 and not uow.sync.skipped_ranges()


def ack_ahead_of_head(uow, through_seq: int) -> int | None:
    """A `sync.ack` beyond the last seq this database published. After `storegw restore` that is
    the cloud holding messages the lost database sent after the backup: their numbers must not be
    reused (the cloud would drop new messages as repeats), so numbering goes on after them and a
    full stock snapshot tells the cloud today's numbers. Otherwise: None (the ack is refused)."""
    if uow.sync.counter(RESTORED) != 1:
        return None
    head = uow.sync.outbox_head()
    uow.sync.prune_outbox(head, "9999", head + 1)  # all acknowledged: the cloud has them
    uow.sync.set_counter("outbox_seq", through_seq)
    uow.sync.set_counter(ACKED_SEQ, through_seq)
    uow.sync.set_counter(RESTORED, 0)
    full_stock_snapshot(uow)  # numbered through_seq + 1
    uow.sync.set_counter(REJOINED_AT, through_seq + 1)
    uow.sync.raise_alarm(
        BEHIND_ALARM,
        f"restored from a backup: the cloud had messages {head + 1}..{through_seq} sent after"
        f" it; numbering goes on at {through_seq + 1} and a full stock snapshot was sent:"
        " orders and events of that time are only in the cloud and the kept old database; this"
        " clears once the cloud has acknowledged the snapshot and no cloud message is missing",
    )
    return through_seq


def replay_from(uow, from_seq: int) -> int:
    """`cmd.replay`: where publishing starts again (what was pruned cannot be replayed)."""
    oldest = uow.sync.oldest_kept_seq()
    if from_seq < oldest:
        uow.sync.raise_alarm(
            "replay_pruned",
            f"the cloud asked for messages from {from_seq}; only {oldest} on are kept",
        )
    return max(from_seq, oldest)


def full_stock_snapshot(uow) -> None:
    """`cmd.resync`: one `stock.changed` with `full: true` listing every sku."""
    # It leaves the `cloud_seq_gap` alarm alone: the cloud learns our stock, but the cloud
    # messages we skipped (orders, stock, catalog) are still missing here.
    uow.outbox.emit_stock_changed(stock_changed_items(uow.stock.all_levels()), full=True)


def prune_history(
    uow, now: datetime | None = None, *, batch: int = PRUNE_BATCH, keep_last: int = KEEP_LAST
) -> dict[str, int]:
    """Bounded disk: history that only answers a repeat goes once no repeat can come (MQTT-CONTRACT
    "cmd.replay", RELIABILITY R12/R13). Acknowledged outbox rows after KEEP_DAYS beyond the newest
    `keep_last` (an unacknowledged one never); inbound ids, idempotency keys and order messages
    whose order never came after DEDUP_DAYS (a broker session expires after 7 days, a tablet
    retries within seconds); finished print
    jobs after PRINT_DAYS. Never the ledger, orders, receipts or shifts. Rows deleted per table."""
    now = now or parse_stamp(uow.now)

    def cut(days: int) -> str:
        return format_stamp(now - timedelta(days=days))  # compared as text

    bound = min(uow.sync.counter(ACKED_SEQ), uow.sync.outbox_head() - keep_last)
    return {
        "outbox": uow.sync.prune_outbox(bound, cut(KEEP_DAYS), batch),
        "inbox_seen": uow.sync.prune_seen(cut(DEDUP_DAYS), batch),
        "order_early": uow.sync.prune_early(cut(DEDUP_DAYS), batch),
        "command_log": uow.sync.prune_command_log(cut(DEDUP_DAYS), batch),
        "print_job": uow.sync.prune_print_jobs(cut(PRINT_DAYS), batch),
    }
