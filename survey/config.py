"""Settings: defaults, then `YITI_…` environment variables, then the caller's mapping."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from generator.errors import YitiError
from survey.fieldwork.crypto import ENV as FIELDWORK_KEY
from survey.fieldwork.crypto import FieldworkKeyError, PhoneCipher, new_key

# Every setting the app reads, with its default. Environment variables of the same name
# (DATABASE_URL and SECRET_KEY also under their usual names) override these.
DEFAULTS: dict[str, Any] = {
    # "production" refuses to start without an explicit DATABASE_URL and SECRET_KEY and sends
    # the session cookie over HTTPS only; anything else is a laptop or a test.
    "YITI_ENV": "development",
    "YITI_CONTENT_DIR": "content",
    "DATABASE_URL": None,  # None: SQLite in WAL mode at instance/survey.sqlite3
    "YITI_MIN_FILL_SECONDS": 8,  # faster than this is flagged: ten questions take a person longer
    "YITI_TICKET_MAX_AGE": 24 * 3600,  # seconds a served form stays valid
    # Hard limits answer 429; they protect the service from floods.
    "YITI_POST_LIMIT": "30/minute;300/hour",
    # Soft limits only flag responses for evaluators: many residents share one address (NAT).
    "YITI_FLAG_IP_LIMIT": "10/hour",
    "YITI_FLAG_DEVICE_LIMIT": "3/day",
    "RATELIMIT_STORAGE_URI": "memory://",
    # Deployments (or test runs) sharing one Redis keep their counts apart by prefix.
    "RATELIMIT_KEY_PREFIX": "yiti",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    "YITI_PROXY_COUNT": 0,  # reverse proxies in front that set X-Forwarded-For
    # A fixed time (ISO 8601 with offset) the app takes as now: demos, training, benchmarks.
    "YITI_NOW": None,
    "WTF_CSRF_TIME_LIMIT": 24 * 3600,
    "WTF_I18N_ENABLED": False,  # our validators carry their own Chinese messages
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,  # set true behind HTTPS
    # Seconds a signed session cookie (the CSRF token, the device id) is accepted: the same
    # day as a served form, then the browser starts a new session.
    "PERMANENT_SESSION_LIFETIME": 24 * 3600,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    # Evaluator, admin and auditor sessions: ended after this much inactivity, and at most
    # this long after logging in, whatever the activity.
    "YITI_LOGIN_IDLE_MINUTES": 30,
    "YITI_LOGIN_MAX_HOURS": 8,
    # Login attempts per address (429 beyond); wrong passwords also lock the account itself.
    "YITI_LOGIN_LIMIT": "10/minute;60/hour",
    # Background downloads (survey/jobs/). The queue: None means the survey's own PostgreSQL,
    # or a SQLite file beside the survey's; also redis://…, or "immediate" (tests: run at once).
    "YITI_QUEUE_URL": None,
    # Where finished files wait for their evaluator: None means instance/exports. With several
    # app servers it must be one shared folder (deploy/README.md).
    "YITI_EXPORT_DIR": None,
    # An XLSX or SAV download of more rows than this is built by the worker, not in the request.
    "YITI_EXPORT_INLINE_ROWS": 10_000,
    # Finished files are deleted this long after they were made; response data does not linger.
    "YITI_EXPORT_KEEP_HOURS": 24,  # bytes: a full answer with a 500-character comment is ~4 KiB
}
# None: a random key kept in instance/secret_key, shared by all workers. Set apart from the
# literal because bandit (B105) reads None beside the name SECRET_KEY as a hardcoded password.
DEFAULTS["SECRET_KEY"] = None
# None: a random key kept in instance/fieldwork_key (development only). It encrypts the phones
# of the fieldwork frame: production must set the same key on every server and keep it.
DEFAULTS[FIELDWORK_KEY] = None
# Each setting X is read from the environment as YITI_X; these also under their usual names.
PLAIN = {"DATABASE_URL", "SECRET_KEY"}
INTS = {
    "YITI_MIN_FILL_SECONDS",
    "YITI_TICKET_MAX_AGE",
    "YITI_PROXY_COUNT",
    "MAX_CONTENT_LENGTH",
    "PERMANENT_SESSION_LIFETIME",
    "YITI_LOGIN_IDLE_MINUTES",
    "YITI_LOGIN_MAX_HOURS",
    "YITI_EXPORT_INLINE_ROWS",
    "YITI_EXPORT_KEEP_HOURS",
}
BOOLS = {"RATELIMIT_ENABLED", "SESSION_COOKIE_SECURE"}


def instance_dir(overrides: Mapping[str, Any] | None = None) -> Path:
    """Where the SQLite file and the secret key live: `instance/` under the working directory."""
    chosen = (overrides or {}).get("YITI_INSTANCE_DIR") or os.environ.get("YITI_INSTANCE_DIR")
    return Path(chosen or "instance").resolve()


def settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment, then `overrides`; fill the database and secret defaults."""
    out = dict(DEFAULTS)
    out |= from_environment(os.environ)
    out |= dict(overrides or {})
    if out["YITI_ENV"] == "production":
        require_production_settings(out)
        out["SESSION_COOKIE_SECURE"] = True
    if not out["DATABASE_URL"]:
        out["DATABASE_URL"] = f"sqlite:///{instance_path / 'survey.sqlite3'}"
    if not out["YITI_EXPORT_DIR"]:
        out["YITI_EXPORT_DIR"] = str(instance_path / "exports")
    if not out["SECRET_KEY"]:
        out["SECRET_KEY"] = instance_secret(instance_path / "secret_key")
    if not out[FIELDWORK_KEY]:
        out[FIELDWORK_KEY] = instance_secret(instance_path / "fieldwork_key", new_key)
    return out


