"""Why a scan was refused. Each error has a machine-readable ``reason`` and a message in Russian
and English that a shop assistant can act on (the UI shows it as a red line)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("Пустой код", "empty code"),
    "too_long": ("Слишком длинный код", "the code is too long"),
    "non_ascii": ("В коде недопустимые символы", "the code holds characters no barcode carries"),
    "control_chars": ("В коде управляющие символы", "the code holds control characters"),
    "bad_check_digit": (
        "Неверная контрольная цифра: код считан с ошибкой, отсканируйте ещё раз",
        "wrong check digit: the code was misread, scan it again",
    ),
    "bad_gs1": ("Не удалось разобрать код GS1", "malformed GS1 element string"),
    "unknown_ai": (
        "Неизвестный идентификатор применения GS1",
        "unknown GS1 application identifier",
    ),
    "bad_marking": ("Код маркировки повреждён", "malformed marking code"),
    "keyboard_layout": (
        "Код пришёл в русской раскладке клавиатуры: переключите раскладку на английскую "
        "или сканер в режим USB-COM и отсканируйте снова",
        "the code came through a Russian keyboard layout: switch the layout to English "
        "or the scanner to USB-COM (CDC) mode and scan again",
    ),
    "missing_gs": (
        "В коде маркировки потерян разделитель GS: настройте сканер на передачу GS (0x1D) "
        "и отсканируйте снова",
        "the marking code lost its GS (0x1D) separators: set the scanner to transmit GS "
        "and scan again",
    ),
}


class BarcodeError(ValueError):
    """A scan that must not be used as an item. ``str()`` is 'Russian / English: detail'."""

    def __init__(self, reason: str, detail: str = "", *, scanned: str = ""):
        self.reason = reason
        self.detail = detail
        self.scanned = scanned
        self.message_ru, self.message_en = MESSAGES[reason]
        suffix = f": {detail}" if detail else ""
        super().__init__(f"{self.message_ru} / {self.message_en}{suffix}")


class InvalidCode(BarcodeError):
    """Not a code we can read: wrong check digit, malformed GS1 data, stray bytes."""


class MangledInput(BarcodeError):
    """A real code damaged on its way from the scanner: ``keyboard_layout`` or ``missing_gs``.

    ``restored`` is the code typed back through the Latin layout, for the UI to offer; it is
    never used on its own."""

    def __init__(self, reason: str, detail: str = "", *, scanned: str = "", restored: str = ""):
        super().__init__(reason, detail, scanned=scanned)
        self.restored = restored
