"""Is the gateway running, and what does it say? Two independent signs: the database is open
(every connection to a WAL database holds a lock SQLite can test: `in_use`), and its web UI
answers `/healthz` for this store. While it runs it owns the devices' ports, so the doctor
reports its view of them instead of opening them itself."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from gateway.adapters.sqlite.backup import in_use
from gateway.config import Config
from gateway.doctor import ERROR, OK, SKIP, WARNING, Finding, Probes

WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}
STATE_LEVELS = {
    "ok": OK,
    "connecting": WARNING,
    "waiting": WARNING,
    "not_connected": WARNING,
    "paper_out": WARNING,
    "cover_open": WARNING,
    "shift_expired": WARNING,
    "stopped": ERROR,
    "offline": ERROR,
    "error": ERROR,
}
STATE_TODO = {
    "connecting": "still connecting: run the doctor again in a minute; if it stays so, check the"
    " cable and the power",
    "waiting": "it waits for the device: check the cable and the power; the gateway retries by"
    " itself",
    "not_connected": "check the cable and the power, and the device's section in the configuration",
    "paper_out": "load paper into the device",
    "cover_open": "close the device's cover",
    "shift_expired": "close the shift (Z report) on the «Смена» page, then open a new one",
    "offline": "check the cable and the power; the gateway reconnects by itself",
    "error": "look at the detail; journalctl -u storegw shows more",
    "stopped": "sudo systemctl restart storegw",
}

UNKNOWN_STATE_TODO = "look at the detail; journalctl -u storegw shows more"


@dataclass(frozen=True)
class Running:
    database_open: bool  # someone holds the database: the gateway, most likely
    status: dict[str, Any] | None  # its /healthz, when the web UI answers for this store
    url: str

    @property
    def running(self) -> bool:
        return self.database_open or self.status is not None


def healthz_url(config: Config) -> str:
    host = WILDCARDS.get(config.web_host, config.web_host)
    host = f"[{host}]" if ":" in host else host
    scheme = "https" if config.web.tls else "http"
    return f"{scheme}://{host}:{config.web_port}/healthz"


def look(config: Config, probes: Probes) -> Running:
    url = healthz_url(config)
    status = fetch_status(url, probes.timeout)
    if status is not None and status.get("store_id") != config.store_id:
        status = None  # another program, or another store's gateway, on this port
    return Running(in_use(config.database_path), status, url)


def fetch_status(url: str, timeout: float) -> dict[str, Any] | None:
    # Its own certificate on its own box is often self-signed: the doctor is not the one to judge.
    context = ssl._create_unverified_context() if url.startswith("https") else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:  # 503: running, with problems; the body says which
        body = exc.read()
    except (OSError, ValueError):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def gateway_finding(running: Running) -> Finding:
    if running.status is not None:
        problems = running.status.get("invariants", {}).get("problems") or []
        if problems:
            return Finding(
                ERROR,
                "gateway",
                f"running, and reports: {problems[0]}",
                "see the invariants line above; stop the gateway, run `storegw check`, and call"
                " support with its output",
            )
        return Finding(OK, "gateway", f"running, {running.url} answers")
    if running.database_open:
        return Finding(
            WARNING,
            "gateway",
            f"the database is open (the gateway seems to run) but {running.url} does not answer",
            "check `journalctl -u storegw -n 50`; sudo systemctl restart storegw",
        )
    return Finding(
        WARNING,
        "gateway",
        "not running",
        "sudo systemctl start storegw (ignore this if you stopped it on purpose);"
        " why it stopped: journalctl -u storegw -n 50",
    )


def reported_findings(config: Config, running: Running) -> list[Finding]:
    """The configured devices as the running gateway sees them."""
    names = [name for name in ("fiscal", "printer", "scanner") if config.device_configured(name)]
    if running.status is None:
        return [
            Finding(
                SKIP,
                _LABELS[name],
                "not checked: the running gateway holds it and its web UI does not answer",
            )
            for name in names
        ]
    status = running.status
    details = {
        "fiscal": (status.get("fiscal") or {}).get("device") or {},
        "printer": status.get("printer") or {},
        "scanner": status.get("scanner") or {},
    }
    found = []
    for name in names:
        state = (status.get("devices") or {}).get(name, "unknown")
        detail = (details.get(name) or {}).get("detail") or ""
        level = STATE_LEVELS.get(state, WARNING)
        where = device_address(config, name)
        text = f"{state}{f' at {where}' if where else ''} (as the running gateway sees it)"
        text += f": {detail}" if detail else ""
        todo = "" if level == OK else STATE_TODO.get(state, UNKNOWN_STATE_TODO)
        found.append(Finding(level, _LABELS[name], text, todo))
    return found


def device_address(config: Config, name: str) -> str:
    """Where the configuration says the device is: the register's port, the printer's url,
    the scanner's device node."""
    if name == "fiscal":
        return config.fiscal.port if config.fiscal is not None else ""
    section = config.devices.get(name) or {}
    return str(section.get("url") or section.get("port") or section.get("hid") or "")


_LABELS = {"fiscal": "fiscal register", "printer": "printer", "scanner": "scanner"}
