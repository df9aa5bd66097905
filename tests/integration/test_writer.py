"""The single writer, transactions and the outbox sequence."""

import sqlite3
import threading

import pytest

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.writer import Writer
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.errors import InvalidTransition, NotFound
from gateway.services.catalog import apply_catalog
from gateway.services.orders import cancel_order, confirm_order, create_order, ship_order
from tests import builders
from tests.builders import CASHIER, MANAGER, order
from tests.conftest import Shop


def test_every_write_transaction_begins_immediate(tmp_path):
    """Edge 3: a deferred read-then-write can hit SQLITE_BUSY despite busy_timeout."""
    statements: list[str] = []
    database = Database(tmp_path / "g.db")
    database._conn.set_trace_callback(statements.append)
    shop = Shop(database)
    shop.stock(A=5)
    shop.run(create_order, order("W-1", ("A", 2)))
    shop.run(confirm_order, "W-1", by=CASHIER)
    shop.run(ship_order, "W-1", by=CASHIER)
    shop.run(create_order, order("W-2", ("A", 1)))
    shop.run(cancel_order, "W-2", by=MANAGER)
    begins = [s.strip().upper() for s in statements if s.strip().upper().startswith("BEGIN")]
    assert len(begins) >= 6
    assert set(begins) == {"BEGIN IMMEDIATE"}
    database.close()


def test_a_failed_command_leaves_no_trace_and_no_gap(shop):
    shop.stock(A=5)
    head = shop.events()[-1]["seq"]

    def emits_then_fails(uow):
        uow.outbox.emit("order.confirmed", {"order_id": "X", "by": "x"})
        uow.stock.move("A", d_on_hand=-1, d_reserved=0, reason="loss", ref_type=None, ref_id=None)
        raise InvalidTransition("refused after writing")

    with pytest.raises(InvalidTransition):
        shop.run(emits_then_fails)
    assert shop.level("A").on_hand == 5
    shop.run(create_order, order("W-1", ("A", 1)))
    seqs = [e["seq"] for e in shop.events()]
    assert seqs == list(range(1, len(seqs) + 1)) and seqs[len(seqs) - 2] == head + 1


def test_a_lone_command_refused_through_the_writer_leaves_no_trace(tmp_path):
    """A batch of one runs without a savepoint: its rollback is the whole transaction's."""

    def writes_then_fails(uow):
        uow.outbox.emit("order.confirmed", {"order_id": "X", "by": "x"})
        raise InvalidTransition("refused after writing")

    writer = Writer(tmp_path / "g.db").start()
    try:
        with pytest.raises(InvalidTransition, match="refused after writing"):
            writer.call(writes_then_fails)
        upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("A")))
        assert writer.call(apply_catalog, upsert)["applied"] == ["P-A"]
    finally:
        writer.stop()
    conn = sqlite3.connect(tmp_path / "g.db")
    try:
        types = [row[0] for row in conn.execute("SELECT type FROM outbox ORDER BY seq")]
        seqs = [row[0] for row in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    finally:
        conn.close()
    assert "order.confirmed" not in types and seqs == list(range(1, len(seqs) + 1))


def test_outbox_sequence_continues_after_restart(tmp_path):
    database = Database(tmp_path / "g.db")
    Shop(database).stock(A=5)
    database.close()
    reopened = Shop(Database(tmp_path / "g.db"))
    head = reopened.events()[-1]["seq"]
    reopened.run(create_order, order("W-1", ("A", 1)))
    assert [e["seq"] for e in reopened.events()][-2:] == [head + 1, head + 2]
    reopened.db.close()


def test_writer_serialises_commands_from_many_threads(tmp_path):
    writer = Writer(tmp_path / "g.db").start()
    try:
        upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("A")))
        writer.call(apply_catalog, upsert)
        from gateway.domain.stock import parse_stock_change
        from gateway.services.stock import apply_stock_change

        writer.call(apply_stock_change, parse_stock_change("set", builders.stock_set(A=10)))
        results: list[str] = []

        def place(n: int) -> None:
            results.append(writer.call(create_order, order(f"W-{n}", ("A", 1)))["status"])

        threads = [threading.Thread(target=place, args=(n,)) for n in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results).count("reserved") == 10
        assert results.count("short") == 20
    finally:
        writer.stop()


