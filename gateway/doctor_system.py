"""The doctor's checks of the world around the gateway: the broker, the clock (`timedatectl`),
the Pi's power supply and temperature (`vcgencmd get_throttled`).

The broker is seen two ways, and never both. While the gateway runs (its web UI answers
/healthz for this store, or its database is open) the doctor shows the gateway's own link and
opens no connection of its own: a broker with `use_username_as_clientid true` (as
firmware-config/mosquitto/acl.example asks) gives every connection made with the gateway's user
name the gateway's client id, and a second one would throw the gateway off and take its session.
Only with the gateway stopped does the doctor connect itself (the configuration's URL,
credentials and TLS, and the broker's CONNACK answer), and even then it leaves the gateway's
session on the broker as it found it: it resumes instead of starting clean, never acknowledges
a message queued there, and ends only a session of its own."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from gateway.adapters.mqtt.client import connect_properties
from gateway.config import Config
from gateway.doctor import ERROR, OK, SKIP, WARNING, Finding, Probes
from gateway.doctor_gateway import Running, look

BROKER_FIX = "check mqtt.url in the configuration and the shop's internet connection"
CREDENTIALS_FIX = (
    "check mqtt.username and mqtt.password (STOREGW_MQTT_PASSWORD in /etc/storegw/gateway.env)"
    " with the cloud team"
)
UNTRUSTED_FIX = "check mqtt.ca (the CA that signed the broker's certificate) and the clock"
TLS_FIX = "check mqtt.ca, cert and key"
SILENT_FIX = (
    "something takes TCP connections there but does not speak MQTT (a TLS port addressed as"
    " mqtt://, a proxy, a firewall) or the broker is overloaded: check the scheme and the port"
    f" in mqtt.url; {BROKER_FIX}"
)
REFUSED_FIX = (
    "the gateway's database refuses what the cloud sends (see the database and disk lines):"
    " free space on its disk or mend the database; the messages wait and apply by themselves"
)
CLEARTEXT_FIX = (
    "use mqtts:// with [mqtt] ca (the cloud broker's certificate authority), or a Mosquitto on"
    " this box bridged to the cloud over TLS (install.sh --with-mosquitto)"
)
OVERSIZE_FIX = (
    "set max_packet_size (Mosquitto) or the broker's message size limit above the size"
    " named, or ask whoever runs the broker; the gateway sends on from that message itself"
)
ACL_FIX = (
    "the broker's ACL must let this user write storegw/<store>/out/# and read"
    " storegw/<store>/in/# (firmware-config/mosquitto/acl.example): tell the cloud team"
)
TAKEN_OVER_FIX = (
    "another client connected with the gateway's client id or user name (a second box with the"
    " same store.id, or someone using its credentials): find it and stop it"
)
# The doctor tries the broker itself only while the gateway is stopped (module docstring).
PROBE_HINT = (
    " (for the doctor's own connection test: sudo systemctl stop storegw, run the doctor,"
    " sudo systemctl start storegw)"
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
# The same refusals as the running gateway words them in its link's detail (paho's names,
# e.g. "broker refused the connection: Not authorized"), and why a broker drops a link.
LINK_FIXES = {
    **{
        ReasonCode(PacketTypes.CONNACK, identifier=code).getName().lower(): todo
        for code, (_, todo) in REFUSALS.items()
    },
    "session taken over": TAKEN_OVER_FIX,
    "certificate does not verify": UNTRUSTED_FIX,
    "tls ": TLS_FIX,
    "connection refused": f"is the broker running? {BROKER_FIX}",
}
# vcgencmd get_throttled bits (Raspberry Pi documentation): now (0-3) and since boot (16-19).
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


def broker_findings(
    config: Config, probes: Probes, running: Running | None = None
) -> list[Finding]:
    """The running gateway's view of its link, or (the gateway stopped) the doctor's own try."""
    running = running if running is not None else look(config, probes)
    found = [link_finding(running) if running.running else broker_finding(config, probes)]
    if config.mqtt.cleartext:
        found.append(Finding(WARNING, "broker tls", config.mqtt.cleartext, CLEARTEXT_FIX))
    return found


def link_finding(running: Running) -> Finding:
    """The broker as the running gateway's link sees it (its /healthz): no connection made."""
    if running.status is None:
        return Finding(
            SKIP,
            "broker",
            "not checked: the gateway seems to run (its database is open) but its web UI does"
            " not answer, and a connection as the gateway could take the gateway's session",
            "see the gateway line above; `journalctl -u storegw | grep 'cloud link'` shows the"
            " link's changes",
        )
    link = running.status.get("mqtt") or {}
    state, detail = str(link.get("state", "unknown")), str(link.get("detail") or "")
    where = f"{link.get('url') or 'the broker'}, the running gateway's own link"
    since = f" since {link['since']}" if link.get("since") else ""
    found = f"{state}{since} ({where})" + (f": {detail}" if detail else "")
    if state == "not_configured":
        return Finding(
            SKIP, "broker", f"not checked: the running gateway has no cloud link ({detail})"
        )
    if state == "connected":
        if link.get("held_back"):  # mqtt/link.py: a message larger than the broker takes
            found = f"connected{since} ({where}), but {link['held_back']}"
            return Finding(ERROR, "broker", found, OVERSIZE_FIX)
        if detail in ("", "session resumed", "new session"):
            return Finding(OK, "broker", found)
        if detail.startswith("cloud messages wait"):  # mqtt/link.py: the database refused them
            return Finding(ERROR, "broker", found, REFUSED_FIX)
        return Finding(WARNING, "broker", found, ACL_FIX)
    if state == "connecting":
        todo = f"still connecting: run the doctor again in a minute; if it stays so, {BROKER_FIX}"
        return Finding(WARNING, "broker", found, todo)
    if state == "offline":
        return Finding(ERROR, "broker", found, link_fix(detail) + PROBE_HINT)
    return Finding(WARNING, "broker", found, BROKER_FIX + PROBE_HINT)


