"""/metrics (issue 12) on a real gateway through its real web app: the Prometheus text format
that prometheus_client's own parser reads, open or behind a bearer token or absent as
[metrics] says, and figures that follow what really happens -- orders placed and shipped,
messages waiting for the cloud's ack, the register's receipts, the printer's jobs and states,
the writer's commits."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from gateway import __version__
from gateway.adapters.fiscal.health_watch import record_reading
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.fiscal_health import DriveHealth
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.orders import create_order
from gateway.services.printing import TEST_PAGE, queue_print
from gateway.services.stock import apply_stock_change
from gateway.services.sync import acknowledge
from gateway.web.auth import is_public
from simulators.printer import PrinterSimulator
from tests import builders
from tests.loopback import free_port
from tests.mqtt_helpers import gateway_env, seed, start_cloud, wait_in_sync, wait_until
from tests.signin import desk_clients

TOKEN = "prometheus-on-the-lan-7f3a"
FAMILIES = {
    "storegw_build_info",
    "storegw_writer_commit_seconds",
    "storegw_cloud_link_state",
    "storegw_cloud_link_up",
    "storegw_device_state",
    "storegw_database_up",
    "storegw_training_mode",
    "storegw_orders",
    "storegw_reserved_order_lines",
    "storegw_reserved_units",
    "storegw_outbox_head_seq",
    "storegw_sync_acked_seq",
    "storegw_sync_inbound_seq",
    "storegw_outbox_backlog",
    "storegw_outbox_oldest_unacked_age_seconds",
    "storegw_receipts",
    "storegw_print_jobs",
    "storegw_fiscal_alarm_severity",
}


def start(tmp_path: Path, metrics: str, devices: str = "", store: str = "") -> Gateway:
    """A running gateway whose cloud link points at nothing, [metrics] as given."""
    (tmp_path / "gateway.toml").write_text(
        f"""
[store]
id = "shop-metrics"
{store}
[mqtt]
url = "mqtt://127.0.0.1:{free_port()}"
[database]
path = "{tmp_path / "gateway.db"}"
[metrics]
{metrics}
{devices}
""",
        encoding="utf-8",
    )
    return Gateway(load_config(tmp_path / "gateway.toml", env={})).start()


@pytest.fixture
def gateway(tmp_path):
    gateway = start(tmp_path, "open = true")
    yield gateway
    gateway.stop()


class Scrape:
    """One /metrics answer, parsed by prometheus_client's parser."""

    def __init__(self, text: str):
        self.families = {family.name: family for family in text_string_to_metric_families(text)}

    def __call__(self, name: str, **labels: str) -> float:
        found = [
            sample.value
            for family in self.families.values()
            for sample in family.samples
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
        ]
        assert len(found) == 1, (name, labels, found)
        return found[0]

    def labels(self, name: str) -> list[dict[str, str]]:
        return [sample.labels for sample in self.families[name].samples if sample.value == 1]


def scrape(client: TestClient, **headers: str) -> Scrape:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return Scrape(answer.text)


def test_open_metrics_answer_anyone_in_the_prometheus_text_format(gateway):
    client = TestClient(gateway.web_app())
    metrics = scrape(client)  # no session, no token
    assert set(metrics.families) >= FAMILIES
    assert metrics.labels("storegw_build_info") == [
        {"version": __version__, "store": "shop-metrics"}
    ]
    assert metrics("storegw_database_up") == 1
    assert metrics("storegw_training_mode") == 0
    assert metrics.labels("storegw_cloud_link_state")[0]["state"] != "connected"
    assert metrics("storegw_cloud_link_up") == 0
    assert {d["device"]: d["state"] for d in metrics.labels("storegw_device_state")} == {
        "fiscal": "not_configured",
        "printer": "not_configured",
        "scanner": "not_configured",
        "gpio": "not_configured",
    }
    assert metrics("storegw_orders", status="reserved") == 0
    assert metrics("storegw_fiscal_alarm_severity", kind="ofd_queue") == 0
    # A scraper that asks for OpenMetrics gets it.
    asked = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert asked.headers["content-type"].startswith("application/openmetrics-text")
    names = {family.name for family in openmetrics_families(asked.text)}
    assert "storegw_outbox_backlog" in names


