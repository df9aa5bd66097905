"""«Как это сделать» of the screens whose templates have no steps of their own: one short list
of steps each, shown folded at the foot of the page by the frame (templates/base.html). The
order desk, stock, summary, receiving and stocktake screens carry theirs in their templates."""

HOWTO = {  # path -> (Russian steps, English steps)
    "/sale": (
        [
            "Отсканируйте товар или введите его код и нажмите Enter: он появится в чеке.",
            "Маркированный товар попросит код маркировки: отсканируйте DataMatrix с упаковки.",
            "«Скидка» у строки или «Скидка на чек» — в процентах; большая скидка попросит PIN "
            "управляющего.",
            "Выберите «Наличные» или «Карта», для наличных введите полученную сумму — сдача "
            "посчитается сама.",
            "Нажмите «Пробить чек» один раз: повторное нажатие не пробьёт второй чек.",
        ],
        [
            "Scan an item or type its code and press Enter: it is added to the receipt.",
            "A marked item asks for its marking code: scan the DataMatrix on the pack.",
            "«Discount» on a line or «Discount on the sale», in percent; a big one asks for a "
            "manager's PIN.",
            "Choose cash or card; for cash type what the buyer gave: the change is worked out.",
            "Tap «Print receipt» once: a second tap never prints a second receipt.",
        ],
    ),
    "/shift": (
        [
            "Утром нажмите «Открыть смену» (или она откроется первым чеком).",
            "«Внесение» — положить размен в кассу, «Выплата» — забрать наличные (управляющий).",
            "«X-отчёт» печатает итоги без закрытия смены.",
            "Вечером управляющий пересчитывает наличные, вводит сумму и закрывает смену: "
            "расхождение запишется в отчёт.",
            "«Чек коррекции» (управляющий): продажа без чека, пока касса не работала, или "
            "ошибочный чек — выберите случай, заполните, проверьте, что будет напечатано, "
            "и пробейте.",
        ],
        [
            "In the morning tap «Open shift» (or the first receipt opens it).",
            "«Cash in» puts change into the drawer, «Cash out» takes cash out (a manager).",
            "«X report» prints the totals without closing the shift.",
            "In the evening a manager counts the cash, types the amount and closes the shift: "
            "any difference goes into the record.",
            "«Correction receipt» (a manager): a sale made while the register was down, or a "
            "wrong receipt — pick the case, fill it in, check what will be printed, and print.",
        ],
    ),
    "/devices": (
        [
            "Зелёное — работает, жёлтое — ждёт, красное — проблема: под ней написано, что сделать.",
            "«Не подтверждено облаком» растёт без интернета и уходит само, когда связь вернётся.",
            "Если касса не отвечает: проверьте кабель и питание, чеки дождутся в очереди.",
        ],
        [
            "Green works, amber waits, red is a problem: what to do is written under it.",
            "«Not yet confirmed by the cloud» grows while offline and drains by itself.",
            "If the register does not answer, check its cable and power: receipts wait queued.",
        ],
    ),
    "/staff": (
        [
            "«Добавить сотрудника»: имя, роль и PIN из 4–8 цифр (сообщите его лично).",
            "Забыл PIN — «Новый PIN»; ушёл из магазина — «Отключить»: он сразу выйдет везде.",
            "Токен для программ показывается один раз: сохраните его сразу.",
        ],
        [
            "«Add a person»: a name, a role and a PIN of 4–8 digits (tell it in person).",
            "A forgotten PIN: «New PIN»; someone who left: «Disable», signed out everywhere.",
            "A token for a program is shown once: keep it at once.",
        ],
    ),
    "/audit": (
        [
            "Выберите, что показать: входы, ошибки PIN, разрешения управляющего, деньги.",
            "Много ошибок PIN с одного адреса — кто-то подбирает PIN: смените PIN и проверьте "
            "Wi-Fi.",
        ],
        [
            "Choose what to show: sign-ins, wrong PINs, a manager's overrides, money.",
            "Many wrong PINs from one address means someone is guessing: change the PIN and "
            "check the Wi-Fi.",
        ],
    ),
}
HOWTO_TITLE = {"ru": "Как это сделать", "en": "How to do it"}


def howto(path: str, lang: str) -> dict | None:
    steps = HOWTO.get(path)
    if steps is None:
        return None
    return {"title": HOWTO_TITLE[lang], "steps": steps[1 if lang == "en" else 0]}
