"""create_app: configuration, start-up failures and the SQLite engine settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.config import ConfigurationError
from app.extensions import db


def test_refuses_to_start_without_secret_key_in_production(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert "SECRET_KEY" in str(caught.value.code)


def test_debug_without_secret_key_keeps_one_key_per_instance(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"DEBUG": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    second = create_app({"DEBUG": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    # Invitation tokens are derived from the key, so it must survive a restart.
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "not a url at all", "oracle://x"])
def test_unknown_database_scheme_is_one_clear_line(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": url})
    message = str(caught.value.code)
    assert "DATABASE_URL" in message
    assert "\n" not in message


def test_unreachable_database_is_one_clear_line() -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "k",
                "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
            }
        )
    message = str(caught.value.code)
    assert "DATABASE_URL" in message and "cannot be reached" in message
    assert "\n" not in message


def test_cli_start_up_failure_prints_no_traceback(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "--help"],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "mysql://x@y/z",
            "SECRET_KEY": "k",
            "HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_postgres_urls_use_psycopg3() -> None:
    from app.config import database_uri

    assert database_uri("postgres://u@h/d", "/x").startswith("postgresql+psycopg://")
    assert database_uri("postgresql://u@h/d", "/x").startswith("postgresql+psycopg://")
    assert database_uri(None, "/inst") == "sqlite:////inst/chorus.db"


def test_anonymity_threshold_below_three_is_refused(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="ANONYMITY_THRESHOLD"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "k",
                "ANONYMITY_THRESHOLD": 2,
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            }
        )


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/wal.db"}
    )
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_session_cookie_flags(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_is_secure_outside_debug(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_importing_every_module_starts_nothing(tmp_path) -> None:
    # Without SECRET_KEY, create_app() refuses to run: so a clean import proves none ran.
    code = (
        "import pkgutil, importlib, app\n"
        "for m in pkgutil.walk_packages(app.__path__, 'app.'): importlib.import_module(m.name)\n"
        "print('imported')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=str(Path(__file__).parents[2]),
    )
    assert out.stdout.strip() == "imported", out.stderr
