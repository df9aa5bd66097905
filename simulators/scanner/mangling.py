"""How codes get damaged between a scanner and the host (FISCAL.md 4.2).

* ``russian_layout``: the scanner presses the keys for the US characters while the host has the
  Russian layout active, so every key yields its Russian character ('a' -> 'ф', '/' -> '.').
  Sent as UTF-8, as a USB-COM scanner in keyboard-emulation output would.
* ``drop_gs``: the GS separators vanish (keyboard wedges have no key for 0x1D).
"""

GS = "\x1d"

# One row per key whose characters differ between the layouts:
# (US unshifted, US shifted, Russian unshifted, Russian shifted)
KEYS = [
    ("`", "~", "ё", "Ё"), ("2", "@", "2", '"'), ("3", "#", "3", "№"), ("4", "$", "4", ";"),
    ("6", "^", "6", ":"), ("7", "&", "7", "?"),
    ("q", "Q", "й", "Й"), ("w", "W", "ц", "Ц"), ("e", "E", "у", "У"), ("r", "R", "к", "К"),
    ("t", "T", "е", "Е"), ("y", "Y", "н", "Н"), ("u", "U", "г", "Г"), ("i", "I", "ш", "Ш"),
    ("o", "O", "щ", "Щ"), ("p", "P", "з", "З"), ("[", "{", "х", "Х"), ("]", "}", "ъ", "Ъ"),
    ("\\", "|", "\\", "/"),
    ("a", "A", "ф", "Ф"), ("s", "S", "ы", "Ы"), ("d", "D", "в", "В"), ("f", "F", "а", "А"),
    ("g", "G", "п", "П"), ("h", "H", "р", "Р"), ("j", "J", "о", "О"), ("k", "K", "л", "Л"),
    ("l", "L", "д", "Д"), (";", ":", "ж", "Ж"), ("'", '"', "э", "Э"),
    ("z", "Z", "я", "Я"), ("x", "X", "ч", "Ч"), ("c", "C", "с", "С"), ("v", "V", "м", "М"),
    ("b", "B", "и", "И"), ("n", "N", "т", "Т"), ("m", "M", "ь", "Ь"), (",", "<", "б", "Б"),
    (".", ">", "ю", "Ю"), ("/", "?", ".", ","),
]  # fmt: skip
US_TO_RUSSIAN = {us: ru for row in KEYS for us, ru in ((row[0], row[2]), (row[1], row[3]))}


def russian_layout(text: str) -> str:
    return "".join(US_TO_RUSSIAN.get(ch, ch) for ch in text)


def drop_gs(text: str) -> str:
    return text.replace(GS, "")
