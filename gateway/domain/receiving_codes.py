"""What cannot be a barcode, so is never kept as an unknown code of a receiving or a count nor
remembered in the catalog (the «Приёмка» screen shows the refusal in its own words).

A code typed on a tablet is free text, and a scanner set to the Russian keyboard layout types
Cyrillic letters: both reached the catalog as «barcodes» before. Digits-only codes (check digits
are verified by the scanner parser) and Code 128 labels of 4+ letters and digits are kept: shops
print such internal labels. Only a code the catalog does not know is checked: one the catalog
holds (a short internal code, a code with a space) is counted whatever its form, and Cyrillic
never matches a catalog barcode, so a Russian-layout scan is still refused with its advice."""

import re

from .errors import InvalidInput

MIN_BARCODE_LEN = 4  # shorter is a typo or a quantity typed into the wrong field
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def refuse_not_a_barcode(code: str) -> None:
    """InvalidInput («ru / en», as the scanner parser words its refusals) if `code` cannot be a
    barcode: Cyrillic letters, a space inside, fewer than MIN_BARCODE_LEN characters. Called
    for a code the catalog does not know, before it is kept or learned."""
    if _CYRILLIC.search(code):
        raise InvalidInput(
            "В коде русские буквы — сканер печатает русские буквы: переключите раскладку"
            " сканера на английскую и отсканируйте снова / The code has Russian letters: the"
            " scanner types them, switch the scanner's keyboard layout to English and scan again",
            reason="cyrillic_code",
        )
    if " " in code:
        raise InvalidInput(
            "В коде пробел — это не штрихкод: отсканируйте код сканером или введите его без"
            " пробелов / The code has a space inside, so it is not a barcode: scan it, or type"
            " it without spaces",
            reason="space_in_code",
        )
    if len(code) < MIN_BARCODE_LEN:
        raise InvalidInput(
            f"«{code}» — не штрихкод: в штрихкоде не меньше {MIN_BARCODE_LEN} знаков"
            f" / «{code}» is not a barcode: a barcode has {MIN_BARCODE_LEN} characters or more",
            reason="code_too_short",
        )
