"""Dates in GS1 element strings (YYMMDD). A date that no calendar has (month 00 or 13, 31 April)
means the code was misread; it is refused like a wrong check digit.

GS1 lets a best-before, expiry or production date (AIs 11-17, and 4324/4325) carry day 00:
"the last day of the month" when only year and month are known. The other dates (first
freezing, harvest, expiry time ...) name a real day."""

# AI -> whether day 00 is allowed; the date is the first six digits of the field.
DATE_AIS = {
    **dict.fromkeys(("11", "12", "13", "15", "16", "17", "4324", "4325"), True),
    **dict.fromkeys(("4326", "7003", "7006", "7007", "7011", "8008"), False),
}
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_gs1_date(yymmdd: str, *, day_zero: bool) -> bool:
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return False
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        return False
    if day == 0:
        return day_zero
    # GS1 reads YY within 49 years back / 50 ahead of today, where every YY % 4 == 0 is a
    # leap year (2000 was one; 2100 is out of the window for decades).
    last = 28 if month == 2 and year % 4 else DAYS_IN_MONTH[month - 1]
    return day <= last


def bad_date(ai: str, value: str) -> bool:
    """True if ``ai`` holds a date and ``value`` does not start with a real one."""
    day_zero = DATE_AIS.get(ai)
    return day_zero is not None and not is_gs1_date(value[:6], day_zero=day_zero)
