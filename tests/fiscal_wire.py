"""The host end of the fiscal register simulator's wire, for its tests; a pytest plugin.

The tiny Shtrih-M codec below is written from FISCAL.md's worked examples; it is the "other end"
of the wire for the simulator's tests only (the gateway's driver is tested separately). Fixtures:
`sim` (a started `FiscalRegisterSimulator`), `kkt` (a `Client` on its pty, driven with pyserial)
and `shift` (the same client with a shift open).
"""

import time

import pytest
import serial

STX, ENQ, ACK, NAK = 0x02, 0x05, 0x06, 0x15
SYSADMIN, ADMIN, CASHIER = 30, 29, 1
SILENCE = 0.3  # how long the test waits to be sure nothing comes


# --- the test's own codec (FISCAL.md 1.2) ---------------------------------------------------
def lrc(data: bytes) -> int:
    check = 0
    for byte in data:
        check ^= byte
    return check


def frame(payload: bytes) -> bytes:
    body = bytes([len(payload)]) + payload
    return bytes([STX]) + body + bytes([lrc(body)])


def cmd(code: int, *parts: bytes, password: int = SYSADMIN) -> bytes:
    head = code.to_bytes(2, "big") if code > 0xFF else bytes([code])
    return head + password.to_bytes(4, "little") + b"".join(parts)


def u(value: int, size: int) -> bytes:
    return value.to_bytes(size, "little")


def item(
    name: str,
    price: int,
    qty: int = 1,
    *,
    vat: int = 0xCB,
    subject: int = 1,
    method: int = 4,
    op: int = 1,
) -> bytes:
    """FF46: `op` 1 приход / 2 возврат прихода, `method` tag 1214 (4 full payment, 1 prepaid)."""
    return cmd(
        0xFF46,
        bytes([op]),
        u(qty * 1_000_000, 6),
        u(price, 5),
        b"\xff" * 5,  # amount: the register computes price x quantity
        b"\xff" * 5,  # tax amount: not given
        bytes([vat, 1, method, subject]),  # VAT (22 %), department 1, 1214, 1212
        name.encode("cp1251"),
    )


def close(cash: int = 0, card: int = 0, prepaid: int = 0) -> bytes:
    """FF45: sum 1 cash, sum 2 card, sum 14 the prepayment offset (1215)."""
    sums = [cash, card] + [0] * 11 + [prepaid, 0, 0]
    return cmd(0xFF45, *(u(s, 5) for s in sums), bytes([0]), bytes(30), bytes([0x01]))


def tlv(tag: int, value: bytes) -> bytes:
    return u(tag, 2) + u(len(value), 2) + value


def read_document(client: "Client", fd: int) -> tuple[int, bytes]:
    """FF3Ah then FF3Bh until 08h: (document type, its TLV bytes)."""
    head = client.ok(cmd(0xFF3A, u(fd, 4)))
    doc_type, length = int.from_bytes(head[:2], "little"), int.from_bytes(head[2:4], "little")
    data = b""
    while True:
        answer = client.ask(cmd(0xFF3B))
        if answer[2] != 0:
            assert answer[2] == 0x08, f"error {answer[2]:02X}h to FF3B"
            break
        data += answer[3:]
    assert len(data) == length
    return doc_type, data


def parse_close(data: bytes) -> dict:
    return {
        "change": int.from_bytes(data[0:5], "little"),
        "fd": int.from_bytes(data[5:9], "little"),
        "fp": int.from_bytes(data[9:13], "little"),
    }


OPEN_RECEIPT = cmd(0x8D, bytes([0]))  # a sale receipt
MILK, BREAD = item("Молоко 3.2%", 8990), item("Хлеб", 4550, 2)


# --- the test's client: the host side of the link discipline -----------------------------
class Client:
    def __init__(self, port: str):
        self.port = serial.Serial(port, 115200, timeout=1.0)
        self.port.reset_input_buffer()

    def close(self) -> None:
        self.port.close()

    def byte(self, timeout: float = 1.0) -> int | None:
        self.port.timeout = timeout
        data = self.port.read(1)
        return data[0] if data else None

    def answer(self, timeout: float = 2.0) -> tuple[bytes, bool]:
        """Skip garbage up to STX; return (payload, LRC ok)."""
        deadline = time.monotonic() + timeout
        while True:
            b = self.byte(max(0.01, deadline - time.monotonic()))
            assert b is not None, "no answer frame"
            if b == STX:
                break
        length = self.byte()
        rest = self.port.read(length + 1)
        return rest[:-1], lrc(bytes([length]) + rest[:-1]) == rest[-1]

    def enq(self) -> int | None:
        self.port.write(bytes([ENQ]))
        return self.byte()

    def send(self, payload: bytes, *, silent: bool = False) -> int | None:
        """ENQ → NAK (idle), then the frame; returns the device's control byte (`silent`: none
        is expected, so wait only SILENCE for it)."""
        assert self.enq() == NAK
        self.port.write(frame(payload))
        return self.byte(SILENCE if silent else 1.0)

    def ask(self, payload: bytes) -> bytes:
        assert self.send(payload) == ACK
        answer, ok = self.answer()
        assert ok
        self.port.write(bytes([ACK]))
        return answer

    def ok(self, payload: bytes) -> bytes:
        """Answer data after the error byte; the error byte must be 0."""
        answer = self.ask(payload)
        head = 2 if answer[0] == 0xFF else 1
        assert answer[head] == 0, f"error {answer[head]:02X}h to {payload[:head].hex()}"
        return answer[head + 1 :]

    def error(self, payload: bytes) -> int:
        answer = self.ask(payload)
        return answer[2 if answer[0] == 0xFF else 1]

    def status(self) -> dict:
        data = self.ok(cmd(0x10))
        flags = int.from_bytes(data[1:3], "little")
        return {"mode": data[3], "sub_mode": data[4], "ops": data[5], "paper": bool(flags & 0x80)}

    def last_fd(self) -> int:
        return int.from_bytes(self.ok(cmd(0xFF01))[-4:], "little")

    def open_receipt(self, *items: bytes) -> None:
        self.ok(OPEN_RECEIPT)
        for line in items:
            self.ok(line)

    def sell(self, *items: bytes, cash: int = 0, card: int = 0, email: str = "") -> bytes:
        self.open_receipt(*items)
        if email:
            self.ok(cmd(0xFF0C, tlv(1008, email.encode("cp866"))))
        return self.ok(close(cash, card))


# --- fixtures ----------------------------------------------------------------------------
@pytest.fixture
def kkt(sim):
    client = Client(sim.slave_path)
    yield client
    client.close()


@pytest.fixture
def shift(kkt):
    kkt.ok(cmd(0xE0))
    return kkt
