"""The fiscal drive's health as rules (issue 11; FISCAL.md "Web shop receipts"): from what the
drive says about itself -- the OFD queue (FF39h), its warning flags (FF01h), its end of life
(FF03h) -- and the register's own clock at that reading, which alarms are on and what to do.

- `ofd_queue`: the oldest document not yet accepted by the OFD has waited 3, 7 or 25 days
  (the level is the highest crossed). The drive refuses every new document once it has waited
  more than 30 days, so the text says how many days are left.
- `fn_expiry`: 30 and 3 days before the drive's end of life (FF03h), or the drive's own flags
  (FF01h b1 "resource ends in 30 days", b0 "replace within 3 days") when they say so earlier.
- `fn_memory`: the archive is 90 % full (FF01h b2).

Days are whole days elapsed (a document from 10:00 has waited 3 days from 10:00 three days
later); the drive's end of life is counted in calendar days. Each alarm says, in Russian and in
English, what the shop must do. An alarm is announced once per level it reaches
(`announcements`): 3 → 7 → 25, 30 → 3; a condition that clears and comes back is new again."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

OFD_QUEUE = "ofd_queue"
FN_EXPIRY = "fn_expiry"
FN_MEMORY = "fn_memory"
KINDS = (OFD_QUEUE, FN_EXPIRY, FN_MEMORY)

OFD_BLOCK_DAYS = 30  # the FN refuses new documents when the oldest unsent waits longer (15h)
# The levels of each kind, from the mildest to the worst.
LEVELS = {
    OFD_QUEUE: (3, 7, 25),  # days the oldest unsent document has waited
    FN_EXPIRY: (30, 3),  # days left before the drive expires
    FN_MEMORY: (90,),  # per cent of the archive used
}

# FF01h warning flags
WARN_REPLACE_URGENTLY = 0x01  # b0: replace the drive within 3 days
WARN_ENDS_IN_30_DAYS = 0x02  # b1: the drive's resource ends in 30 days
WARN_ARCHIVE_90 = 0x04  # b2: the archive is 90 % full
WARN_OFD_TIMEOUT = 0x08  # b3: the OFD has not answered in time

_SECONDS_A_DAY = 86400


@dataclass(frozen=True)
class DriveHealth:
    """One reading of the fiscal drive (the driver's `FnHealth`, as the gateway keeps it)."""

    fn: str
    unsent: int  # documents waiting for the OFD
    first_unsent_fd: int | None
    first_unsent_at: str | None  # 'YYYY-MM-DDThh:mm' of the oldest unsent document
    transport_up: bool  # the register reaches the OFD now
    warnings: int  # FF01h flags (WARN_*)
    expires: str | None  # 'YYYY-MM-DD', None when the model does not say
    checked_at: str  # the register's clock at this reading, 'YYYY-MM-DDThh:mm'

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> DriveHealth:
        return cls(**data)


@dataclass(frozen=True)
class Alarm:
    kind: str  # OFD_QUEUE, FN_EXPIRY or FN_MEMORY
    level: int  # the threshold reached (one of LEVELS[kind])
    days: int | None  # days waited (ofd_queue), days left (fn_expiry); None if not counted
    ru: str  # what happened and what to do, for the shop
    en: str

    @property
    def rank(self) -> int:
        return rank(self.kind, self.level)

    @property
    def event(self) -> dict:
        """The body of `fiscal.alarm` (MQTT-CONTRACT 1.1)."""
        return {"kind": self.kind, "days": self.days, "detail": self.ru}

    def to_json(self) -> dict:
        return {"kind": self.kind, "level": self.level, "days": self.days, "detail": self.ru,
                "detail_en": self.en}  # fmt: skip


def rank(kind: str, level: int) -> int:
    """How bad a level is within its kind: 0 the mildest."""
    return LEVELS[kind].index(level)


# --- counting days --------------------------------------------------------------------------


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def waited_days(health: DriveHealth) -> int | None:
    """Whole days the oldest unsent document has waited by the reading's clock; None when
    nothing waits."""
    if health.unsent <= 0 or not health.first_unsent_at:
        return None
    elapsed = _moment(health.checked_at) - _moment(health.first_unsent_at)
    return max(0, int(elapsed.total_seconds()) // _SECONDS_A_DAY)


def days_left(health: DriveHealth) -> int | None:
    """Calendar days from the reading to the drive's end of life (0 on the day, < 0 after)."""
    if not health.expires:
        return None
    return (date.fromisoformat(health.expires) - _moment(health.checked_at).date()).days


# --- the alarms ---------------------------------------------------------------------------


def alarms(health: DriveHealth) -> list[Alarm]:
    """The alarms on at this reading, in KINDS order."""
    found = [ofd_queue_alarm(health), fn_expiry_alarm(health), fn_memory_alarm(health)]
    return [alarm for alarm in found if alarm is not None]


def ofd_queue_alarm(health: DriveHealth) -> Alarm | None:
    days = waited_days(health)
    if days is None:
        return None
    reached = [at for at in LEVELS[OFD_QUEUE] if days >= at]
    if not reached:
        return None
    level = reached[-1]
    left = OFD_BLOCK_DAYS - days
    if health.transport_up:
        check_ru = "связь с ОФД есть, но документы не принимаются — позвоните в ОФД"
        check_en = "the OFD is reachable but does not accept them: call the OFD"
    else:
        check_ru = "проверьте интернет у кассы"
        check_en = "check the register's internet connection"
    if left > 0:
        ru = (
            f"Чеки не уходят в ОФД {days} {days_ru(days)}: {check_ru}."
            f" Через {left} {days_ru(left)} касса заблокируется"
        )
        en = (
            f"Receipts have not reached the OFD for {days_en(days)}: {check_en}."
            f" The register blocks itself in {days_en(left)}"
        )
    else:
        ru = (
            f"Чеки не уходят в ОФД {days} {days_ru(days)}: касса заблокирована, пока они не"
            f" уйдут — {check_ru}"
        )
        en = (
            f"Receipts have not reached the OFD for {days_en(days)}: the register is blocked"
            f" until they do — {check_en}"
        )
    return Alarm(OFD_QUEUE, level, days, ru, en)


def fn_expiry_alarm(health: DriveHealth) -> Alarm | None:
    left = days_left(health)
    reached = [] if left is None else [at for at in LEVELS[FN_EXPIRY] if left <= at]
    if health.warnings & WARN_ENDS_IN_30_DAYS:
        reached.append(30)
    if health.warnings & WARN_REPLACE_URGENTLY:
        reached.append(3)
    if not reached:
        return None
    level = max(reached, key=lambda at: rank(FN_EXPIRY, at))
    ru, en = _expiry_words(level, left, health.expires)
    return Alarm(FN_EXPIRY, level, left, ru, en)


def _expiry_words(level: int, left: int | None, expires: str | None) -> tuple[str, str]:
    if left is not None and left <= 0:
        return (
            f"Срок ФН истёк {_date_ru(expires)}: касса не пробивает чеки — замените ФН",
            f"The fiscal drive expired on {expires}: no receipts until it is replaced",
        )
    if left is None:  # only the drive's flags say it
        when_ru = "в ближайшие 3 дня" if level == 3 else "в течение 30 дней"
        when_en = "within 3 days" if level == 3 else "within 30 days"
    else:
        when_ru = f"{_date_ru(expires)}, через {left} {days_ru(left)}"
        when_en = f"on {expires}, in {days_en(left)}"
    if level == 3:
        return (
            f"Срок ФН истекает {when_ru}: замените ФН, иначе касса перестанет пробивать чеки",
            f"The fiscal drive expires {when_en}: replace it or the register stops selling",
        )
    return (
        f"Срок ФН истекает {when_ru}: закажите новый ФН и договоритесь о замене",
        f"The fiscal drive expires {when_en}: order a new drive and book its replacement",
    )


def fn_memory_alarm(health: DriveHealth) -> Alarm | None:
    if not health.warnings & WARN_ARCHIVE_90:
        return None
    ru = (
        "Архив ФН заполнен на 90 %: закажите новый ФН — когда архив заполнится, касса перестанет"
        " пробивать чеки"
    )
    en = "The fiscal drive's archive is 90 % full: order a new drive before it stops the register"
    return Alarm(FN_MEMORY, 90, None, ru, en)


def announcements(active: list[Alarm], raised: dict[str, int]) -> tuple[list[Alarm], list[str]]:
    """(alarms to announce, kinds that cleared), given the level last kept for each kind.
    An alarm is announced when its kind had none or it reached a worse level; one that eased
    (a queue partly sent) is kept at its lower level quietly, so reaching the worse one again
    is announced again."""
    announce = [
        alarm
        for alarm in active
        if alarm.kind not in raised or alarm.rank > rank(alarm.kind, raised[alarm.kind])
    ]
    on = {alarm.kind for alarm in active}
    return announce, [kind for kind in raised if kind not in on]


# --- what the status shows ------------------------------------------------------------------


def describe(health: DriveHealth) -> dict:
    """The reading as the status, the summary and the doctor show it."""
    waited = waited_days(health)
    return {
        "fn": health.fn,
        "checked_at": health.checked_at,
        "unsent": health.unsent,
        "first_unsent_fd": health.first_unsent_fd,
        "first_unsent_at": health.first_unsent_at if health.unsent else None,
        "waited_days": waited,
        "days_to_block": None if waited is None else max(0, OFD_BLOCK_DAYS - waited),
        "transport_up": health.transport_up,
        "ofd_timeout": bool(health.warnings & WARN_OFD_TIMEOUT),
        "expires": health.expires,
        "expires_in_days": days_left(health),
        "memory_warning": bool(health.warnings & WARN_ARCHIVE_90),
        "warnings": health.warnings,
        "alarms": [alarm.to_json() for alarm in alarms(health)],
    }


# --- words --------------------------------------------------------------------------------


def days_ru(n: int) -> str:
    """The Russian word for n days: 1 день, 3 дня, 7 дней, 21 день, 23 дня, 25 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return "день"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "дня"
    return "дней"


def days_en(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def _date_ru(day: str) -> str:
    """'2026-12-15' -> '15.12.2026'."""
    return date.fromisoformat(day).strftime("%d.%m.%Y")
