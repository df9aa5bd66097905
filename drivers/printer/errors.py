"""Printer errors the gateway can act on: Russian for the screen, English for the logs."""

from __future__ import annotations


class PrinterError(Exception):
    message_ru = "Ошибка принтера чеков"
    message_en = "Receipt printer error"

    def __init__(self, detail: str = ""):
        self.detail = detail
        text = f"{self.message_ru} / {self.message_en}"
        super().__init__(f"{text}; {detail}" if detail else text)


class PrinterOffline(PrinterError):
    """No connection, no answer, or the printer reports itself offline (cover open, error)."""

    message_ru = "Принтер чеков не отвечает — проверьте питание, кабель и крышку"
    message_en = "Receipt printer offline"


class PaperOut(PrinterError):
    message_ru = "Нет бумаги в принтере чеков — вставьте рулон"
    message_en = "Receipt printer out of paper"