def link_fix(detail: str) -> str:
    """What to do about the reason the running gateway gives for its link being down."""
    words = detail.lower()
    for clue, todo in LINK_FIXES.items():
        if clue in words:
            return todo
    if words.startswith("disconnected"):
        return f"the gateway reconnects by itself: run the doctor again in a minute; {BROKER_FIX}"
    return BROKER_FIX


def broker_finding(config: Config, probes: Probes) -> Finding:
    """The doctor's own MQTT connection, for a stopped gateway only (broker_findings): under a
    client id of its own, which a broker with `use_username_as_clientid` replaces by the user
    name, i.e. by the gateway's id. So it never starts clean: it resumes with the gateway's
    session expiry (a session it finds stays as it was), takes at most one queued message
    (Receive Maximum 1) and never acknowledges it (the broker sends it again when the gateway
    resumes), and ends only a session that was not there before it (session_present false)."""
    settings = config.mqtt
    where = f"{settings.host}:{settings.port}"
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"storegw-{config.store_id}-doctor",
        protocol=mqtt.MQTTv5,
        manual_ack=True,  # a message queued for the gateway is never taken from it
    )
    client.connect_timeout = probes.timeout
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    answers: list = []
    client.on_connect = lambda _c, _u, flags, reason, _p: answers.append(
        (reason, flags.session_present)
    )
    properties = connect_properties()  # the gateway's own session expiry
    properties.ReceiveMaximum = 1
    try:
        if settings.tls:
            client.tls_set(
                ca_certs=str(settings.ca) if settings.ca else None,
                certfile=str(settings.cert) if settings.cert else None,
                keyfile=str(settings.key) if settings.key else None,
            )
        client.connect(
            settings.host, settings.port, keepalive=30, clean_start=False, properties=properties
        )
        deadline = time.monotonic() + probes.timeout
        while not answers and time.monotonic() < deadline:
            client.loop(timeout=0.1)
    except ssl.SSLCertVerificationError as exc:
        return Finding(
            ERROR,
            "broker",
            f"TLS: the certificate of {where} is not trusted ({exc.verify_message})",
            UNTRUSTED_FIX,
        )
    except ssl.SSLError as exc:
        return Finding(ERROR, "broker", f"TLS with {where} failed: {exc}", TLS_FIX)
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
        _leave(client, answers)
    if not answers:
        return Finding(
            ERROR,
            "broker",
            f"timeout: {where} accepted the connection but never answered",
            SILENT_FIX,
        )
    reason = answers[0][0]
    if reason.is_failure:
        words, todo = REFUSALS.get(reason.value, (f"refused: {reason}", BROKER_FIX))
        return Finding(ERROR, "broker", f"{words} ({where}: {reason})", todo)
    who = f" as {settings.username}" if settings.username else ""
    tls = ", TLS" if settings.tls else ""
    return Finding(OK, "broker", f"{where} accepts the gateway{who}{tls}")


def _leave(client: mqtt.Client, answers: list) -> None:
    """Disconnect; a session the broker made for the doctor alone ends with it (expiry 0)."""
    properties = None
    if answers and not answers[0][0].is_failure and not answers[0][1]:
        properties = Properties(PacketTypes.DISCONNECT)
        properties.SessionExpiryInterval = 0
    with contextlib.suppress(Exception):
        client.disconnect(properties=properties)
        client.loop(timeout=0.1)


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
