"""Configuration from the environment (and `.env`), DESIGN.md section 9."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigurationError(SystemExit):
    """Stops start-up with one clear line (no traceback) naming what to fix."""

    def __init__(self, message: str):
        super().__init__(f"Chorus cannot start: {message}")


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_uri(url: str | None, instance_path: str) -> str:
    """Normalise DATABASE_URL; default to a SQLite file in instance/."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'chorus.db'}"
    if url.startswith("postgres://"):  # Heroku-style spelling
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "DATABASE_URL is not a database URL (expected sqlite:///path or postgresql://...)."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise ConfigurationError(
        f"DATABASE_URL uses the unsupported scheme {parsed.drivername!r}; "
        "use sqlite:///path or postgresql://user@host/db."
    )


def _dev_secret(instance_path: str) -> str:
    """A per-checkout key for debug runs, kept so invitation links survive a restart."""
    path = Path(instance_path) / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _respond_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Open-link protections, only when set (app/services/abuse.py holds the defaults): raise
    the limits where many honest people share one address; 0 seconds turns the wait off."""
    settings: dict[str, Any] = {}
    for key in ("RESPOND_PAGE_RATE_LIMIT", "RESPOND_SEND_RATE_LIMIT"):
        if env.get(key):
            try:
                parse_many(env[key])
            except ValueError:
                raise ConfigurationError(
                    f'{key} is not a rate limit such as "300 per 10 minutes".'
                ) from None
            settings[key] = env[key]
    if env.get("RESPOND_MIN_SECONDS_PER_QUESTION"):
        try:
            seconds = float(env["RESPOND_MIN_SECONDS_PER_QUESTION"])
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= 60:
            raise ConfigurationError("RESPOND_MIN_SECONDS_PER_QUESTION must be 0 to 60 seconds.")
        settings["RESPOND_MIN_SECONDS_PER_QUESTION"] = seconds
    return settings


def build_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    overrides = dict(overrides or {})
    testing = bool(overrides.get("TESTING", False))
    debug = bool(overrides.get("DEBUG", _bool(env.get("FLASK_DEBUG"))))

    threshold = int(overrides.get("ANONYMITY_THRESHOLD", env.get("ANONYMITY_THRESHOLD") or 5))
    if threshold < 3:
        raise ConfigurationError("ANONYMITY_THRESHOLD must be 3 or more.")

    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret:
        if not (debug or testing):
            raise ConfigurationError(
                "SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))").'
            )
        secret = _dev_secret(instance_path)

    config: dict[str, Any] = {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_uri(
            overrides.pop("DATABASE_URL", None) or env.get("DATABASE_URL"), instance_path
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ANONYMITY_THRESHOLD": threshold,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not (debug or testing),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not (debug or testing),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,  # contact files are capped at 5 MB
        "WTF_CSRF_TIME_LIMIT": None,  # no timeouts for slow respondents (WCAG 2.2.1)
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # A failing limiter (Redis unreachable; limits 5.8's memory storage racing under
        # threaded workers, alisaifee/limits#352) lets the request through and logs, never a 500.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "chorus@localhost"),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        # The outbox worker (app/mail): attempts before a message fails for good, the first
        # retry delay (doubling each time), how long a claim may last before another worker
        # takes the message over (a killed worker), messages per SMTP connection, idle wait.
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS") or 5),
        "MAIL_RETRY_BASE_SECONDS": int(env.get("MAIL_RETRY_BASE_SECONDS") or 300),
        "MAIL_CLAIM_TIMEOUT_SECONDS": int(env.get("MAIL_CLAIM_TIMEOUT_SECONDS") or 600),
        "MAIL_BATCH_SIZE": int(env.get("MAIL_BATCH_SIZE") or 100),
        "MAIL_POLL_SECONDS": float(env.get("MAIL_POLL_SECONDS") or 5),
        "MAIL_TIMEOUT_SECONDS": float(env.get("MAIL_TIMEOUT_SECONDS") or 30),
        "DEBUG": debug,
        "TESTING": testing,
    }
    config.update(_respond_settings(env))
    config.update(overrides)
    if "MAIL_WORKER_IN_PROCESS" not in config:
        # The embedded default (SQLite, one process) sends mail from a thread in the app.
        config["MAIL_WORKER_IN_PROCESS"] = _bool(
            env.get("MAIL_WORKER_IN_PROCESS"),
            default=config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not testing,
        )
    return config
