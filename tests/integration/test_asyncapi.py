"""docs/asyncapi.yaml is kept in step with the code.

The document must be a well-formed AsyncAPI 3 description of MQTT-CONTRACT.md whose channels carry
exactly the message types the code routes; every message the gateway publishes (driven through the
real services on a real database, turned into wire envelopes exactly like the cloud link does) and
every message it accepts must validate against the document's schemas; and a few invalid messages
must be refused by both the schemas and the code."""

import json
import re
import threading
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from gateway.adapters.mqtt.client import status_bytes
from gateway.adapters.sqlite.outbox import utc_now
from gateway.bootstrap import Gateway
from gateway.config import load_config
from gateway.domain.messages import (
    INBOUND,
    INBOUND_TYPES,
    MAX_MESSAGE_BYTES,
    OUTBOUND_TOPICS,
    envelope_bytes,
    outbound_topic_suffix,
)
from gateway.services.inbox import receive_cloud_message, skip_gap
from gateway.services.orders import cancel_order, confirm_order, ship_order
from tests import builders
from tests.conftest import Shop

ROOT = Path(__file__).resolve().parents[2]
DOC_PATH = ROOT / "docs" / "asyncapi.yaml"
DOC_URI = "https://storegw.invalid/docs/asyncapi.yaml"  # a registry key only, never fetched
PREFIX = "storegw/shop-001"
TS = "2026-11-27T10:00:00Z"
ADDRESS = re.compile(r"^\{prefix\}/\{store_id\}/((?:in|out)/[a-z]+)$")
OUT_SUFFIXES = frozenset({"out/stock", "out/events", "out/rejected", "out/status"})

# Gateway → cloud types the contract defines but no code publishes yet. When one of them gets an
# emit(...) in the gateway package, the test fails until the scenario below produces it.
NOT_PRODUCED_YET = frozenset(
    {"receiving.posted", "receipt.fiscalized", "shift.opened", "shift.closed"}
)

# The message.rejected / order.rejected reasons the scenario must provoke.
REJECTION_REASONS = frozenset(
    {
        "invalid_json",
        "invalid",
        "wrong_version",
        "unknown_type",
        "wrong_topic",
        "oversize",
        "characteristics_mismatch",
        "unknown_sku",
        "negative_stock",
        "not_found",
        "invalid_transition",
    }
)
SUFFIX_OF = {type_: suffix for suffix, types in INBOUND.items() for type_ in types}


# --- the document ----------------------------------------------------------------------------


def pointer(doc: dict, ref: str):
    """The node a local `#/a/b` reference points at."""
    assert ref.startswith("#/"), f"only local references are used, got {ref}"
    node = doc
    for part in ref[2:].split("/"):
        part = unquote(part).replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref}: {part!r} does not exist"
        node = node[part]
    return node


def follow(doc: dict, node) -> tuple[str | None, object]:
    """Follow a chain of $refs: (the last reference, the node it resolves to)."""
    last = None
    while isinstance(node, dict) and "$ref" in node:
        last = node["$ref"]
        node = pointer(doc, last)
    return last, node


def refs_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def suffix_of(channel: dict) -> str:
    match = ADDRESS.match(channel["address"])
    assert match, f"address {channel['address']!r} is not {{prefix}}/{{store_id}}/<in|out>/<name>"
    return match.group(1)


def type_const(doc: dict, schema) -> str | None:
    """The `type` const a message payload schema pins (through $refs and allOf)."""
    _, schema = follow(doc, schema)
    const = schema.get("properties", {}).get("type", {}).get("const")
    for part in schema.get("allOf", []):
        const = const or type_const(doc, part)
    return const


