"""«Сотрудники» (people, roles, PINs, API tokens) and «Журнал» (the audit trail): manager only.

Both are a shell rendered here that `static/staff.js` fills from the JSON API (`api_staff.py`).
The template shows a cashier a page that says the screen is for a manager (the frame knows who
is signed in); the JSON is refused anyway. Every word comes from here in the page's language:
the template's as `t`, the script's as JSON (`js`). The names on screen are never declined, so
the sentences are built around them («Анна больше не сможет войти»)."""

from __future__ import annotations

from typing import Any

from gateway.domain.orders import STAFF_REASONS
from gateway.domain.staff import ACTION_WORDS, ROLE_WORDS

from .pages import Page

COMMON = {
    "ru": {
        "manager_only": "Этот экран — для управляющего",
        "manager_only_how": "Нажмите «Сменить кассира»: пусть управляющий выберет своё имя"
        " и введёт PIN. Кассиру этот экран для работы не нужен.",
        "to_staff": "← К списку сотрудников",
        "to_audit": "Журнал",
        "no_network": "Шлюз не отвечает: проверьте сеть (Wi-Fi планшета).",
        "failed": "Не получилось: {detail}",
        "cashier": "кассир",
        "manager": "управляющий",
        "inn_is": "ИНН {inn}",
    },
    "en": {
        "manager_only": "This screen is for a manager",
        "manager_only_how": "Tap «Switch cashier»: let a manager choose their name and enter"
        " their PIN. A cashier does not need this screen for work.",
        "to_staff": "← Staff list",
        "to_audit": "Audit log",
        "no_network": "The gateway does not answer: check the network (the tablet's Wi-Fi).",
        "failed": "That did not work: {detail}",
        "cashier": "cashier",
        "manager": "manager",
        "inn_is": "INN {inn}",
    },
}
STAFF_TEXTS = {
    "ru": {
        "hint": "Каждый сотрудник входит по своему PIN: так в чеке и в журнале видно, кто что"
        " сделал. Возвраты, выплаты и закрытие смены кассир делает только с PIN управляющего.",
        "ok": "Понятно",
        "people": "Список сотрудников",
        "no_people": "Сотрудников пока нет. Добавьте первого справа: имя, роль и PIN.",
        "add": "Добавить сотрудника",
        "name": "Имя (как на экране входа и в чеке)",
        "role": "Роль",
        "cashier_help": "продаёт, отгружает, принимает товар",
        "manager_help": "может всё, в том числе этот экран",
        "pin": "PIN (4–8 цифр)",
        "pin2": "PIN ещё раз",
        "inn": "ИНН (12 цифр, необязательно — печатается в чеке)",
        "add_do": "Добавить",
        "tokens": "API-токены",
        "tokens_help": "Для программ и скриптов (1С, учёт, выгрузки): токен заменяет вход"
        " по PIN и действует с правами своей роли, пока его не отзовут.",
        "no_tokens": "Токенов нет. Создайте токен ниже, если программе нужен доступ к шлюзу.",
        "token_name": "Для чего токен (например, «Обмен с 1С»)",
        "token_do": "Создать токен",
        "token_once": "показан один раз: скопируйте его сейчас, шлюз хранит только его отпечаток.",
        "token_how": "Программа отправляет его с каждым запросом в заголовке:",
        "copy_token": "Скопировать",
        "hide": "Готово, скрыть",
        "yes": "Да",
        "cancel": "Отмена",
        "new_pin": "Новый PIN (4–8 цифр)",
        "new_pin2": "Новый PIN ещё раз",
        "inn_clear": "ИНН (12 цифр; пусто — убрать)",
    },
    "en": {
        "hint": "Everyone signs in with their own PIN, so receipts and the log show who did"
        " what. A cashier refunds, pays out and closes the shift only with a manager's PIN.",
        "ok": "Got it",
        "people": "Everyone",
        "no_people": "No staff yet. Add the first one on the right: a name, a role and a PIN.",
        "add": "Add a person",
        "name": "Name (as on the sign-in screen and receipts)",
        "role": "Role",
        "cashier_help": "sells, ships, receives goods",
        "manager_help": "may do everything, this screen too",
        "pin": "PIN (4–8 digits)",
        "pin2": "PIN again",
        "inn": "INN (12 digits, optional — printed on receipts)",
        "add_do": "Add",
        "tokens": "API tokens",
        "tokens_help": "For programs and scripts (accounting, exports): a token stands in for"
        " a PIN sign-in and has its role's rights until it is revoked.",
        "no_tokens": "No tokens. Create one below when a program needs to reach the gateway.",
        "token_name": "What it is for (e.g. «Accounting sync»)",
        "token_do": "Create a token",
        "token_once": "is shown once: copy it now, the gateway keeps only its fingerprint.",
        "token_how": "The program sends it with every request in the header:",
        "copy_token": "Copy",
        "hide": "Done, hide it",
        "yes": "Yes",
        "cancel": "Cancel",
        "new_pin": "New PIN (4–8 digits)",
        "new_pin2": "New PIN again",
        "inn_clear": "INN (12 digits; empty removes it)",
    },
}
# The script's words; {name} is a person's or a token's name as written.
STAFF_SCRIPT = {
    "ru": {
        "can_sign_in": "вход разрешён",
        "disabled": "вход отключён",
        "token_active": "действует",
        "token_revoked": "отозван",
        "me": "это вы",
        "last": "Последний вход: {when}",
        "never": "Входов ещё не было",
        "created": "Создан: {when}",
        "save": "Сохранить",
        "only_manager": "Единственный управляющий: отключить или сменить роль нельзя,"
        " пока нет другого.",
        "pin_do": "Сменить PIN",
        "promote": "Дать права управляющего",
        "demote": "Убрать права управляющего",
        "inn_do": "ИНН",
        "disable": "Отключить",
        "enable": "Включить",
        "revoke": "Отозвать",
        "pin_title": "Новый PIN: {name}",
        "pin_what": "{name} будет входить с новым PIN; старый перестанет действовать, открытые"
        " сеансы закончатся сразу.",
        "pin_me": " Это вы: после смены войдите с новым PIN.",
        "promote_title": "Дать права управляющего: {name}?",
        "promote_what": "{name} сможет всё: возвраты, выплаты, закрытие смены, корректировку"
        " остатков и этот экран.",
        "demote_title": "Убрать права управляющего: {name}?",
        "demote_what": "{name} останется кассиром: возвраты, выплаты и закрытие смены — только"
        " с PIN управляющего.",
        "inn_title": "ИНН: {name}",
        "inn_what": "ИНН кассира печатается в каждом чеке, который пробивает {name}.",
        "disable_title": "Отключить: {name}?",
        "disable_what": "{name} больше не сможет войти; открытые сеансы закончатся сразу."
        " Включить снова можно на этом экране.",
        "disable_me": " Это вы: вы сразу выйдете.",
        "demote_me": " Это вы: после этого экран «Сотрудники» станет вам недоступен.",
        "enable_title": "Включить: {name}?",
        "enable_what": "{name} снова сможет входить со своим прежним PIN.",
        "revoke_title": "Отозвать токен «{name}»?",
        "revoke_what": "Программы с этим токеном сразу потеряют доступ. Вернуть его нельзя —"
        " только создать новый.",
        "added": "{name} ({role}) теперь в списке и может войти по своему PIN.",
        "pin_done": "{name}: PIN сменён, открытые сеансы закончены.",
        "promote_done": "{name}: права управляющего выданы.",
        "demote_done": "{name}: права управляющего убраны, роль — кассир.",
        "inn_done": "{name}: ИНН сохранён.",
        "disable_done": "{name}: вход отключён, открытые сеансы закончены.",
        "enable_done": "{name}: вход снова разрешён.",
        "revoke_done": "Токен «{name}» отозван: он больше не действует.",
        "token_done": "Токен «{name}» создан — скопируйте его сейчас.",
        "token_title": "Токен «{name}»",
        "copied": "Токен скопирован.",
        "copy_by_hand": "Токен выделен — скопируйте его (Ctrl+C или «Копировать» в меню).",
        "need_name": "Введите имя.",
        "need_token_name": "Напишите, для чего токен.",
        "bad_pin": "PIN — от 4 до 8 цифр.",
        "pin_mismatch": "PIN не совпадает — введите его ещё раз.",
        "bad_inn": "ИНН — 12 цифр (или оставьте поле пустым).",
        "bad_inn_sum": "В ИНН ошибка: контрольные цифры не сходятся. Сверьте его с документом.",
    },
    "en": {
        "can_sign_in": "may sign in",
        "disabled": "disabled",
        "token_active": "active",
        "token_revoked": "revoked",
        "me": "you",
        "last": "Last sign-in: {when}",
        "never": "Never signed in",
        "created": "Created: {when}",
        "save": "Save",
        "only_manager": "The only manager: cannot be disabled or made a cashier until there"
        " is another.",
        "pin_do": "New PIN",
        "promote": "Make a manager",
        "demote": "Make a cashier",
        "inn_do": "INN",
        "disable": "Disable",
        "enable": "Enable",
        "revoke": "Revoke",
        "pin_title": "New PIN: {name}",
        "pin_what": "{name} will sign in with the new PIN; the old one stops working and open"
        " sessions end at once.",
        "pin_me": " This is you: sign in again with the new PIN.",
        "promote_title": "Make {name} a manager?",
        "promote_what": "{name} will be able to do everything: refunds, payouts, closing the"
        " shift, stock corrections and this screen.",
        "demote_title": "Make {name} a cashier?",
        "demote_what": "{name} will refund, pay out and close the shift only with a manager's PIN.",
        "inn_title": "INN: {name}",
        "inn_what": "The cashier's INN is printed on every receipt {name} makes.",
        "disable_title": "Disable {name}?",
        "disable_what": "{name} will no longer be able to sign in; open sessions end at once."
        " You can enable them again here.",
        "disable_me": " This is you: you will be signed out at once.",
        "demote_me": " This is you: afterwards the «Staff» screen is closed to you.",
        "enable_title": "Enable {name}?",
        "enable_what": "{name} will be able to sign in again with the old PIN.",
        "revoke_title": "Revoke the token «{name}»?",
        "revoke_what": "Programs using it lose access at once. It cannot be restored — only a"
        " new one created.",
        "added": "{name} ({role}) is on the list and can sign in with their PIN.",
        "pin_done": "{name}'s PIN is changed; open sessions ended.",
        "promote_done": "{name} is now a manager.",
        "demote_done": "{name} is now a cashier.",
        "inn_done": "{name}'s INN is saved.",
        "disable_done": "{name} is disabled; open sessions ended.",
        "enable_done": "{name} may sign in again.",
        "revoke_done": "The token «{name}» is revoked: it no longer works.",
        "token_done": "The token «{name}» is created — copy it now.",
        "token_title": "The token «{name}»",
        "copied": "The token is copied.",
        "copy_by_hand": "The token is selected — copy it (Ctrl+C or «Copy» in the menu).",
        "need_name": "Enter a name.",
        "need_token_name": "Say what the token is for.",
        "bad_pin": "A PIN is 4 to 8 digits.",
        "pin_mismatch": "The PINs differ — enter it again.",
        "bad_inn": "An INN is 12 digits (or leave it empty).",
        "bad_inn_sum": "This INN has a typo: its check digits do not match. Compare it with the"
        " document.",
    },
}

