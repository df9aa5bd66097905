"""docs/asyncapi.yaml read for the tests: local $ref resolution, and `Contract`, the document's
messages by (topic suffix, type) with a JSON Schema validator for each."""

import re
from pathlib import Path
from urllib.parse import unquote

import yaml
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parents[1]
DOC_PATH = ROOT / "docs" / "asyncapi.yaml"
DOC_URI = "https://storegw.invalid/docs/asyncapi.yaml"  # a registry key only, never fetched
ADDRESS = re.compile(r"^\{prefix\}/\{store_id\}/((?:in|out)/[a-z]+)$")
OUT_SUFFIXES = frozenset({"out/stock", "out/events", "out/rejected", "out/status"})


def load_document() -> dict:
    with DOC_PATH.open(encoding="utf-8") as fp:
        return yaml.safe_load(fp)


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