class Contract:
    """The document's messages by (topic suffix, type), with a validator for each."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.registry = Registry().with_resource(DOC_URI, DRAFT7.create_resource(doc))
        self.action: dict[str, str] = {}  # topic suffix → receive | send
        self.message_id: dict[tuple[str, str], str] = {}  # (suffix, type) → components/messages/…
        self._validators: dict[str, Draft7Validator] = {}
        for operation in doc["operations"].values():
            _, channel = follow(doc, operation["channel"])
            suffix = suffix_of(channel)
            self.action[suffix] = operation["action"]
            for entry in operation["messages"]:
                last, message = follow(doc, entry)
                message_id = last.rsplit("/", 1)[1]
                self.message_id[suffix, type_const(doc, message["payload"])] = message_id

    def types(self, suffix: str) -> set[str]:
        return {type_ for s, type_ in self.message_id if s == suffix}

    def types_for(self, action: str) -> set[str]:
        return {t for s, t in self.message_id if self.action[s] == action}

    def validator(self, message_id: str) -> Draft7Validator:
        if message_id not in self._validators:
            schema = {"$ref": f"{DOC_URI}#/components/messages/{message_id}/payload"}
            self._validators[message_id] = Draft7Validator(schema, registry=self.registry)
        return self._validators[message_id]

    def errors(self, suffix: str, message) -> list[str]:
        """What is wrong with `message` arriving on `suffix` (empty: it is valid)."""
        type_ = message.get("type") if isinstance(message, dict) else None
        message_id = self.message_id.get((suffix, type_))
        if message_id is None:
            return [f"the document has no message {type_!r} on {suffix}"]
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in self.validator(message_id).iter_errors(message)
        ]

    def check(self, suffix: str, message: dict) -> None:
        errors = self.errors(suffix, message)
        assert not errors, f"{message.get('type')} on {suffix} does not validate: {errors}"

    def schema_examples(self, schema_name: str, field: str) -> list[str]:
        return self.doc["components"]["schemas"][schema_name]["properties"][field]["examples"]


@pytest.fixture(scope="module")
def doc() -> dict:
    with DOC_PATH.open(encoding="utf-8") as fp:
        return yaml.safe_load(fp)


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


# --- driving the code --------------------------------------------------------------------------


def types_the_code_publishes() -> set[str]:
    """Every outbound type written in the gateway package: outbox emits and built envelopes."""
    found = set()
    for path in (ROOT / "gateway").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\bemit\(\s*"([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'\benvelope_bytes\(.*?"([a-z_]+\.[a-z_]+)"', text))
    return found


class Cloud:
    """Plays the back-office: numbers its messages, and checks each valid one against the
    document before the gateway gets it."""

    def __init__(self, shop: Shop, contract: Contract):
        self.shop, self.contract = shop, contract
        self.seq = 0
        self.count = 0
        self.accepted: set[str] = set()

    def envelope(self, type_: str, data, *, seq: int | bool = True, **fields) -> dict:
        self.count += 1
        message = {"v": 1, "id": f"cloud-{self.count}", "type": type_, "ts": TS, "data": data}
        if seq is True:
            self.seq += 1
            message["seq"] = self.seq
        elif seq:
            message["seq"] = seq
        return {**message, **fields}

    def deliver(self, message: dict | bytes, suffix: str | None = None) -> dict:
        payload = message if isinstance(message, bytes) else json.dumps(message).encode()
        suffix = suffix or SUFFIX_OF[message["type"]]
        return self.shop.run(receive_cloud_message, PREFIX, suffix, payload)

    def send(self, type_: str, data, **kwargs) -> dict:
        """A valid message: it validates, and the gateway applies it without refusing anything."""
        message = self.envelope(type_, data, **kwargs)
        self.contract.check(SUFFIX_OF[type_], message)
        before = len(self.shop.events())
        result = self.deliver(message)
        assert result["outcome"] == "applied", (type_, result)
        refusals = [
            e
            for e in self.shop.events()[before:]
            if e["type"] in ("message.rejected", "order.rejected")
        ]
        assert refusals == [], f"{type_} was refused: {refusals}"
        self.accepted.add(type_)
        return result

    def refused(
        self, message: dict | bytes, suffix: str | None = None, *, schema_valid: bool = False
    ) -> list[dict]:
        """A message the gateway must refuse: rejected whole, or one product/order of it.
        The document refuses it too, unless it breaks only what a schema cannot see (an
        unknown sku or order, the characteristic rules). Returns the refusals published."""
        if isinstance(message, dict):
            errors = self.contract.errors(suffix or SUFFIX_OF[message["type"]], message)
            assert bool(errors) is not schema_valid, errors or "the document accepts it"
        before = len(self.shop.events())
        result = self.deliver(message, suffix)
        refusals = [
            e
            for e in self.shop.events()[before:]
            if e["type"] in ("message.rejected", "order.rejected")
        ]
        assert refusals, f"not refused: {result}"
        return refusals


def run_scenario(shop: Shop, contract: Contract) -> Cloud:
    """Every inbound type applied, every outbound type the code has produced."""
    cloud = Cloud(shop, contract)
    tshirt = builders.product(
        "P-TS",
        [
            builders.variant(
                "TS-RED-M",
                129900,
                [{"code": "4601234567893", "pack": 1}],
                Цвет="красный",
                Размер="M",
            ),
            builders.variant("TS-RED-L", 129900, Цвет="красный", Размер="L"),
        ],
        ["Цвет", "Размер"],
    )
    cloud.send(
        "catalog.upsert",
        builders.catalog(tshirt, builders.simple_product("A"), builders.simple_product("B")),
    )
    assert shop.level("TS-RED-M") is not None

    stock = builders.stock_set(A=5, B=2, **{"TS-RED-M": 3})
    stock["items"][0]["safety"] = 1  # the stock.set extension
    cloud.send("stock.set", stock)  # → stock.adjusted, stock.changed
    assert shop.level("A").on_hand == 5 and shop.level("A").safety == 1

    cloud.send("order.created", builders.order("W-1", ("A", 2)))  # → order.reserved reserved
    cloud.send("order.created", builders.order("W-2", ("B", 5)))  # → order.reserved short
    assert shop.order("W-1").status == "reserved" and shop.order("W-2").status == "short"
    cloud.send("stock.adjust", builders.stock_adjust(A=1, B=3))  # W-2 filled → reserved
    assert shop.order("W-2").status == "reserved"
    cloud.send("order.updated", builders.order("W-1", ("A", 3), version=2))
    assert shop.order("W-1").lines[0].qty_reserved == 3

    shop.run(confirm_order, "W-1", by="Ольга")  # → order.confirmed
    shop.run(ship_order, "W-1", by="Ольга", lines={"1": 1})  # → order.shipped (partial)
    cloud.send("order.cancelled", {"order_id": "W-1", "reason": "customer"})
    assert shop.order("W-1").needs_attention  # cancelled after a shipment: flagged
    shop.run(cancel_order, "W-2", by="Ольга")  # → order.cancelled, plain
    assert shop.order("W-2").status == "cancelled"

    cloud.send("cmd.resync", {})  # → stock.changed full
    cloud.send("sync.ack", {"through_seq": shop.events()[-1]["seq"]})
    assert cloud.send("cmd.replay", {"from_seq": 1})["replay_from"] == 1

    # A cloud seq gap: the later message waits and sync.resend asks for the missing one.
    missing = cloud.envelope("cmd.resync", {})
    later = cloud.envelope("stock.adjust", builders.stock_adjust(A=1))
    assert cloud.deliver(later)["outcome"] == "parked"
    assert shop.events()[-1]["type"] == "sync.resend"
    assert cloud.deliver(missing)["parked"] is False

    # Valid for the document, refused by the domain: unknown skus and orders, product rules.
    def domain_refuses(type_: str, data: dict) -> None:
        cloud.refused(cloud.envelope(type_, data, seq=False), schema_valid=True)

    domain_refuses("order.created", builders.order("W-3", ("NOPE", 1)))  # order.rejected
    bad_product = builders.product(
        "P-BAD", [builders.variant("BAD-1", Цвет="синий", Размер="S")], ["Цвет"]
    )
    domain_refuses("catalog.upsert", builders.catalog(bad_product))  # characteristics_mismatch
    domain_refuses("stock.set", builders.stock_set(NOPE=1))  # unknown_sku
    domain_refuses("stock.adjust", builders.stock_adjust(A=-100))  # negative_stock
    domain_refuses("order.cancelled", {"order_id": "W-404"})  # not_found
    domain_refuses("order.updated", builders.order("W-2", ("B", 1), version=9))  # cancelled
    # Refused by both at the envelope.
    cloud.refused(b"{not json", "in/orders")
    cloud.refused(b" " * (MAX_MESSAGE_BYTES + 1), "in/orders")
    wrong_v = cloud.envelope("order.created", builders.order("W-4", ("A", 1)), seq=False, v=2)
    cloud.refused(wrong_v)
    cloud.refused(cloud.envelope("order.exploded", {}, seq=False), "in/orders")
    misrouted = cloud.envelope("order.created", builders.order("W-5", ("A", 1)), seq=False)
    cloud.refused(misrouted, "in/stock")
    nameless = cloud.envelope("cmd.resync", {}, seq=False)
    del nameless["id"]
    cloud.refused(nameless, "in/cmd")
    return cloud


def test_every_message_the_code_accepts_validates_and_is_applied(shop, contract):
    cloud = run_scenario(shop, contract)
    assert cloud.accepted == set(INBOUND_TYPES)
    assert contract.types_for("receive") == cloud.accepted


def test_every_message_the_code_publishes_validates(shop, contract):
    run_scenario(shop, contract)
    cloud = Cloud(shop, contract)  # a gap never filled: skipped, with an alarm in the status
    after_gap = cloud.envelope("sync.ack", {"through_seq": 1}, seq=in_seq(shop) + 2, id="late")
    assert cloud.deliver(after_gap)["parked"]
    shop.run(skip_gap, PREFIX)

    with closing(shop.db.reader()) as conn:
        rows = conn.execute(
            "SELECT seq, event_id, type, topic, data_json, created_at FROM outbox ORDER BY seq"
        ).fetchall()
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    validated: dict[str, list[dict]] = {}
    for seq, event_id, event_type, topic, data_json, created_at in rows:
        # Exactly what CloudLink._publish_outbox puts on <prefix>/<store>/out/<topic>.
        payload = envelope_bytes(event_id, event_type, ts=created_at, seq=seq, data_json=data_json)
        message = json.loads(payload)
        contract.check(f"out/{topic}", message)
        validated.setdefault(event_type, []).append(message["data"])

    # The variants and extensions the scenario had to produce are all there.
    assert {d["full"] for d in validated["stock.changed"]} == {False, True}
    assert {d["status"] for d in validated["order.reserved"]} == {"reserved", "short"}
    cancelled = validated["order.cancelled"]
    assert [d.get("needs_attention") for d in cancelled] == [True, None]
    assert cancelled[0]["status"] == "shipped"
    rejected = {d["reason"] for d in validated["message.rejected"]}
    assert rejected >= REJECTION_REASONS, REJECTION_REASONS - rejected
    documented = set(contract.schema_examples("MessageRejectedData", "reason"))
    assert rejected <= documented, f"document these reasons: {rejected - documented}"
    order_reasons = {d["reason"] for d in validated["order.rejected"]}
    assert order_reasons <= set(contract.schema_examples("OrderRejectedData", "reason"))

    # gateway.status, built like the running gateway builds it, without starting anything.
    config = load_config(None, env={"STOREGW_DATABASE_PATH": str(shop.db.path)})
    threads = set(threading.enumerate())
    gateway = Gateway(config)
    assert set(threading.enumerate()) == threads and gateway.link is None
    with pytest.raises(RuntimeError, match="not running"):
        gateway.writer.submit(lambda uow: None)  # the writer was not started either
    for online in (True, False):  # the retained status, and the last will
        message = json.loads(status_bytes(gateway.cloud_status(online), utc_now()))
        contract.check("out/status", message)
        assert message["data"]["online"] is online and message["data"]["alarms"]
        validated.setdefault(message["type"], []).append(message["data"])

    produced = types_the_code_publishes()
    assert set(validated) == produced, "drive every type the code publishes in the scenario"
    assert NOT_PRODUCED_YET.isdisjoint(produced), (
        f"{NOT_PRODUCED_YET & produced} is published now: produce it in the scenario above"
        " and take it off NOT_PRODUCED_YET"
    )
    assert contract.types_for("send") == set(validated) | NOT_PRODUCED_YET


def in_seq(shop: Shop) -> int:
    with closing(shop.db.reader()) as conn:
        row = conn.execute("SELECT value FROM counter WHERE name = 'in_seq'").fetchone()
    return row[0] if row else 0


# --- invalid messages: refused by the document and by the code ---------------------------------


def _message(type_: str, data, **fields) -> dict:
    return {"v": 1, "id": "bad-1", "type": type_, "ts": TS, "data": data, **fields}


def _order(*lines, **fields) -> dict:
    return builders.order("W-BAD", *lines, **fields)


def _qty(qty) -> dict:
    order = _order(("A", 1))
    order["lines"][0]["qty"] = qty
    return order


VAT20 = builders.catalog(builders.product("P-OLD", [builders.variant("OLD-1")], [], vat="vat20"))


@pytest.mark.parametrize(
    ("message", "refusal"),
    [
        pytest.param(_message("order.created", _qty(1.5)), "order.rejected", id="qty-1.5"),
        pytest.param(_message("order.created", _qty(0)), "order.rejected", id="qty-0"),
        pytest.param(_message("order.created", _qty("2")), "order.rejected", id="qty-string"),
        pytest.param(_message("order.created", _order()), "order.rejected", id="no-lines"),
        pytest.param(
            _message("order.cancelled", {"reason": "customer"}),
            "message.rejected",
            id="cancel-without-order_id",
        ),
        pytest.param(
            _message("order.updated", _order(("A", 1))), "message.rejected", id="edit-no-version"
        ),
        pytest.param(
            _message("order.created", _order(("A", 1)), v=2), "message.rejected", id="v-2"
        ),
        pytest.param(
            _message("order.created", _order(("A", 1)), v=True), "message.rejected", id="v-true"
        ),
        pytest.param(
            {**_message("order.created", _order(("A", 1))), "id": "x" * 65},
            "message.rejected",
            id="id-too-long",
        ),
        pytest.param(
            _message("order.created", _order(("A", 1)), seq=0), "message.rejected", id="seq-0"
        ),
        pytest.param(_message("order.created", []), "message.rejected", id="data-not-object"),
        pytest.param(
            _message("stock.adjust", builders.stock_adjust(A=0)), "message.rejected", id="delta-0"
        ),
        pytest.param(
            _message("stock.set", builders.stock_set(A=-1)), "message.rejected", id="on_hand<0"
        ),
        pytest.param(
            _message("stock.set", {"reason": "count", "items": []}),
            "message.rejected",
            id="no-items",
        ),
        pytest.param(
            _message("sync.ack", {"through_seq": "1"}), "message.rejected", id="ack-string"
        ),
        pytest.param(_message("cmd.replay", {"from_seq": 0}), "message.rejected", id="replay-0"),
        pytest.param(_message("catalog.upsert", VAT20), "message.rejected", id="vat20"),
    ],
)
def test_invalid_messages_are_refused_by_the_document_and_the_code(
    shop, contract, message, refusal
):
    shop.stock(A=5)
    suffix = SUFFIX_OF[message["type"]]
    refusals = Cloud(shop, contract).refused(message, suffix)  # checks the document, too
    assert {e["type"] for e in refusals} == {refusal}
    assert shop.order("W-BAD") is None and shop.level("A").reserved == 0
    assert shop.level("OLD-1") is None
