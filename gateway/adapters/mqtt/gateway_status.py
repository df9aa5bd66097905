"""The retained `gateway.status` on out/status: live while connected (when what it says
changed, and at least every STATUS_EVERY), offline at a planned stop, and the MQTT last will.

The last will is what the broker publishes when it loses the gateway without a DISCONNECT (a
crash, a power cut, a dead link): handed over with the connection, published maybe hours later,
when `out_seq`, `acked_seq`, `in_seq`, the devices, the shift and the alarms have moved on. The
contract's status has every one of them required, so the will carries them as of the moment the
connection was made, and says so: its envelope `ts` is that moment (not the moment of
publication) and its first alarm says it in words. Only `online: false`, `boot` and `version`
are true whenever the broker publishes it. It is made afresh before every connection attempt."""

import logging
from collections.abc import Callable

import paho.mqtt.client as mqtt

from gateway.adapters.sqlite.command_clock import utc_now

from .client import STATUS_CHECK_EVERY, STATUS_EVERY, STATUS_FIELDS, status_bytes

log = logging.getLogger("storegw.mqtt")

AS_OF_ALARM = (
    "last will: the broker lost the gateway's connection made at {as_of};"
    " the figures of this status are as of then, not current"
)


def will_bytes(status: dict, as_of: str) -> bytes:
    """The will's envelope: `status` (read at `as_of`) offline, with `ts` = `as_of`."""
    alarms = [AS_OF_ALARM.format(as_of=as_of), *status.get("alarms", [])]
    return status_bytes({**status, "online": False, "alarms": alarms}, as_of)


class StatusPublisher:
    """`source(online)` reads the status body; `live()` says whether a live status may go
    out (connected, not stopping). `tick` runs in the relay, `renew_will` in paho's thread,
    `publish_offline` in stop() once the relay has ended."""

    def __init__(
        self,
        client: mqtt.Client,
        topic: str,
        source: Callable[[bool], dict],
        live: Callable[[], bool],
    ):
        self._client, self.topic, self._source, self._live = client, topic, source, live
        self._said: dict = {}  # what the last published status said
        self._checked = self._published = 0.0  # time.monotonic() of the last look, publish

    def renew_will(self) -> None:
        """paho's on_pre_connect: the will of the connection about to be made. If the status
        cannot be read, the previous will stays (its `ts` and alarm say how old it is)."""
        try:
            payload = will_bytes(self._source(False), utc_now())
        except Exception:
            log.exception("cloud link: could not renew the last will; the previous one stays")
            return
        self._client.will_set(self.topic, payload, qos=1, retain=True)

    def publish(self, status: dict | None = None) -> None:
        if self._live():
            status = status or self._source(True)
            self._said = {key: status[key] for key in STATUS_FIELDS}
            payload = status_bytes(status, utc_now())
            self._client.publish(self.topic, payload, qos=1, retain=True)

    def tick(self, now: float) -> None:
        """In the relay: publish if what the status says changed, or it is due anyway."""
        if now - self._checked < STATUS_CHECK_EVERY and now - self._published < STATUS_EVERY:
            return
        self._checked = now
        # A changed in_seq tells the cloud how far we got (it resends what a broker dropped).
        status = self._source(True)
        said = {key: status[key] for key in STATUS_FIELDS}
        if said != self._said or now - self._published >= STATUS_EVERY:
            self._published = now
            self.publish(status)

    def publish_offline(self) -> None:
        """A planned stop says `online: false` itself: the will is only for crashes."""
        try:
            payload = status_bytes(self._source(False), utc_now())
            info = self._client.publish(self.topic, payload, qos=1, retain=True)
            info.wait_for_publish(timeout=2)  # best effort only; nothing is settled by it
        except (RuntimeError, ValueError) as exc:  # the connection went meanwhile
            log.warning("cloud link: could not publish the offline status: %s", exc)
