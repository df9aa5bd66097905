"""The writer runs a lone command in its caller's thread; anything else still goes through the
writer thread, one transaction at a time, queued jobs first."""

import threading
import time

from gateway.adapters.sqlite.writer import Writer
from gateway.domain.catalog import parse_catalog_upsert
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from tests import builders
from tests.builders import order

WAIT = 10


def started_writer(tmp_path) -> Writer:
    writer = Writer(tmp_path / "g.db").start()
    writer.call(apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("A"))))
    return writer


def held_open(started: threading.Event, release: threading.Event, log: list[str]):
    """A command that keeps its transaction open until `release` is set."""

    def command(uow):
        log.append(f"held by {threading.current_thread().name}")
        started.set()
        assert release.wait(WAIT)
        return "held"

    return command


def recorder(name: str, log: list[str]):
    def command(uow):
        log.append(f"{name} by {threading.current_thread().name}")
        return name

    return command


def until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.005)


def test_a_lone_call_runs_in_the_callers_thread_and_a_submit_in_the_writers(tmp_path):
    writer = started_writer(tmp_path)
    log: list[str] = []
    try:
        assert writer.call(recorder("call", log)) == "call"
        assert writer.submit(recorder("submit", log)).result(WAIT) == "submit"
    finally:
        writer.stop()
    assert log == [f"call by {threading.current_thread().name}", "submit by storegw-writer"]


def test_calls_while_a_transaction_is_open_wait_and_share_the_next_commit(tmp_path):
    writer = started_writer(tmp_path)
    commits: list[str] = []
    writer._database._conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    started, release, log = threading.Event(), threading.Event(), []
    held = writer.submit(held_open(started, release, log))
    assert started.wait(WAIT)
    results: list[str] = []
    callers = [
        threading.Thread(
            target=lambda n=n: results.append(
                writer.call(create_order, order(f"W-{n}", ("A", 1)))["status"]
            ),
            name=f"caller-{n}",
        )
        for n in range(3)
    ]
    try:
        for caller in callers:
            caller.start()
        until(lambda: writer._jobs.qsize() == 3, "three callers queued behind the open one")
        assert results == [] and len(commits) == 0  # nobody ran beside the open transaction
        release.set()
        assert held.result(WAIT) == "held"
        for caller in callers:
            caller.join(WAIT)
        assert results == ["short"] * 3
        assert len(commits) == 2  # the open transaction's, then one for the three queued
    finally:
        release.set()
        writer.stop()


def test_a_queued_command_is_never_overtaken_by_a_later_call(tmp_path):
    writer = started_writer(tmp_path)
    log: list[str] = []
    writer._connection.acquire()  # as a caller's open transaction holds it
    try:
        queued = writer.submit(recorder("queued", log))
        until(lambda: writer._jobs.qsize() == 0, "the writer thread took the queued job")
    finally:
        writer._connection.release()
    try:
        # The writer thread waits for the connection with a job in hand; this thread holds the
        # interpreter and would win the free lock. A call now must not slip in first.
        assert writer.call(recorder("later", log)) == "later"
        assert queued.result(WAIT) == "queued"
        assert log[0] == "queued by storegw-writer" and log[1].startswith("later by ")
    finally:
        writer.stop()


def test_stop_waits_for_a_transaction_open_in_a_callers_thread(tmp_path):
    writer = started_writer(tmp_path)
    started, release, log = threading.Event(), threading.Event(), []
    answers: list[str] = []
    caller = threading.Thread(
        target=lambda: answers.append(writer.call(held_open(started, release, log)))
    )
    caller.start()
    assert started.wait(WAIT)
    stopper = threading.Thread(target=writer.stop)
    stopper.start()
    time.sleep(0.2)
    assert stopper.is_alive()  # the database is not closed under the open transaction
    release.set()
    caller.join(WAIT)
    stopper.join(WAIT)
    assert answers == ["held"] and not stopper.is_alive()
