"""Phones at rest: encrypted with Fernet, looked up by a keyed hash, never stored in clear.

PIPL treats a phone as personal information, and a copy of the database (a backup, a laptop
export) must not give the numbers away. Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) authenticates as well as encrypts, so a token altered in the database
is refused instead of decrypting to a wrong number. Duplicates are found without decrypting
through an HMAC of the normalised phone, keyed by a second key derived from the same secret
with HKDF, so the lookup hash cannot be reversed by hashing every possible number.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Sequence
from typing import Final

import numpy as np
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV: Final = "YITI_FIELDWORK_KEY"
_LOOKUP_INFO: Final = b"yiti fieldwork phone lookup v1"
_BLOCK: Final = 16  # AES block, bytes
_VERSION: Final = b"\x80"  # Fernet's version byte


class FieldworkKeyError(Exception):
    """The fieldwork key is missing or malformed, or a stored phone does not decrypt with it."""


def new_key() -> str:
    """A fresh random key, in the form `YITI_FIELDWORK_KEY` takes (url-safe base64, 32 bytes)."""
    return Fernet.generate_key().decode("ascii")


class PhoneCipher:
    """Encrypts, decrypts and hashes phones with one secret key."""

    def __init__(self, key: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise FieldworkKeyError(f"{ENV}: 不是有效的 base64 密钥（用 yiti 生成新密钥）") from exc
        if len(raw) != 32:
            raise FieldworkKeyError(f"{ENV}: 密钥应为 32 字节的 url-safe base64（44 个字符）")
        self._fernet = Fernet(key.encode("ascii"))
        self._signing_key, self._encryption_key = raw[:_BLOCK], raw[_BLOCK:]
        derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LOOKUP_INFO)
        self._lookup_key = derive.derive(raw)

    def encrypt(self, phone: str) -> str:
        """The token stored for a normalised phone (random IV: equal phones differ)."""
        return self._fernet.encrypt(phone.encode("ascii")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The phone behind a stored token; refuses a token altered or made with another key."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise FieldworkKeyError(
                f"号码无法解密：{ENV} 与导入时所用的密钥不同，或数据被改动"
            ) from exc

    def lookup(self, phone: str) -> str:
        """A keyed hash of a normalised phone: equal phones give equal hashes, nothing more."""
        return hmac.new(self._lookup_key, phone.encode("ascii"), hashlib.sha256).hexdigest()

    def lookup_many(self, phones: Sequence[str]) -> list[str]:
        """`lookup` of each phone (the one-shot C path: a frame has a million of them)."""
        key = self._lookup_key
        return [hmac.digest(key, p.encode("ascii"), "sha256").hex() for p in phones]

    def encrypt_many(self, phones: Sequence[str]) -> list[str]:
        """Fernet tokens for many phones, as `encrypt` makes them, about four times faster.

        `Fernet.encrypt` builds a cipher, a padder and an HMAC object per call (about 20 µs);
        a frame has a million phones. An E.164 phone (at most 15 bytes) pads to one AES block,
        and CBC of one block is AES of (IV xor block), so every block is encrypted in one call
        of the library's AES, each with its own random IV, then framed and signed per token
        exactly as the Fernet spec says. `decrypt` (the library's Fernet) reads them, and the
        tests check that it does. Longer texts go through `encrypt`.
        """
        plain = [p.encode("ascii") for p in phones]
        if not plain or any(len(p) >= _BLOCK for p in plain):
            return [self.encrypt(p) for p in phones]
        padded = b"".join(p + bytes([_BLOCK - len(p)]) * (_BLOCK - len(p)) for p in plain)
        ivs = os.urandom(_BLOCK * len(plain))
        mixed = np.frombuffer(padded, np.uint8) ^ np.frombuffer(ivs, np.uint8)
        # ECB over independent blocks = one-block CBC per token with its own IV (above).
        aes = Cipher(algorithms.AES(self._encryption_key), modes.ECB()).encryptor()  # nosec B305
        blocks = aes.update(mixed.tobytes()) + aes.finalize()
        head = _VERSION + struct.pack(">Q", int(time.time()))
        tokens = []
        for at in range(0, len(blocks), _BLOCK):
            body = head + ivs[at : at + _BLOCK] + blocks[at : at + _BLOCK]
            signed = body + hmac.digest(self._signing_key, body, "sha256")
            tokens.append(base64.urlsafe_b64encode(signed).decode("ascii"))
        return tokens
