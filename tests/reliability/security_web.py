"""The web door of a running gateway, tried over HTTP: every route, every other method on its
path and its path spelled ten other ways, without a session or token (four kinds of stranger);
CSRF on every state-changing route; every GET as a manager; a cashier (session and API token)
on every manager action. What counts is the HTTP answer the attacker gets and the database, read
directly: a refused request changes nothing. A manager doing the cashier's actions afterwards
must succeed, or the cashier's refusal proved nothing."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from gateway.domain.staff import (
    ADJUST_STOCK,
    APPLY_STOCKTAKE,
    BIG_DISCOUNT,
    CANCEL_ORDER,
    CASH_OUT,
    CLOSE_SHIFT,
    FISCAL_CORRECTION,
    LINK_CODE,
    MANAGE_STAFF,
    MANAGER_ONLY,
    POST_UNRESOLVED,
    REFUND,
    RELEASE_RESERVE,
)
from gateway.web.auth import COOKIE, SAFE_METHODS, is_public
from tests.reliability.security_shop import Shop, changed
from tests.signin import CASHIER_PIN, MANAGER_PIN

FOREIGN = "http://evil.example"
UNKNOWN_CODE = "2000000000015"  # a valid EAN-13 no product has
TOKEN_GUARDED = {"/metrics"}  # public to the sign-in check, guarded by its own bearer token
ODD_METHODS = ("HEAD", "OPTIONS", "PUT", "DELETE", "PATCH")  # every path, declared or not
# The same path spelled otherwise, sent byte for byte (httpx would tidy some of them up).
VARIANTS = (
    "{path}/",
    "/{upper}",
    "/{path}",  # //api/...
    "/static/..{path}",
    "/static/%2e%2e{path}",
    "/static/..%2f{rest}",
    "{path}%2f",
    "{path};x",
    "/./{rest}",
    "{path}%00",
)


@dataclass
class WebOutcome:
    routes_checked: int = 0  # declared (method, path) pairs that are not public
    odd_methods_checked: int = 0  # HEAD, OPTIONS, PUT, DELETE, PATCH where not declared
    public_routes: int = 0
    stranger_requests: int = 0
    stranger_not_refused: list[str] = field(default_factory=list)
    public_odd_methods: int = 0  # an undeclared method on a public path
    public_odd_accepted: list[str] = field(default_factory=list)
    variants_checked: int = 0
    variant_accepted: list[str] = field(default_factory=list)
    csrf_requests: int = 0
    csrf_accepted: list[str] = field(default_factory=list)
    csrf_control_refused: int = 0
    manager_actions: int = 0
    permissions_uncovered: list[str] = field(default_factory=list)  # MANAGER_ONLY not tried
    cashier_requests: int = 0
    cashier_accepted: list[str] = field(default_factory=list)
    cashier_refused_not_by_role: list[str] = field(default_factory=list)
    manager_control_failed: list[str] = field(default_factory=list)
    gets_checked: int = 0
    db_changed: list[str] = field(default_factory=list)  # tables a refused request changed


def strangers(shop: Shop) -> dict[str, httpx.Client]:
    ended = shop.signed_in(shop.cashier, CASHIER_PIN)
    if ended.post("/api/signout").status_code != 200:
        raise RuntimeError("sign-out failed: the ended-session stranger would prove nothing")
    ended.headers.pop("X-CSRF-Token")  # the cookie of a session that is over, kept
    return {
        "no credentials": shop.client(),
        "forged cookie": shop.client(cookies={COOKIE: "x" * 43}),
        "unknown token": shop.client(headers={"Authorization": "Bearer sgw_" + "0" * 40}),
        "ended session": ended,
    }


def refused_stranger(method: str, path: str, answer: httpx.Response) -> bool:
    if path in TOKEN_GUARDED:  # 405: a method /metrics does not have
        return answer.status_code in (401, 405)
    if path.startswith("/api/") or method not in SAFE_METHODS:
        return answer.status_code == 401
    return answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")


def try_strangers(shop: Shop, routes: list[tuple[str, str]], outcome: WebOutcome) -> None:
    clients = strangers(shop)
    before = shop.snapshot()
    declared = set(routes)
    every = declared | {(method, path) for _, path in routes for method in ODD_METHODS}
    for method, path in sorted(every):
        if is_public(path) and path not in TOKEN_GUARDED:
            if (method, path) in declared:
                outcome.public_routes += 1
            else:  # not a route: nothing may answer it as one
                outcome.public_odd_methods += 1
                answer = clients["no credentials"].request(method, path)
                if 200 <= answer.status_code < 300:
                    outcome.public_odd_accepted.append(f"{method} {path} -> {answer.status_code}")
            continue
        if (method, path) in declared:
            outcome.routes_checked += 1
        else:
            outcome.odd_methods_checked += 1
        for kind, client in clients.items():
            answer = client.request(method, path, json={})
            outcome.stranger_requests += 1
            if not refused_stranger(method, path, answer):
                outcome.stranger_not_refused.append(
                    f"{kind}: {method} {path} -> {answer.status_code}"
                )
    for client in clients.values():
        client.close()
    try_variants(shop, [r for r in routes if not is_public(r[1])], outcome)
    outcome.db_changed += [f"strangers: {table}" for table in changed(before, shop.snapshot())]


def try_variants(shop: Shop, routes: list[tuple[str, str]], outcome: WebOutcome) -> None:
    """Each route's path spelled another way, by a stranger: none may be answered with 2xx."""
    connection = http.client.HTTPConnection("127.0.0.1", shop.port, timeout=30)
    try:
        for method, path in routes:
            for variant in VARIANTS:
                raw = variant.format(path=path, upper=path[1:].upper(), rest=path[1:])
                connection.request(
                    method, raw, body=b"{}", headers={"Content-Type": "application/json"}
                )
                answer = connection.getresponse()
                answer.read()
                outcome.variants_checked += 1
                if 200 <= answer.status < 300:
                    outcome.variant_accepted.append(f"{method} {raw} -> {answer.status}")
                if answer.will_close:
                    connection.close()
    finally:
        connection.close()


