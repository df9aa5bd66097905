"""The cloud's control messages: acknowledgements, replays, full resyncs, and housekeeping of
what has been acknowledged."""

from datetime import datetime, timedelta

from gateway.domain.stock import stock_changed_items

ACKED_SEQ = "acked_seq"
KEEP_DAYS = 7  # acknowledged messages stay at least this long for cmd.replay ...
KEEP_LAST = 100_000  # ... or while among the newest this many; then they are pruned


def acknowledge(uow, through_seq: int) -> int:
    """`sync.ack`: the cloud durably has everything up to `through_seq`. Never goes back."""
    acked = max(uow.sync.counter(ACKED_SEQ), through_seq)
    uow.sync.set_counter(ACKED_SEQ, acked)
    return acked


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
    uow.outbox.emit_stock_changed(stock_changed_items(uow.stock.all_levels()), full=True)
    uow.sync.clear_alarm("cloud_seq_gap")  # the cloud has resynchronised its view of the shop


def prune_history(uow, keep_last: int = KEEP_LAST) -> dict:
    """Keep the database bounded: acknowledged outbox rows and remembered inbound ids."""
    now = datetime.strptime(uow.now, "%Y-%m-%dT%H:%M:%S.%fZ")
    cut = (now - timedelta(days=KEEP_DAYS)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seen_cut = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    acked = uow.sync.counter(ACKED_SEQ)
    return {
        "outbox": uow.sync.prune_outbox(acked, keep_last, cut),
        "inbox": uow.sync.prune_seen(seen_cut),
    }
