"""Credentials and TLS are configuration, not code: a broker that wants a password or a client
certificate gets one from gateway.toml (STOREGW_MQTT_* here)."""

import json
import subprocess
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from gateway.adapters.sqlite.database import Database
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.catalog import parse_catalog_upsert
from gateway.domain.stock import parse_stock_change
from gateway.services.catalog import apply_catalog
from gateway.services.stock import apply_stock_change
from tests import builders
from tests.mqtt_helpers import gateway_env, wait_until


def start(db_path: Path, url: str, **settings: str) -> Gateway:
    env = gateway_env(db_path, url, **{f"STOREGW_MQTT_{k.upper()}": v for k, v in settings.items()})
    return Gateway(load_config(None, env=env)).start()


def retained_status(port: int, **tls) -> dict:
    """Read the gateway's retained status as the cloud would."""
    received: list[bytes] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if tls:
        client.tls_set(**tls)
    client.username_pw_set("cloud", "cloud-secret")
    client.on_message = lambda c, u, m: received.append(m.payload)
    client.connect("127.0.0.1", port)
    client.subscribe("storegw/shop-001/out/status", qos=1)
    client.loop_start()
    wait_until(lambda: received, 10, "the retained status")
    client.loop_stop()
    client.disconnect()
    return json.loads(received[-1])["data"]


@pytest.fixture
def password_broker(make_broker, tmp_path):
    passwords = tmp_path / "passwords"
    for user, password in (("storegw", "s3cret"), ("cloud", "cloud-secret")):
        subprocess.run(
            [
                "mosquitto_passwd",
                "-b",
                *(["-c"] if user == "storegw" else []),
                str(passwords),
                user,
                password,
            ],
            check=True,
        )
    return make_broker(extra_conf=f"allow_anonymous false\npassword_file {passwords}")


def test_username_and_password_from_the_configuration(password_broker, tmp_path):
    gateway = start(tmp_path / "g.db", password_broker.url, username="storegw", password="s3cret")
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the link")
        assert retained_status(password_broker.port)["online"] is True
    finally:
        gateway.stop()


def test_a_wrong_password_is_reported_and_the_shop_works_on(password_broker, tmp_path):
    gateway = start(tmp_path / "g.db", password_broker.url, username="storegw", password="nope")
    try:
        wait_until(lambda: "refused" in gateway.link.snapshot()["detail"], 10, "the refusal")
        assert gateway.link.snapshot()["state"] == "offline"
        assert gateway.status()["ok"] is True  # the rest of the gateway is unaffected
    finally:
        gateway.stop()


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def certificates(tmp_path) -> Path:
    """A throw-away CA, a server certificate for 127.0.0.1 and a client certificate."""
    d = tmp_path / "pki"
    d.mkdir()
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=storegw test CA",
        cwd=d,
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name, subject in (("server", "/CN=127.0.0.1"), ("client", "/CN=storegw-shop-001")):
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            subject,
            cwd=d,
        )
        openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            cwd=d,
        )
    return d


@pytest.fixture
def tls_broker(make_broker, certificates):
    d = certificates
    return make_broker(
        extra_conf=f"cafile {d / 'ca.crt'}\ncertfile {d / 'server.crt'}\n"
        f"keyfile {d / 'server.key'}\nrequire_certificate true"
    )


def test_tls_with_a_client_certificate(tls_broker, certificates, tmp_path):
    d = certificates
    url = f"mqtts://127.0.0.1:{tls_broker.port}"
    gateway = start(
        tmp_path / "g.db",
        url,
        ca=str(d / "ca.crt"),
        cert=str(d / "client.crt"),
        key=str(d / "client.key"),
    )
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "connected", 10, "the TLS link")
        status = retained_status(
            tls_broker.port,
            ca_certs=str(d / "ca.crt"),
            certfile=str(d / "client.crt"),
            keyfile=str(d / "client.key"),
        )
        assert status["online"] is True
    finally:
        gateway.stop()


def test_tls_without_the_client_certificate_does_not_connect(tls_broker, certificates, tmp_path):
    url = f"mqtts://127.0.0.1:{tls_broker.port}"
    gateway = start(tmp_path / "g.db", url, ca=str(certificates / "ca.crt"))
    try:
        wait_until(lambda: gateway.link.snapshot()["state"] == "offline", 10, "the refusal")
        # paho says only "Unspecified error": the status names what to set.
        wait_until(
            lambda: (
                "client certificate: set [mqtt] cert and key" in gateway.link.snapshot()["detail"]
            ),
            10,
            "the reason in the link's status",
        )
    finally:
        gateway.stop()


def test_a_broker_certificate_from_another_ca_is_named_in_the_status(
    tls_broker, certificates, tmp_path
):
    """From the security campaign: this used to say "cannot reach the broker"."""
    other = tmp_path / "other-ca"
    other.mkdir()
    openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key"),
        *("-out", "ca.crt", "-days", "2", "-subj", "/CN=another CA"),
        cwd=other,
    )
    url = f"mqtts://127.0.0.1:{tls_broker.port}"
    gateway = start(tmp_path / "g.db", url, ca=str(other / "ca.crt"))
    try:
        wait_until(
            lambda: "certificate does not verify" in gateway.link.snapshot()["detail"],
            10,
            "the reason in the link's status",
        )
        assert gateway.link.snapshot()["state"] == "offline"
    finally:
        gateway.stop()


def test_a_publish_the_broker_refuses_is_not_settled_and_not_hammered(make_broker, tmp_path):
    """RELIABILITY R8: an ACL-denied QoS 1 publish looks like success except in on_publish's
    reason code. The row stays unsettled and is retried with a back-off, not in a hot loop."""
    passwords, acl = tmp_path / "passwords", tmp_path / "acl"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(passwords), "storegw", "s3cret"], check=True
    )
    acl.write_text(
        "user storegw\ntopic read storegw/shop-001/in/#\ntopic write storegw/shop-001/out/status\n"
    )  # out/events is denied
    broker = make_broker(
        extra_conf=f"allow_anonymous false\npassword_file {passwords}\nacl_file {acl}"
    )
    db_path = tmp_path / "g.db"

    database = Database(db_path)  # one event waiting in the outbox before the gateway starts
    database.run(
        apply_catalog, parse_catalog_upsert(builders.catalog(builders.simple_product("A")))
    )
    database.run(apply_stock_change, parse_stock_change("set", builders.stock_set(A=1)))
    database.close()
    gateway = start(db_path, broker.url, username="storegw", password="s3cret")
    try:
        wait_until(lambda: "refuses" in gateway.link.snapshot()["detail"], 10, "the refusal")
        time.sleep(3)
        denied = broker.log_text().count("Denied PUBLISH")
        assert 1 <= denied <= 4, f"{denied} denied publishes in ~3 s"
        assert gateway.link.snapshot()["acked_seq"] == 0
    finally:
        gateway.stop()
