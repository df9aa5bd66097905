"""The pytest side of tests/brokers.py: its fixtures and report hooks. Loaded by that plugin's
`pytest_plugins`; register `tests.brokers`, not this module.

PYTEST_DONT_REWRITE: no asserts here.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.brokers import Broker, MosquittoNotFound, TcpProxy, find_mosquitto, tail

_BROKERS = pytest.StashKey[list]()


def _new_broker(tmp_dir: Path, **options) -> Broker:
    try:
        return Broker(tmp_dir, **options)
    except MosquittoNotFound as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def make_broker(request, tmp_path) -> Iterator[Callable[..., Broker]]:
    """`make_broker(max_queued_messages=5, persistence=True, ..., start=True) -> Broker`."""
    brokers: list[Broker] = []
    request.node.stash.setdefault(_BROKERS, []).append(brokers)

    def make(*, start: bool = True, **options) -> Broker:
        broker = _new_broker(tmp_path / f"broker-{len(brokers) + 1}", **options)
        brokers.append(broker)
        if start:
            broker.start()
        return broker

    yield make
    for broker in brokers:
        broker.close()


@pytest.fixture
def broker(make_broker) -> Broker:
    """A started broker with default options on a free port, stopped after the test."""
    return make_broker()


@pytest.fixture
def proxy_to() -> Iterator[Callable[[Broker | int], TcpProxy]]:
    """`proxy_to(broker_or_port) -> TcpProxy`: closed after the test."""
    proxies: list[TcpProxy] = []

    def make(target: Broker | int) -> TcpProxy:
        port = target.port if isinstance(target, Broker) else int(target)
        proxy = TcpProxy(port)
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the tail of each of its brokers' logs."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        for brokers in item.stash.get(_BROKERS, []):
            for broker in brokers:
                report.sections.append(
                    (f"mosquitto log ({broker.url}, {broker.log_path})", tail(broker.log_text()))
                )
    return report


def pytest_report_header(config) -> str:
    try:
        binary = find_mosquitto()
    except MosquittoNotFound:
        return "mosquitto: NOT FOUND, the broker tests will fail (apt-get install mosquitto)"
    try:
        result = subprocess.run(
            [binary, "-h"], capture_output=True, text=True, timeout=5, check=False
        )
        version = result.stdout.splitlines()[0] if result.stdout else "version unknown"
    except (OSError, subprocess.TimeoutExpired):
        version = "version unknown"
    return f"mosquitto: {binary} ({version})"
