"""The gateway configuration: one TOML file, every key defaulted, STOREGW_* variables on top.

`load_config()` returns a frozen `Config` or raises `ConfigError` with one line that names the file
(or environment variable) and the key, so a shop technician can fix it without reading code.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway.config_appliance import ApplianceConfig, appliance_config
from gateway.config_shop import DeskConfig, WebConfig, desk_config, web_config
from gateway.domain.fiscal import TAX_SYSTEMS

ENV_PREFIX = "STOREGW_"
DEVICE_SECTIONS = ("fiscal", "printer", "scanner", "gpio")

# Every core key with a default that works on a developer machine. All core values are strings;
# None means "not set" (an empty string in the file or environment means the same).
DEFAULTS: dict[str, dict[str, str | None]] = {
    "store": {"id": "shop-001", "training": "false"},
    "mqtt": {
        "url": "mqtt://127.0.0.1:1883",
        "username": None,
        "password": None,
        "ca": None,
        "cert": None,
        "key": None,
        "topic_prefix": "storegw",
    },
    "database": {"path": "var/gateway.db"},
    "web": {
        "listen": "127.0.0.1:8080",
        "idle_lock": "10",  # minutes without a touch before a tablet locks (0: never)
        "day_end": "04:00",  # local time at which every staff session ends
        "tls_cert": None,  # both set: the staff UI is served over HTTPS
        "tls_key": None,
    },
    # The order desk, the counter and the stock screen (issue 10).
    "orders": {
        "confirm_within": "30",  # minutes: an order not confirmed by then is marked overdue
        "pickup_within": "3",  # days: a confirmed order not collected by then is marked overdue
    },
    "sale": {
        "discount_cashier": "10",  # percent a cashier may give alone; more needs a manager
        "discount_manager": "100",
    },
    "stock": {"default_min": "0"},  # the low-stock threshold of a sku without one (0: none)
    # Cloud sync tuning (seconds unless said otherwise); numbers may be written as numbers.
    "sync": {
        "keepalive": "30",
        "reconnect_max": "120",
        "resend_after": "10",
        "gap_wait": "30",
        "window": "500",
    },
    # The appliance (issue 12): /metrics access and the nightly backup.
    "metrics": {"open": "false", "token": None},
    "backup": {"dir": "var/backup", "keep": "7"},
}
_DESK = ("orders", "sale", "stock")
_NUMERIC = (
    {("sync", key) for key in DEFAULTS["sync"]}
    | {("web", "idle_lock")}
    | {(section, key) for section in _DESK for key in DEFAULTS[section]}
    | {("backup", "keep")}
)
_BOOLEAN = {("store", "training"), ("metrics", "open")}
_OPTIONAL = {("mqtt", k) for k in ("username", "password", "ca", "cert", "key")} | {
    ("web", "tls_cert"),
    ("web", "tls_key"),
    ("metrics", "token"),
}
_SECTIONS = (*DEFAULTS, *DEVICE_SECTIONS)
_TOPIC_FORBIDDEN = "/+#\x00"


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming file and key."""


@dataclass(frozen=True)
class MqttConfig:
    url: str
    username: str | None
    password: str | None = field(repr=False)  # never end up in a log line
    ca: Path | None
    cert: Path | None
    key: Path | None
    topic_prefix: str

    @property
    def tls(self) -> bool:
        return self.url.startswith("mqtts://")

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (8883 if self.tls else 1883)


@dataclass(frozen=True)
class SyncConfig:
    keepalive: int = 30  # MQTT keepalive: a dead link is noticed within 1.5 × this
    reconnect_max: float = 120.0  # reconnect backoff doubles from 1 s up to this, with jitter
    resend_after: float = 10.0  # no sync.ack for this long: publish again from the last ack
    gap_wait: float = 30.0  # a missing cloud seq is waited for this long, then skipped (alarm)
    window: int = 500  # beyond the last sync.ack at most; below a broker queue (often 1000)


@dataclass(frozen=True)
class FiscalConfig:
    """[fiscal]: the register's port (a device path, pty path or pyserial URL) and how to sell."""

    port: str
    baudrate: int = 115200
    password: int = 30  # system administrator (FISCAL.md 1.5)
    tax_system: str = "osn"  # tag 1055: osn, usn_income, usn_income_outcome, esn, patent
    auto_open_shift: bool = True  # the first receipt of the day opens the shift for its cashier
    poll: float = 5.0  # seconds between status polls when idle
    site: str = ""  # the web shop's address: tag 1187 of receipts for payments on the site
    health_poll: float = 300.0  # seconds between reads of the OFD queue and the drive's health
    marking_timeout: float = 3.0  # seconds a marking check may take before the offline rule
    # Link timeouts (seconds; the vendor's answer timeouts × timeout_scale): for simulators.
    control_timeout: float = 0.5
    byte_timeout: float = 0.5
    timeout_scale: float = 1.0


