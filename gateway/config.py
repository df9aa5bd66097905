"""The gateway configuration: one TOML file, every key defaulted, STOREGW_* variables on top.

Each section is declared once (its keys, defaults and checks) and pydantic-settings reads the file
and the environment into them. `load_config()` returns a frozen `Config` or raises `ConfigError`
with one line that names the file (or environment variable) and the key, so a shop technician can
fix it without reading code.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError
from pydantic.dataclasses import dataclass as section
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.config_appliance import ApplianceConfig, BackupConfig, MetricsConfig
from gateway.config_devices import DeviceProblem, check_device_table
from gateway.config_shop import (
    DeskConfig,
    OrdersSection,
    SaleSection,
    StockSection,
    WebConfig,
)
from gateway.config_sources import (
    SECTION,
    ConfigError,
    Environment,
    Flag,
    Maybe,
    Real,
    Required,
    TomlFile,
    Whole,
    hint,
    one_line,
    origin,
    required,
    text,
)
from gateway.domain.fiscal import TAX_SYSTEMS

DEVICE_SECTIONS = ("fiscal", "printer", "scanner", "gpio")
_WEEK = 7 * 24 * 3600


def _topic_level(store_id: str) -> str:
    if any(ch in store_id for ch in "/+#\x00"):
        raise ValueError(f"{store_id!r} must not contain '/', '+' or '#' (MQTT topic)")
    return store_id


def _on_this_box(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _broker_url(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in ("mqtt", "mqtts"):
        # Echo the scheme only: the URL may carry a password.
        got = scheme + sep if sep else "no scheme"
        raise ValueError(f"must start with mqtt:// or mqtts:// (got {got})")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when the port is not a number in range
    except ValueError:
        raise ValueError("has an invalid port (a number from 1 to 65535)") from None
    if not parts.hostname:
        raise ValueError("has no host (e.g. mqtt://127.0.0.1:1883)")
    return url


def _topic_prefix(prefix: str) -> str:
    if not prefix or "+" in prefix or "#" in prefix or "" in prefix.split("/"):
        raise ValueError(f"{prefix!r} must be topic levels without '+' or '#'")
    return prefix


class StoreSection(BaseModel):
    model_config = SECTION

    id: Annotated[Required, AfterValidator(_topic_level)] = "shop-001"
    training: Flag = False  # practice mode: own database, simulated devices, no cloud


@section(frozen=True, config=SECTION)
class MqttConfig:
    url: Annotated[str, AfterValidator(_broker_url)] = "mqtt://127.0.0.1:1883"
    username: Maybe[str] = None
    password: Maybe[str] = field(default=None, repr=False)  # never end up in a log line
    ca: Maybe[Path] = None
    cert: Maybe[Path] = None
    key: Maybe[Path] = None
    topic_prefix: Annotated[str, AfterValidator(_topic_prefix)] = "storegw"

    @property
    def tls(self) -> bool:
        return self.url.startswith("mqtts://")

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def cleartext(self) -> str | None:
        """What of this link goes unprotected that was meant to be (None: nothing): TLS files
        named for a mqtt:// url, or a password sent in clear to another machine (a broker on
        this box, bridged to the cloud over TLS, may take it in clear)."""
        if self.tls:
            return None
        unused = [name for name in ("ca", "cert", "key") if getattr(self, name)]
        if unused:
            return f"[mqtt] {', '.join(unused)} set, but the url is mqtt:// (no TLS): not used"
        if self.password and not _on_this_box(self.host):
            return f"the password goes to {self.host} in clear (mqtt://)"
        return None

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (8883 if self.tls else 1883)


class DatabaseSection(BaseModel):
    model_config = SECTION

    path: Annotated[Path, BeforeValidator(required)] = "var/gateway.db"


Seconds = Annotated[Real, Field(gt=0, le=_WEEK)]


@section(frozen=True, config=SECTION)
class SyncConfig:
    """[sync]: cloud sync tuning, in seconds unless said otherwise."""

    keepalive: Annotated[Whole, Field(gt=0, le=_WEEK)] = 30  # a dead link shows in 1.5 × this
    reconnect_max: Seconds = 120  # reconnect backoff doubles from 1 s up to this, with jitter
    resend_after: Seconds = 10  # no sync.ack for this long: publish again from the last ack
    gap_wait: Seconds = 30  # a missing cloud seq is waited for this long, then skipped (alarm)
    # messages beyond the last sync.ack at most; below a broker's queue (often 1000)
    window: Annotated[Whole, Field(gt=0, le=_WEEK)] = 500


def _register_port(value: object) -> str:
    port = text(value).strip()
    if not port:
        raise ValueError("the register's port is required, e.g. /dev/ttyACM0")
    return port


def _tax_system(name: str) -> str:
    if name not in TAX_SYSTEMS:
        raise ValueError(f"{name!r} is unknown{hint(name, TAX_SYSTEMS)}")
    return name


def _receipt_site(site: str) -> str:
    """Tag 1187 goes to the register in one TLV (FF0Ch, 250 bytes) as CP866 text."""
    try:
        size = len(site.encode("cp866"))
    except UnicodeEncodeError:
        raise ValueError("only Latin and Cyrillic letters") from None
    if size > 240:
        raise ValueError("at most 240 characters (the shop's address)")
    return site


Positive = Annotated[Real, Field(gt=0)]


@section(frozen=True, config=SECTION | {"str_strip_whitespace": True})
class FiscalConfig:
    """[fiscal]: the register's port (a device path, pty path or pyserial URL) and how to sell."""

    port: Annotated[str, BeforeValidator(_register_port)] = ""
    baudrate: Annotated[Whole, Field(gt=0)] = 115200
    password: Whole = field(default=30, repr=False)  # the register's system administrator
    # tag 1055: osn, usn_income, usn_income_outcome, esn, patent
    tax_system: Annotated[str, AfterValidator(_tax_system)] = "osn"
    auto_open_shift: Flag = True  # the first receipt of the day opens the shift for its cashier
    poll: Positive = 5.0  # seconds between status polls when idle
    # the web shop's address: tag 1187 of receipts for payments on the site
    site: Annotated[str, AfterValidator(_receipt_site)] = ""
    health_poll: Positive = 300.0  # seconds between reads of the OFD queue and the drive's health
    marking_timeout: Positive = 3.0  # seconds a marking check may take before the offline rule
    # Link timeouts (seconds; the vendor's answer timeouts × timeout_scale): for simulators.
    control_timeout: Positive = 0.5
    byte_timeout: Positive = 0.5
    timeout_scale: Positive = 1.0


