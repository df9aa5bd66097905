"""A payload model's validation error as the words a person reads: "must be an integer",
"is longer than 64 characters", ... The parse functions put in front the message's own way of
naming the place ("order W-1, line 2: qty"), so a refusal stays one line naming the message,
the key and what is wrong."""

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import InvalidInput
from .payloads_types import NOT_BLANK, TIMESTAMP

# A pattern the input does not match, in words.
_PATTERNS = {
    NOT_BLANK: "must not be empty",
    TIMESTAMP: "must be an RFC 3339 date and time, got {input!r}",
}
_BY_TYPE = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "string_too_long": "is longer than {max_length} characters",
    "too_long": "has more than {max_length} items",
    "greater_than_equal": "must be at least {ge}, got {input}",
    "less_than_equal": "must be at most {le}, got {input}",
    "extra_forbidden": "is not a field of this message",
}


@dataclass(frozen=True)
class Problem:
    loc: tuple  # where in the validated value: ("variants", 0, "price")
    kind: str  # pydantic's error type, e.g. "int_type", "missing", "too_short"
    words: str  # "must be an integer"
    input: Any


def validated(model: Any, data: Any, refusal: Callable[[Problem], InvalidInput] | None = None):
    """`data` read through `model`; else InvalidInput for the first problem, in the words
    `refusal` puts around it (by default "amount must be at least 1, got 0")."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise (refusal or plain)(first_problem(exc, model)) from None


def plain(problem: "Problem") -> InvalidInput:
    return InvalidInput(f"{dotted(problem.loc) or 'data'} {problem.words}")


def first_problem(exc: ValidationError, model: Any) -> Problem:
    """The first thing wrong (in the order of the model's fields), in words."""
    return problem_of(exc.errors(include_url=False)[0], model)


def problem_of(error: dict, model: Any) -> Problem:
    loc, kind = tuple(error["loc"]), error["type"]
    ctx = {**error.get("ctx", {}), "input": error.get("input")}
    if kind == "missing":
        words = expected(annotation_at(model, loc))
    elif kind == "literal_error":
        words = f"{expected(annotation_at(model, loc))}, got {error.get('input')!r}"
    elif kind == "string_pattern_mismatch":
        words = _PATTERNS.get(ctx.get("pattern"), "is not in the expected form").format(**ctx)
    elif kind in _BY_TYPE:
        words = _BY_TYPE[kind].format(**ctx)
    else:  # a validator's own words (PydanticCustomError), already in our style
        words = error["msg"]
    return Problem(loc, kind, words, error.get("input"))


def expected(annotation: Any) -> str:
    """What a value of this type must be, in words (for a missing or wrong value)."""
    if get_origin(annotation) is Literal:
        return "must be one of " + ", ".join(str(choice) for choice in get_args(annotation))
    if annotation is str:
        return "must be a string"
    if annotation is bool:
        return "must be true or false"
    if annotation is int:
        return "must be an integer"
    origin = get_origin(annotation) or annotation
    if origin in (list, tuple):
        return "must be a list"
    if origin is dict or (isinstance(origin, type) and issubclass(origin, BaseModel)):
        return "must be an object"
    return "is missing"


def annotation_at(model: Any, loc: tuple) -> Any:
    """The declared type at `loc` inside `model` (fields, list items, dict values)."""
    node = _bare(model)
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            node = field.annotation
        else:
            args = get_args(node)
            if not args:
                return None
            node = args[-1]  # list[X] → X, dict[K, V] → V
        node = _bare(node)
    return node


def _bare(annotation: Any) -> Any:
    """Without Annotated metadata and without `| None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            others = [a for a in get_args(annotation) if a is not type(None)]
            if len(others) != 1:
                return annotation
            annotation = others[0]
        else:
            return annotation


def dotted(loc: tuple) -> str:
    """("lines", 0, "qty") → "lines[0].qty"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
