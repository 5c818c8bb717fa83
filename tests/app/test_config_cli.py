"""A bad environment value stops the real CLI with one line on stderr, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def flask_cli(tmp_path: Path, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """`flask --app wsgi users --help` in a clean environment (nothing of this shell's)."""
    base = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": "k",
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "--help"],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_good_settings_start(tmp_path: Path) -> None:
    result = flask_cli(tmp_path, MAIL_PORT="587", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/1")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("MAIL_PORT", "abc", "MAIL_PORT must be a whole number such as 587 (got 'abc')."),
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
            "LOGIN_RATE_LIMIT",
            "ten a minute",
            'LOGIN_RATE_LIMIT must be a rate limit such as "10 per minute" or "300/hour" '
            "(got 'ten a minute').",
        ),
        (
            "DATABASE_URL",
            "mysql://root:hunter2@localhost/db",
            "DATABASE_URL uses the unsupported scheme 'mysql'; use sqlite:///path "
            "or postgresql://user:password@host/db.",
        ),
    ],
)
def test_a_bad_value_stops_the_cli_with_one_line(
    tmp_path: Path, name: str, value: str, line: str
) -> None:
    result = flask_cli(tmp_path, **{name: value})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"Chorus cannot start: {line}"]
    assert result.stdout == ""


def test_a_bad_value_in_dot_env_is_refused_the_same_way(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("MAIL_PORT=abc\n")
    result = flask_cli(tmp_path, cwd=project)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Chorus cannot start: MAIL_PORT must be a whole number such as 587 (got 'abc')."
    ]
