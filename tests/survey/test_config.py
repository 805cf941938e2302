"""Settings: defaults, then YITI_ environment variables, then the caller's mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from survey.config import ProductionConfigError, instance_secret, phone_cipher, settings
from survey.fieldwork.crypto import new_key
from survey.state import clock_from


def test_defaults_give_sqlite_under_instance_and_a_kept_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "YITI_DATABASE_URL",
        "YITI_SECRET_KEY",
        "YITI_FIELDWORK_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    first = settings(tmp_path)
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    assert first["SECRET_KEY"] == settings(tmp_path)["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_overrides_defaults_and_the_mapping_overrides_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YITI_MIN_FILL_SECONDS", "3")
    monkeypatch.setenv("YITI_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    monkeypatch.setenv("YITI_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("YITI_RATELIMIT_KEY_PREFIX", "yiti-staging")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@127.0.0.1/y")
    found = settings(tmp_path, {"YITI_MIN_FILL_SECONDS": 5})
    assert found["YITI_MIN_FILL_SECONDS"] == 5
    assert found["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert found["RATELIMIT_ENABLED"] is False
    assert found["RATELIMIT_KEY_PREFIX"] == "yiti-staging"
    assert found["DATABASE_URL"] == "postgresql+psycopg://x@127.0.0.1/y"


def test_the_instance_secret_is_made_once(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "secret_key"
    assert instance_secret(path) == instance_secret(path)
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_a_fixed_now_must_carry_its_time_zone() -> None:
    fixed = clock_from({"YITI_NOW": "2026-11-27T12:00:00+08:00"})
    assert fixed() == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="必须带时区"):
        clock_from({"YITI_NOW": "2026-11-27T12:00:00"})
    assert clock_from({})().tzinfo is UTC


FIELDWORK = {"YITI_FIELDWORK_KEY": new_key()}


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No database or key from the machine's environment: each test says what it sets."""
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "YITI_DATABASE_URL",
        "YITI_SECRET_KEY",
        "YITI_ENV",
        "YITI_FIELDWORK_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("bare_environment")
def test_production_refuses_to_start_without_a_database_url(tmp_path: Path) -> None:
    with pytest.raises(ProductionConfigError, match="DATABASE_URL"):
        settings(tmp_path, {"YITI_ENV": "production", "SECRET_KEY": "k" * 64, **FIELDWORK})


@pytest.mark.usefixtures("bare_environment")
def test_production_refuses_the_default_or_a_short_secret_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with pytest.raises(ProductionConfigError, match="SECRET_KEY"):
        settings(tmp_path, {"YITI_ENV": "production", "DATABASE_URL": url})
    with pytest.raises(ProductionConfigError, match="太短"):
        settings(tmp_path, {"YITI_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "abc"})
    assert not (tmp_path / "secret_key").exists()  # no laptop key was made on the way


@pytest.mark.usefixtures("bare_environment")
def test_production_with_both_settings_starts_with_secure_cookies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    config = settings(
        tmp_path,
        {"YITI_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "k" * 64, **FIELDWORK},
    )
    assert config["SESSION_COOKIE_SECURE"] is True
    assert phone_cipher(config).lookup("+8613800138000")


@pytest.mark.usefixtures("bare_environment")
@pytest.mark.parametrize(
    ("key", "said"), [(None, "必须设置电话号码加密密钥"), ("c2hvcnQ=", "32 字节")]
)
def test_production_refuses_a_missing_or_malformed_fieldwork_key(
    tmp_path: Path, key: str | None, said: str
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    config = {"YITI_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "k" * 64}
    with pytest.raises(ProductionConfigError, match="YITI_FIELDWORK_KEY") as caught:
        settings(tmp_path, config | ({"YITI_FIELDWORK_KEY": key} if key else {}))
    assert said in str(caught.value) and "new-key" in str(caught.value)
    assert not (tmp_path / "fieldwork_key").exists()  # no laptop key was made on the way


@pytest.mark.usefixtures("bare_environment")
def test_development_makes_a_fieldwork_key_once_and_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = settings(tmp_path)["YITI_FIELDWORK_KEY"]
    assert settings(tmp_path)["YITI_FIELDWORK_KEY"] == made
    assert (tmp_path / "fieldwork_key").stat().st_mode & 0o777 == 0o600
    token = phone_cipher(settings(tmp_path)).encrypt("+8613800138000")
    assert phone_cipher(settings(tmp_path)).decrypt(token) == "+8613800138000"
    chosen = new_key()
    monkeypatch.setenv("YITI_FIELDWORK_KEY", chosen)
    assert settings(tmp_path)["YITI_FIELDWORK_KEY"] == chosen