def try_csrf(shop: Shop, routes: list[tuple[str, str]], outcome: WebOutcome) -> None:
    """A manager's session (the role never refuses): only the CSRF check can."""
    manager = shop.signed_in(shop.manager, MANAGER_PIN)
    token = manager.headers.pop("X-CSRF-Token")
    other = shop.signed_in(shop.cashier, CASHIER_PIN)  # the attacker's own session
    others = other.headers["X-CSRF-Token"]
    other.close()
    forgeries = {
        "no token": {},
        "another session's token": {"X-CSRF-Token": others},
        "wrong token": {"X-CSRF-Token": token[:-1] + ("A" if token[-1] != "A" else "B")},
        "foreign origin": {"X-CSRF-Token": token, "Origin": FOREIGN},
        "foreign referer": {"X-CSRF-Token": token, "Referer": FOREIGN + "/page"},
    }
    before = shop.snapshot()
    for method, path in routes:
        if method in SAFE_METHODS:
            continue
        public = is_public(path)
        for kind, headers in forgeries.items():
            if public and not kind.startswith("foreign"):
                continue  # no session, no token: only the origin guards a public form
            answer = manager.request(method, path, json={}, headers=headers)
            outcome.csrf_requests += 1
            error = _error(answer)
            if answer.status_code != 403 or error not in ("csrf", "foreign_origin"):
                outcome.csrf_accepted.append(f"{kind}: {method} {path} -> {answer.status_code}")
    outcome.db_changed += [f"csrf: {table}" for table in changed(before, shop.snapshot())]
    # Every page and read as the manager: a GET changes nothing (SameSite aside, no GET may
    # be a state change a link on another site could trigger).
    before = shop.snapshot()
    for method, path in routes:
        if method == "GET" and not is_public(path):
            manager.get(path)
            outcome.gets_checked += 1
    outcome.db_changed += [f"GET: {table}" for table in changed(before, shop.snapshot())]
    # The control: the same session with its token and our own origin gets through.
    ours = manager.post(
        "/api/scanner/target",
        json={"kind": None},
        headers={"X-CSRF-Token": token, "Origin": shop.url},
    )
    outcome.csrf_control_refused += int(ours.status_code != 200)
    manager.close()


def _error(answer: httpx.Response) -> str | None:
    try:
        return answer.json().get("error")
    except ValueError:
        return None


