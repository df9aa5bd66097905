"""Settings tables: 1Eh write, 1Fh read (FISCAL.md 1.7 "1Eh/1Fh").

`1E | pwd4 (sysadmin) | table(1) | row(2) | field(1) | value` -> `1E | err`;
`1F | pwd4 | table(1) | row(2) | field(1)` -> `1F | err | value`.
Only the fields the gateway uses are modelled: table 17 row 1 field 7 «не печатать документ»
(0 print, 1 not this one document, 2 nothing) [GO commands.go CreateNotPrintOneCheck]. Another
table answers 5Dh «Таблица не определена»; another row or field of a known table, or a value out
of range, 33h «Некорректные параметры в команде».
"""

from dataclasses import dataclass

from . import errors
from .codec import Fields, le
from .errors import CommandError

SYSADMIN = (30,)


@dataclass(frozen=True)
class Field:
    size: int
    minimum: int
    maximum: int
    rows: int = 1


FIELDS: dict[tuple[int, int], Field] = {
    (17, 7): Field(size=1, minimum=0, maximum=2),
}
TABLES = frozenset(table for table, _ in FIELDS)


def locate(fields: Fields) -> tuple[str, Field]:
    table, row, number = fields.uint(1), fields.uint(2), fields.uint(1)
    if table not in TABLES:
        raise CommandError(errors.NO_SUCH_TABLE, f"table {table}")
    field = FIELDS.get((table, number))
    if field is None or not 1 <= row <= field.rows:
        raise CommandError(errors.BAD_PARAMETERS, f"table {table} row {row} field {number}")
    return f"{table}.{row}.{number}", field


def write_table(reg, fields: Fields) -> bytes:
    reg.check_password(fields, SYSADMIN)
    key, field = locate(fields)
    raw = fields.rest()
    if not 1 <= len(raw) <= field.size:
        raise CommandError(errors.BAD_PARAMETERS, "value size")
    value = int.from_bytes(raw, "little")
    if not field.minimum <= value <= field.maximum:
        raise CommandError(errors.BAD_PARAMETERS, "value out of range")
    reg.drive.memory["tables"][key] = value
    reg.drive.save()
    return b""


def read_table(reg, fields: Fields) -> bytes:
    reg.check_password(fields)
    key, field = locate(fields)
    return le(reg.drive.memory["tables"].get(key, 0), field.size)


HANDLERS = {0x1E: write_table, 0x1F: read_table}
