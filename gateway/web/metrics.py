"""/metrics: the gateway in the Prometheus text format, for a LAN's Prometheus to scrape.

Each app has its own `CollectorRegistry` (never prometheus_client's global one: a process may
build many apps, the tests do). The figures are read when Prometheus asks, not kept up to date
in between: a collector reads the database on a read-only connection (cheap queries,
`adapters/sqlite/metrics_queries.py`) and asks the running gateway for its devices and cloud
link. Only the writer's commit latency is recorded as it happens, by a hook on the writer.

Access (`[metrics]` in gateway.toml): `token` set -> `Authorization: Bearer <token>` is required
(even if `open` is also true: a token someone set is never bypassed); `open = true` -> anyone on
the LAN; neither -> the route does not exist (404). The sign-in middleware lets /metrics through
(auth.PUBLIC_PATHS): this route checks its own token, it is not a staff member's."""

from __future__ import annotations

import hmac
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol
from weakref import WeakKeyDictionary

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Histogram, Info
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from gateway import __version__
from gateway.adapters.sqlite.metrics_queries import MetricsSnapshot, metrics_snapshot
from gateway.domain.fiscal_health import KINDS as FISCAL_ALARM_KINDS

log = logging.getLogger("storegw.metrics")
PATH = "/metrics"
# An SD card's fsync takes from ~1 ms to seconds when the card is busy wearing out.
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# One histogram per writer, fed by one hook however many apps are built on that gateway.
_commit_seconds: WeakKeyDictionary[Any, Histogram] = WeakKeyDictionary()
_commit_lock = threading.Lock()


class Observed(Protocol):
    """What /metrics reads of the running gateway (bootstrap.Gateway)."""

    config: Any
    writer: Any  # adapters/sqlite/writer.Writer
    link: Any  # adapters/mqtt/link.CloudLink, None before start

    def read(self, query, *args, **kwargs) -> Any: ...
    def devices(self) -> dict[str, str]: ...


def add_metrics(app: FastAPI, gateway: Observed) -> None:
    """Mount /metrics as the config says (not at all when it is neither open nor tokened)."""
    settings = gateway.config.appliance.metrics
    if not settings.enabled:
        return
    registry = metrics_registry(gateway)
    token = settings.token

    @app.get(PATH, include_in_schema=False)
    def metrics(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        if token and not bearer_matches(given, token):
            why = "the bearer token is wrong" if given else "a bearer token is required"
            return Response(
                f"{why}: Authorization: Bearer <[metrics] token>\n",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="storegw metrics"'},
            )
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        headers = {"Content-Type": content_type, "Cache-Control": "no-store"}
        return Response(encode(registry), headers=headers)


def bearer_matches(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_registry(gateway: Observed) -> CollectorRegistry:
    registry = CollectorRegistry()
    build = Info("storegw_build", "The gateway's version and store.", registry=registry)
    build.info({"version": __version__, "store": gateway.config.store_id})
    registry.register(commit_histogram(gateway.writer))
    registry.register(GatewayCollector(gateway))
    return registry


def commit_histogram(writer) -> Histogram:
    with _commit_lock:
        histogram = _commit_seconds.get(writer)
        if histogram is None:
            histogram = Histogram(
                "storegw_writer_commit_seconds",
                "Seconds from BEGIN to COMMIT of each writer transaction.",
                buckets=COMMIT_BUCKETS,
                registry=None,  # registered in each app's own registry
            )
            writer.on_commit_timed(histogram.observe)
            _commit_seconds[writer] = histogram
    return histogram


class GatewayCollector(Collector):
    """Everything but the commit latency, read at scrape time."""

    def __init__(self, gateway: Observed):
        self.gateway = gateway

    def collect(self) -> Iterator[Metric]:
        link = self.gateway.link.snapshot() if self.gateway.link else None
        link_state = link["state"] if link else "not_connected"
        yield labelled(
            "storegw_cloud_link_state", "The cloud link's state.", "state", {link_state: 1}
        )
        yield gauge(
            "storegw_cloud_link_up", "1 when connected to the broker.", link_state == "connected"
        )
        devices = GaugeMetricFamily(
            "storegw_device_state", "Each device's state.", labels=["device", "state"]
        )
        for device, state in self.gateway.devices().items():
            devices.add_metric([device, state], 1)
        yield devices
        yield gauge(
            "storegw_training_mode",
            "1 in training mode: the training database, simulated devices, no cloud.",
            self.gateway.config.appliance.training,
        )
        yield from self._writer()
        try:
            acked = link["acked_seq"] if link else 0
            snapshot = self.gateway.read(metrics_snapshot, acked_at_least=acked)
        except sqlite3.Error as exc:  # the rest still tells what is wrong
            log.warning("metrics: cannot read the database: %s", exc)
            yield gauge("storegw_database_up", "1 when the database could be read.", 0)
            return
        yield gauge("storegw_database_up", "1 when the database could be read.", 1)
        yield from database_metrics(snapshot, time.time())

    def _writer(self) -> Iterator[Metric]:
        last = self.gateway.writer.last_commit
        if last is not None:
            yield gauge(
                "storegw_writer_last_commit_age_seconds",
                "Seconds since the writer's last COMMIT.",
                max(0.0, time.monotonic() - last),
            )


def database_metrics(snap: MetricsSnapshot, now: float) -> Iterator[Metric]:
    yield labelled("storegw_orders", "Orders by status.", "status", snap.orders)
    yield gauge("storegw_reserved_order_lines", "Order lines holding stock.", snap.reserved_lines)
    yield gauge("storegw_reserved_units", "Units held by open orders.", snap.reserved_units)
    yield gauge("storegw_outbox_head_seq", "Seq of the newest outbound message.", snap.head_seq)
    yield gauge("storegw_sync_acked_seq", "The cloud's last sync.ack.", snap.acked_seq)
    yield gauge("storegw_sync_inbound_seq", "Seq of the last cloud message applied.", snap.in_seq)
    yield gauge(
        "storegw_outbox_backlog",
        "Outbound messages the cloud has not acknowledged (head seq - acked seq).",
        max(0, snap.head_seq - snap.acked_seq),
    )
    oldest = snap.oldest_unacked_at
    yield gauge(
        "storegw_outbox_oldest_unacked_age_seconds",
        "Age of the oldest message the cloud has not acknowledged (0: none).",
        max(0.0, now - oldest.timestamp()) if oldest else 0.0,
    )
    yield labelled("storegw_receipts", "Receipt jobs by state.", "state", snap.receipts)
    yield labelled("storegw_print_jobs", "Print jobs by state.", "state", snap.print_jobs)
    yield labelled(
        "storegw_fiscal_alarm_severity",
        "The fiscal drive's alarm level by kind: 0 clear, 1 the mildest level, higher is worse.",
        "kind",
        dict.fromkeys(FISCAL_ALARM_KINDS, 0) | snap.fiscal_alarms,
    )
    if snap.ofd_unsent is not None:
        yield gauge(
            "storegw_fiscal_ofd_unsent_documents",
            "Documents the fiscal drive has not sent to the OFD (its last reading).",
            snap.ofd_unsent,
        )


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


def labelled(name: str, documentation: str, label: str, values: dict) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([str(key)], float(value))
    return family
