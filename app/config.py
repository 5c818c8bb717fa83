"""Flask's configuration, built from the typed settings in app/settings.py (DESIGN.md section 9)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.settings import SECRET_FIELDS, Settings


class ConfigurationError(SystemExit):
    """Stops start-up with one clear line (no traceback) naming what to fix."""

    def __init__(self, message: str):
        super().__init__(f"Chorus cannot start: {message}")


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


def engine_options(database: str) -> dict[str, Any]:
    """Pooled connections are checked before use, so a database restart or failover between two
    requests goes unnoticed. SQLite's pool pings (a statement in the process); PostgreSQL's
    connections are checked on their sockets instead, without a round trip to the server
    (app/database.py `closed_by_server`)."""
    return {"pool_pre_ping": not database.startswith("postgresql")}


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


# What each kind of pydantic error means in plain words; {example} comes from the field.
_PROBLEMS = {
    "int_parsing": "must be a whole number such as {example}",
    "int_from_float": "must be a whole number such as {example}",
    "int_type": "must be a whole number such as {example}",
    "float_parsing": "must be a number such as {example}",
    "float_type": "must be a number such as {example}",
    "finite_number": "must be a number such as {example}",
    "bool_parsing": "must be true or false (or 1/0, yes/no, on/off), such as {example}",
    "bool_type": "must be true or false (or 1/0, yes/no, on/off), such as {example}",
    "greater_than_equal": "must be {ge} or more, such as {example}",
    "greater_than": "must be more than {gt}, such as {example}",
    "less_than_equal": "must be {le} or less, such as {example}",
    "less_than": "must be less than {lt}, such as {example}",
    "string_type": "must be text",
    "literal_error": "must be {expected}",
}


def _plain(value: Any) -> Any:
    """60.0 reads as 60 in a message."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _describe(error: Mapping[str, Any]) -> str:
    """One sentence for one pydantic error: the variable, its problem, an example, the value."""
    loc = error.get("loc") or ()
    ctx = error.get("ctx") or {}
    if not loc:  # a check across fields writes its own sentence
        return f"{ctx.get('error', error['msg'])}."
    name = str(loc[0])
    field = Settings.model_fields.get(name)
    examples = (field.examples if field else None) or ["a valid value"]
    if error["type"] in _PROBLEMS:
        bounds = {k: _plain(v) for k, v in ctx.items()}
        problem = _PROBLEMS[error["type"]].format(example=examples[0], **bounds)
    elif "error" in ctx:
        problem = str(ctx["error"])
    else:
        problem = f"is not valid ({error['msg']})"
    got = "" if name in SECRET_FIELDS else f" (got {error.get('input')!r})"
    return f"{name} {problem}{got}."


