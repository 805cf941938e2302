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


def test_many_phones_at_once_give_the_same_tokens_and_lookups_as_one_by_one() -> None:
    cipher = PhoneCipher(new_key())
    phones = ["+8613800138000", "+861065123456", "+8613800138000"]
    tokens = cipher.encrypt_many(phones)
    assert [cipher.decrypt(t) for t in tokens] == phones
    assert tokens[0] != tokens[2]  # each token has its own nonce
    assert all("13800138000" not in t for t in tokens)
    assert cipher.lookup_many(phones) == [cipher.lookup(p) for p in phones]
    with pytest.raises(FieldworkKeyError):
        PhoneCipher(new_key()).decrypt(tokens[0])


def test_a_token_cut_short_or_not_ours_is_refused_with_the_key_named() -> None:
    cipher = PhoneCipher(new_key())
    token = cipher.encrypt(PHONE)
    for bad in (token[:12], "v1.", "not a token", token.removeprefix("v1.")[::-1]):
        with pytest.raises(FieldworkKeyError, match="YITI_FIELDWORK_KEY"):
            cipher.decrypt(bad)
    assert cipher.encrypt_many([]) == []
