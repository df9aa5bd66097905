"""PIN and token secrets. A PIN is short, so it is stored as a salted scrypt hash, slow on
purpose (BENCH pin_hash_ms: tens to a few hundred ms) and compared in constant time; an API
token is long and random, so SHA-256 is enough and a look-up by hash is fast.

Hashing runs in the caller's thread (a web worker, the CLI), never in the database writer."""

import base64
import hashlib
import hmac
import secrets

# n = 2**14, r = 12: 24 MiB, ~60 ms on a desktop core, ~250 on a Pi 4 (BENCH pin_hash_ms).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 12, 1
TOKEN_PREFIX = "sgw_"


def hash_pin(pin: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(pin, salt, n, SCRYPT_R, SCRYPT_P)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(pin, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return "sha256$" + hashlib.sha256(token.encode()).hexdigest()


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())