def read_settings(values: Mapping[str, Any] | None = None) -> Settings:
    """The environment's settings, with `values` taking precedence; one line if any is bad."""
    try:
        return Settings(**dict(values or {}))
    except ValidationError as exc:
        raise ConfigurationError(" ".join(_describe(e) for e in exc.errors())) from None


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def build_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Flask's config for create_app: the typed settings, then `overrides` (tests, scripts) on
    top. Overrides named like a setting are checked like one; DEBUG stands for FLASK_DEBUG."""
    overrides = dict(overrides or {})
    given = {k: v for k, v in overrides.items() if k in Settings.model_fields}
    if "DEBUG" in overrides:
        given["FLASK_DEBUG"] = bool(overrides["DEBUG"])
    settings = read_settings(given)
    testing = bool(overrides.get("TESTING", False))
    debug = settings.FLASK_DEBUG

    secret = _secret(settings.SECRET_KEY)
    if not secret:
        if not (debug or testing):
            raise ConfigurationError(
                "SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))").'
            )
        secret = _dev_secret(instance_path)

    database = database_uri(settings.DATABASE_URL, instance_path)
    in_process = settings.MAIL_WORKER_IN_PROCESS
    if in_process is None:
        # The embedded default (SQLite, one process) sends mail from a thread in the app.
        in_process = database.startswith("sqlite") and not testing

    config: dict[str, Any] = {
        "SECRET_KEY": secret,
        "SECRET_KEY_FALLBACKS": [key.get_secret_value() for key in settings.SECRET_KEY_FALLBACKS],
        "SQLALCHEMY_DATABASE_URI": database,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database),
        "ANONYMITY_THRESHOLD": settings.ANONYMITY_THRESHOLD,
        "TRUSTED_PROXIES": settings.TRUSTED_PROXIES,
        "SSO_ALLOW_HTTP_LOOPBACK": settings.SSO_ALLOW_HTTP_LOOPBACK,
        "DEMO_LINKS": settings.DEMO_LINKS,
        "TIME_ZONE": settings.TIME_ZONE,
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
        # Flask-WTF's HTTPS check wants a Referer, which browsers never send under our
        # Referrer-Policy: no-referrer, so every form over HTTPS would be refused. The token and
        # SameSite=Lax cookies are the CSRF defence.
        "WTF_CSRF_SSL_STRICT": False,
        "RATELIMIT_STORAGE_URI": settings.RATELIMIT_STORAGE_URI,
        "RATELIMIT_HEADERS_ENABLED": True,
        # A failing limiter (Redis unreachable; limits 5.8's memory storage racing under
        # threaded workers, alisaifee/limits#352) lets the request through and logs, never a 500.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_RATE_LIMIT": settings.LOGIN_RATE_LIMIT,
        "API_RATE_LIMIT": settings.API_RATE_LIMIT,
        "LOGIN_ACCOUNT_RATE_LIMIT": settings.LOGIN_ACCOUNT_RATE_LIMIT,
        "MAIL_SERVER": settings.MAIL_SERVER,
        "MAIL_PORT": settings.MAIL_PORT,
        "MAIL_USE_TLS": settings.MAIL_USE_TLS,
        "MAIL_USE_SSL": settings.MAIL_USE_SSL,
        "MAIL_USERNAME": settings.MAIL_USERNAME or None,
        "MAIL_PASSWORD": _secret(settings.MAIL_PASSWORD) or None,
        "MAIL_DEFAULT_SENDER": settings.MAIL_DEFAULT_SENDER,
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
        "MAIL_WORKER_IN_PROCESS": in_process,
        # The outbox worker (app/mail): attempts before a message fails for good, the first
        # retry delay (doubling each time), how long a claim may last before another worker
        # takes the message over (a killed worker), messages per SMTP connection, idle wait.
        "MAIL_MAX_ATTEMPTS": settings.MAIL_MAX_ATTEMPTS,
        "MAIL_RETRY_BASE_SECONDS": settings.MAIL_RETRY_BASE_SECONDS,
        "MAIL_CLAIM_TIMEOUT_SECONDS": settings.MAIL_CLAIM_TIMEOUT_SECONDS,
        "MAIL_BATCH_SIZE": settings.MAIL_BATCH_SIZE,
        "MAIL_POLL_SECONDS": settings.MAIL_POLL_SECONDS,
        "MAIL_TIMEOUT_SECONDS": settings.MAIL_TIMEOUT_SECONDS,
        "ACCESSIBILITY_ORGANISATION": settings.ACCESSIBILITY_ORGANISATION.strip(),
        "ACCESSIBILITY_EMAIL": settings.ACCESSIBILITY_EMAIL,
        "ACCESSIBILITY_PHONE": settings.ACCESSIBILITY_PHONE.strip(),
        "ACCESSIBILITY_RESPONSE_DAYS": settings.ACCESSIBILITY_RESPONSE_DAYS,
        "ACCESSIBILITY_ENFORCEMENT": settings.ACCESSIBILITY_ENFORCEMENT,
        "ACCESSIBILITY_ENFORCEMENT_TEXT": settings.ACCESSIBILITY_ENFORCEMENT_TEXT.strip(),
        "BOUNCE_IMAP_HOST": settings.BOUNCE_IMAP_HOST,
        "BOUNCE_IMAP_PORT": settings.BOUNCE_IMAP_PORT,
        "BOUNCE_IMAP_SSL": settings.BOUNCE_IMAP_SSL,
        "BOUNCE_IMAP_USER": settings.BOUNCE_IMAP_USER,
        "BOUNCE_IMAP_PASSWORD": _secret(settings.BOUNCE_IMAP_PASSWORD) or None,
        "BOUNCE_IMAP_MAILBOX": settings.BOUNCE_IMAP_MAILBOX,
        "DEBUG": debug,
        "TESTING": testing,
    }
    # Open-link protections, only when set (app/services/abuse.py holds the defaults).
    for key in (
        "RESPOND_PAGE_RATE_LIMIT",
        "RESPOND_SEND_RATE_LIMIT",
        "RESPOND_MIN_SECONDS_PER_QUESTION",
    ):
        if getattr(settings, key) is not None:
            config[key] = getattr(settings, key)
    # Anything else given (TESTING, PASSWORD_HASH_METHOD, ...) goes in as it is.
    config.update({k: v for k, v in overrides.items() if k not in given and k != "DATABASE_URL"})
    return config