_FISCAL_KEYS = {
    "port": str,
    "baudrate": int,
    "password": int,
    "tax_system": str,
    "auto_open_shift": bool,
    "poll": float,
    "site": str,
    "health_poll": float,
    "marking_timeout": float,
    "control_timeout": float,
    "byte_timeout": float,
    "timeout_scale": float,
}


def _fiscal_config(table: dict, origin: str) -> FiscalConfig:
    values: dict[str, Any] = {}
    for key, raw in table.items():
        kind = _FISCAL_KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{origin}: fiscal.{key}: unknown key{_hint(key, _FISCAL_KEYS)}")
        values[key] = _typed(raw, kind, f"{origin}: fiscal.{key}")
    if not values.get("port"):
        raise ConfigError(
            f"{origin}: fiscal.port: the register's port is required, e.g. /dev/ttyACM0"
        )
    tax_system = values.get("tax_system", "osn")
    if tax_system not in TAX_SYSTEMS:
        hint = _hint(tax_system, TAX_SYSTEMS)
        raise ConfigError(f"{origin}: fiscal.tax_system: {tax_system!r} is unknown{hint}")
    _check_site(values.get("site", ""), origin)
    positive = ("poll", "health_poll", "marking_timeout", "control_timeout", "byte_timeout")
    for key in (*positive, "timeout_scale", "baudrate"):
        if key in values and values[key] <= 0:
            raise ConfigError(f"{origin}: fiscal.{key}: must be above 0")
    return FiscalConfig(**values)


def _check_site(site: str, origin: str) -> None:
    """Tag 1187 goes to the register in one TLV (FF0Ch, 250 bytes) as CP866 text."""
    try:
        size = len(site.encode("cp866"))
    except UnicodeEncodeError:
        raise ConfigError(f"{origin}: fiscal.site: only Latin and Cyrillic letters") from None
    if size > 240:
        raise ConfigError(f"{origin}: fiscal.site: at most 240 characters (the shop's address)")


def _typed(raw: Any, kind: type, where: str) -> Any:
    """A TOML value of the right type, or the same written as text (environment variables)."""
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false", "1", "0", "yes", "no"):
            return raw.lower() in ("true", "1", "yes")
        raise ConfigError(f"{where}: must be true or false, got {_kind(raw)}")
    if kind is str:
        if isinstance(raw, str):
            return raw.strip()
        raise ConfigError(f"{where}: must be a string, got {_kind(raw)}")
    if isinstance(raw, bool):
        raise ConfigError(f"{where}: must be a number, got a boolean")
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: must be a number, got {raw!r}") from None


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
    values = {section: dict(keys) for section, keys in DEFAULTS.items()}
    devices: dict[str, dict | None] = dict.fromkeys(DEVICE_SECTIONS)
    origin: dict[tuple[str, str], str] = {}  # where a value came from, for error messages

    if path is not None:
        _apply_file(Path(path), values, devices, origin)
    _apply_env(os.environ if env is None else env, values, devices, origin)
    return _build(values, devices, origin)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fp:
            return tomllib.load(fp)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _apply_file(
    path: Path,
    values: dict[str, dict[str, str | None]],
    devices: dict[str, dict | None],
    origin: dict[tuple[str, str], str],
) -> None:
    for section, table in _read_toml(path).items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}]{_hint(section, _SECTIONS)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {section}: must be a table [{section}], got {_kind(table)}")
        if section in devices:
            devices[section] = dict(table)
            origin[section, ""] = str(path)
            continue
        for key, value in table.items():
            if key not in values[section]:
                known = tuple(values[section])
                raise ConfigError(f"{path}: {section}.{key}: unknown key{_hint(key, known)}")
            if (section, key) in _NUMERIC and type(value) in (int, float):
                value = str(value)
            if (section, key) in _BOOLEAN and type(value) is bool:
                value = str(value).lower()
            if not isinstance(value, str):
                raise ConfigError(f"{path}: {section}.{key}: must be a string, got {_kind(value)}")
            values[section][key] = value
            origin[section, key] = str(path)


def _apply_env(
    env: Mapping[str, str],
    values: dict[str, dict[str, str | None]],
    devices: dict[str, dict | None],
    origin: dict[tuple[str, str], str],
) -> None:
    # Variables whose second word is not a section (e.g. STOREGW_LOG_LEVEL) belong to someone
    # else and are left alone; a wrong key inside a known section is a typo and is refused.
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX):
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("_")
        if section not in _SECTIONS or not key:
            continue
        if section in devices:
            devices[section] = {**(devices[section] or {}), key: env[name]}
            origin.setdefault((section, ""), "environment")
            continue
        if key not in values[section]:
            raise ConfigError(f"{name}: {section}.{key}: unknown key{_hint(key, values[section])}")
        values[section][key] = env[name]
        origin[section, key] = name


