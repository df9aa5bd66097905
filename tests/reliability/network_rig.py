"""The network campaign's rig (tests/reliability/network.py): a real Mosquitto, a TCP proxy in
front of it as the shop's WAN, the gateway as its own process (`storegw run`) that reaches the
broker only through the proxy, and the back-office simulator as the cloud, connected to the
broker directly (the cloud sits next to it). A cashier's API token is written into the database
before the first start; goods and stock come from the cloud over MQTT."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from gateway.adapters.sqlite.database import Database
from gateway.adapters.sqlite.outbox import OUTBOX_HEAD
from gateway.domain.staff import CASHIER, TERMINAL
from gateway.services import staff as staff_service
from gateway.services.pins import new_token, token_hash
from simulators.backoffice.cloud import Cloud
from tests.brokers import Broker
from tests.gateway_process import GatewayProcess
from tests.loopback import free_port
from tests.mqtt_helpers import FAST_SYNC, STORE
from tests.tcp_proxy import TcpProxy

GATEWAY_CLIENT = f"storegw-{STORE}"
# The broker keeps at most this many messages for an offline client, PUBACKs the rest and drops
# them (RELIABILITY.md R6): the gateway's session overflows in every cut of the WAN.
BROKER_QUEUE = 5
START_TIMEOUT_S = 60.0


class Rig:
    def __init__(self, workdir: Path, sync: dict[str, str]):
        self.workdir = workdir
        self.sync = sync  # [sync] of the gateway's config, e.g. {"resend_after": "1"}
        workdir.mkdir(parents=True, exist_ok=True)
        self.db_path = workdir / "gateway.db"
        self.broker = Broker(workdir / "broker", max_queued_messages=BROKER_QUEUE).start()
        self.proxy = TcpProxy(self.broker.port)
        self.web_port = free_port()
        self.cashier_token = new_token()
        self.gateway: GatewayProcess | None = None
        self.cloud = Cloud(
            self.broker.url, STORE, gap_timeout=0.5, reconnect_max=1, log=self._cloud_log
        )
        self._hire()

    # -- the gateway process ---------------------------------------------------------------

    def _hire(self) -> None:
        database = Database(self.db_path)
        try:
            token = token_hash(self.cashier_token)
            database.run(staff_service.add_token, "касса-скрипт", CASHIER, token, by=TERMINAL)
        finally:
            database.close()

    def _write_config(self) -> Path:
        sync = {
            **{k.removeprefix("STOREGW_SYNC_").lower(): v for k, v in FAST_SYNC.items()},
            **self.sync,
        }
        lines = [
            f'[store]\nid = "{STORE}"',
            f'[mqtt]\nurl = "{self.proxy.url}"',
            f'[database]\npath = "{self.db_path}"',
            f'[web]\nlisten = "127.0.0.1:{self.web_port}"',
            "[sync]",
            *(f'{key} = "{value}"' for key, value in sync.items()),
        ]
        config = self.workdir / "gateway.toml"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return config

    def start_gateway(self) -> None:
        config = self._write_config()
        with (self.workdir / "gateway.log").open("ab") as log:
            self.gateway = GatewayProcess(config, log, self.web_port).start()
        self.gateway.wait_ready(START_TIMEOUT_S)

    def stop_gateway(self) -> None:
        """SIGTERM: a clean stop (the gateway says offline and closes its database)."""
        if self.gateway is not None:
            self.gateway.stop()

    def gateway_alive(self) -> bool:
        return self.gateway is not None and self.gateway.alive()

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    # -- reading from outside ----------------------------------------------------------------

    def rss_mb(self) -> float:
        """The gateway process's resident memory, from /proc."""
        status = Path(f"/proc/{self.gateway.process.pid}/status").read_text(encoding="utf-8")
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024

    def query(self, sql: str, *args) -> list[tuple]:
        """A read of the gateway's database (WAL: never in the writer's way)."""
        with closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)) as c:
            return c.execute(sql, args).fetchall()

    def counters(self) -> dict[str, int]:
        [(head,)] = self.query(OUTBOX_HEAD)
        return dict(self.query("SELECT name, value FROM counter")) | {"outbox_seq": head}

    def mark(self, what: str, log: str = "phases.log") -> None:
        """A line in phases.log, to read the broker's and the gateway's logs against."""
        with (self.workdir / log).open("a", encoding="utf-8") as f:
            f.write(f"{time.strftime('%H:%M:%S')} {what}\n")

    def _cloud_log(self, line: str) -> None:
        self.mark(line, "cloud.log")

    def broker_log_count(self, pattern: str) -> int:
        return len(re.findall(pattern, self.broker.log_text()))

    def deliveries_to_gateway(self) -> int:
        """Sequenced cloud messages the broker wrote to the gateway's connection (its log)."""
        return self.broker_log_count(
            rf"Sending PUBLISH to {GATEWAY_CLIENT} \([^)]*'[^']*/in/(?:orders|stock|catalog)'"
        )

    def close(self) -> None:
        self.stop_gateway()
        self.cloud.stop()
        self.proxy.close()
        self.broker.close()
