"""The last will's body (gateway/adapters/mqtt/gateway_status.py), without a broker."""

import json

from gateway.adapters.mqtt.gateway_status import AS_OF_ALARM, StatusPublisher, will_bytes

STATUS = {"online": True, "boot": 3, "out_seq": 7, "alarms": ["cloud_seq_gap: 4..4"]}


class FakeClient:
    def __init__(self):
        self.wills: list[tuple[str, bytes, int, bool]] = []

    def will_set(self, topic, payload, qos, retain):
        self.wills.append((topic, payload, qos, retain))


def test_the_will_says_its_figures_are_as_of_its_ts():
    will = json.loads(will_bytes(STATUS, "2026-01-02T03:04:05.000000Z"))
    assert will["ts"] == "2026-01-02T03:04:05.000000Z" and will["type"] == "gateway.status"
    assert will["data"]["online"] is False and will["data"]["out_seq"] == 7
    assert will["data"]["alarms"] == [
        AS_OF_ALARM.format(as_of="2026-01-02T03:04:05.000000Z"),
        "cloud_seq_gap: 4..4",
    ]
    assert STATUS["online"] is True and len(STATUS["alarms"]) == 1  # not changed in place


def test_a_will_that_cannot_be_read_leaves_the_previous_one(caplog):
    client, answers = FakeClient(), [STATUS]

    def source(online: bool) -> dict:
        if not answers:
            raise OSError("disk I/O error")
        return answers.pop()

    publisher = StatusPublisher(client, "storegw/s/out/status", source, lambda: True)
    publisher.renew_will()
    publisher.renew_will()  # the database fails: nothing set, logged
    [(topic, payload, qos, retain)] = client.wills
    assert (topic, qos, retain) == ("storegw/s/out/status", 1, True)
    assert json.loads(payload)["data"]["out_seq"] == 7
    assert "could not renew the last will" in caplog.text
