"""Building the paho client: MQTT 5, a persistent session that outlives the process, manual
acknowledgement, the last will, TLS and credentials from the configuration."""

import contextlib
import random
import socket
import ssl
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gateway.config import Config
from gateway.domain.messages import envelope_bytes, outbound_topic_suffix

SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps our session (and queued messages) a week
STATUS_TOPIC = outbound_topic_suffix("gateway.status")
STATUS_EVERY = 30.0  # the status is published at least this often ...
STATUS_CHECK_EVERY = 2.0  # ... and when what it says changed, looked at this often
STATUS_FIELDS = ("in_seq", "devices", "shift", "alarms")
MAX_INFLIGHT = 100  # QoS 1 messages handed to paho and not yet PUBACKed


def status_bytes(status: dict, ts: str) -> bytes:
    return envelope_bytes(str(uuid.uuid4()), "gateway.status", status, ts=ts)


def build_client(config: Config, will: bytes) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"storegw-{config.store_id}",
        protocol=mqtt.MQTTv5,
        manual_ack=True,  # PUBACK only after the message's transaction has committed
    )
    client.suppress_exceptions = True  # a bug in a callback must never kill the network loop
    client.max_inflight_messages_set(MAX_INFLIGHT)
    client.max_queued_messages_set(0)
    settings = config.mqtt
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set(
            ca_certs=str(settings.ca) if settings.ca else None,
            certfile=str(settings.cert) if settings.cert else None,
            keyfile=str(settings.key) if settings.key else None,
        )
    status_topic = f"{settings.topic_prefix}/{config.store_id}/{STATUS_TOPIC}"
    client.will_set(status_topic, will, qos=1, retain=True)
    jitter_reconnect(client, config.sync.reconnect_max)
    return client


def jitter_reconnect(client: mqtt.Client, cap: float) -> None:
    """paho doubles its reconnect delay from min to max but adds no jitter: a fleet of shops
    that lost the broker together would come back in lockstep. Each outage draws its own."""
    client.reconnect_delay_set(
        min_delay=random.uniform(0.5, 1.5), max_delay=max(1.0, cap * random.uniform(0.6, 1.0))
    )


def connect_properties() -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = SESSION_EXPIRY_S  # without it clean_start=False is moot
    return properties


def no_delay(client: mqtt.Client) -> None:
    """Events are small and latency matters (the web shop must see stock drop at once): no
    Nagle delay, which paho leaves on, so a publish never waits for the previous one's ACK."""
    sock = client.socket()
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def connect_failure(error: BaseException | None) -> str:
    """Why the link is down, in words an installer can act on: a broker certificate that does
    not verify (another CA, another host name) is not "cannot reach the broker"."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"the broker's TLS certificate does not verify ({error.verify_message}): check"
            " [mqtt] ca and the host name in [mqtt] url; the shop works on, retrying"
        )
    if isinstance(error, ssl.SSLError):
        return f"TLS with the broker failed ({error.reason}); the shop works on, retrying"
    why = f" ({error})" if error is not None else ""
    return f"cannot reach the broker{why}; the shop works on, retrying"


def closed_before_answer(settings) -> str:
    """The broker dropped the connection before its CONNACK: paho only says "Unspecified
    error". Over TLS that is most often the client certificate (TLS 1.3 refuses it after
    the handshake), so the words point at [mqtt] cert and key."""
    if settings.tls and settings.cert is None:
        why = "it may require a client certificate: set [mqtt] cert and key"
    elif settings.tls:
        why = "it may not accept our client certificate ([mqtt] cert and key)"
    else:
        why = "check [mqtt] url (a TLS broker needs mqtts://) and the broker's log"
    return f"the broker closed the connection before answering ({why}); the shop works on, retrying"
