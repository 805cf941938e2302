"""Phones at rest: encrypted with AES-256-GCM, looked up by a keyed hash, never stored in clear.

PIPL treats a phone as personal information, and a copy of the database (a backup, a laptop
export) must not give the numbers away. AES-GCM (the `cryptography` package's AEAD) authenticates
as well as encrypts, so a token altered in the database is refused instead of decrypting to a
wrong number; each token has its own random 96-bit nonce. It is also about eight times cheaper
per phone than Fernet (2 µs against 18 µs here), which matters for a million-contact frame.
Duplicates are found without decrypting through an HMAC of the normalised phone. Both keys are
derived with HKDF from the one secret in `YITI_FIELDWORK_KEY`, so the lookup hash cannot be
reversed by hashing every possible number without that secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV: Final = "YITI_FIELDWORK_KEY"
_LOOKUP_INFO: Final = b"yiti fieldwork phone lookup v1"
_CIPHER_INFO: Final = b"yiti fieldwork phone encryption v1"
_AAD: Final = b"yiti phone v1"  # binds a token to its purpose: no other ciphertext passes
_PREFIX: Final = "v1."
_NONCE: Final = 12  # bytes, GCM's standard nonce


class FieldworkKeyError(Exception):
    """The fieldwork key is missing or malformed, or a stored phone does not decrypt with it."""


def new_key() -> str:
    """A fresh random key, in the form `YITI_FIELDWORK_KEY` takes (url-safe base64, 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def _derive(raw: bytes, info: bytes) -> bytes:
    """A 32-byte key for one purpose, from the configured secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)


class PhoneCipher:
    """Encrypts, decrypts and hashes phones with one secret key."""

    def __init__(self, key: str) -> None:
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise FieldworkKeyError(f"{ENV}: 不是有效的 base64 密钥（用 yiti 生成新密钥）") from exc
        if len(raw) != 32:
            raise FieldworkKeyError(f"{ENV}: 密钥应为 32 字节的 url-safe base64（44 个字符）")
        self._aead = AESGCM(_derive(raw, _CIPHER_INFO))
        self._lookup_key = _derive(raw, _LOOKUP_INFO)

    def encrypt(self, phone: str) -> str:
        """The token stored for a normalised phone (random nonce: equal phones differ)."""
        return self.encrypt_many([phone])[0]

    def encrypt_many(self, phones: Sequence[str]) -> list[str]:
        """`encrypt` of each phone; the nonces come from one call to the system's random source."""
        nonces = os.urandom(_NONCE * len(phones))
        seal, encode = self._aead.encrypt, base64.urlsafe_b64encode
        tokens = []
        for at, phone in zip(range(0, len(nonces), _NONCE), phones, strict=True):
            nonce = nonces[at : at + _NONCE]
            sealed = nonce + seal(nonce, phone.encode("ascii"), _AAD)
            tokens.append(_PREFIX + encode(sealed).decode("ascii"))
        return tokens

    def decrypt(self, token: str) -> str:
        """The phone behind a stored token; refuses a token altered or made with another key."""
        try:
            sealed = base64.urlsafe_b64decode(token.removeprefix(_PREFIX).encode("ascii"))
            plain = self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], _AAD)
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise FieldworkKeyError(
                f"号码无法解密：{ENV} 与导入时所用的密钥不同，或数据被改动"
            ) from exc
        return plain.decode("ascii")

    def lookup(self, phone: str) -> str:
        """A keyed hash of a normalised phone: equal phones give equal hashes, nothing more."""
        return hmac.new(self._lookup_key, phone.encode("ascii"), hashlib.sha256).hexdigest()

    def lookup_many(self, phones: Sequence[str]) -> list[str]:
        """`lookup` of each phone, from one keyed HMAC state copied per phone (twice as fast as
        a fresh HMAC each: a frame has a million of them)."""
        keyed = hmac.new(self._lookup_key, digestmod=hashlib.sha256)
        return [_mac(keyed, p.encode("ascii")).hex() for p in phones]


def _mac(keyed: hmac.HMAC, message: bytes) -> bytes:
    """HMAC of `message` from a keyed state that is copied, never changed."""
    mac = keyed.copy()
    mac.update(message)
    return mac.digest()
