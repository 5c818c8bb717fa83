"""Scale-out on one machine: two app processes and two mail-and-release workers, one PostgreSQL
database and one Redis, as several machines behind a load balancer (docs/operations.md).

- a coordinator signed in through one app process is signed in on the other (the session is a
  cookie signed with the shared SECRET_KEY; nothing is kept in a process);
- a sign-in limit counted on one process applies on the other (RATELIMIT_STORAGE_URI = Redis);
- an API token made on one process's Tokens page works on both; its rate limit (per token, in
  Redis) is counted across both; revoked through one, it is refused by the other;
- two workers started at the same moment on one outbox send every invitation once (a real SMTP
  server counts the deliveries), and race to release the same sealed inbox: every submission
  becomes exactly one response.

The apps trust one proxy (TRUSTED_PROXIES=1, as behind a load balancer), so the test speaks for
clients at addresses of its own; only this run's Redis keys are deleted afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from app.auth.limits import account_key_for
from app.extensions import db
from app.services.accounts import create_user
from app.services.api_tokens import secret_hash
from bench._phones import Outcome, Phone
from bench._seed import seed_launched_round
from bench._servers import ServerProcess, gunicorn
from tests.faults.conftest import Processes
from tests.faults.mail_support import outbox_counts, start_worker, tokens_delivered, wait_until
from tests.faults.support import APP_SPEC, SECRET, Database
from tests.services import require
from tests.smtp import SmtpServer

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
PEOPLE = {"parents": 20, "staff": 20}
ANSWERED = 10  # per audience, through the two app processes
LOGIN_LIMIT = 4  # LOGIN_RATE_LIMIT per client, per minute
API_LIMIT = 6  # API_RATE_LIMIT per token, per hour (a window boundary mid-test is unlikely)
PASSWORD = "a long enough password"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_NEW_SECRET = re.compile(r'id="new-secret"[^>]*value="([^"]+)"')


def redis_reachable(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture
def store() -> Iterator[redis.Redis]:
    require("Redis", redis_reachable(REDIS_URL), f"nothing answers at {REDIS_URL}")
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    client.close()


@dataclass
class Browser:
    """A browser behind the load balancer at `address`, sent to whichever process we say.

    It keeps its cookies itself: the app marks them Secure (production settings), and between
    the test and loopback there is no TLS for a cookie jar to see."""

    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def _send(self, method: str, port: int, path: str, **options: Any) -> requests.Response:
        reply = requests.request(
            method,
            f"http://127.0.0.1:{port}{path}",
            headers={"X-Forwarded-For": self.address},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=30,
            **options,
        )
        self.cookies.update({c.name: c.value for c in reply.cookies if c.value is not None})
        return reply

    def get(self, port: int, path: str) -> requests.Response:
        return self._send("GET", port, path)

    def post_form(self, port: int, path: str, page: str, form: dict[str, Any]) -> requests.Response:
        """Submit a form as from `page` (its CSRF token)."""
        shown = self.get(port, page)
        token = _CSRF.search(shown.text)
        assert token, shown.text[:500]
        return self._send("POST", port, path, data={**form, "csrf_token": token.group(1)})

    def sign_in(self, port: int, email: str, password: str) -> requests.Response:
        page = self.get(port, "/login")
        token = _CSRF.search(page.text)
        assert token, page.text[:500]
        form = {"email": email, "password": password, "csrf_token": token.group(1)}
        return self._send("POST", port, "/login", data=form)


def test_two_apps_and_two_workers_share_sessions_limits_the_outbox_and_the_release(
    postgres: Database,
    smtp: SmtpServer,
    processes: Processes,
    phones: Callable[..., Phone],
    store: redis.Redis,
    tmp_path: Path,
) -> None:
    network = f"10.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}."
    email = f"coord-{secrets.token_hex(4)}@northshire.example"
    seeded = seed_launched_round(postgres.app, PEOPLE)
    with postgres.app.app_context():
        create_user(email, PASSWORD, "Northshire Council", "coordinator")
        db.session.commit()
    env = postgres.env(
        RATELIMIT_STORAGE_URI=REDIS_URL,
        TRUSTED_PROXIES="1",
        LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
        API_RATE_LIMIT=f"{API_LIMIT} per hour",
    )
    apps: list[ServerProcess] = []
    with ThreadPoolExecutor(max_workers=2) as pool:  # both start at once
        apps = list(
            pool.map(
                lambda _: processes.server(
                    lambda log: gunicorn(APP_SPEC, env, log, workers=1, threads=4)
                ),
                range(2),
            )
        )
    a, b = (server.port for server in apps)
    secrets_made: list[str] = []
    try:
        # Sessions: signed in through A, signed in on B.
        browser = Browser(network + "1")
        assert browser.sign_in(a, email, PASSWORD).status_code == 303
        home = browser.get(b, "/")
        assert home.status_code == 200 and "Northshire Council" in home.text
        assert browser.get(b, "/rounds/").status_code == 200

        # Rate limits: wrong passwords counted on both processes add up to one count.
        guesser = Browser(network + "2")
        statuses = [
            guesser.sign_in(port, email, "not the password").status_code
            for port in [a, b, a, b, a, b]
        ]
        assert statuses == [422] * LOGIN_LIMIT + [429, 429], statuses
        # Another client is not limited by the guesser's count.
        other = Browser(network + "3")
        assert other.sign_in(b, email, PASSWORD).status_code == 303

        # API tokens: made once on A's Tokens page, they work on both processes.
        def make_token(name: str) -> str:
            made = browser.post_form(
                a,
                "/settings/api-tokens/",
                "/settings/api-tokens/",
                {"name": name, "permissions": "read_results", "days": "30"},
            )
            found = _NEW_SECRET.search(made.text)
            assert made.status_code == 200 and found, made.text[:1000]
            secrets_made.append(found.group(1))
            return found.group(1)

        def api(port: int, secret: str) -> requests.Response:
            return requests.get(
                f"http://127.0.0.1:{port}/api/v1/rounds",
                headers={"Authorization": f"Bearer {secret}", "X-Forwarded-For": network + "4"},
                timeout=30,
            )

        dashboard = make_token("Dashboard")
        listed = api(b, dashboard)
        assert listed.status_code == 200, listed.text[:500]
        assert [r["id"] for r in listed.json()["rounds"]] == [str(seeded.round_id)]
        # Its limit is one count across both processes (Redis): A, B, A, ... then 429 on both.
        statuses = [api(port, dashboard).status_code for port in [a, b] * (API_LIMIT // 2)]
        assert statuses == [200] * (API_LIMIT - 1) + [429], statuses
        assert api(a, dashboard).status_code == 429 and api(b, dashboard).status_code == 429
        # Another token is not limited by that count; revoked through A, B refuses it at once.
        warehouse = make_token("Warehouse")
        assert api(a, warehouse).status_code == 200 and api(b, warehouse).status_code == 200
        token_id = postgres.scalar(
            "SELECT id FROM api_token WHERE name = 'Warehouse'",
        )
        revoked = browser.post_form(
            a,
            f"/settings/api-tokens/{uuid.UUID(str(token_id))}/revoke",
            "/settings/api-tokens/",
            {},
        )
        assert revoked.status_code == 303, revoked.text[:500]
        for port in (b, a):
            refused = api(port, warehouse)
            assert refused.status_code == 401
            assert refused.json()["detail"] == "This API token has been revoked."

        # Answers through both processes at once: sealed in the one inbox, nothing released yet.
        entries = [f"/r/{t}" for audience in PEOPLE for t in seeded.tokens[audience][:ANSWERED]]
        with ThreadPoolExecutor(max_workers=10) as pool:
            outcomes: list[Outcome] = list(pool.map(lambda e: phones([a, b]).respond(e), entries))
        assert [o.error for o in outcomes if not o.accepted] == []
        assert {h.port for o in outcomes for h in o.hits} == {a, b}, "both processes served"
        answered = len(entries)
        assert postgres.scalar("SELECT count(*) FROM sealed_submission") == answered
        assert postgres.scalar("SELECT count(*) FROM response") == 0

        # Two workers, started together: they race for the same outbox and the same inbox.
        go = threading.Barrier(2)

        def worker(name: str) -> None:
            go.wait(10)
            processes.track(start_worker(postgres, smtp, tmp_path / f"{name}.log"))

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(worker, ["worker-1", "worker-2"]))
        total = sum(PEOPLE.values())
        wait_until(
            lambda: postgres.scalar("SELECT count(*) FROM sealed_submission") == 0,
            30,
            "the release",
        )
        wait_until(lambda: outbox_counts(postgres) == {"sent": total}, 40, "every invitation")
        wait_until(lambda: len(smtp.messages) >= total, 10, "the deliveries")
        threading.Event().wait(1.0)  # more polls by both: time for a duplicate to show itself

        delivered = tokens_delivered(smtp)
        assert sorted(delivered.values()) == [1] * total, "no invitation sent twice"
        assert set(delivered) == set(seeded.all_tokens)
        assert postgres.scalar("SELECT count(*) FROM response") == answered
        assert postgres.scalar("SELECT sum(count) FROM response_day_count") == answered
        assert postgres.scalar("SELECT count(*) FROM spent_submission") == answered
        worker_logs = [(tmp_path / f"worker-{n}.log").read_text() for n in (1, 2)]
        assert all("Traceback" not in log for log in worker_logs), worker_logs
        assert all("Traceback" not in server.log() for server in apps)
    finally:
        markers = [network, account_key_for(SECRET, email)]
        markers += [secret_hash(made)[:32] for made in secrets_made]
        ours = [k for k in store.scan_iter(count=1000) if any(m in k for m in markers)]
        if ours:
            store.delete(*ours)