def test_a_command_error_reaches_the_caller_and_the_writer_lives_on(tmp_path):
    writer = Writer(tmp_path / "g.db").start()
    try:
        with pytest.raises(NotFound):
            writer.call(confirm_order, "nope", by=CASHIER)
        upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("A")))
        assert writer.call(apply_catalog, upsert)["applied"] == ["P-A"]
    finally:
        writer.stop()
    with pytest.raises(RuntimeError, match="not running"):
        writer.submit(confirm_order, "nope", by=CASHIER)


def test_writer_that_cannot_open_its_database_fails_at_start(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(Exception, match="unable to open|Not a directory|exists"):
        Writer(blocker / "g.db").start()


def test_group_commit_undoes_a_refused_command_alone(tmp_path):
    """Commands queued together share one COMMIT; a refused one is rolled back to its own
    savepoint, the others stand, and the outbox stays gapless."""
    database = Database(tmp_path / "g.db")
    shop = Shop(database)
    shop.stock(A=2)
    commits: list[str] = []
    database._conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    outcomes = database.run_batch(
        [
            (create_order, (order("W-1", ("A", 1)),), {}),
            (confirm_order, ("nope",), {"by": CASHIER}),
            (create_order, (order("W-2", ("A", 2)),), {}),
        ]
    )
    assert len(commits) == 1
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert isinstance(outcomes[1][1], NotFound)
    assert outcomes[2][1]["status"] == "short"
    assert shop.level("A").reserved == 2
    seqs = [e["seq"] for e in shop.events()]
    assert seqs == list(range(1, len(seqs) + 1))
    database.close()


def test_stop_finishes_every_accepted_command_and_refuses_later_ones(tmp_path):
    writer = Writer(tmp_path / "g.db").start()
    upsert = parse_catalog_upsert(builders.catalog(builders.simple_product("A")))
    writer.call(apply_catalog, upsert)
    futures = [writer.submit(create_order, order(f"W-{n}", ("A", 1))) for n in range(50)]
    stopper = threading.Thread(target=writer.stop)
    stopper.start()
    stopper.join(timeout=30)
    assert not stopper.is_alive()
    assert all(future.result(timeout=0)["status"] == "short" for future in futures)
    with pytest.raises(RuntimeError, match="not running"):
        writer.submit(create_order, order("W-late", ("A", 1)))


def test_a_full_disk_fails_the_command_loudly_with_the_real_error(tmp_path):
    """Edge 14: a full disk fails the command that hit it loudly with SQLite's own words and
    keeps none of it; SQLite undoes only that statement, so the order beside it in the batch
    really commits and is acknowledged (nobody is told a write committed that did not)."""
    database = Database(tmp_path / "g.db")
    shop = Shop(database)
    shop.stock(A=5)
    pages = database._conn.execute("PRAGMA page_count").fetchone()[0]
    database._conn.execute(f"PRAGMA max_page_count = {pages}")
    big = parse_catalog_upsert(
        builders.catalog(*[builders.simple_product(f"S{n}") for n in range(2000)])
    )
    (order_ok, _), (catalog_ok, error) = database.run_batch(
        [(create_order, (order("W-0", ("A", 1)),), {}), (apply_catalog, (big,), {})]
    )
    assert not catalog_ok and isinstance(error, sqlite3.OperationalError) and "full" in str(error)
    database._conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    assert shop.level("S0") is None  # nothing of the catalog is kept
    assert order_ok and shop.order("W-0") is not None and shop.level("A").reserved == 1
    database.close()
