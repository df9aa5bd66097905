"""The receipt printer: paper sensor and documents rendered as plain text.

Every finished printout is appended to `printed` (and to a text file when one is given), so tests
and people can read what the shop's customer would have been handed.
"""

import time
from pathlib import Path

WIDTH = 40
OP_TITLES = {1: "ПРИХОД", 2: "ВОЗВРАТ ПРИХОДА", 3: "РАСХОД", 4: "ВОЗВРАТ РАСХОДА"}
METHOD_TITLES = {  # tag 1214 as printed
    1: "ПРЕДОПЛАТА 100%",
    2: "ПРЕДОПЛАТА",
    3: "АВАНС",
    4: "ПОЛНЫЙ РАСЧЕТ",
    5: "ЧАСТИЧНЫЙ РАСЧЕТ И КРЕДИТ",
    6: "ПЕРЕДАЧА В КРЕДИТ",
    7: "ОПЛАТА КРЕДИТА",
}
PAYMENT_TITLES = {
    "cash": "НАЛИЧНЫМИ",
    "electronic": "БЕЗНАЛИЧНЫМИ",
    "prepayment": "ПРЕДВАРИТЕЛЬНАЯ ОПЛАТА (АВАНС)",
}


def rub(kopecks: int) -> str:
    sign = "-" if kopecks < 0 else ""
    kopecks = abs(kopecks)
    return f"{sign}{kopecks // 100}.{kopecks % 100:02d}"


def line(left: str, right: str) -> str:
    gap = max(1, WIDTH - len(left) - len(right))
    return f"{left}{' ' * gap}{right}"


def stamp(when: float) -> str:
    return time.strftime("%d.%m.%y %H:%M", time.gmtime(when))


def fiscal_footer(doc: dict) -> list[str]:
    return [
        line("СМЕНА", str(doc["shift"])),
        line("ФД", str(doc["fd"])),
        line("ФП", f"{doc['fp']:010d}"),
        line("ДАТА", stamp(doc["time"])),
    ]


def correction_rows(basis: dict) -> list[str]:
    rows = [line("ТИП КОРРЕКЦИИ", "ПО ПРЕДПИСАНИЮ" if basis["1173"] else "САМОСТОЯТЕЛЬНО")]
    rows.append(line("ДАТА ДОК. ОСН.", basis["date"]))
    if basis.get("1179"):
        rows.append(line("НОМЕР ДОК. ОСН.", basis["1179"]))
    return rows


def render_receipt(doc: dict, copy: bool = False) -> str:
    title = "ЧЕК КОРРЕКЦИИ" if doc["type"] == "correction" else "КАССОВЫЙ ЧЕК"
    rows = ["КОПИЯ" if copy else "", title, OP_TITLES[doc["op_type"]]]
    rows.append(line("ЧЕК", str(doc["number"])))
    if doc.get("correction"):
        rows += correction_rows(doc["correction"])
    for item in doc["items"]:
        qty = item["quantity"] / 1_000_000
        rows.append(item["name"][:WIDTH])
        rows.append(line(f"  {qty:g} x {rub(item['price'])}", f"={rub(item['amount'])}"))
        rows.append(f"  НДС {item['vat']}")
        rows.append(f"  {METHOD_TITLES.get(item['payment_method'], '')}".rstrip())
        if item.get("marking_code"):
            rows.append("  [М+]")
    rows.append(line("ИТОГ", f"={rub(doc['total'])}"))
    for payment in doc["payments"]:
        rows.append(
            line(
                PAYMENT_TITLES.get(payment["kind"], payment["kind"].upper()),
                f"={rub(payment['sum'])}",
            )
        )
    if doc["change"]:
        rows.append(line("СДАЧА", f"={rub(doc['change'])}"))
    if doc.get("buyer_contact"):
        rows.append(line("ЭЛ. АДР. ПОКУПАТЕЛЯ", doc["buyer_contact"]))
    if doc.get("place"):
        rows.append(line("МЕСТО РАСЧЕТОВ", doc["place"]))
    rows.extend(fiscal_footer(doc))
    return "\n".join(r for r in rows if r)


def render_shift_report(doc: dict, copy: bool = False) -> str:
    title = "ОТЧЕТ ОБ ОТКРЫТИИ СМЕНЫ" if doc["type"] == "open_shift" else "ОТЧЕТ О ЗАКРЫТИИ СМЕНЫ"
    rows = ["КОПИЯ" if copy else "", title]
    for name, value in doc.get("totals", {}).items():
        rows.append(line(name.upper(), str(value) if name == "receipts" else rub(value)))
    rows.extend(fiscal_footer(doc))
    return "\n".join(r for r in rows if r)


def render_document(doc: dict, copy: bool = False) -> str:
    if doc["type"] in ("receipt", "correction"):
        return render_receipt(doc, copy)
    return render_shift_report(doc, copy)


def render_x_report(shift: int, totals: dict, cash: int, when: float) -> str:
    rows = ["ОТЧЕТ БЕЗ ГАШЕНИЯ (X)", line("СМЕНА", str(shift))]
    for name, value in totals.items():
        rows.append(line(name.upper(), str(value) if name == "receipts" else rub(value)))
    rows += [line("НАЛИЧНОСТЬ В КАССЕ", rub(cash)), line("ДАТА", stamp(when))]
    return "\n".join(rows)


def render_cash(kind: str, amount: int, cash: int, number: int, when: float) -> str:
    title = "ВНЕСЕНИЕ" if kind == "in" else "ВЫПЛАТА"
    return "\n".join(
        [
            title,
            line("ДОК", str(number)),
            line("СУММА", f"={rub(amount)}"),
            line("НАЛИЧНОСТЬ В КАССЕ", rub(cash)),
            line("ДАТА", stamp(when)),
        ]
    )


class Printer:
    def __init__(self, print_to: str | None = None):
        self.paper = True
        self.printed: list[str] = []
        self.print_to = Path(print_to) if print_to else None

    def output(self, text: str) -> None:
        self.printed.append(text)
        if self.print_to:
            with self.print_to.open("a", encoding="utf-8") as f:
                f.write(text + "\n" + "-" * WIDTH + "\n")
