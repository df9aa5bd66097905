"""Small checks for outside input that has no model (the staff API, CLI files, print jobs): one
clear message per problem. MQTT payloads are read through their models (payloads*.py), which
share these limits."""

from typing import Any

from .errors import InvalidInput

MAX_QTY = 1_000_000  # pieces on one line or one stock change; stops overflow-sized input
MAX_MONEY = 10**12  # kopecks (ten billion roubles)
MAX_ID_LEN = 64


def require_dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be an object")
    return value


def require_list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise InvalidInput(f"{where} must be a list")
    return value


def require_str(value: Any, where: str, *, max_len: int = 500, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be a string")
    text = value.strip()
    if not text and not allow_empty:
        raise InvalidInput(f"{where} must not be empty")
    if len(text) > max_len:
        raise InvalidInput(f"{where} is longer than {max_len} characters")
    return text


def require_id(value: Any, where: str) -> str:
    return require_str(value, where, max_len=MAX_ID_LEN)


def require_int(
    value: Any, where: str, *, minimum: int | None = None, maximum: int = MAX_QTY
) -> int:
    # bool is an int subclass and floats like 2.0 are not quantities: refuse both.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{where} must be an integer")
    if minimum is not None and value < minimum:
        raise InvalidInput(f"{where} must be at least {minimum}, got {value}")
    if value > maximum:
        raise InvalidInput(f"{where} must be at most {maximum}, got {value}")
    return value


def require_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where} must be true or false")
    return value


def optional_str(data: dict, key: str, where: str, *, max_len: int = 500) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    return require_str(value, f"{where}.{key}", max_len=max_len, allow_empty=True) or None
