"""The application identifiers GS1 defines, each with the format of its data: digits only (N) or
GS1 set 82 (X), and the fewest..most characters. Taken from the GS1 Barcode Syntax Dictionary
(gs1/gs1-syntax-dictionary, the machine-readable form of the General Specifications' AI
tables). An AI that is not here is refused, never guessed at: "07" or "233" in a scan means the
code was misread or is not GS1 at all."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AiFormat:
    numeric: bool
    min_length: int
    max_length: int


# (kind, fewest, most characters): the AIs of that format ("3100-3105" is a range).
_AIS_BY_FORMAT = {
    ("N", 1, 1): "4321 4322 4323 7252",
    ("N", 1, 4): "7004",
    ("N", 1, 6): "242",
    ("N", 1, 8): "30 37",
    ("N", 1, 10): "8019",
    ("N", 1, 12): "8011",
    ("N", 1, 15): "3900-3909 3920-3929",
    ("N", 2, 2): "20 7241",
    ("N", 3, 3): "422 424 426",
    ("N", 3, 15): "423 425",
    ("N", 4, 4): "3940-3943 8111",
    ("N", 4, 18): "3910-3919 3930-3939",
    ("N", 6, 6): (
        "11 12 13 15 16 17 3100-3105 3110-3115 3120-3125 3130-3135 3140-3145 "
        "3150-3155 3160-3165 3200-3205 3210-3215 3220-3225 3230-3235 3240-3245 "
        "3250-3255 3260-3265 3270-3275 3280-3285 3290-3295 3300-3305 3310-3315 "
        "3320-3325 3330-3335 3340-3345 3350-3355 3360-3365 3370-3375 3400-3405 "
        "3410-3415 3420-3425 3430-3435 3440-3445 3450-3455 3460-3465 3470-3475 "
        "3480-3485 3490-3495 3500-3505 3510-3515 3520-3525 3530-3535 3540-3545 "
        "3550-3555 3560-3565 3570-3575 3600-3605 3610-3615 3620-3625 3630-3635 "
        "3640-3645 3650-3655 3660-3665 3670-3675 3680-3685 3690-3695 3950-3955 4326 "
        "7006 8005 "
    ),
    ("N", 6, 10): "7011",
    ("N", 6, 12): "7007",
    ("N", 8, 8): "7250",
    ("N", 8, 12): "8008",
    ("N", 10, 10): "4324 4325 7003",
    ("N", 12, 12): "7251",
    ("N", 13, 13): "410 411 412 413 414 415 416 417 7001",
    ("N", 13, 25): "255",
    ("N", 14, 14): "01 02 03 8001",
    ("N", 15, 15): "8040 8041",
    ("N", 17, 17): "402",
    ("N", 18, 18): "00 8006 8017 8018 8026",
    ("N", 18, 20): "8043",
    ("N", 20, 20): "4309",
    ("N", 32, 32): "8042",
    ("X", 1, 2): "7010",
    ("X", 1, 3): "427 7008",
    ("X", 1, 4): "7041",
    ("X", 1, 10): "7009 7255",
    ("X", 1, 12): "7005",
    ("X", 1, 20): (
        "10 21 22 243 254 420 4318 7020 7021 7022 710 711 712 713 714 715 716 717 7240 8002 8012 "
    ),
    ("X", 1, 25): "7242 8013 8014 8020",
    ("X", 1, 28): "235",
    ("X", 1, 30): "240 241 250 251 400 401 403 4308 4319 7002 7023 8004 8010 90",
    ("X", 1, 34): "8007",
    ("X", 1, 35): "4300 4301 4310 4311 4320",
    ("X", 1, 40): "7253 7254 7259",
    ("X", 1, 50): "8009",
    ("X", 1, 70): "4302 4303 4304 4305 4306 4312 4313 4314 4315 4316 7257 8110 8112 8200",
    ("X", 1, 90): "7256 8030 91-99",
    ("X", 2, 2): "4307 4317",
    ("X", 3, 3): "7258",
    ("X", 3, 30): "7230 7231 7232 7233 7234 7235 7236 7237 7238 7239",
    ("X", 4, 4): "7040",
    ("X", 4, 12): "421",
    ("X", 4, 30): "7030 7031 7032 7033 7034 7035 7036 7037 7038 7039",
    ("X", 6, 7): "4330 4331 4332 4333",
    ("X", 13, 30): "253",
    ("X", 14, 30): "8003",
}


def _expand(ais: str) -> list[str]:
    names: list[str] = []
    for item in ais.split():
        first, _, last = item.partition("-")
        names += [str(n).zfill(len(first)) for n in range(int(first), int(last or first) + 1)]
    return names


AI_FORMATS: dict[str, AiFormat] = {
    ai: AiFormat(kind == "N", fewest, most)
    for (kind, fewest, most), ais in _AIS_BY_FORMAT.items()
    for ai in _expand(ais)
}


def ai_at(data: str, pos: int) -> str | None:
    """The AI that starts at ``pos`` (2, 3 or 4 digits; no defined AI is a prefix of another)."""
    for digits in (2, 3, 4):
        ai = data[pos : pos + digits]
        if len(ai) == digits and ai in AI_FORMATS:
            return ai
    return None
