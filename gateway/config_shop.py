"""The [web], [orders], [sale] and [stock] sections of the configuration: how the staff UI is
served and the shop's own rules for the desk and the counter. `config.py` reads the file and
the environment; these turn its values into checked settings, failing with `fail(section, key,
problem)` -- one line that names where the value came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WebConfig:
    idle_lock_minutes: float = 10.0
    day_end: tuple[int, int] = (4, 0)  # hour, minute
    tls_cert: Path | None = None
    tls_key: Path | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None


@dataclass(frozen=True)
class DeskConfig:
    """[orders], [sale], [stock]: the shop's own rules for the desk and the counter."""

    confirm_within_min: int = 30
    pickup_within_days: int = 3
    discount_cashier_pct: int = 10
    discount_manager_pct: int = 100
    default_min_stock: int = 0


def desk_config(get, fail) -> DeskConfig:
    def whole(section: str, key: str, low: int, high: int) -> int:
        text = get(section, key) or ""
        try:
            value = int(text)
        except ValueError:
            raise fail(section, key, f"{text!r} must be a whole number") from None
        if not low <= value <= high:
            raise fail(section, key, f"{value} must be from {low} to {high}")
        return value

    cashier = whole("sale", "discount_cashier", 0, 100)
    manager = whole("sale", "discount_manager", 0, 100)
    if manager < cashier:
        raise fail("sale", "discount_manager", "must not be below sale.discount_cashier")
    return DeskConfig(
        confirm_within_min=whole("orders", "confirm_within", 1, 7 * 24 * 60),
        pickup_within_days=whole("orders", "pickup_within", 1, 365),
        discount_cashier_pct=cashier,
        discount_manager_pct=manager,
        default_min_stock=whole("stock", "default_min", 0, 1_000_000),
    )


def web_config(get, fail) -> WebConfig:
    text = get("web", "idle_lock") or "0"
    try:
        idle = float(text)
    except ValueError:
        raise fail("web", "idle_lock", f"{text!r} must be minutes (0: never lock)") from None
    if not 0 <= idle <= 24 * 60:
        raise fail("web", "idle_lock", f"{text!r} must be 0 to 1440 minutes")
    day_end = get("web", "day_end") or ""
    hour, sep, minute = day_end.partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise fail("web", "day_end", f"{day_end!r} must be a local time HH:MM, e.g. 04:00")
    cert, key = get("web", "tls_cert"), get("web", "tls_key")
    if (cert is None) != (key is None):
        raise fail("web", "tls_cert" if cert is None else "tls_key", "set both or neither")
    for name, value in (("tls_cert", cert), ("tls_key", key)):
        if value is not None and not Path(value).is_file():
            raise fail("web", name, f"{value} is not a readable file")
    return WebConfig(
        idle, (int(hour), int(minute)), Path(cert) if cert else None, Path(key) if key else None
    )
