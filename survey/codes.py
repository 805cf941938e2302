"""Random codes people read aloud or type from an SMS: receipts, invitation codes, submission ids."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S: codes are read from phones and typed back, often by older residents.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
RECEIPT_LENGTH = 10  # 27^10 ≈ 2^47: unguessable, short enough to copy down
INVITATION_LENGTH = 12  # 27^12 ≈ 2^57: a code is a credential, so longer


def mint(length: int) -> str:
    """A random code, grouped in fours for reading, e.g. `K7QX-M9PA-3R`."""
    # One draw of a number below 27^length, written in the alphabet's digits: as uniform as a
    # choice per character, with one read of the system's randomness instead of one per
    # character (issue 17).
    number, raw = secrets.randbelow(len(ALPHABET) ** length), ""
    for _ in range(length):
        number, digit = divmod(number, len(ALPHABET))
        raw += ALPHABET[digit]
    return "-".join(raw[i : i + 4] for i in range(0, length, 4))


def normalise(code: str) -> str:
    """What the resident typed → the code's canonical form (case, spaces, dashes ignored)."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def code_hash(code: str) -> str:
    """sha256 of the normalised code: the database never holds a usable code."""
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def submission_id() -> str:
    """A fresh id for one served form (128 bits, hex)."""
    return secrets.token_hex(16)


def keyed_hash(secret: str, value: str, length: int = 16) -> str:
    """HMAC-SHA256 of `value` under `secret`, shortened: stable per value, not reversible."""
    digest = hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()
    return digest[:length]
