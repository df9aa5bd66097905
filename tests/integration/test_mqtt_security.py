"""Credentials and TLS are configuration, not code: a broker that wants a password or a client
certificate gets one from gateway.toml (STOREGW_MQTT_* here)."""

import json
import subprocess
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from gateway.bootstrap import Gateway
from gateway.config import load_config
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
    finally:
        gateway.stop()
