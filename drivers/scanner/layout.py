"""Codes typed through a Russian (ЙЦУКЕН) keyboard layout. A keyboard-wedge scanner sends key
presses, so with the Russian layout active the Latin letters of a crypto tail arrive as the
Cyrillic letters on the same keys (FISCAL.md 4.2). No barcode we read carries Cyrillic, so any
Cyrillic letter (or '№') means the layout mangled the scan."""

# Same key, US character -> Russian character: unshifted, shifted, shifted digits and '|'.
_US_KEYS = ("qwertyuiop[]asdfghjkl;'zxcvbnm,./`", 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?~', "@#$^&|")
_RU_KEYS = ("йцукенгшщзхъфывапролджэячсмитьбю.ё", "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,Ё", '"№;:?/')
RUSSIAN_TO_US = str.maketrans("".join(_RU_KEYS), "".join(_US_KEYS))
_RUSSIAN_ONLY = frozenset("".join(_RU_KEYS)) - frozenset("".join(_US_KEYS))


def typed_in_russian_layout(text: str) -> bool:
    """Cyrillic on the Russian keys, and nothing a keyboard could not have typed (line noise
    decoded as cp1251 also looks Cyrillic; it is not a layout problem)."""
    foreign = {ch for ch in text if not ch.isascii()}
    return bool(foreign) and foreign <= _RUSSIAN_ONLY


def restore_latin_layout(text: str) -> str:
    """What the scanner meant: each character put back on its key under the US layout. The
    whole scan went through the same layout, so punctuation is mapped back too ('.' was '/')."""
    return text.translate(RUSSIAN_TO_US)