AUDIT_GROUPS = {  # the filter: group -> (Russian, English, what appears there in each)
    "": ("Всё", "Everything", "Здесь появится всё, что записывает журнал: входы, ошибки PIN,"
         " разрешения управляющего, деньги и изменения сотрудников.",
         "Everything the log records shows up here: sign-ins, wrong PINs, manager's approvals,"
         " money and staff changes."),
    "sign_ins": ("Входы", "Sign-ins", "Здесь появится каждый вход по PIN, выход и блокировка"
                 " планшета.", "Every PIN sign-in, sign-out and tablet lock shows up here."),
    "refusals": ("Неверные PIN", "Wrong PINs", "Неверных PIN не было. Каждая ошибка и"
                 " блокировка входа появится здесь с адресом планшета.",
                 "No wrong PINs. Each one, and each lockout, shows up here with the tablet's"
                 " address."),
    "overrides": ("PIN управляющего", "Manager's PIN", "Здесь появится каждое действие"
                  " кассира, разрешённое PIN управляющего.",
                  "Each cashier's action a manager's PIN allowed shows up here."),
    "money": ("Деньги", "Money", "Здесь появятся возвраты, внесения, выплаты, чеки коррекции"
              " и закрытия смены с суммами.", "Refunds, cash in and out, correction receipts"
              " and shift closings show up here with their amounts."),
    "staff": ("Сотрудники", "Staff", "Здесь появятся новые сотрудники, смена PIN и ролей,"
              " отключения и токены.", "New staff, PIN and role changes, disabling and tokens"
              " show up here."),
}  # fmt: skip
AUDIT_KINDS = {  # audit kind -> (tone, Russian, English); the tone only for what needs a look
    "sign_in": ("", "Вход", "Sign-in"),
    "sign_out": ("", "Выход", "Sign-out"),
    "lock": ("", "Выход: «Сменить кассира»", "Sign-out: «Switch cashier»"),
    "idle": ("", "Выход: планшет не трогали", "Sign-out: tablet left idle"),
    "expired": ("", "Выход: конец рабочего дня", "Sign-out: the day is over"),
    "pin_refused": ("bad", "Неверный PIN", "Wrong PIN"),
    "override": ("wait", "PIN управляющего", "Manager's PIN"),
    "refund": ("", "Возврат", "Refund"),
    "cash_in": ("", "Внесение", "Cash in"),
    "cash_out": ("", "Выплата", "Cash out"),
    "close_shift": ("", "Закрытие смены", "Shift closed"),
    "correction": ("wait", "Чек коррекции", "Correction receipt"),
    "staff_added": ("", "Новый сотрудник", "Person added"),
    "staff_disabled": ("", "Вход отключён", "Disabled"),
    "staff_enabled": ("", "Вход разрешён", "Enabled"),
    "staff_changed": ("", "Изменение", "Changed"),
    "pin_reset": ("", "Новый PIN", "New PIN"),
    "token_created": ("", "Новый API-токен", "API token created"),
    "token_revoked": ("", "Токен отозван", "API token revoked"),
}
AUDIT_TEXTS = {
    "ru": {
        "filter": "Показать",
        "when": "Когда",
        "what": "Что",
        "who": "Кто",
        "approved_by": "PIN управляющего",
        "amount": "Сумма",
        "client": "Откуда",
        "system": "шлюз (терминал)",
        "locked_for": "вход заблокирован на {seconds} с",
        "setup_code": "неверный код первого запуска",
        "approval_refused": "PIN управляющего не принят",
        "wrong_pin": "неверный PIN",
        "unchecked": "PIN не проверялся: вход заблокирован ещё на {seconds} с",
        "not_manager": "не управляющий",
        "approval_for": "для действия: {name}",
        "role_change": "роль: {from} → {to}",
        "role_is": "роль: {to}",
        "inn_removed": "ИНН убран",
        "receipt": "чек № {n}",
        "reverses": "отменяет чек № {n}",
        "replaces": "заменяет чек № {n}",
        "shift": "смена № {n}",
        "job": "задание печати № {n}",
        "order": "заказ № {n}",
        "reason": "причина: {why}",
        "cash_counted": "в кассе посчитано {counted}, по учёту {expected}",
        "shortage": "недостача {n}",
        "surplus": "излишек {n}",
        "cash_match": "сходится",
        "more": "Показаны последние {n} записей.",
        "refresh": "Журнал обновляется каждые 10 секунд.",
    },
    "en": {
        "filter": "Show",
        "when": "When",
        "what": "What",
        "who": "Who",
        "approved_by": "Manager's PIN",
        "amount": "Amount",
        "client": "From",
        "system": "gateway (terminal)",
        "locked_for": "sign-in locked for {seconds} s",
        "setup_code": "wrong first-run code",
        "approval_refused": "Manager's PIN refused",
        "wrong_pin": "wrong PIN",
        "unchecked": "PIN not checked: sign-in locked for {seconds} s more",
        "not_manager": "not a manager",
        "approval_for": "for the action of {name}",
        "role_change": "role: {from} → {to}",
        "role_is": "role: {to}",
        "inn_removed": "INN removed",
        "receipt": "receipt no. {n}",
        "reverses": "reverses receipt no. {n}",
        "replaces": "replaces receipt no. {n}",
        "shift": "shift no. {n}",
        "job": "print job no. {n}",
        "order": "order {n}",
        "reason": "reason: {why}",
        "cash_counted": "counted in the drawer {counted}, the books say {expected}",
        "shortage": "short by {n}",
        "surplus": "over by {n}",
        "cash_match": "it matches",
        "more": "The last {n} entries are shown.",
        "refresh": "The log refreshes every 10 seconds.",
    },
}


