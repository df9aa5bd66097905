"""The board's search: one folded text per order (number, buyer, phone, email, skus).

SQLite's lower() and LIKE fold ASCII letters only, so the text is folded here, in Python, when
the order is written, and the search term the same way when it is read: «анна» finds «Анна»,
«ёлка» finds «Елка». A phone is kept as typed and as its digits, so «900 123» and
«+7 (900) 123-45-67» both find it."""

import re

_NOT_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def search_text(number: str, customer: dict, skus: list[str]) -> str:
    phone = customer.get("phone") or ""
    parts = [number, customer.get("name") or "", customer.get("email") or "", phone]
    parts += [digits(phone), *skus]
    return fold("\n".join(part for part in parts if part))


def like_terms(term: str) -> list[str]:
    """LIKE patterns for what was typed: the folded text, and its digits when it looks like a
    phone number (at least three digits and nothing but phone punctuation)."""
    folded = fold(term.strip())
    patterns = [folded]
    if re.fullmatch(r"[\d\s+()\-.]+", folded) and len(digits(folded)) >= 3:
        patterns.append(digits(folded))
    return ["%" + _escape(p) + "%" for p in dict.fromkeys(patterns)]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
