"""`yiti survey fieldwork …` and its sibling commands, through click's runner."""

from __future__ import annotations

from click.testing import CliRunner

from survey.cli import survey
from survey.fieldwork.crypto import PhoneCipher


def test_new_key_prints_a_key_the_cipher_accepts() -> None:
    result = CliRunner().invoke(survey, ["fieldwork", "new-key"])
    assert result.exit_code == 0, result.output
    name, _, key = result.output.strip().partition("=")
    assert name == "YITI_FIELDWORK_KEY"
    assert PhoneCipher(key).decrypt(PhoneCipher(key).encrypt("+8613800138000"))
