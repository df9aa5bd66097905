"""The marking check before a sale (разрешительный режим) in the staff's words: whether a code
may be sold, and why, as the register's check decided it (`drivers/fiscal/marking.verdict`
reads the 2106 bits) or as the offline rule decides it when the register gave no answer in time.

A refused code stops the sale or the shipment with its reason; an offline answer lets it through
and the screen says it was checked without a link. Details are "English / Russian" (the pages
show the half in their language)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OK = "ok"
SOLD = "sold"
REFUSED = "refused"
OFFLINE = "offline"  # the register answered, Честный ЗНАК did not: the offline rule
NOT_CHECKED = "not_checked"  # the register did not answer in time (or there is none)
ALLOWED = frozenset({OK, OFFLINE, NOT_CHECKED})
WORDS = {  # reason -> (English, Russian)
    OK: (
        "checked by Chestny ZNAK: may be sold",
        "Код проверен в Честном ЗНАКЕ — можно продавать",
    ),
    SOLD: (
        "the code was sold already: the item must not be sold",
        "Код уже продан — товар продавать нельзя",
    ),
    REFUSED: (
        "the code failed the Chestny ZNAK check: the item must not be sold",
        "Код не прошёл проверку Честного ЗНАКА — товар продавать нельзя",
    ),
    OFFLINE: (
        "no answer from Chestny ZNAK: sold by the offline rule",
        "Нет ответа от Честного ЗНАКА — продажа по автономному режиму",
    ),
    NOT_CHECKED: (
        "the register did not answer in time: sold by the offline rule",
        "ККТ не ответила вовремя — продажа по автономному режиму",
    ),
}
RETURN_WORDS = (
    "a return is not stopped by the check",
    "возврат проверка не останавливает",
)


@dataclass(frozen=True)
class MarkingVerdict:
    code: str
    reason: str  # OK, SOLD, REFUSED, OFFLINE or NOT_CHECKED
    result: int | None = None  # tag 2106 as the register answered (None: no answer)
    refund: bool = False
    note: str = ""  # why the register could not check it (not_checked)

    @property
    def allowed(self) -> bool:
        return self.refund or self.reason in ALLOWED

    @property
    def offline(self) -> bool:
        return self.reason in (OFFLINE, NOT_CHECKED)

    @property
    def detail(self) -> str:
        en, ru = WORDS[self.reason]
        if self.refund and self.reason not in ALLOWED:
            en, ru = f"{en}; {RETURN_WORDS[0]}", f"{ru}; {RETURN_WORDS[1]}"
        return f"{en} / {ru}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "allowed": self.allowed,
            "result": self.result,
            "offline": self.offline,
            "reason": self.reason,
            "detail": self.detail,
        }


def not_checked(code: str, why: str = "", *, refund: bool = False) -> MarkingVerdict:
    """The register gave no answer in time, is offline or not configured: the offline rule."""
    return MarkingVerdict(code, NOT_CHECKED, None, refund, why)


def shown(code: str) -> str:
    """What of a code a person compares with the box: GTIN and serial, before the first GS."""
    return code.split("\x1d", 1)[0]


def refusal(refused: list[MarkingVerdict]) -> str:
    """One "English / Russian" detail for a sale or shipment stopped by refused codes."""
    en = "; ".join(f"marking code {shown(v.code)}: {WORDS[v.reason][0]}" for v in refused)
    ru = "; ".join(f"Код маркировки {shown(v.code)}: {WORDS[v.reason][1]}" for v in refused)
    return f"{en} / {ru}"
