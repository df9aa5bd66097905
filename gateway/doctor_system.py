"""The doctor's checks of the world around the gateway: the broker (a real MQTT connect with the
configuration's URL, credentials and TLS, and the broker's CONNACK answer), the clock
(`timedatectl`), the Pi's power supply and temperature (`vcgencmd get_throttled`)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from gateway.config import Config
from gateway.doctor import ERROR, OK, SKIP, WARNING, Finding, Probes

BROKER_FIX = "check mqtt.url in the configuration and the shop's internet connection"
CREDENTIALS_FIX = (
    "check mqtt.username and mqtt.password (STOREGW_MQTT_PASSWORD in /etc/storegw/gateway.env)"
    " with the cloud team"
)
# CONNACK reason codes (MQTT 5, 3.2.2.2) -> what to call them and what to do.
REFUSALS = {
    0x84: ("refused: the broker does not speak MQTT 5", "ask the cloud team for an MQTT 5 broker"),
    0x85: ("refused: client id not accepted", "check store.id with the cloud team"),
    0x86: ("bad user name or password (not authorised)", CREDENTIALS_FIX),
    0x87: ("not authorised", CREDENTIALS_FIX),
    0x88: ("refused: the broker is unavailable", "try again later; tell the cloud team"),
    0x89: ("refused: the broker is busy", "try again later"),
    0x8A: ("refused: this client is banned", "tell the cloud team"),
    0x8C: ("refused: bad authentication method", CREDENTIALS_FIX),
}
# vcgencmd get_throttled bits (RELIABILITY.md 5.3): now (0-3) and since boot (16-19).
THROTTLE_NOW = {
    0: "under-voltage",
    1: "CPU frequency capped",
    2: "throttled",
    3: "soft temperature limit",
}
POWER_FIX = (
    "use the official 5.1 V power supply and a short, thick cable; a UPS HAT if the mains is"
    " unreliable (under-voltage corrupts SD cards)"
)
HEAT_FIX = "give the Pi air: a case with a fan or a heat sink, away from the heater"


def broker_findings(config: Config, probes: Probes) -> list[Finding]:
    return [broker_finding(config, probes)]


def broker_finding(config: Config, probes: Probes) -> Finding:
    """A clean session under a client id of its own: the gateway's session is never taken."""
    settings = config.mqtt
    where = f"{settings.host}:{settings.port}"
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"storegw-{config.store_id}-doctor",
        protocol=mqtt.MQTTv5,
    )
    client.connect_timeout = probes.timeout
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    answers: list = []
    client.on_connect = lambda _c, _u, _f, reason, _p: answers.append(reason)
    try:
        if settings.tls:
            client.tls_set(
                ca_certs=str(settings.ca) if settings.ca else None,
                certfile=str(settings.cert) if settings.cert else None,
                keyfile=str(settings.key) if settings.key else None,
            )
        client.connect(settings.host, settings.port, keepalive=30)
        deadline = time.monotonic() + probes.timeout
        while not answers and time.monotonic() < deadline:
            client.loop(timeout=0.1)
    except ssl.SSLCertVerificationError as exc:
        return Finding(
            ERROR,
            "broker",
            f"TLS: the certificate of {where} is not trusted ({exc.verify_message})",
            "check mqtt.ca (the CA that signed the broker's certificate) and the clock",
        )
    except ssl.SSLError as exc:
        return Finding(
            ERROR, "broker", f"TLS with {where} failed: {exc}", "check mqtt.ca, cert and key"
        )
    except ConnectionRefusedError:
        return Finding(
            ERROR,
            "broker",
            f"refused: nothing listens on {where}",
            f"is the broker running (sudo systemctl status mosquitto)? {BROKER_FIX}",
        )
    except socket.gaierror:
        return Finding(ERROR, "broker", f"the name {settings.host} does not resolve", BROKER_FIX)
    except TimeoutError:
        return Finding(ERROR, "broker", f"timeout: {where} does not answer", BROKER_FIX)
    except OSError as exc:  # unreachable network, missing certificate file, ...
        return Finding(ERROR, "broker", f"cannot reach {where}: {exc}", BROKER_FIX)
    finally:
        with contextlib.suppress(Exception):
            client.disconnect()
            client.loop(timeout=0.1)
    if not answers:
        return Finding(
            ERROR, "broker", f"timeout: {where} accepted the connection but never answered"
        )
    reason = answers[0]
    if reason.is_failure:
        words, todo = REFUSALS.get(reason.value, (f"refused: {reason}", BROKER_FIX))
        return Finding(ERROR, "broker", f"{words} ({where}: {reason})", todo)
    who = f" as {settings.username}" if settings.username else ""
    tls = ", TLS" if settings.tls else ""
    return Finding(OK, "broker", f"{where} accepts the gateway{who}{tls}")


def machine_findings(probes: Probes) -> list[Finding]:
    return [clock_finding(probes), power_finding(probes)]


def clock_finding(probes: Probes) -> Finding:
    result = probes.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], probes.timeout)
    if result is None:
        return Finding(SKIP, "clock", "not checked (timedatectl is not installed here)")
    code, output = result
    if code != 0:
        first = output.splitlines()[0] if output else f"exit status {code}"
        return Finding(SKIP, "clock", f"not checked (timedatectl: {first})")
    if output.strip() == "yes":
        return Finding(OK, "clock", "synchronised (NTP)")
    return Finding(
        WARNING,
        "clock",
        "not synchronised",
        "receipts and orders carry the time: check the internet connection and"
        " `timedatectl timesync-status` (systemd-timesyncd must be enabled)",
    )


def power_finding(probes: Probes) -> Finding:
    result = probes.run(["vcgencmd", "get_throttled"], probes.timeout)
    if result is None:
        return Finding(SKIP, "power", "not checked (vcgencmd is not installed here: not a Pi?)")
    code, output = result
    value = _throttled(output) if code == 0 else None
    if value is None:
        return Finding(SKIP, "power", f"not checked (vcgencmd: {output or code})")
    return throttled_finding(value)


def throttled_finding(value: int) -> Finding:
    now = [words for bit, words in THROTTLE_NOW.items() if value & (1 << bit)]
    before = [words for bit, words in THROTTLE_NOW.items() if value & (1 << (bit + 16))]
    if not now and not before:
        return Finding(OK, "power", f"no under-voltage or throttling since boot ({value:#x})")
    found = f"now: {', '.join(now) or 'none'}; since boot: {', '.join(before) or 'none'}"
    found += f" ({value:#x})"
    voltage = "under-voltage" in now + before
    todo = POWER_FIX if voltage else HEAT_FIX
    level = ERROR if "under-voltage" in now else WARNING
    return Finding(level, "power", found, todo)


def _throttled(output: str) -> int | None:
    """'throttled=0x50005' -> 0x50005."""
    _, _, text = output.strip().partition("=")
    try:
        return int(text, 16)
    except ValueError:
        return None
