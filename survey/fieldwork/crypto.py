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
from typing import Final

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV: Final = "YITI_FIELDWORK_KEY"
_LOOKUP_INFO: Final = b"yiti fieldwork phone lookup v1"


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
