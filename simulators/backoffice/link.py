"""paho-mqtt 2.x client set-up from a URL (mqtt://user:pass@host:port, mqtts:// for TLS)."""

import contextlib
import socket
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

SESSION_EXPIRY = 7 * 24 * 3600  # the contract's minimum for persistent sessions


def make_client(url: str, client_id: str) -> tuple[mqtt.Client, str, int]:
    """An MQTT 5 client (callback API 2) for `url`, with its host and port. paho reconnects
    by itself with a 1 → 30 s backoff; 100 in-flight QoS 1 messages speed up replays."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"unsupported MQTT url {url!r} (mqtt:// or mqtts://)")
    tls = parts.scheme in ("mqtts", "ssl")
    host, port = parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if tls:
        client.tls_set()
    if parts.username:
        password = unquote(parts.password) if parts.password else None
        client.username_pw_set(unquote(parts.username), password)
    client.reconnect_delay_set(1, 30)
    client.max_inflight_messages_set(100)
    return client, host, port


def session_properties() -> Properties:
    """A persistent session needs an explicit expiry: absent means 0 (RELIABILITY.md 0.4)."""
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = SESSION_EXPIRY
    return props


def no_delay(client: mqtt.Client) -> None:
    """Small messages where latency matters: switch Nagle off (paho leaves it on). Without it a
    second back-to-back publish can wait ~40 ms for the peer's delayed ACK."""
    sock = client.socket()
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
