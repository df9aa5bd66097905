"""The broker's Maximum Packet Size (MQTT 5 CONNACK; none told: no limit). A message over it
would make the broker drop the connection, and again at every reconnect: it is held back, with
the ones after it, and said (`held_back`, an alarm of the status) until a limit allows it."""

import logging
import threading

log = logging.getLogger("storegw.mqtt")

# A PUBLISH's bytes beyond its payload and topic: fixed header, topic length, packet id,
# properties length -- an upper bound, to compare with the broker's Maximum Packet Size.
PUBLISH_OVERHEAD = 16


class PacketLimit:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._max_packet: int | None = None
        self.held_back: str | None = None  # why the outbox waits, in words; None: it does not

    def connected(self, properties) -> None:
        """A new connection: its broker's limit, which may allow what was held back (the relay
        sees)."""
        with self._lock:
            self._max_packet = getattr(properties, "MaximumPacketSize", None)
            self.held_back = None

    def holds_back(self, seq: int, topic: str, payload: bytes) -> bool:
        """True (and said once) if this message is larger than the broker takes."""
        with self._lock:
            limit = self._max_packet
        size = len(payload) + len(topic.encode()) + PUBLISH_OVERHEAD
        if limit is None or size <= limit:
            return False
        held = (
            f"message {seq} is {size} bytes, over the broker's maximum packet size of {limit}:"
            " raise max_packet_size on the broker; the messages after it wait"
        )
        if held != self.held_back:
            log.error("cloud link: %s", held)
            self.held_back = held
        return True
