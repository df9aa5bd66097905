"""Who does what: staff members, their roles, and what each role may do (issue 9).

Every staff action is done by a `Staff` value the web layer took from the session (never from the
request body); services receive it as `by` and check it with `authorize()` against the table
below, so the API, the pages and the CLI cannot disagree. A cashier who needs a manager's action
gets it with a manager's PIN on the same tablet: `by.approved_by` is then that manager, and the
action records both. The cloud and the devices act as `system` actors, which have no account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .errors import DomainError, InvalidInput

CASHIER, MANAGER, SYSTEM = "cashier", "manager", "system"
ROLES = (CASHIER, MANAGER)
ROLE_WORDS = {CASHIER: ("кассир", "cashier"), MANAGER: ("управляющий", "manager")}

# What a cashier may do (the list); a manager may do everything.
SELL = "sell"
SHIP = "ship"
CONFIRM = "confirm"
RECEIVE = "receive"  # scan into a receiving, start or void a draft
COUNT = "count"  # scan into a stocktake, start or abandon one
OPEN_SHIFT = "open_shift"
X_REPORT = "x_report"
CASH_IN = "cash_in"
PRINT = "print"  # slips, labels, reprints, a refused receipt printed again
# A manager's own (a cashier needs an override).
REFUND = "refund"
CASH_OUT = "cash_out"
CLOSE_SHIFT = "close_shift"
ADJUST_STOCK = "adjust_stock"
LINK_CODE = "link_code"  # teach the catalog an unknown barcode
POST_UNRESOLVED = "post_unresolved"  # post a receiving that still holds unknown codes
APPLY_STOCKTAKE = "apply_stocktake"
CANCEL_ORDER = "cancel_order"
RELEASE_RESERVE = "release_reserve"
MANAGE_STAFF = "manage_staff"  # accounts, PINs, roles, API tokens, the audit
BIG_DISCOUNT = "big_discount"  # a discount above the cashier's cap ([sale] discount_cashier)
FISCAL_CORRECTION = "fiscal_correction"  # a correction receipt (чек коррекции): a legal record
CASHIER_MAY = frozenset({SELL, SHIP, CONFIRM, RECEIVE, COUNT, OPEN_SHIFT, X_REPORT, CASH_IN, PRINT})
MANAGER_ONLY = frozenset(
    {
        REFUND,
        CASH_OUT,
        CLOSE_SHIFT,
        ADJUST_STOCK,
        LINK_CODE,
        POST_UNRESOLVED,
        APPLY_STOCKTAKE,
        CANCEL_ORDER,
        RELEASE_RESERVE,
        MANAGE_STAFF,
        BIG_DISCOUNT,
        FISCAL_CORRECTION,
    }
)
PERMISSIONS = {
    CASHIER: CASHIER_MAY,
    MANAGER: CASHIER_MAY | MANAGER_ONLY,
    SYSTEM: CASHIER_MAY | MANAGER_ONLY,
}
# How a refusal names the action on the screen (Russian, English).
ACTION_WORDS = {
    REFUND: ("возврат", "a refund"),
    CASH_OUT: ("выплата из кассы", "a cash payout"),
    CLOSE_SHIFT: ("закрытие смены", "closing the shift"),
    ADJUST_STOCK: ("корректировка остатков", "a stock correction"),
    LINK_CODE: ("привязка штрихкода", "linking a barcode"),
    POST_UNRESOLVED: ("приёмка с неизвестными кодами", "posting with unknown codes"),
    APPLY_STOCKTAKE: ("применение инвентаризации", "applying a stocktake"),
    CANCEL_ORDER: ("отмена заказа", "cancelling an order"),
    RELEASE_RESERVE: ("снятие резерва", "releasing a reserve"),
    MANAGE_STAFF: ("управление сотрудниками", "managing staff"),
    BIG_DISCOUNT: ("скидка больше разрешённой кассиру", "a discount above a cashier's limit"),
    FISCAL_CORRECTION: ("чек коррекции", "a correction receipt"),
}

PIN_RULE = re.compile(r"^[0-9]{4,8}$")
INN_RULE = re.compile(r"^[0-9]{12}$")  # a person's INN (tag 1203)
# The FNS check digits of a person's INN: the 11th from the first ten, the 12th from the first
# eleven, each weighted sum mod 11 mod 10 (a typo in one digit never passes).
INN_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
MAX_NAME = 40


@dataclass(frozen=True)
class Staff:
    id: int | None  # None for a system actor
    name: str  # what receipts (tag 1021), events (`by`) and screens show
    role: str
    inn: str | None = None
    approved_by: Staff | None = None  # the manager whose PIN allowed this one action

    def approved(self, manager: Staff) -> Staff:
        return replace(self, approved_by=manager)

    @property
    def event(self) -> dict:
        """Who, as outbound events carry it."""
        return {"by": self.name, "staff_id": self.id}


CLOUD = Staff(None, "cloud", SYSTEM)
FRONT_PANEL = Staff(None, "кнопка", SYSTEM)  # the reprint button on the box
TERMINAL = Staff(None, "терминал", SYSTEM)  # `storegw staff ...`: whoever has a shell on the box


class Forbidden(DomainError):
    """The signed-in person's role does not allow this; a manager's PIN can (`needs_manager`)."""

    reason = "forbidden"

    def __init__(self, detail: str, *, permission: str, reason: str | None = None):
        super().__init__(detail, reason=reason)
        self.permission = permission


def may(actor: Staff, permission: str) -> bool:
    return permission in PERMISSIONS.get(actor.role, frozenset())


def authorize(actor: Staff, permission: str) -> bool:
    """Allowed by the actor's own role (False) or by a manager's override (True); otherwise
    `Forbidden`. An override never lends more than the approver may do."""
    if may(actor, permission):
        return False
    approver = actor.approved_by
    if approver is not None and approver.role == MANAGER and may(approver, permission):
        return True
    ru, en = ACTION_WORDS.get(permission, (permission, permission))
    raise Forbidden(
        f"{en} needs a manager: ask one to enter their PIN / {ru}: нужен PIN управляющего",
        permission=permission,
        reason="needs_manager" if may(Staff(None, "", MANAGER), permission) else None,
    )


def check_pin(pin: object) -> str:
    if not isinstance(pin, str) or not PIN_RULE.match(pin):
        raise InvalidInput("a PIN is 4 to 8 digits / PIN — от 4 до 8 цифр", reason="bad_pin")
    return pin


def check_name(name: object) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text or len(text) > MAX_NAME or any(ch < " " for ch in text):
        raise InvalidInput(
            f"a name is 1 to {MAX_NAME} printable characters / имя — от 1 до {MAX_NAME} знаков",
            reason="bad_name",
        )
    return text


def check_role(role: object) -> str:
    if role not in ROLES:
        raise InvalidInput(
            f"a role is one of {', '.join(ROLES)} / роль: кассир или управляющий",
            reason="bad_role",
        )
    return str(role)


def check_inn(inn: object) -> str | None:
    if inn is None or inn == "":
        return None
    if not isinstance(inn, str) or not INN_RULE.match(inn.strip()):
        raise InvalidInput("a person's INN is 12 digits / ИНН — 12 цифр", reason="bad_inn")
    if not _inn_check_digits_match(inn.strip()):
        raise InvalidInput(
            "this INN has a typo: its check digits do not match, compare it with the document"
            " / в ИНН ошибка: контрольные цифры не сходятся, сверьте его с документом",
            reason="bad_inn",
        )
    return inn.strip()


def _inn_check_digits_match(inn: str) -> bool:
    digits = [int(ch) for ch in inn]
    for weights in (INN_WEIGHTS_11, INN_WEIGHTS_12):
        check = sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10
        if check != digits[len(weights)]:
            return False
    return True
