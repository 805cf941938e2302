"""Phones encrypt, decrypt, hash and refuse the wrong key."""

from __future__ import annotations

import pytest

from survey.fieldwork.crypto import FieldworkKeyError, PhoneCipher, new_key

PHONE = "+8613800138000"


def test_a_phone_round_trips_and_never_appears_in_its_token() -> None:
    cipher = PhoneCipher(new_key())
    token = cipher.encrypt(PHONE)
    assert "13800138000" not in token
    assert cipher.decrypt(token) == PHONE
    assert cipher.encrypt(PHONE) != token  # random IV: equal phones do not give equal tokens


def test_the_lookup_hash_is_stable_per_key_and_differs_between_keys() -> None:
    one, two = PhoneCipher(new_key()), PhoneCipher(new_key())
    assert one.lookup(PHONE) == one.lookup(PHONE)
    assert one.lookup(PHONE) != two.lookup(PHONE)
    assert one.lookup(PHONE) != one.lookup("+8613800138001")


def test_another_key_or_an_altered_token_is_refused() -> None:
    cipher = PhoneCipher(new_key())
    token = cipher.encrypt(PHONE)
    with pytest.raises(FieldworkKeyError, match="密钥不同"):
        PhoneCipher(new_key()).decrypt(token)
    with pytest.raises(FieldworkKeyError):
        cipher.decrypt(token[:-4] + "AAAA")


@pytest.mark.parametrize("key", ["not base64 !", "c2hvcnQ=", ""])
def test_a_malformed_key_is_named_in_the_error(key: str) -> None:
    with pytest.raises(FieldworkKeyError, match="YITI_FIELDWORK_KEY"):
        PhoneCipher(key)
