"""A whole respondent journey under real servers, with the logs captured (DESIGN.md 6.2).

gunicorn with the shipped gunicorn.conf.py, and `flask run` (werkzeug): the invitation link,
every page, the send. No line holds the token; no respondent line holds the client address
(or a forwarded one), the user agent or the referer. Staff lines keep their address, so the
rule is per path, not "log nothing".
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.app.conftest import test_config as app_config
from tests.app.respond.helpers import SECRET, hidden_fields, invite, launch_round, page_fields

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
AGENT = "Mozilla/5.0 (ChorusLogProbe 7.7; Pixel 8)"
FORWARDED = "203.0.113.77"
RESPONDENT_LINE = re.compile(r"/(?:r|q|o|unsubscribe|forgotten)(?:/|\s|\?)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(database url, invitation token) of a live round in its own SQLite file."""
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    app: Flask = create_app(app_config(url, INSTANCE_PATH=str(tmp_path / "instance")))
    with app.app_context():
        upgrade()
    launched = launch_round(app)
    token = invite(app, launched.round_id)
    yield url, token
    with app.app_context():
        db.engine.dispose()


def _server(kind: str, port: int) -> list[str]:
    if kind == "gunicorn":
        return [
            str(BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ]
    return [str(BIN / "flask"), "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)]


class _PlainHttpPolicy(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure; the loopback test server speaks plain HTTP."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


class Phone:
    """A respondent's browser over real HTTP, with a telling user agent and proxy header."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(_PlainHttpPolicy()))
        )
        self.html = ""
        self.url = base

    def open(self, path: str, data: dict[str, str] | None = None) -> None:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            urllib.parse.urljoin(self.base, path),
            data=body,
            headers={"User-Agent": AGENT, "X-Forwarded-For": FORWARDED, "Referer": self.url},
        )
        with self.opener.open(request, timeout=20) as response:
            self.html = response.read().decode()
            self.url = response.geturl()

    def post_form(self, nav: str) -> None:
        action = re.findall(r'<form method="post" action="([^"]+)"', self.html)[-1]
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', self.html)
        assert csrf, self.html[:500]
        fields = page_fields(self.html)
        data = {name: options[0] for name, options in fields["radios"].items()}
        data.update({name: "" for name in fields["texts"]})
        data.update(hidden_fields(self.html))
        data.update({"csrf_token": csrf.group(1), "nav": nav})
        self.open(action, data)


def _wait(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(base + "/health", timeout=5).read()
            return
        except OSError:  # not listening yet, or still loading the app
            time.sleep(0.2)
    raise AssertionError(f"server not ready:\n{log.read_text()}")


@pytest.mark.parametrize("kind", ["gunicorn", "flask run"])
def test_a_whole_journey_leaves_no_person_in_the_logs(
    kind: str, seeded: tuple[str, str], tmp_path: Path
) -> None:
    url, token = seeded
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "MAIL_WORKER_IN_PROCESS": "0",
        "RESPOND_MIN_SECONDS_PER_QUESTION": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_DEBUG", None)
    phone = Phone(base)
    with log.open("wb") as out:
        process = subprocess.Popen(
            _server(kind, port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _wait(base, process, log)
            phone.open(f"/r/{token}")  # the emailed link: exchanged for a session, redirected
            assert token not in phone.url and "/q/" in phone.url
            phone.post_form("start")
            for _ in range(50):
                if "Thank you" in phone.html:
                    break
                phone.post_form("send" if "/send" in phone.html.split("<form")[-1] else "next")
            assert "Thank you" in phone.html, phone.html[:800]
            phone.open(f"/unsubscribe/{token}")
            time.sleep(0.5)  # the last access lines
        except Exception as exc:
            raise AssertionError(f"{exc!r}; at {phone.url}\n{log.read_text()}") from exc
        finally:
            process.terminate()
            process.wait(timeout=20)
    lines = log.read_text(errors="replace").splitlines()
    requests = [line for line in lines if "HTTP/1." in line]
    respondent = [line for line in requests if RESPONDENT_LINE.search(line)]
    staff = [line for line in requests if "/health" in line]
    assert len(respondent) >= 6, "\n".join(lines)  # link, welcome, pages, send, thanks, opt-out
    assert staff and all("127.0.0.1" in line for line in staff)  # per path, not "log nothing"
    assert not [line for line in lines if token in line]
    for line in respondent:
        for personal in ("127.0.0.1", FORWARDED, "ChorusLogProbe", "Pixel"):
            assert personal not in line, line
    assert any("/r/[redacted]" in line for line in respondent)