def phone_cipher(config: Mapping[str, Any]) -> PhoneCipher:
    """The cipher for fieldwork phones from finished settings (the app's config, or
    `settings(instance_dir())` in a command), so the app and the CLI use one key."""
    return PhoneCipher(str(config[FIELDWORK_KEY]))


class ProductionConfigError(YitiError):
    """Production was asked for without the settings production cannot do without."""


def require_production_settings(config: Mapping[str, Any]) -> None:
    """Refuse the laptop defaults in production: a per-machine random key breaks sessions and
    CSRF across app servers, and a local SQLite file is not the shared database."""
    missing = [
        f"{name}: {why}"
        for name, why in (
            ("DATABASE_URL", "生产环境必须指定数据库，例如 postgresql+psycopg://user@db/yiti"),
            ("SECRET_KEY", "生产环境必须在所有应用服务器上设置同一个随机密钥（至少 32 个字符）"),
        )
        if not config.get(name)
    ]
    key = str(config.get("SECRET_KEY") or "")
    if key and len(key) < 32:
        missing.append(
            "SECRET_KEY: 太短，至少 32 个字符，例如 python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    missing += _fieldwork_key_problems(config.get(FIELDWORK_KEY))
    if missing:
        raise ProductionConfigError("YITI_ENV=production 下无法启动：\n" + "\n".join(missing))


def _fieldwork_key_problems(key: Any) -> list[str]:
    """Why the fieldwork key cannot serve production: phones are encrypted with it, so a key
    made per machine would leave every other server unable to read them."""
    if not key:
        return [
            f"{FIELDWORK_KEY}: 生产环境必须设置电话号码加密密钥，在所有应用服务器上相同并妥善保存"
            "（生成：yiti survey fieldwork new-key）"
        ]
    try:
        PhoneCipher(str(key))
    except FieldworkKeyError as exc:
        return [f"{exc}（生成：yiti survey fieldwork new-key）"]
    return []


def instance_secret(path: Path, make: Callable[[], str] = lambda: secrets.token_hex(32)) -> str:
    """A random key made once and kept, so every worker and restart signs the same way."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(make())
        try:  # link is atomic and refuses to replace: racing workers all end up with one key
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings found in `environ`, converted to the default's type."""
    out: dict[str, Any] = {}
    for name in DEFAULTS:
        keys = [name if name.startswith("YITI_") else f"YITI_{name}"]
        keys += [name] if name in PLAIN else []
        for key in keys:
            if key in environ:
                out[name] = _convert(name, environ[key])
    return out


def _convert(name: str, raw: str) -> Any:
    if name in INTS:
        return int(raw)
    if name in BOOLS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw
