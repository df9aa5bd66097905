"""GS1 mod-10 check digit (FISCAL.md 4.3), the same for GTIN-8/12/13/14 and SSCC."""


def gs1_check_digit(body: str) -> int:
    """The check digit for ``body`` (the digits without it): weights 3, 1, 3, ... from the right."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"a GS1 number holds digits only: {body!r}")
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def has_valid_check_digit(number: str) -> bool:
    """True if the last digit of ``number`` is the GS1 check digit of the digits before it."""
    if len(number) < 2 or not number.isascii() or not number.isdigit():
        return False
    return gs1_check_digit(number[:-1]) == int(number[-1])


def with_check_digit(body: str) -> str:
    return body + str(gs1_check_digit(body))
