"""The gateway's MQTT client against TLS brokers it must not trust: a certificate from another
CA, and one from its own CA for another host name. The broker's log is the observer: a client
that got past the handshake shows as "New client connected ... as storegw-..." there, and one
that refused the broker's certificate as the TLS alert it sent ("unknown ca", "bad
certificate"). Its status and log must say why it is offline (the certificate). A broker
with a good certificate is the control: the same gateway connects to it, so the check can fail."""

from __future__ import annotations

import logging
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from gateway.bootstrap import Gateway
from gateway.config import load_config
from tests.brokers import Broker
from tests.mqtt_helpers import STORE, gateway_env

CONNECTED = f"as storegw-{STORE}"
EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")  # quick to make
WAIT_S = 20.0  # at most; reconnects come within 2 s (reconnect_max in gateway_env)


@dataclass
class TlsOutcome:
    cases: int = 0
    handshakes_refused: int = 0  # the gateway's alert ("unknown ca", "bad certificate") logged
    cases_refused: int = 0  # cases with at least one such refusal in the broker's log
    bad_cert_connected: list[str] = field(default_factory=list)
    why_not_said: list[str] = field(default_factory=list)  # neither status nor log names TLS
    control_connected: bool = False


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(d: Path, name: str) -> None:
    openssl("req", "-x509", *EC_KEY, "-keyout", f"{name}.key", "-out", f"{name}.crt",
            "-days", "2", "-subj", f"/CN={name}", cwd=d)  # fmt: skip


def make_server(d: Path, name: str, ca: str, san: str) -> None:
    (d / f"{name}.ext").write_text(f"subjectAltName={san}\n")
    openssl("req", *EC_KEY, "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={san.split(':', 1)[1]}", cwd=d)  # fmt: skip
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "2",
            "-extfile", f"{name}.ext", cwd=d)  # fmt: skip


def certificates(d: Path) -> dict[str, str]:
    """The gateway trusts `shop-ca`. Servers: `good` (shop-ca, 127.0.0.1), `foreign` (another
    CA, 127.0.0.1), `wrong-host` (shop-ca, for broker.example.com)."""
    d.mkdir(parents=True, exist_ok=True)
    make_ca(d, "shop-ca")
    make_ca(d, "other-ca")
    make_server(d, "good", "shop-ca", "IP:127.0.0.1")
    make_server(d, "foreign", "other-ca", "IP:127.0.0.1")
    make_server(d, "wrong-host", "shop-ca", "DNS:broker.example.com")
    return {"good": "good", "another CA": "foreign", "wrong host name": "wrong-host"}


def try_broker(workdir: Path, d: Path, server: str, case: str, outcome: TlsOutcome) -> None:
    broker = Broker(
        workdir / f"broker-{server}",
        extra_conf=f"certfile {d / f'{server}.crt'}\nkeyfile {d / f'{server}.key'}",
    ).start()
    db = workdir / f"tls-{server}.db"
    env = gateway_env(
        db, f"mqtts://127.0.0.1:{broker.port}", STOREGW_MQTT_CA=str(d / "shop-ca.crt")
    )
    logged = LogLines("storegw.mqtt")
    gateway = Gateway(load_config(None, env=env)).start()
    try:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:  # connected, or refused twice (a retry too)
            if CONNECTED in broker.log_text() or alerts(broker.log_text()) >= 2:
                break
            time.sleep(0.1)
        detail = gateway.link.snapshot()["detail"]
    finally:
        gateway.stop()
        logged.close()
        broker.stop()
    text = broker.log_text()
    connected = CONNECTED in text
    if server == "good":
        outcome.control_connected = connected
        return
    outcome.cases += 1
    refused = alerts(text)
    outcome.handshakes_refused += refused
    outcome.cases_refused += int(refused > 0)
    if connected:
        outcome.bad_cert_connected.append(case)
    told = " ".join([detail, *logged.lines]).lower()
    if "certificate" not in told:
        outcome.why_not_said.append(f"{case}: status {detail!r}; log {logged.lines[-3:]}")


def alerts(log: str) -> int:
    """TLS alerts a client sent (not the "unexpected eof" of the broker helper's port probe).
    Mosquitto words one "OpenSSL Error[0]: ... alert bad certificate" or "Client connection
    from ... failed: ... alert unknown ca", as the handshake fails while reading or accepting."""
    return sum("SSL routines" in line and " alert " in line for line in log.splitlines())


class LogLines(logging.Handler):
    """What the gateway logged under `name` while attached (its own log, as an installer reads
    it with journalctl)."""

    def __init__(self, name: str):
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.logger = logging.getLogger(name)
        self.level_before, self.propagate_before = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False  # kept here, not printed
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(
            record.getMessage() + (f" {record.exc_info[1]}" if record.exc_info else "")
        )

    def close(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_before)
        self.logger.propagate = self.propagate_before
        super().close()


def run_tls(workdir: Path) -> TlsOutcome:
    d = workdir / "pki"
    outcome = TlsOutcome()
    for case, server in certificates(d).items():
        try_broker(workdir, d, server, case, outcome)
    return outcome