def _staff(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    t = COMMON[lang] | STAFF_TEXTS[lang]
    return {"t": t, "js": t | STAFF_SCRIPT[lang]}


def _audit(_status: dict[str, Any], lang: str) -> dict[str, Any]:
    en = lang == "en"
    t = COMMON[lang] | AUDIT_TEXTS[lang]
    groups = [
        {"key": key, "label": words[1 if en else 0], "empty": words[3 if en else 2]}
        for key, words in AUDIT_GROUPS.items()
    ]
    tables = {
        "groups": {group["key"]: group["empty"] for group in groups},
        "kinds": {kind: {"tone": tone, "word": en_w if en else ru_w}
                  for kind, (tone, ru_w, en_w) in AUDIT_KINDS.items()},
        "actions": {key: words[1 if en else 0] for key, words in ACTION_WORDS.items()},
        "roles": {key: words[1 if en else 0] for key, words in ROLE_WORDS.items()},
        "reasons": {key: words[1 if en else 0] for key, words in STAFF_REASONS.items()},
    }  # fmt: skip
    return {"t": t, "groups": groups, "js": t | tables}


PAGES: list[Page] = [
    Page("/staff", "staff.html", "Сотрудники", "Staff", _staff),
    Page("/audit", "audit.html", "Журнал", "Audit log", _audit),
]
