"""How long a PIN lock lasts, in words, in the refusal the sign-in screen, the lock screen and the
manager's PIN show (auth.py): both halves of the «English / русский» detail say the same wait,
whole seconds rounded up (a person who waits what the screen says is never refused again):
«30 секунд», «1 минуту», «2 минуты 30 секунд»."""

from __future__ import annotations

import math


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian: 1 минуту, 2 минуты, 5 минут, 11 минут, 21 минуту."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def wait_ru(seconds: float) -> str:
    hours, minutes, rest = _parts(seconds)
    parts = []
    if hours:
        parts.append(f"{hours} {plural(hours, 'час', 'часа', 'часов')}")
    if minutes:
        parts.append(f"{minutes} {plural(minutes, 'минуту', 'минуты', 'минут')}")
    if rest or not parts:
        parts.append(f"{rest} {plural(rest, 'секунду', 'секунды', 'секунд')}")
    return " ".join(parts)


def wait_en(seconds: float) -> str:
    hours, minutes, rest = _parts(seconds)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest or not parts:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts)


def _parts(seconds: float) -> tuple[int, int, int]:
    whole = max(1, math.ceil(seconds - 1e-6))  # 30.0000001 s of float noise is still 30 s
    hours, rest = divmod(whole, 3600)
    minutes, rest = divmod(rest, 60)
    return hours, minutes, rest


def locked_detail(seconds: float) -> str:
    """The refusal's detail, English then Russian (static/signin.js shows the page's half)."""
    return (
        f"too many wrong PINs: try again in {wait_en(seconds)}"
        f" / слишком много ошибок: попробуйте через {wait_ru(seconds)}"
    )