def test_a_token_is_asked_for_and_compared(tmp_path):
    gateway = start(tmp_path, f'token = "{TOKEN}"')
    try:
        client = TestClient(gateway.web_app())
        for headers in (
            {},
            {"Authorization": f"Bearer {TOKEN}x"},
            {"Authorization": f"Bearer {TOKEN[:-1]}"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer"},
        ):
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert "storegw_" not in refused.text
            # A token that was sent is called wrong, not missing.
            assert refused.text.startswith("the bearer token is wrong" if headers else "a bearer")
        metrics = scrape(client, Authorization=f"Bearer {TOKEN}")
        assert set(metrics.families) >= FAMILIES
    finally:
        gateway.stop()


def test_a_token_is_not_bypassed_by_open(tmp_path):
    gateway = start(tmp_path, f'open = true\ntoken = "{TOKEN}"')
    try:
        client = TestClient(gateway.web_app())
        assert client.get("/metrics").status_code == 401
        assert scrape(client, authorization=f"bearer {TOKEN}")("storegw_database_up") == 1
    finally:
        gateway.stop()


def test_neither_open_nor_a_token_means_no_route(tmp_path):
    gateway = start(tmp_path, "open = false")
    try:
        app = gateway.web_app()
        assert "/metrics" not in {getattr(route, "path", "") for route in app.routes}
        client = TestClient(app, follow_redirects=False)
        assert client.get("/metrics").status_code == 404
        tokened = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert tokened.status_code == 404
        assert is_public("/metrics")  # a 404 for everyone, not a sign-in page
    finally:
        gateway.stop()


def test_a_training_gateway_says_so_and_has_no_cloud_link(tmp_path):
    gateway = start(tmp_path, "open = true", store="training = true")
    try:
        metrics = scrape(TestClient(gateway.web_app()))
        assert metrics("storegw_training_mode") == 1
        assert metrics.labels("storegw_cloud_link_state") == [{"state": "not_connected"}]
        assert metrics("storegw_database_up") == 1
    finally:
        gateway.stop()


def test_orders_and_reservations_follow_the_desk(gateway):
    gateway.run(
        apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
    )
    gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=5)))
    desk = desk_clients(gateway)
    metrics = TestClient(desk.app)
    before = scrape(metrics)("storegw_writer_commit_seconds_count")

    gateway.run(create_order, builders.order("W-1", ("MUG", 2)))
    gateway.run(create_order, builders.order("W-2", ("MUG", 4)))  # 3 left: short by 1
    placed = scrape(metrics)
    assert placed("storegw_orders", status="reserved") == 1
    assert placed("storegw_orders", status="short") == 1
    assert placed("storegw_reserved_order_lines") == 2
    assert placed("storegw_reserved_units") == 5
    assert placed("storegw_writer_commit_seconds_count") >= before + 2
    assert placed("storegw_writer_commit_seconds_bucket", le="+Inf") >= before + 2
    assert placed("storegw_writer_commit_seconds_sum") > 0

    with desk, desk.manager:
        shipped = desk.post("/api/orders/W-1/ship", json={"lines": {"1": 2}})
        assert shipped.status_code == 200, shipped.text
        cancelled = desk.manager.post("/api/orders/W-2/cancel", json={"reason": "no_show"})
        assert cancelled.status_code == 200, cancelled.text
    done = scrape(metrics)
    assert done("storegw_orders", status="shipped") == 1
    assert done("storegw_orders", status="cancelled") == 1
    assert done("storegw_orders", status="reserved") == done("storegw_orders", status="short") == 0
    assert done("storegw_reserved_units") == done("storegw_reserved_order_lines") == 0
    assert done("storegw_receipts", state="done") == 0  # no register: no receipts
    assert done("storegw_writer_commit_seconds_count") > placed(
        "storegw_writer_commit_seconds_count"
    )


def test_a_message_waits_in_the_backlog_until_the_cloud_acknowledges_it(gateway):
    client = TestClient(gateway.web_app())
    empty = scrape(client)
    assert empty("storegw_outbox_backlog") == empty("storegw_outbox_head_seq") == 0
    assert empty("storegw_outbox_oldest_unacked_age_seconds") == 0
    # What the fiscal worker records from the drive: 5 documents the OFD has not had for
    # 8 days -- an ofd_queue alarm at its 7-day level, announced to the cloud (one message).
    reading = DriveHealth(
        fn="9999078900001234",
        unsent=5,
        first_unsent_fd=40,
        first_unsent_at="2026-03-01T10:00",
        transport_up=False,
        warnings=0,
        expires=None,
        checked_at="2026-03-09T10:00",
    )
    gateway.run(record_reading, reading)
    waiting = scrape(client)
    assert waiting("storegw_outbox_head_seq") == 1
    assert waiting("storegw_sync_acked_seq") == 0
    assert waiting("storegw_outbox_backlog") == 1
    assert waiting("storegw_outbox_oldest_unacked_age_seconds") >= 0
    assert waiting("storegw_fiscal_alarm_severity", kind="ofd_queue") == 2  # 3 < 7 days <= 25
    assert waiting("storegw_fiscal_ofd_unsent_documents") == 5

    gateway.run(acknowledge, 1)  # the cloud's sync.ack, as the link applies it
    acked = scrape(client)
    assert acked("storegw_sync_acked_seq") == 1
    assert acked("storegw_outbox_backlog") == 0
    assert acked("storegw_outbox_oldest_unacked_age_seconds") == 0


