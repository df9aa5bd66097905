"""The value types of the MQTT payload models (gateway/domain/payloads*.py).

Strict on purpose: a quantity is an integer, not `true` nor `2.0` nor `"2"`; a string is a
string. A *named* type (`named`) appears in docs/asyncapi.yaml once, under its name, and every
field of that type refers to it there (tools/asyncapi_gen.py turns the `x-named` marker into a
`$ref`)."""

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .validation import MAX_ID_LEN, MAX_MONEY, MAX_QTY

NOT_BLANK = r"\S"  # at least one character that is not white space
# RFC 3339, as the envelope's `ts`. [0-9], not \d: the schema's regex engines read \d as Unicode.
TIMESTAMP = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
MAX_SEQ = 2**62
MAX_TEXT = 500

# name → (type, description) of every named type; the generator writes them in this order
NAMED: dict[str, tuple[Any, str]] = {}


def named(name: str, type_: Any, description: str) -> Any:
    NAMED[name] = (type_, description)
    return Annotated[type_, WithJsonSchema({"x-named": name})]


class CloudData(BaseModel):
    """A cloud → gateway body: a field the gateway does not know is ignored (the cloud's own
    extensions go there); the known ones are strictly typed."""

    model_config = ConfigDict(extra="ignore")


class GatewayData(BaseModel):
    """A gateway → cloud body: closed, every field the gateway sends is documented."""

    model_config = ConfigDict(extra="forbid")


def text(max_length: int | None = MAX_TEXT, *, blank: bool = False, **field: Any) -> Any:
    """A string with something in it (unless `blank`), at most `max_length` characters, read
    without the white space around it."""
    # Stripped first, then measured (in pydantic-core, no Python call per value): "  " is empty.
    if blank:
        constraints = StringConstraints(strip_whitespace=True, max_length=max_length)
    else:
        constraints = StringConstraints(
            strip_whitespace=True, min_length=1, max_length=max_length, pattern=NOT_BLANK
        )
    return Annotated[str, Strict(), constraints, Field(**field)]


def integer(minimum: int | None = None, maximum: int | None = None, **field: Any) -> Any:
    return Annotated[int, Strict(), Field(ge=minimum, le=maximum, **field)]


def _not_zero(value: int) -> int:
    if value == 0:
        raise PydanticCustomError("not_zero", "must not be zero")
    return value


def nonzero(minimum: int | None = None, maximum: int | None = None, **field: Any) -> Any:
    return Annotated[
        int,
        Strict(),
        Field(ge=minimum, le=maximum, json_schema_extra={"not": {"const": 0}}, **field),
        AfterValidator(_not_zero),
    ]


Str = Annotated[str, Strict()]
Bool = Annotated[bool, Strict()]

MessageId = named(
    "MessageId",
    Annotated[str, Strict(), StringConstraints(min_length=1, max_length=MAX_ID_LEN)],
    "Unique message id, the idempotency key: both sides de-duplicate by it. A message sent again"
    " (QoS 1 redelivery, republish, replay) keeps its id.",
)
Timestamp = named(
    "Timestamp",
    Annotated[str, Strict(), StringConstraints(max_length=40, pattern=TIMESTAMP)],
    "The sender's clock (RFC 3339). Informational only: never used for ordering (a Pi may have"
    " no battery clock). The gateway writes UTC with milliseconds.",
)
Id = named(
    "Id",
    text(MAX_ID_LEN),
    f"An identifier (order, line, product, ...), not blank, at most {MAX_ID_LEN} characters.",
)
Sku = named(
    "Sku",
    text(MAX_ID_LEN),
    f"One variant of a product, the unit stock is kept in; at most {MAX_ID_LEN} characters.",
)
Quantity = named(
    "Quantity",
    integer(1, MAX_QTY),
    f"Pieces, a whole number above zero (the gateway accepts at most {MAX_QTY:_}).".replace(
        "_", " "
    ),
)
Count = named("Count", integer(0), "Pieces, never negative.")
Money = named(
    "Money", integer(0, MAX_MONEY), "Integer kopecks (the gateway accepts at most 10^12)."
)
Actor = named(
    "Actor",
    Str | None,
    "Who did it: a staff name, `cloud` for the cloud's own messages, or null when the caller"
    " named no one (local tools).",
)
StaffId = named(
    "StaffId",
    integer(1) | None,
    "Extension. Who did it, as the gateway's staff account (a person signed in with a PIN, or an"
    " API token) whose name the message carries; null for the cloud's own messages, the"
    " gateway's devices (the front panel's button) and local tools. An id is never reused, so it"
    " tells apart two people of one name over time.",
)
ScannedCode = named(
    "ScannedCode",
    Annotated[str, Strict(), StringConstraints(min_length=1, max_length=512)],
    "A code as the scanner read it (or as it was typed), trimmed; a marking code keeps its GS"
    " (0x1D) separators.",
)
