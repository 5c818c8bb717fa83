"""Every setting Chorus reads from the environment, in one typed place (README "Configuration").

Each field is named after its environment variable and holds its default. A bad value is
refused with one line naming the variable, what it must be and an example (app/config.py turns
pydantic's errors into that line); nothing else in the app reads the environment.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many
from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.storage import SCHEMES as STORAGE_SCHEMES
from limits.storage import storage_from_string
from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")


def _rate_limit(value: str) -> str:
    try:
        parse_many(value)
    except ValueError:
        raise ValueError('must be a rate limit such as "10 per minute" or "300/hour"') from None
    return value


def _database_url(value: str) -> str:
    try:
        scheme = make_url(value).get_backend_name()
    except ArgumentError:
        raise ValueError(
            "is not a database URL; use one such as sqlite:///instance/chorus.db "
            "or postgresql://user:password@host/db"
        ) from None
    if scheme not in SUPPORTED_DATABASES:
        raise ValueError(
            f"uses the unsupported scheme {scheme!r}; use sqlite:///path "
            "or postgresql://user:password@host/db"
        )
    return value


def _storage_uri(value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in STORAGE_SCHEMES or scheme.startswith("async+"):
        raise ValueError(
            f"uses the unknown storage {scheme or value!r}; use memory:// "
            "or one such as redis://127.0.0.1:6379/0"
        )
    if scheme != "memory":
        # Builds the client without connecting: finds a missing client library or a bad URI now,
        # not as a traceback when the first limit is checked.
        try:
            storage_from_string(value)
        except LimitsConfigurationError:
            raise ValueError(
                f"needs a {scheme} client library that is not installed; "
                "use memory:// or one such as redis://127.0.0.1:6379/0"
            ) from None
        except ValueError:  # its message may quote the URI, password and all
            raise ValueError(
                f"is not a valid {scheme} address; use one such as redis://127.0.0.1:6379/0"
            ) from None
    return value


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in {"http", "https"} or not parts.hostname):
        raise ValueError("must be a web address such as https://chorus.example.gov.uk")
    return value


def _sender(value: str) -> str:
    _, address = parseaddr(value)
    if "@" not in address:
        raise ValueError("must be an email address such as chorus@council.example.gov.uk")
    return value


def _optional_email(value: str) -> str:
    if value and ("@" not in value or " " in value.strip()):
        raise ValueError("must be an email address such as accessibility@council.example.gov.uk")
    return value.strip()


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be a time zone name such as Europe/London") from None
    return value


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


RateLimit = Annotated[str, AfterValidator(_rate_limit)]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Settings(BaseSettings):
    """Read from the environment (create_app loads `.env` into it first), or given directly."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_ignore_empty=True,  # VAR= means "not set", as it always has
        extra="ignore",
        validate_default=True,
        frozen=True,
    )

    FLASK_DEBUG: bool = Field(False, examples=["1"])
    # The Outbox shows working links only in a debug demo with no mail server (`make run`).
    DEMO_LINKS: bool = Field(False, examples=["1"])
    SECRET_KEY: SecretStr | None = None
    # Flask 3.1 unsigns with these too (comma-separated), so a key can be rotated gently.
    SECRET_KEY_FALLBACKS: Annotated[list[SecretStr], NoDecode, BeforeValidator(_comma_list)] = []
    DATABASE_URL: Annotated[str, AfterValidator(_database_url)] | None = None
    ANONYMITY_THRESHOLD: int = Field(5, ge=3, examples=[5])
    TIME_ZONE: Annotated[str, AfterValidator(_time_zone)] = "Europe/London"
    PUBLIC_BASE_URL: Annotated[str, AfterValidator(_base_url)] = ""
    TRUSTED_PROXIES: int = Field(0, ge=0, le=5, examples=[1])
    # Single sign-on providers must use https; this lets one on this machine use http (tests).
    SSO_ALLOW_HTTP_LOOPBACK: bool = Field(False, examples=["false"])

    MAIL_SERVER: str = ""
    MAIL_PORT: int = Field(25, ge=1, le=65535, examples=[587])
    MAIL_USE_TLS: bool = Field(False, examples=["true"])
    MAIL_USE_SSL: bool = Field(False, examples=["false"])
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: SecretStr | None = None
    MAIL_DEFAULT_SENDER: Annotated[str, AfterValidator(_sender)] = "chorus@localhost"
    MAIL_WORKER_IN_PROCESS: bool | None = Field(None, examples=["false"])
    MAIL_MAX_ATTEMPTS: int = Field(5, ge=1, examples=[5])
    MAIL_RETRY_BASE_SECONDS: int = Field(300, ge=1, examples=[300])
    MAIL_CLAIM_TIMEOUT_SECONDS: int = Field(600, ge=1, examples=[600])
    MAIL_BATCH_SIZE: int = Field(100, ge=1, examples=[100])
    MAIL_POLL_SECONDS: Seconds = Field(5.0, examples=[5])
    MAIL_TIMEOUT_SECONDS: Seconds = Field(30.0, examples=[30])
    # A bounce mailbox read over IMAP for delivery-status notifications (app/mail/bounces.py).
    BOUNCE_IMAP_HOST: str = ""
    BOUNCE_IMAP_PORT: int | None = Field(None, ge=1, le=65535, examples=[993])
    BOUNCE_IMAP_SSL: bool = Field(True, examples=["true"])
    BOUNCE_IMAP_USER: str = ""
    BOUNCE_IMAP_PASSWORD: SecretStr | None = None
    BOUNCE_IMAP_MAILBOX: str = "INBOX"

    RATELIMIT_STORAGE_URI: Annotated[str, AfterValidator(_storage_uri)] = "memory://"
    LOGIN_RATE_LIMIT: RateLimit = "10 per minute"
    API_RATE_LIMIT: RateLimit = "120 per minute"  # JSON API calls per token
    LOGIN_ACCOUNT_RATE_LIMIT: RateLimit = "20 per hour"
    # Unset means app/services/abuse.py's defaults.
    RESPOND_PAGE_RATE_LIMIT: RateLimit | None = None
    RESPOND_SEND_RATE_LIMIT: RateLimit | None = None
    RESPOND_MIN_SECONDS_PER_QUESTION: float | None = Field(
        None, ge=0, le=60, allow_inf_nan=False, examples=[1]
    )

    # The accessibility statement (/accessibility): who publishes it, how people report a problem,
    # and the enforcement procedure (Great Britain's EHRC or Northern Ireland's ECNI, or own words).
    ACCESSIBILITY_ORGANISATION: str = ""
    ACCESSIBILITY_EMAIL: Annotated[str, AfterValidator(_optional_email)] = ""
    ACCESSIBILITY_PHONE: str = ""
    ACCESSIBILITY_RESPONSE_DAYS: int = Field(5, ge=1, le=60, examples=[5])
    ACCESSIBILITY_ENFORCEMENT: Literal["gb", "ni"] = "gb"
    ACCESSIBILITY_ENFORCEMENT_TEXT: str = ""

    @model_validator(mode="after")
    def _one_kind_of_mail_encryption(self) -> Settings:
        if self.MAIL_USE_TLS and self.MAIL_USE_SSL:
            raise ValueError(
                "MAIL_USE_TLS and MAIL_USE_SSL cannot both be on; use MAIL_USE_TLS=true "
                "with port 587 or MAIL_USE_SSL=true with port 465"
            )
        return self


# Values never echoed back in an error line: they may hold a password.
SECRET_FIELDS = frozenset(
    {
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "MAIL_PASSWORD",
        "BOUNCE_IMAP_PASSWORD",
        "DATABASE_URL",
        "RATELIMIT_STORAGE_URI",
    }
)
