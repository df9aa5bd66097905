"""Words the pages use for states and devices, each with its tone (UI.md: one meaning per colour,
never colour alone)."""

# Tones have one meaning each (UI.md): ok green, wait amber, bad red, off grey.
STATES: dict[str, tuple[str, str, str]] = {  # state -> (tone, Russian, English)
    "ok": ("ok", "работает", "working"),
    "connected": ("ok", "на связи", "connected"),
    "connecting": ("wait", "подключается", "connecting"),
    "not_connected": ("wait", "не подключено", "not connected"),
    "waiting": ("wait", "ожидание", "waiting"),
    "offline": ("bad", "нет связи", "offline"),
    "error": ("bad", "ошибка", "error"),
    "paper_out": ("bad", "нет бумаги", "paper out"),
    "cover_open": ("bad", "открыта крышка", "cover open"),
    "shift_expired": ("bad", "смена больше 24 часов", "shift over 24 hours"),
    "not_configured": ("off", "не настроено", "not configured"),
}
DEVICES = {
    "fiscal": ("Фискальный регистратор", "Fiscal register"),
    "printer": ("Принтер чеков", "Receipt printer"),
    "scanner": ("Сканер штрихкодов", "Barcode scanner"),
    "gpio": ("Индикаторы и кнопка", "Lights and button (GPIO)"),
}


def word(table: dict[str, tuple[str, str, str]], key: str, en: bool) -> dict[str, str]:
    """{"tone", "word"} for a state; an unknown one is shown as it is, in red."""
    tone, ru_word, en_word = table.get(key, ("bad", key, key))
    return {"tone": tone, "word": en_word if en else ru_word}
