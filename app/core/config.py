"""Settings read once from ``CYBERMASSIF_*`` variables and ``DATABASE_URL``, validated at start-up."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "CYBERMASSIF_"
LANGUAGES = ("fr", "en")


class ConfigError(RuntimeError):
    """A setting has a value the platform cannot start with; the message names the variable."""


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 < value < 65536:
        raise ValueError("expected a port number between 1 and 65535")
    return value


def _language(raw: str) -> str:
    if raw not in LANGUAGES:
        raise ValueError(f"expected one of {', '.join(LANGUAGES)}")
    return raw


def _database_url(raw: str) -> str:
    if not raw.startswith(("sqlite://", "postgresql+psycopg://", "postgresql://")):
        raise ValueError("expected a sqlite:// or postgresql+psycopg:// URL")
    if raw.startswith("postgresql://"):
        # psycopg 3 is the only PostgreSQL driver installed; name it so SQLAlchemy does not look for psycopg2.
        raw = "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def _storage_uri(raw: str) -> str:
    if not raw.startswith(("memory://", "redis://", "rediss://")):
        raise ValueError("expected memory:// or a redis:// URL")
    return raw


def _queue_url(raw: str) -> str:
    if not raw.startswith(("sqlite:///", "redis://", "rediss://")):
        raise ValueError("expected sqlite:///path or a redis:// URL")
    return raw


def _secret(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError("expected at least 32 characters")
    return raw


def _rate(raw: str) -> str:
    from limits import parse_many

    parse_many(raw)  # raises ValueError on a malformed limit such as "ten per hour"
    return raw


def _names(raw: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(not part.replace("_", "").replace("-", "").isalnum() for part in names):
        raise ValueError("expected block type names separated by commas")
    return names


def _flag_names(raw: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(not part.replace("_", "").replace("-", "").replace(".", "").isalnum() for part in names):
        raise ValueError("expected flag names (letters, digits, '.', '_', '-') separated by commas")
    return names


def _json_object(raw: str) -> dict[str, Any]:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def _text(raw: str) -> str:
    return raw


@dataclass(frozen=True)
class Setting:
    """One environment variable: the Flask config key it fills and how its text is parsed."""

    env: str
    key: str
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", _database_url, "database URL"),
    Setting(PREFIX + "SECRET_KEY", "SECRET_KEY", _secret, "key that signs sessions and links"),
    Setting(PREFIX + "DEFAULT_LANGUAGE", "BABEL_DEFAULT_LOCALE", _language, "language for visitors"),
    Setting(PREFIX + "RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", _storage_uri, "rate-limit storage"),
    Setting(PREFIX + "LOGIN_RATE_LIMIT", "LOGIN_RATE_LIMIT", _rate, "failed sign-ins allowed per account"),
    Setting(
        PREFIX + "LOGIN_RATE_LIMIT_PER_ADDRESS",
        "LOGIN_RATE_LIMIT_PER_ADDRESS",
        _rate,
        "failed sign-ins allowed per client address",
    ),
    Setting(
        PREFIX + "QUEUE_URL", "QUEUE_URL", _queue_url, "task queue (default: SQLite in the instance folder)"
    ),
    Setting(PREFIX + "SMTP_HOST", "SMTP_HOST", _text, "mail server host"),
    Setting(PREFIX + "SMTP_PORT", "SMTP_PORT", _port, "mail server port"),
    Setting(PREFIX + "SMTP_USER", "SMTP_USER", _text, "mail server user"),
    Setting(PREFIX + "SMTP_PASSWORD", "SMTP_PASSWORD", _text, "mail server password"),
    Setting(PREFIX + "SMTP_STARTTLS", "SMTP_STARTTLS", _boolean, "use STARTTLS"),
    Setting(PREFIX + "MAIL_FROM", "MAIL_FROM", _text, "sender address"),
    Setting(PREFIX + "PASSWORD_RESET_MAX_AGE", "PASSWORD_RESET_MAX_AGE", _positive_int, "seconds"),
    Setting(PREFIX + "INVITATION_MAX_AGE", "INVITATION_MAX_AGE", _positive_int, "seconds"),
    Setting(PREFIX + "SESSION_COOKIE_SECURE", "SESSION_COOKIE_SECURE", _boolean, "cookies only over HTTPS"),
    Setting(
        PREFIX + "JOB_LEASE_SECONDS",
        "JOB_LEASE_SECONDS",
        _positive_int,
        "seconds a job's run may go without a heartbeat before it is run again",
    ),
    Setting(PREFIX + "PROXY_COUNT", "PROXY_COUNT", _positive_int, "reverse proxies in front"),
    Setting(PREFIX + "XBLOCK_ASIDES", "XBLOCK_ASIDES", _names, "aside types allowed on pages"),
    Setting(PREFIX + "XBLOCK_SETTINGS", "XBLOCK_SETTINGS", _json_object, "settings per block type (JSON)"),
    # Read again by the problem block itself (plugins cannot import app/); declared here so that the
    # documented value starts the server and a mistyped one is named at start.
    Setting(
        PREFIX + "SCRIPT_SANDBOX",
        "SCRIPT_SANDBOX",
        _boolean,
        "run problem scripts in the sandbox (off: scripted problems show a notice)",
    ),
    Setting(
        PREFIX + "XBLOCK_WAFFLE_FLAGS",
        "XBLOCK_WAFFLE_FLAGS",
        _flag_names,
        "Open edX flags on for hosted blocks",
    ),
)


def defaults(instance_path: Path) -> dict[str, Any]:
    """The configuration that needs no environment variable: SQLite in the instance folder."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'cybermassif.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per 15 minutes",
        "LOGIN_RATE_LIMIT_PER_ADDRESS": "60 per 15 minutes",
        "QUEUE_URL": "",
        "QUEUE_IMMEDIATE": False,
        # A job's run that has not shown a heartbeat for this long lost its worker: it is queued again.
        "JOB_LEASE_SECONDS": 60,
        # Mail retries: 30 s, then 1, 2, 4, 8 and 16 minutes (about half an hour in all).
        "MAIL_RETRIES": 6,
        # Course archives bigger than this are imported by the task queue rather than in the request.
        "IMPORT_QUEUE_BYTES": 5 * 1024 * 1024,
        "MAIL_RETRY_DELAY": 30.0,
        "SMTP_HOST": "",
        "SMTP_PORT": 587,
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": True,
        "MAIL_FROM": "Cybermassif <no-reply@cybermassif.localhost>",
        "PASSWORD_RESET_MAX_AGE": 3600,
        "INVITATION_MAX_AGE": 14 * 24 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PROXY_COUNT": 0,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "XBLOCK_ASIDES": (),
        "XBLOCK_SETTINGS": {},
        "XBLOCK_WAFFLE_FLAGS": (),
    }


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse every known variable that is set; raise ConfigError naming each variable that is wrong."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            continue
        try:
            values[setting.key] = setting.parse(raw)
        except ValueError as error:
            problems.append(f"{setting.env}={raw!r} is not valid ({setting.help}): {error}")
    unknown = sorted(
        name for name in environ if name.startswith(PREFIX) and name not in {s.env for s in SETTINGS}
    )
    for name in unknown:
        problems.append(f"{name} is not a Cybermassif setting")
    if problems:
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(problems))
    return values


def instance_secret_key(instance_path: Path) -> str:
    """The secret key kept in the instance folder, generated on first start (readable by the owner only)."""
    path = instance_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load(
    instance_path: Path, overrides: Mapping[str, Any] | None, environ: Mapping[str, str]
) -> dict[str, Any]:
    """Defaults, then the environment, then explicit overrides (tests); the secret key last."""
    config = defaults(instance_path)
    config.update(from_environment(environ))
    if overrides:
        config.update(overrides)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret_key(instance_path)
    return config
