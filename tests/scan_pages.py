"""Helpers of the scan-document screens' tests («Приёмка», «Инвентаризация», and any later one):
waiting for what a running gateway does on its own threads, and what the gateway's lookup says
about one barcode's item (its stock)."""

import time


def wait_until(condition, what: str, timeout: float = 10.0, every: float = 0.05):
    """The first true value of `condition()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def item_of(page, live_shop, code: str) -> dict:
    """The one item a barcode finds, with its stock (on_hand, reserved, available)."""
    answer = page.request.get(f"{live_shop.url}/api/lookup?code={code}")
    assert answer.ok, answer.text()
    [item] = answer.json()["items"]
    return item


def scanner_ready(live_shop) -> None:
    """The USB scanner simulator's reader is up: its scans reach the gateway."""
    wait_until(lambda: live_shop.gateway.hardware.scanner.status == "ok", "the scanner reader")