def _build(
    values: dict[str, dict[str, str | None]],
    devices: dict[str, dict | None],
    origin: dict[tuple[str, str], str],
) -> Config:
    def get(section: str, key: str) -> str | None:
        value = values[section][key]
        if value == "" and (section, key) in _OPTIONAL:
            return None
        return value

    def fail(section: str, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{origin.get((section, key), 'default')}: {section}.{key}: {problem}")

    store_id = get("store", "id") or ""
    if not store_id.strip():
        raise fail("store", "id", "must not be empty")
    if any(ch in store_id for ch in _TOPIC_FORBIDDEN):
        raise fail("store", "id", f"{store_id!r} must not contain '/', '+' or '#' (MQTT topic)")

    url = get("mqtt", "url") or ""
    problem = _url_problem(url)
    if problem:
        raise fail("mqtt", "url", problem)

    prefix = get("mqtt", "topic_prefix") or ""
    if not prefix or "+" in prefix or "#" in prefix or "" in prefix.split("/"):
        raise fail("mqtt", "topic_prefix", f"{prefix!r} must be topic levels without '+' or '#'")

    db_path = get("database", "path") or ""
    if not db_path.strip():
        raise fail("database", "path", "must not be empty")

    listen = get("web", "listen") or ""
    try:
        web_host, web_port = _parse_listen(listen)
    except ValueError as exc:
        raise fail("web", "listen", f"{listen!r} {exc}") from None

    def as_path(key: str) -> Path | None:
        value = get("mqtt", key)
        return None if value is None else Path(value)

    mqtt = MqttConfig(
        url=url,
        username=get("mqtt", "username"),
        password=get("mqtt", "password"),
        ca=as_path("ca"),
        cert=as_path("cert"),
        key=as_path("key"),
        topic_prefix=prefix,
    )

    web = web_config(get, fail)

    def number(key: str) -> float:
        text = get("sync", key) or ""
        try:
            value = float(text)
        except ValueError:
            raise fail("sync", key, f"{text!r} must be a number") from None
        if not 0 < value <= 7 * 24 * 3600:
            raise fail("sync", key, f"{text!r} must be above 0")
        return value

    sync = SyncConfig(
        keepalive=int(number("keepalive")),
        reconnect_max=number("reconnect_max"),
        resend_after=number("resend_after"),
        gap_wait=number("gap_wait"),
        window=int(number("window")),
    )
    fiscal = None
    if devices["fiscal"] is not None:
        fiscal = _fiscal_config(devices["fiscal"], origin.get(("fiscal", ""), "configuration"))
    desk = desk_config(get, fail)
    appliance = appliance_config(get, fail)
    return Config(
        store_id,
        mqtt,
        Path(db_path),
        web_host,
        web_port,
        dict(devices),
        sync,
        fiscal,
        web,
        desk,
        appliance,
    )


def _url_problem(url: str) -> str | None:
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in ("mqtt", "mqtts"):
        # Echo the scheme only: the URL may carry a password.
        return f"must start with mqtt:// or mqtts:// (got {scheme + sep if sep else 'no scheme'})"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when the port is not a number in range
    except ValueError:
        return "has an invalid port (a number from 1 to 65535)"
    if not parts.hostname:
        return "has no host (e.g. mqtt://127.0.0.1:1883)"
    return None


def _parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not host:
        raise ValueError("must be host:port, e.g. 127.0.0.1:8080 (0.0.0.0:8080 for the LAN)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # [::1]:8080
    elif ":" in host:
        raise ValueError("must put an IPv6 host in brackets, e.g. [::1]:8080")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError("must be host:port with a port from 1 to 65535")
    return host, int(port)


def _hint(word: str, known: tuple[str, ...] | Mapping[str, object]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", list: "an array"}
    return names.get(type(value), "a table" if isinstance(value, dict) else type(value).__name__)
