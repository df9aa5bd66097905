"""docs/asyncapi.yaml is kept in step with the code.

The document must be a well-formed AsyncAPI 3 description of MQTT-CONTRACT.md whose channels carry
exactly the message types the code routes; its examples must validate. The messages the code
accepts, publishes and refuses are checked in test_asyncapi_messages.py (helpers:
tests/asyncapi_contract.py and tests/asyncapi_cloud.py)."""

import pytest
from jsonschema import Draft7Validator

from gateway.domain.messages import INBOUND, INBOUND_TYPES, OUTBOUND_TOPICS, outbound_topic_suffix
from tests.asyncapi_contract import (
    OUT_SUFFIXES,
    Contract,
    follow,
    load_document,
    pointer,
    refs_in,
    suffix_of,
    type_const,
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return load_document()


@pytest.fixture(scope="module")
def contract(doc) -> Contract:
    return Contract(doc)


def test_the_document_is_asyncapi_3_and_every_reference_resolves(doc):
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["version"] == "1"
    assert {"mqtt", "mqtts"} <= set(doc["servers"])
    for ref in refs_in(doc):
        pointer(doc, ref)  # every $ref, in schemas, channels, operations, bindings, resolves

    channels = doc["channels"]
    suffixes = [suffix_of(channel) for channel in channels.values()]
    assert sorted(suffixes) == sorted(set(INBOUND) | OUT_SUFFIXES)
    for name, channel in channels.items():
        assert set(channel["parameters"]) == {"prefix", "store_id"}, name
        for message in channel["messages"].values():
            last, resolved = follow(doc, message)
            assert last.startswith("#/components/messages/"), f"{name}: {last}"
            assert "payload" in resolved

    used = set()
    for name, operation in doc["operations"].items():
        channel_ref = operation["channel"]["$ref"]
        channel_name = channel_ref.removeprefix("#/channels/")
        suffix = suffix_of(channels[channel_name])
        assert operation["action"] == ("receive" if suffix.startswith("in/") else "send"), name
        for entry in operation["messages"]:
            assert entry["$ref"].startswith(f"{channel_ref}/messages/"), f"{name}: {entry}"
            used.add(entry["$ref"])
    every_channel_message = {
        f"#/channels/{name}/messages/{key}"
        for name, channel in channels.items()
        for key in channel["messages"]
    }
    assert used == every_channel_message, "each channel's messages are its operation's messages"

    components = doc["components"]
    referenced = set(refs_in({k: v for k, v in doc.items() if k != "components"}))
    referenced |= set(refs_in(components))
    for name, message in components["messages"].items():
        assert f"#/components/messages/{name}" in referenced, f"message {name} is not used"
        assert message["name"] == type_const(doc, message["payload"]), name
    for name, schema in components["schemas"].items():
        Draft7Validator.check_schema(schema)
        assert f"#/components/schemas/{name}" in referenced, f"schema {name} is not used"


def test_the_channels_carry_exactly_the_types_the_code_routes(contract):
    for suffix, types in INBOUND.items():
        assert contract.action[suffix] == "receive"
        assert contract.types(suffix) == set(types), suffix
    assert contract.types_for("receive") == set(INBOUND_TYPES)
    for suffix in OUT_SUFFIXES:
        assert contract.action[suffix] == "send"
        for type_ in contract.types(suffix):
            assert outbound_topic_suffix(type_) == suffix, type_
    for type_, suffix in OUTBOUND_TOPICS.items():
        assert type_ in contract.types(suffix)


def test_the_document_examples_validate(doc, contract):
    for name, channel in doc["channels"].items():
        suffix = suffix_of(channel)
        for entry in channel["messages"].values():
            _, message = follow(doc, entry)
            assert message.get("examples"), f"{name}: {message['name']} has no example"
            for example in message["examples"]:
                contract.check(suffix, example["payload"])
