"""The [web], [orders], [sale] and [stock] sections: how the staff UI is served and the shop's own
rules for the desk and the counter, each declared with its defaults and checks. The last three
are read as one `DeskConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, model_validator
from pydantic.dataclasses import dataclass as section

from gateway.config_sources import SECTION, KeyProblem, Maybe, Real, Whole, text


@dataclass(frozen=True)
class DeskConfig:
    """[orders], [sale], [stock]: the shop's own rules for the desk and the counter."""

    confirm_within_min: int = 30
    pickup_within_days: int = 3
    discount_cashier_pct: int = 10
    discount_manager_pct: int = 100
    default_min_stock: int = 0


def listen_address(value: object) -> tuple[str, int]:
    listen = text(value)
    host, sep, port = listen.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # [::1]:8080
    elif ":" in host:
        raise ValueError(f"{listen!r} must put an IPv6 host in brackets, e.g. [::1]:8080")
    if not sep or not host:
        raise ValueError(
            f"{listen!r} must be host:port, e.g. 127.0.0.1:8080 (0.0.0.0:8080 for the LAN)"
        )
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{listen!r} must be host:port with a port from 1 to 65535")
    return host, int(port)


def _local_time(value: object) -> tuple[int, int]:
    hour, sep, minute = text(value).partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"{value!r} must be a local time HH:MM, e.g. 04:00")
    return int(hour), int(minute)


@section(frozen=True, config=SECTION)
class WebConfig:
    """[web]: where the staff UI listens and how a tablet's session ends."""

    listen: Annotated[tuple[str, int], BeforeValidator(listen_address)] = "127.0.0.1:8080"
    # minutes without a touch before a tablet locks (0: never)
    idle_lock: Annotated[Real, Field(ge=0, le=24 * 60)] = 10
    # local time, HH:MM, at which every staff session ends
    day_end: Annotated[tuple[int, int], BeforeValidator(_local_time)] = "04:00"
    tls_cert: Maybe[Path] = None  # both set: the staff UI is served over HTTPS
    tls_key: Maybe[Path] = None

    @model_validator(mode="after")
    def _both_tls_files(self) -> WebConfig:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise KeyProblem(
                "tls_cert" if self.tls_cert is None else "tls_key", "set both or neither"
            )
        for key in ("tls_cert", "tls_key"):
            path = getattr(self, key)
            if path is not None and not path.is_file():
                raise KeyProblem(key, f"{path} is not a readable file")
        return self

    @property
    def idle_lock_minutes(self) -> float:
        return self.idle_lock

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None


class OrdersSection(BaseModel):
    model_config = SECTION

    # minutes: an order not confirmed by then is marked overdue
    confirm_within: Annotated[Whole, Field(ge=1, le=7 * 24 * 60)] = 30
    # days: a confirmed order not collected by then is marked overdue
    pickup_within: Annotated[Whole, Field(ge=1, le=365)] = 3


class SaleSection(BaseModel):
    model_config = SECTION

    discount_cashier: Annotated[Whole, Field(ge=0, le=100)] = 10  # percent a cashier gives alone
    discount_manager: Annotated[Whole, Field(ge=0, le=100)] = 100

    @model_validator(mode="after")
    def _manager_may_more(self) -> SaleSection:
        if self.discount_manager < self.discount_cashier:
            raise KeyProblem("discount_manager", "must not be below sale.discount_cashier")
        return self


class StockSection(BaseModel):
    model_config = SECTION

    # the low-stock threshold of a sku without one (0: none)
    default_min: Annotated[Whole, Field(ge=0, le=1_000_000)] = 0