def manager_actions(shop: Shop, cashier: httpx.Client) -> list[tuple[str, str, str, dict | None]]:
    """Every manager-only action (domain/staff.py MANAGER_ONLY, checked by the services), with
    its permission and a body a manager gets accepted. What they act on is made here by the
    cashier, who may (receivings, a stocktake's count, a sale)."""

    def made(path: str, body: dict) -> dict:
        answer = cashier.post(path, json=body)
        if answer.status_code != 200:
            raise RuntimeError(f"setting up {path}: {answer.status_code} {answer.text}")
        return answer.json()

    resolve_doc = made("/api/receivings", {})["doc_id"]
    made(f"/api/receivings/{resolve_doc}/scan", {"code": UNKNOWN_CODE})
    post_doc = made("/api/receivings", {})["doc_id"]
    made(f"/api/receivings/{post_doc}/scan", {"code": UNKNOWN_CODE})
    take = made("/api/stocktakes", {"skus": ["C"]})["take_id"]
    made(f"/api/stocktakes/{take}/count", {"sku": "C", "counted": 49})
    receipt = made("/api/sales", {"items": [{"sku": "B", "qty": 1}], "payment": "cash"})
    shop.wait_fiscalised(cashier, receipt["receipt_id"])  # a refund needs the register's receipt
    spare = shop.spare_cashier.id
    return [
        (MANAGE_STAFF, "GET", "/api/staff", None),
        (MANAGE_STAFF, "GET", "/api/audit", None),
        (MANAGE_STAFF, "GET", "/api/audit?group=refusals", None),
        (MANAGE_STAFF, "POST", "/api/staff", {"name": "Вера", "role": "cashier", "pin": "1234"}),
        (MANAGE_STAFF, "POST", "/api/staff/tokens", {"name": "Скрипт", "role": "manager"}),
        (MANAGE_STAFF, "POST", f"/api/staff/{spare}/disable", {}),
        (MANAGE_STAFF, "POST", f"/api/staff/{spare}/enable", {}),
        (MANAGE_STAFF, "POST", f"/api/staff/{spare}/pin", {"pin": "5555"}),
        (MANAGE_STAFF, "POST", f"/api/staff/{spare}/change", {"role": "manager"}),
        (ADJUST_STOCK, "POST", "/api/stock/A/correct", {"on_hand": 40, "reason": "damage"}),
        (ADJUST_STOCK, "POST", "/api/stock/A/correct", {"delta": 2, "reason": "found"}),
        (ADJUST_STOCK, "POST", "/api/stock/A/min", {"min_stock": 3}),
        (CANCEL_ORDER, "POST", "/api/orders/W-1/cancel", {"reason": "no_show"}),
        (RELEASE_RESERVE, "POST", "/api/orders/W-2/release", {"line_id": "1", "reason": "no_show"}),
        (LINK_CODE, "POST", f"/api/receivings/{resolve_doc}/resolve",
         {"code": UNKNOWN_CODE, "sku": "A"}),
        (POST_UNRESOLVED, "POST", f"/api/receivings/{post_doc}/post",
         {"allow_unresolved": True, "print": False}),
        (APPLY_STOCKTAKE, "POST", f"/api/stocktakes/{take}/apply", {}),
        (BIG_DISCOUNT, "POST", "/api/sales",
         {"items": [{"sku": "C", "qty": 1}], "payment": "cash", "discount_pct": 50}),
        (BIG_DISCOUNT, "POST", "/api/sales",
         {"items": [{"sku": "C", "qty": 1, "discount_pct": 30}], "payment": "cash"}),
        (REFUND, "POST", f"/api/receipts/{receipt['receipt_id']}/refund", {}),
        (FISCAL_CORRECTION, "POST", "/api/fiscal/corrections", unrecorded_sale()),
        (CASH_OUT, "POST", "/api/fiscal/cash-out", {"amount": 100}),
        (CLOSE_SHIFT, "POST", "/api/fiscal/close-shift", {"counted": 0}),
    ]  # fmt: skip


def unrecorded_sale() -> dict:
    """A correction receipt (чек коррекции) for a sale the register missed yesterday."""
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    sale = {"items": [{"sku": "C", "qty": 1}], "payment": "cash", "date": yesterday}
    return {**sale, "reason": "Касса не работала, продажа записана в тетрадь"}


def try_cashier(shop: Shop, outcome: WebOutcome) -> None:
    cashier = shop.signed_in(shop.cashier, CASHIER_PIN)
    program = shop.with_token(shop.cashier_token)
    manager = shop.signed_in(shop.manager, MANAGER_PIN)
    actions = manager_actions(shop, cashier)
    before = shop.snapshot(skip=("audit",))  # a refusal is audited, nothing else
    outcome.manager_actions = len(actions)
    outcome.permissions_uncovered = sorted(MANAGER_ONLY - {action[0] for action in actions})
    for _, method, path, body in actions:
        for who, client in (("cashier session", cashier), ("cashier token", program)):
            answer = client.request(method, path, json=body)
            outcome.cashier_requests += 1
            where = f"{who}: {method} {path} -> {answer.status_code} {answer.text[:120]}"
            if answer.status_code < 400:
                outcome.cashier_accepted.append(where)
            elif answer.status_code != 403 or _error(answer) != "needs_manager":
                outcome.cashier_refused_not_by_role.append(where)
    outcome.db_changed += [f"cashier: {t}" for t in changed(before, shop.snapshot(skip=("audit",)))]
    for _, method, path, body in actions:  # the same requests are a manager's to make
        answer = manager.request(method, path, json=body)
        if answer.status_code >= 400:
            outcome.manager_control_failed.append(
                f"{method} {path} -> {answer.status_code} {answer.text[:120]}"
            )
    for client in (cashier, program, manager):
        client.close()
