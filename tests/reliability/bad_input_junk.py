"""What the bad-input campaign feeds the parsers: hypothesis strategies for junk values, for
documents built from a JSON schema (the pydantic payload models'), for valid documents mutated
one place at a time; a runner that draws N examples; and a digest of database tables, so that
"a refused input changed nothing" is read from the rows, not from the gateway's answer."""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

# Bookkeeping a refused message is meant to change (its id remembered, seq advanced, the
# message.rejected event queued, an alarm), and derived search tables: not business state.
NOT_BUSINESS = ("_sqlite_migrations", "alarm", "counter", "inbox_seen", "inbox_parked", "outbox")
NOT_BUSINESS_PREFIXES = ("stock_search",)

UNICODE_JUNK = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e",
        "\ud7ff",
        "\ufeff",
        "йцукен",
        "🧾" * 40,
        "\\u0000",
        "NaN",
        "a" * 5000,
    ]
)
HUGE_NUMBERS = st.sampled_from([2**31, 2**53 + 1, 2**63, 2**64 + 7, 10**30, -(2**63) - 1])
junk_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**6), -1),  # negative quantities and money
    HUGE_NUMBERS,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    UNICODE_JUNK,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def each_example(
    strategy: st.SearchStrategy, count: int, seed: int, check: Callable, batch: int = 25
) -> int:
    """Call `check(example)` for `count` generated examples (fewer when the strategy runs out);
    `check` records what it finds and never raises, so nothing is shrunk. Examples are drawn
    `batch` at a time (hypothesis' own work per test call would otherwise cost more than the
    case). Returns how many were checked."""
    seen = [0]
    batch = max(1, min(batch, count))

    @hypothesis_seed(seed)
    @settings(
        max_examples=max(1, count // batch),
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(strategy, min_size=batch, max_size=batch))
    def run(examples):
        for example in examples:
            seen[0] += 1
            check(example)

    run()
    return seen[0]


# --- documents from a JSON schema ---------------------------------------------------------------


def from_schema(schema: dict, defs: dict, named: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """Values a JSON schema describes (closely enough: patterns are not followed, so some of
    them are refused, which is also what the campaign wants)."""
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(defs[schema["$ref"].rsplit("/", 1)[1]], defs, named))
    if "x-named" in schema and schema["x-named"] in named:
        return named[schema["x-named"]]
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema or "oneOf" in schema:
        return st.one_of(
            [from_schema(s, defs, named) for s in schema.get("anyOf", schema.get("oneOf"))]
        )
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, defs, named)
    if kind == "array":
        items = from_schema(schema.get("items", {}), defs, named)
        fewest = schema.get("minItems", 0)
        return st.lists(
            items, min_size=fewest, max_size=max(fewest, min(schema.get("maxItems", 3), 3))
        )
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        fewest, most = schema.get("minLength", 0), min(schema.get("maxLength", 30), 30)
        return st.text(st.characters(codec="utf-8"), min_size=fewest, max_size=max(fewest, most))
    return junk_values


def _object(schema: dict, defs: dict, named: dict) -> st.SearchStrategy:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {k: from_schema(v, defs, named) for k, v in properties.items() if k in required},
        optional={
            k: from_schema(v, defs, named) for k, v in properties.items() if k not in required
        },
    )


@functools.cache
def model_documents(model, named: tuple[tuple[str, st.SearchStrategy], ...]) -> st.SearchStrategy:
    """`named`: strategies for the contract's named types (Sku, Id), as pairs."""
    schema = model.model_json_schema()
    named = dict(named)
    return from_schema(schema, schema.get("$defs", {}), named)


# --- one mutation of a valid document -----------------------------------------------------------


def paths(document: Any, here: tuple = ()) -> list[tuple]:
    """Every place in a JSON document (dict keys and list indexes), the root included."""
    found = [here]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*here, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*here, index))
    return found


@st.composite
def mutated(draw, document: Any) -> Any:
    """The document with one place changed: a junk value, removed, or a stray key added."""
    document = json.loads(json.dumps(document))
    place = draw(st.sampled_from(paths(document)[1:] or [()]))
    if not place:
        return draw(junk_values)
    parent = document
    for step in place[:-1]:
        parent = parent[step]
    how = draw(st.sampled_from(["replace", "replace", "remove", "add", "duplicate"]))
    if how == "remove":
        del parent[place[-1]]
    elif how == "add" and isinstance(parent, dict):
        parent[draw(st.text(max_size=8))] = draw(junk_values)
    elif how == "duplicate" and isinstance(parent, list):
        parent.append(json.loads(json.dumps(parent[place[-1]])))
    else:
        parent[place[-1]] = draw(junk_values)
    return document


def to_json(document: Any) -> bytes:
    """JSON as a careless sender writes it: non-finite floats allowed."""
    return json.dumps(document, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


# --- the database before and after --------------------------------------------------------------


def business_tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return sorted(
        n for n in names if n not in NOT_BUSINESS and not n.startswith(NOT_BUSINESS_PREFIXES)
    )


def digest(conn: sqlite3.Connection, tables: list[str]) -> str:
    """A hash of every row of `tables` (in key order, so a rewrite of the same rows is equal)."""
    h = hashlib.sha256()
    for table in tables:
        h.update(table.encode())
        rows = [repr(tuple(row)) for row in conn.execute(f"SELECT * FROM {table}")]  # noqa: S608
        for row in sorted(rows):
            h.update(row.encode())
    return h.hexdigest()
