"""Sign-in limits on a real Redis, shared by two real app processes.

Two gunicorn processes on loopback ports serve one SQLite database with
RATELIMIT_STORAGE_URI pointing at the Redis in TEST_REDIS_URL (default
redis://127.0.0.1:6379/1), as two machines behind a load balancer would. Each "browser" sends its
requests to either process; the counts are one. Under CI=true a missing Redis fails these tests.

The processes trust one proxy (TRUSTED_PROXIES=1), so each test can speak for clients at its own
addresses (X-Forwarded-For); with a secret key of its own per run, no key here can meet another
run's, and only this module's keys are deleted afterwards.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from app.auth.limits import account_key_for
from bench._servers import LOOPBACK, ROOT, ServerProcess, child_env, gunicorn
from tests.services import require
from tests.support import PASSWORD

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
ACCOUNT_LIMIT = 5  # LOGIN_ACCOUNT_RATE_LIMIT for these processes
CLIENT_LIMIT = 10  # LOGIN_RATE_LIMIT's default, "10 per minute"
USERS = ("alice@a.example", "bob@a.example")
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def redis_reachable(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _server(env: dict[str, str], log_path: Path) -> ServerProcess:
    spec = gunicorn("wsgi:app", env, log_path, workers=1, threads=2)
    return ServerProcess(spec.command, spec.env, spec.port, spec.log_path)


@dataclass
class Apps:
    ports: tuple[int, int]
    secret: str
    network: str  # "10.N." : the addresses this run's clients use
    store: redis.Redis
    emails: set[str] = field(default_factory=set)  # every address tried, for the clean-up

    def our_keys(self) -> list[str]:
        markers = [self.network, *(account_key_for(self.secret, e) for e in self.emails)]
        return [
            key
            for key in self.store.scan_iter(count=1000)
            if any(marker in key for marker in markers)
        ]


_SETUP = """
import sys
from flask_migrate import upgrade
from app import create_app
from app.extensions import db
from app.services.accounts import create_user
app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})  # quick to check, for speed
with app.app_context():
    upgrade()
    for email in sys.argv[2:]:
        create_user(email, sys.argv[1], "Org A", "coordinator")
    db.session.commit()
"""


def _prepare_database(url: str) -> None:
    """Migrate and create the accounts in one process (the CLI would take one per account)."""
    env = child_env({"DATABASE_URL": url, "SECRET_KEY": "setup", "MAIL_WORKER_IN_PROCESS": "0"})
    done = subprocess.run(
        [sys.executable, "-c", _SETUP, PASSWORD, *USERS],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Apps]:
    require(
        "Redis",
        redis_reachable(REDIS_URL),
        f"nothing answers at {REDIS_URL} (start redis-server, or set TEST_REDIS_URL)",
    )
    tmp_path = tmp_path_factory.mktemp("redis-apps")
    database = f"sqlite:///{tmp_path / 'chorus.db'}"
    _prepare_database(database)
    secret = secrets.token_hex(16)
    env = child_env(
        {
            "DATABASE_URL": database,
            "SECRET_KEY": secret,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "LOGIN_ACCOUNT_RATE_LIMIT": f"{ACCOUNT_LIMIT} per hour",
            "TRUSTED_PROXIES": "1",
            "MAIL_WORKER_IN_PROCESS": "0",
        }
    )
    store = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    with ExitStack() as stack:
        stack.callback(store.close)
        servers = [_server(env, tmp_path / f"{n}.log") for n in ("a", "b")]
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=2))
        stack.callback(lambda: list(pool.map(ServerProcess.stop, servers)))
        list(pool.map(ServerProcess.start, servers))  # both at once
        run = Apps(
            ports=(servers[0].port, servers[1].port),
            secret=secret,
            network=f"10.{secrets.randbelow(250) + 1}.",
            store=store,
        )
        yield run
        for key in run.our_keys():
            store.delete(key)
        for server in servers:
            assert "Traceback" not in server.log()


class Browser:
    """One person's browser at one address, sending each request to whichever process."""

    def __init__(self, apps: Apps, address: str) -> None:
        self.apps = apps
        self.address = address
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, port: int, method: str, path: str, form: dict[str, str] | None = None):
        headers = {
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",  # as the TLS-terminating proxy says
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name] = value
            return response.status, text
        finally:
            conn.close()

    def sign_in(self, port: int, email: str, password: str) -> int:
        self.apps.emails.add(email)
        if not self.token:
            _, page = self.request(port, "GET", "/login")
            match = _CSRF.search(page)
            assert match, page[:300]
            self.token = unescape(match.group(1))
        status, _ = self.request(
            port, "POST", "/login", {"email": email, "password": password, "csrf_token": self.token}
        )
        return status


def test_two_processes_share_one_count_per_client(apps: Apps) -> None:
    a, b = apps.ports
    browser = Browser(apps, apps.network + "1.1")
    # Each attempt at a different address, so only the per-client limit is in play.
    statuses = [
        browser.sign_in((a, b)[i % 2], f"guess{i}@a.example", "wrong") for i in range(CLIENT_LIMIT)
    ]
    assert statuses == [422] * CLIENT_LIMIT  # five on each process
    # Each process alone has seen five: only a shared count refuses the eleventh.
    assert browser.sign_in(a, "late@a.example", "wrong") == 429
    assert browser.sign_in(b, "late@a.example", "wrong") == 429
    keys = apps.our_keys()
    assert any(browser.address in key for key in keys), keys


def test_two_processes_share_one_count_per_account(apps: Apps) -> None:
    a, b = apps.ports
    browsers = [Browser(apps, f"{apps.network}2.{i}") for i in range(ACCOUNT_LIMIT + 2)]
    statuses = [
        browser.sign_in((a, b)[i % 2], "alice@a.example", f"guess {i}")
        for i, browser in enumerate(browsers[:ACCOUNT_LIMIT])
    ]
    assert statuses == [422] * ACCOUNT_LIMIT
    # A new client, the right password, the other process: the account's count is shared.
    assert browsers[-2].sign_in(b, "ALICE@a.example", PASSWORD) == 429
    assert browsers[-1].sign_in(a, "alice@a.example", PASSWORD) == 429
    # The other account signs in as usual.
    assert Browser(apps, f"{apps.network}2.200").sign_in(a, "bob@a.example", PASSWORD) == 303


def test_redis_key_names_hold_no_email_address(apps: Apps) -> None:
    browser = Browser(apps, apps.network + "3.1")
    assert browser.sign_in(apps.ports[0], "bob@a.example", "wrong") == 422
    keys = apps.our_keys()
    account = account_key_for(apps.secret, "bob@a.example")
    assert any(account in key for key in keys), keys
    everything = list(apps.store.scan_iter(count=1000))
    assert not [key for key in everything if "@" in key or "bob" in key]