def test_over_a_real_broker_the_link_is_up_and_the_cloud_acks_everything(broker, tmp_path):
    db_path = tmp_path / "g.db"
    env = gateway_env(db_path, broker.url, STOREGW_METRICS_OPEN="true")
    gateway = Gateway(load_config(None, env=env)).start()
    cloud = start_cloud(broker.url)
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the link")
        client = TestClient(gateway.web_app())
        seed(cloud, A=3)
        for n in range(4):
            cloud.send("order.created", builders.order(f"W-{n}", ("A", 1)))
        wait_in_sync(cloud, db_path)
        metrics = scrape(client)
        assert metrics("storegw_cloud_link_up") == 1
        assert metrics.labels("storegw_cloud_link_state") == [{"state": "connected"}]
        assert metrics("storegw_sync_inbound_seq") == max(cloud.sent)
        head = metrics("storegw_outbox_head_seq")
        assert head > 0 and metrics("storegw_sync_acked_seq") == head
        assert metrics("storegw_outbox_backlog") == 0
        assert metrics("storegw_orders", status="reserved") == 3
        assert metrics("storegw_orders", status="short") == 1
        assert metrics("storegw_reserved_units") == 3
    finally:
        cloud.stop()
        gateway.stop()


def test_devices_receipts_and_print_jobs_follow_the_hardware(tmp_path, sim):
    printer = PrinterSimulator(port=0)
    host, port = printer.start()
    devices = f"""
[printer]
url = "tcp://{host}:{port}"
poll = 0.2
[fiscal]
port = "{sim.slave_path}"
poll = 0.1
control_timeout = 0.08
byte_timeout = 0.1
timeout_scale = 0.01
"""
    gateway = start(tmp_path, "open = true", devices)
    try:
        metrics = TestClient(gateway.web_app())

        def state(device: str) -> str:
            found = scrape(metrics).labels("storegw_device_state")
            return next(d["state"] for d in found if d["device"] == device)

        wait_until(lambda: state("printer") == "ok", 10, "the printer ok")
        wait_until(lambda: state("fiscal") == "ok", 10, "the register ok")
        gateway.run(
            apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("MUG")))
        )
        gateway.run(apply_stock_change, parse_stock_change("set", builders.stock_set(MUG=5)))
        gateway.run(create_order, builders.order("W-1", ("MUG", 1), paid=False))
        desk = desk_clients(gateway)
        with desk:
            card = {"lines": {"1": 1}, "receipt": {"payment": "card"}}
            assert desk.post("/api/orders/W-1/ship", json=card).status_code == 200
        wait_until(
            lambda: scrape(metrics)("storegw_receipts", state="done") == 1, 15, "the receipt"
        )

        printer.paper_out = True
        wait_until(lambda: state("printer") == "paper_out", 10, "the printer's paper out")
        gateway.run(queue_print, TEST_PAGE, {}, by=builders.CASHIER)
        held = scrape(metrics)
        assert held("storegw_print_jobs", state="queued") == 1
        assert "done" not in {
            s.labels["state"] for s in held.families["storegw_print_jobs"].samples
        }
        printer.paper_out = False
        printer.wait_for_documents(1)
        wait_until(lambda: state("printer") == "ok", 10, "the printer ok again")
        printed = scrape(metrics)
        assert printed("storegw_print_jobs", state="queued") == 0
        assert printed("storegw_receipts", state="queued") == 0
        assert printed("storegw_receipts", state="failed") == 0
    finally:
        gateway.stop()
        printer.stop()


def test_each_app_has_its_own_registry_and_the_writer_one_timing_hook(gateway):
    count = "storegw_writer_commit_seconds_count"
    first = TestClient(gateway.web_app())
    gateway.run(acknowledge, 0)  # one transaction (that changes nothing)
    seen = scrape(first)(count)
    assert seen >= 1
    # An app built later shares the writer's one histogram: it has seen the same commits,
    # and a commit is counted once, not once per app built.
    second = TestClient(gateway.web_app())
    assert scrape(second)(count) == seen
    gateway.run(acknowledge, 0)
    assert scrape(first)(count) == scrape(second)(count) == seen + 1
