"""``Decoder``: the ESC/POS byte stream to ``Page`` calls, fed in chunks as they arrive.

A command split across two TCP segments waits for its remaining bytes. Real-time status requests
(DLE EOT, GS r) are answered at once through ``reply``, even while printing is stopped.
"""

from __future__ import annotations

from collections.abc import Callable

from . import symbols
from .codepages import CODE_PAGES, DEFAULT_CODE_PAGE, decode_byte
from .commands import ALIGN, DLE, ESC, ESC_PARAMS, FS, FS_PARAMS, GS, GS_PARAMS, HRI, HT, LF
from .document import Barcode, PrintedDocument, QrCode, Raster
from .page import Page

NEED_MORE = 0  # a handler's answer when the command is not complete yet
MAX_NUL_TERMINATED = 256  # GS k function A data longer than this is garbage, not a barcode


class Decoder:
    def __init__(
        self,
        page: Page,
        reply: Callable[[bytes], None],
        status: Callable[[str, int], bytes | None],
        can_print: Callable[[], bool],
    ):
        """``status(kind, n)`` answers ``("dle_eot", n)`` and ``("gs_r", n)`` requests."""
        self.page = page
        self._reply = reply
        self._status = status
        self._can_print = can_print
        self._buffer = bytearray()
        self._printing = True
        self.dropped_bytes = 0  # text thrown away while the printer could not print
        self._reset()

    def _reset(self) -> None:
        self.code_page = DEFAULT_CODE_PAGE
        self.barcode_height = 162
        self.barcode_width = 3
        self.hri = "none"
        self.qr_module = 3
        self.qr_data = ""

    def feed(self, data: bytes) -> list[PrintedDocument]:
        """Decode ``data``; return the documents it finished (each cut ends one)."""
        self._buffer += data
        self._printing = self._can_print()
        finished: list[PrintedDocument] = []
        pos = 0
        while pos < len(self._buffer):
            used = self._command(self._buffer, pos, finished)
            if used == NEED_MORE:
                break
            pos += used
        del self._buffer[:pos]
        return finished

    def finish(self) -> PrintedDocument | None:
        """The connection closed: an unfinished command is dropped, printed text kept."""
        if self._buffer:
            self.page.note_unknown(f"incomplete command at the end: {bytes(self._buffer[:8])!r}")
            self._buffer.clear()
        return self.page.finish()

    # dispatch ---------------------------------------------------------------------------------
    def _command(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        first = buf[pos]
        if first == ESC:
            return self._esc(buf, pos, finished)
        if first == GS:
            return self._gs(buf, pos, finished)
        if first == DLE:
            return self._dle(buf, pos)
        if first == FS:
            return self._fixed(buf, pos, FS_PARAMS, "FS")
        if self._printing:
            if first == LF:
                self.page.line_feed()
            elif first == HT:
                self.page.text("\t")
            elif first >= 0x20:
                self.page.text(decode_byte(first, self.code_page))
        elif first >= 0x20 or first == LF:
            self.dropped_bytes += 1
        return 1  # other control bytes (CR, NUL, FF, CAN) do nothing in standard mode

    def _fixed(self, buf: bytearray, pos: int, table: dict[int, int], name: str) -> int:
        if pos + 1 >= len(buf):
            return NEED_MORE
        count = table.get(buf[pos + 1])
        if count is None:
            self.page.note_unknown(f"{name} {buf[pos + 1]:#04x}")
            return 2
        return 2 + count if pos + 1 + count < len(buf) else NEED_MORE

    def _esc(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        if pos + 1 >= len(buf):
            return NEED_MORE
        command = chr(buf[pos + 1])
        if command == "*":
            return self._column_image(buf, pos)
        used = self._fixed(buf, pos, ESC_PARAMS, "ESC")
        if used == NEED_MORE or (used == 2 and buf[pos + 1] not in ESC_PARAMS):
            return used
        n = buf[pos + 2] if used > 2 else 0
        page = self.page
        if command == "@":
            page.reset_modes()
            self._reset()
        elif command == "t":
            self.code_page = n
            page.note_code_page(n)
            if n not in CODE_PAGES:
                page.note_unknown(f"ESC t {n} (code page not simulated: CP437 used)")
        elif command == "!":
            page.set_style(
                font_b=bool(n & 0x01),
                bold=bool(n & 0x08),
                height=2 if n & 0x10 else 1,
                width=2 if n & 0x20 else 1,
                underline=bool(n & 0x80),
            )
        elif command == "E":
            page.set_style(bold=bool(n & 1))
        elif command == "-":
            page.set_style(underline=n in (1, 2, 49, 50))
        elif command == "M":
            page.set_style(font_b=n in (1, 49))
        elif command == "a":
            page.set_align(ALIGN.get(n, "left"))
        elif not self._printing:
            pass
        elif command == "d":
            page.feed_lines(n)
        elif command == "J":
            page.feed_dots(n)
        elif command in "im":  # the old cut commands
            finished.append(page.cut())
        return used

    def _gs(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        if pos + 1 >= len(buf):
            return NEED_MORE
        command = chr(buf[pos + 1])
        special = {"V": self._cut, "k": self._barcode, "v": self._raster, "(": self._gs_paren}
        if command in special:
            return special[command](buf, pos, finished)
        if command == "8":
            return self._gs8(buf, pos)
        used = self._fixed(buf, pos, GS_PARAMS, "GS")
        if used <= 2:
            return used
        n = buf[pos + 2]
        if command == "!":
            self.page.set_style(width=(n >> 4 & 7) + 1, height=(n & 7) + 1)
        elif command == "h":
            self.barcode_height = n
        elif command == "w":
            self.barcode_width = n
        elif command == "H":
            self.hri = HRI.get(n, "none")
        elif command == "r":
            self._answer("gs_r", n)
        return used

    def _dle(self, buf: bytearray, pos: int) -> int:
        if pos + 2 >= len(buf):
            return NEED_MORE
        command, n = buf[pos + 1], buf[pos + 2]
        if command == 0x04:  # EOT: real-time status
            self._answer("dle_eot", n)
            return 3
        if command == 0x14:  # DC4: pulse, power off, clear buffer; fn 8 has 7 parameters
            size = 10 if n == 8 else 5
            return size if pos + size <= len(buf) else NEED_MORE
        if command != 0x05:  # ENQ n is a real-time request without an answer
            self.page.note_unknown(f"DLE {command:#04x}")
        return 3

    def _answer(self, kind: str, n: int) -> None:
        answer = self._status(kind, n)
        if answer:
            self._reply(answer)

    # commands with data -----------------------------------------------------------------------
    def _cut(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        if pos + 2 >= len(buf):
            return NEED_MORE
        size = 4 if buf[pos + 2] in (65, 66, 97, 98, 103, 104) else 3
        if pos + size > len(buf):
            return NEED_MORE
        if self._printing:
            finished.append(self.page.cut())
        return size

    def _barcode(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        if pos + 3 >= len(buf):
            return NEED_MORE
        m = buf[pos + 2]
        if m in symbols.FUNCTION_A:
            end = buf.find(0, pos + 3)
            if end < 0:
                if len(buf) - pos > MAX_NUL_TERMINATED:
                    self.page.note_unknown(f"GS k {m} without a NUL")
                    return 3
                return NEED_MORE
            data, used = bytes(buf[pos + 3 : end]), end + 1 - pos
            kind = symbols.FUNCTION_A[m]
        elif m in symbols.FUNCTION_B:
            size = buf[pos + 3]
            if pos + 4 + size > len(buf):
                return NEED_MORE
            data, used = bytes(buf[pos + 4 : pos + 4 + size]), 4 + size
            kind = symbols.FUNCTION_B[m]
        else:
            self.page.note_unknown(f"GS k {m}")
            return 3
        if self._printing:
            text = symbols.decode_data(kind, data)
            self.page.add_block(
                Barcode(
                    kind=kind,
                    data=text,
                    height=self.barcode_height,
                    module_width=self.barcode_width,
                    hri=self.hri,
                    align=self.page.align,
                    check_digit_ok=symbols.gtin_check_digit_ok(kind, text),
                )
            )
        return used

    def _raster(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        """GS v 0 m xL xH yL yH d1...dk: a raster bit image of x bytes by y dots."""
        if pos + 8 > len(buf):
            return NEED_MORE
        width_bytes = buf[pos + 4] + buf[pos + 5] * 256
        height = buf[pos + 6] + buf[pos + 7] * 256
        size = width_bytes * height
        if pos + 8 + size > len(buf):
            return NEED_MORE
        if self._printing:
            bits = bytes(buf[pos + 8 : pos + 8 + size])
            self.page.add_block(Raster(width_bytes, height, bits, self.page.align))
        return 8 + size

    def _column_image(self, buf: bytearray, pos: int) -> int:
        """ESC * m nL nH d...: one stripe of an 8- or 24-dot column image."""
        if pos + 5 > len(buf):
            return NEED_MORE
        m, columns = buf[pos + 2], buf[pos + 3] + buf[pos + 4] * 256
        rows = 24 if m in (32, 33) else 8
        size = columns * rows // 8
        if pos + 5 + size > len(buf):
            return NEED_MORE
        if self._printing:
            data = buf[pos + 5 : pos + 5 + size]
            self.page.add_stripe(Raster.from_columns(data, columns, rows, self.page.align))
        return 5 + size

    def _gs_paren(self, buf: bytearray, pos: int, finished: list[PrintedDocument]) -> int:
        """GS ( x pL pH ...: QR codes (GS ( k, cn 49) are kept; other functions are skipped."""
        if pos + 5 > len(buf):
            return NEED_MORE
        size = buf[pos + 3] + buf[pos + 4] * 256
        if pos + 5 + size > len(buf):
            return NEED_MORE
        body = bytes(buf[pos + 5 : pos + 5 + size])
        if chr(buf[pos + 2]) == "k" and len(body) >= 2 and body[0] == 49:
            self._qr(body[1], body[2:])
        elif chr(buf[pos + 2]) in "LD":
            self.page.note_unknown(f"GS ( {chr(buf[pos + 2])} graphics (not rendered)")
        return 5 + size

    def _gs8(self, buf: bytearray, pos: int) -> int:
        """GS 8 L p1 p2 p3 p4 ...: large graphics data, skipped."""
        if pos + 7 > len(buf):
            return NEED_MORE
        size = int.from_bytes(buf[pos + 3 : pos + 7], "little")
        if pos + 7 + size > len(buf):
            return NEED_MORE
        self.page.note_unknown("GS 8 L graphics (not rendered)")
        return 7 + size

    def _qr(self, function: int, params: bytes) -> None:
        if function == 67 and params:  # module size
            self.qr_module = params[0]
        elif function == 80 and params:  # store data (first byte m = 48)
            self.qr_data = params[1:].decode("utf-8", errors="replace")
        elif function == 81 and self._printing:  # print the stored symbol
            self.page.add_block(QrCode(self.qr_data, self.qr_module, self.page.align))