class _Settings(BaseSettings):
    """The whole file: one field per section; the device sections other than [fiscal] are free
    tables checked by the device layer."""

    # A variable is a value as written, never JSON (STOREGW_WEB_LISTEN=[::1]:8080 is not a list).
    model_config = SettingsConfigDict(extra="forbid", case_sensitive=True, enable_decoding=False)

    store: StoreSection = Field(default_factory=StoreSection)
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    web: WebConfig = Field(default_factory=WebConfig)
    orders: OrdersSection = Field(default_factory=OrdersSection)
    sale: SaleSection = Field(default_factory=SaleSection)
    stock: StockSection = Field(default_factory=StockSection)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    backup: BackupConfig = Field(default_factory=BackupConfig)
    fiscal: FiscalConfig | None = None
    printer: dict[str, Any] | None = None
    scanner: dict[str, Any] | None = None
    gpio: dict[str, Any] | None = None


@dataclass(frozen=True)
class Config:
    store_id: str
    mqtt: MqttConfig
    database_path: Path
    web_host: str
    web_port: int
    devices: dict[str, dict | None]  # section name -> its table as written, None when absent
    sync: SyncConfig = SyncConfig()
    fiscal: FiscalConfig | None = None
    web: WebConfig = WebConfig()
    desk: DeskConfig = DeskConfig()
    appliance: ApplianceConfig = ApplianceConfig()

    @property
    def configured_devices(self) -> tuple[str, ...]:
        return tuple(name for name, section in self.devices.items() if section is not None)

    def device_configured(self, name: str) -> bool:
        return self.devices.get(name) is not None

    @property
    def web_url(self) -> str:
        host = f"[{self.web_host}]" if ":" in self.web_host else self.web_host
        return f"{'https' if self.web.tls else 'http'}://{host}:{self.web_port}/"


def load_config(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Config:
    """Defaults, then the TOML file at `path` (if given), then STOREGW_<SECTION>_<KEY> variables."""
    environment = Environment(_Settings, os.environ if env is None else env)
    file = None if path is None else TomlFile(_Settings, Path(path))
    try:
        settings = _Settings(_build_sources=((environment, *([file] if file else [])), {}))
    except ValidationError as exc:
        raise ConfigError(one_line(exc, _Settings, environment, file)) from None
    tables = (file.toml_data if file else {}, environment())
    devices = {name: _merged(name, *tables) for name in DEVICE_SECTIONS}
    _check_devices(devices, environment, file)
    return Config(
        store_id=settings.store.id,
        mqtt=settings.mqtt,
        database_path=settings.database.path,
        web_host=settings.web.listen[0],
        web_port=settings.web.listen[1],
        devices=devices,
        sync=settings.sync,
        fiscal=settings.fiscal,
        web=settings.web,
        desk=DeskConfig(
            confirm_within_min=settings.orders.confirm_within,
            pickup_within_days=settings.orders.pickup_within,
            discount_cashier_pct=settings.sale.discount_cashier,
            discount_manager_pct=settings.sale.discount_manager,
            default_min_stock=settings.stock.default_min,
        ),
        appliance=ApplianceConfig(settings.store.training, settings.metrics, settings.backup),
    )


def _check_devices(devices: dict, environment: Environment, file: TomlFile | None) -> None:
    """The device layer's own checks of its free tables, now rather than at `storegw run`."""
    for name in ("printer", "scanner", "gpio"):
        if devices[name] is None:
            continue
        try:
            check_device_table(name, devices[name])
        except DeviceProblem as exc:
            where = origin(name, exc.key.partition(".")[0], environment, file)
            what = f"{name}.{exc.key}:" if exc.key else f"[{name}]"
            raise ConfigError(f"{where}: {what} {exc}") from None


def _merged(name: str, file: dict, env: dict) -> dict | None:
    if name not in file and name not in env:
        return None
    return {**file.get(name, {}), **env.get(name, {})}
