"""Typed settings (app/settings.py): every bad value is one line naming the variable, the
problem and an example; good values and defaults reach Flask's config; the README documents
exactly the settings there are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import ConfigurationError, build_config
from app.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def _no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from the defaults, whatever the developer's shell or .env holds."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)


def refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        build_config(str(tmp_path), {"TESTING": True})
    message = str(caught.value.code)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("MAIL_PORT", "abc", "MAIL_PORT must be a whole number such as 587 (got 'abc')."),
        ("MAIL_PORT", "70000", "MAIL_PORT must be 65535 or less, such as 587 (got '70000')."),
        (
            "ANONYMITY_THRESHOLD",
            "five",
            "ANONYMITY_THRESHOLD must be a whole number such as 5 (got 'five').",
        ),
        ("ANONYMITY_THRESHOLD", "2", "ANONYMITY_THRESHOLD must be 3 or more, such as 5 (got '2')."),
        (
            "MAIL_USE_TLS",
            "maybe",
            "MAIL_USE_TLS must be true or false (or 1/0, yes/no, on/off), such as true "
            "(got 'maybe').",
        ),
        (
            "ACCESSIBILITY_ENFORCEMENT",
            "wales",
            "ACCESSIBILITY_ENFORCEMENT must be 'gb' or 'ni' (got 'wales').",
        ),
        (
            "ACCESSIBILITY_EMAIL",
            "nobody",
            "ACCESSIBILITY_EMAIL must be an email address such as "
            "accessibility@council.example.gov.uk (got 'nobody').",
        ),
        (
            "FLASK_DEBUG",
            "sometimes",
            "FLASK_DEBUG must be true or false (or 1/0, yes/no, on/off), such as 1 "
            "(got 'sometimes').",
        ),
        (
            "LOGIN_RATE_LIMIT",
            "lots",
            'LOGIN_RATE_LIMIT must be a rate limit such as "10 per minute" or "300/hour" '
            "(got 'lots').",
        ),
        (
            "LOGIN_ACCOUNT_RATE_LIMIT",
            "20 per fortnight",
            'LOGIN_ACCOUNT_RATE_LIMIT must be a rate limit such as "10 per minute" or '
            "\"300/hour\" (got '20 per fortnight').",
        ),
        (
            "RESPOND_SEND_RATE_LIMIT",
            "forty",
            'RESPOND_SEND_RATE_LIMIT must be a rate limit such as "10 per minute" or "300/hour" '
            "(got 'forty').",
        ),
        (
            "RESPOND_MIN_SECONDS_PER_QUESTION",
            "99",
            "RESPOND_MIN_SECONDS_PER_QUESTION must be 60 or less, such as 1 (got '99').",
        ),
        (
            "RESPOND_MIN_SECONDS_PER_QUESTION",
            "-1",
            "RESPOND_MIN_SECONDS_PER_QUESTION must be 0 or more, such as 1 (got '-1').",
        ),
        ("MAIL_POLL_SECONDS", "nan", "MAIL_POLL_SECONDS must be a number such as 5 (got 'nan')."),
        (
            "MAIL_TIMEOUT_SECONDS",
            "0",
            "MAIL_TIMEOUT_SECONDS must be more than 0, such as 30 (got '0').",
        ),
        ("MAIL_BATCH_SIZE", "0", "MAIL_BATCH_SIZE must be 1 or more, such as 100 (got '0')."),
        (
            "MAIL_MAX_ATTEMPTS",
            "2.5",
            "MAIL_MAX_ATTEMPTS must be a whole number such as 5 (got '2.5').",
        ),
        (
            "MAIL_WORKER_IN_PROCESS",
            "perhaps",
            "MAIL_WORKER_IN_PROCESS must be true or false (or 1/0, yes/no, on/off), such as "
            "false (got 'perhaps').",
        ),
        (
            "MAIL_DEFAULT_SENDER",
            "chorus",
            "MAIL_DEFAULT_SENDER must be an email address such as chorus@council.example.gov.uk "
            "(got 'chorus').",
        ),
        (
            "PUBLIC_BASE_URL",
            "chorus.example.gov.uk",
            "PUBLIC_BASE_URL must be a web address such as https://chorus.example.gov.uk "
            "(got 'chorus.example.gov.uk').",
        ),
        (
            "TRUSTED_PROXIES",
            "yes",
            "TRUSTED_PROXIES must be a whole number such as 1 (got 'yes').",
        ),
        (
            "DATABASE_URL",
            "mysql://root@localhost/db",
            "DATABASE_URL uses the unsupported scheme 'mysql'; use sqlite:///path "
            "or postgresql://user:password@host/db.",
        ),
        (
            "DATABASE_URL",
            "not a url",
            "DATABASE_URL is not a database URL; use one such as sqlite:///instance/chorus.db "
            "or postgresql://user:password@host/db.",
        ),
        (
            "RATELIMIT_STORAGE_URI",
            "reddis://127.0.0.1:6379",
            "RATELIMIT_STORAGE_URI uses the unknown storage 'reddis'; use memory:// or one such "
            "as redis://127.0.0.1:6379/0.",
        ),
        (
            "RATELIMIT_STORAGE_URI",
            "memcached://127.0.0.1:11211",
            "RATELIMIT_STORAGE_URI needs a memcached client library that is not installed; use "
            "memory:// or one such as redis://127.0.0.1:6379/0.",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_variable_problem_and_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, line: str
) -> None:
    assert refusal(tmp_path, monkeypatch, **{name: value}) == f"Chorus cannot start: {line}"


def test_every_bad_value_is_named_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(tmp_path, monkeypatch, MAIL_PORT="abc", ANONYMITY_THRESHOLD="five")
    assert "MAIL_PORT must be" in message and "ANONYMITY_THRESHOLD must be" in message


def test_tls_and_ssl_together_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(tmp_path, monkeypatch, MAIL_USE_TLS="true", MAIL_USE_SSL="true")
    assert "MAIL_USE_TLS and MAIL_USE_SSL cannot both be on" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://chorus:hunter2@db/chorus"),
        ("RATELIMIT_STORAGE_URI", "redis://:hunter2@cache:notaport/0"),
        ("RATELIMIT_STORAGE_URI", "rediz://:hunter2@cache:6379/0"),
    ],
)
def test_a_refused_value_that_may_hold_a_password_is_not_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    message = refusal(tmp_path, monkeypatch, **{name: value})
    assert name in message
    assert "hunter2" not in message


def test_defaults(tmp_path: Path) -> None:
    config = build_config(str(tmp_path), {"TESTING": True})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'chorus.db'}"
    assert config["ANONYMITY_THRESHOLD"] == 5
    assert config["MAIL_PORT"] == 25
    assert config["MAIL_USE_TLS"] is False and config["MAIL_USE_SSL"] is False
    assert config["MAIL_DEFAULT_SENDER"] == "chorus@localhost"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["LOGIN_RATE_LIMIT"] == "10 per minute"
    assert config["LOGIN_ACCOUNT_RATE_LIMIT"] == "20 per hour"
    assert config["SECRET_KEY_FALLBACKS"] == []
    assert config["TRUSTED_PROXIES"] == 0
    assert (config["MAIL_POLL_SECONDS"], config["MAIL_TIMEOUT_SECONDS"]) == (5.0, 30.0)
    assert config["MAIL_WORKER_IN_PROCESS"] is False  # in tests
    # Unset open-link settings leave app/services/abuse.py's defaults in charge.
    assert "RESPOND_PAGE_RATE_LIMIT" not in config
    assert "RESPOND_MIN_SECONDS_PER_QUESTION" not in config


def test_good_values_are_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "Yes",
        "MAIL_USE_SSL": "0",
        "MAIL_POLL_SECONDS": "0.5",
        "ANONYMITY_THRESHOLD": "7",
        "RESPOND_MIN_SECONDS_PER_QUESTION": "0",
        "RESPOND_PAGE_RATE_LIMIT": "1000 per 10 minutes",
        "SECRET_KEY": "now",
        "SECRET_KEY_FALLBACKS": "older, oldest ,",
        "MAIL_PASSWORD": "smtp-pass",
        "MAIL_WORKER_IN_PROCESS": "on",
        "DATABASE_URL": "postgres://u:p@db/chorus",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
        "MAIL_SERVER": "",  # empty means "not set", as before
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = build_config(str(tmp_path), {"TESTING": True})
    assert config["MAIL_PORT"] == 587
    assert config["MAIL_USE_TLS"] is True and config["MAIL_USE_SSL"] is False
    assert config["MAIL_POLL_SECONDS"] == 0.5
    assert config["ANONYMITY_THRESHOLD"] == 7
    assert config["RESPOND_MIN_SECONDS_PER_QUESTION"] == 0
    assert config["RESPOND_PAGE_RATE_LIMIT"] == "1000 per 10 minutes"
    assert config["SECRET_KEY"] == "now"
    assert config["SECRET_KEY_FALLBACKS"] == ["older", "oldest"]
    assert config["MAIL_PASSWORD"] == "smtp-pass"
    assert config["MAIL_WORKER_IN_PROCESS"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/chorus"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/1"
    assert config["MAIL_SERVER"] == ""


def test_overrides_win_over_the_environment_and_are_checked_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANONYMITY_THRESHOLD", "9")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    config = build_config(str(tmp_path), {"TESTING": True, "ANONYMITY_THRESHOLD": 4})
    assert config["ANONYMITY_THRESHOLD"] == 4
    assert config["SECRET_KEY"] == "from-env"
    with pytest.raises(ConfigurationError, match="ANONYMITY_THRESHOLD must be 3 or more"):
        build_config(str(tmp_path), {"TESTING": True, "ANONYMITY_THRESHOLD": 2})
    # Keys that are not settings pass straight through to Flask.
    passed = build_config(str(tmp_path), {"TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2"})
    assert passed["PASSWORD_HASH_METHOD"] == "pbkdf2"


def test_secret_key_is_required_outside_debug_and_testing(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        build_config(str(tmp_path))


def test_flask_debug_from_the_environment_uses_a_kept_dev_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    first = build_config(str(tmp_path))
    assert first["DEBUG"] is True and first["SESSION_COOKIE_SECURE"] is False
    assert (tmp_path / "dev-secret-key").read_text().strip() == first["SECRET_KEY"]
    assert build_config(str(tmp_path))["SECRET_KEY"] == first["SECRET_KEY"]


def test_production_cookies_are_secure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "k")
    config = build_config(str(tmp_path))
    assert config["DEBUG"] is False
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True


# -- the README's table ----------------------------------------------------------------------


def documented_settings() -> set[str]:
    """Every backticked variable in the first column of the README's Configuration table."""
    text = README.read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_column))
    return names


def test_readme_table_documents_exactly_the_settings() -> None:
    documented = documented_settings()
    fields = set(Settings.model_fields)
    assert len(documented) > 10, "the README's Configuration table was not found"
    assert fields - documented == set(), "settings missing from the README's table"
    assert documented - fields == set(), "README documents settings the app does not read"


def test_nothing_else_reads_the_environment() -> None:
    root = README.parent
    readers = [
        str(path.relative_to(root))
        for path in [root / "wsgi.py", *sorted((root / "app").rglob("*.py"))]
        if re.search(r"os\.environ|getenv\(", path.read_text())
    ]
    assert readers == [], "read settings through app/settings.py"
