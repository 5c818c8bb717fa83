"""Benchmark: the same round served by one app process, then by two, with two workers (issue 21).

    python -m bench.scaleout [--invitations 200] [--database-url postgresql://...]
                             [--redis-url redis://127.0.0.1:6379/11]

In a schema of its own (`chorus_scaleout_bench`, dropped and made afresh) of the PostgreSQL
database given (default TEST_DATABASE_URL), with rate limits in the Redis given, it launches a
round of `--invitations` invitees and:

1. answers half of them through ONE gunicorn process (1 worker, 4 threads), then the other half
   through TWO such processes, each request to either at random: responses per second for each;
2. starts two mail-and-release workers at once against a real SMTP server (aiosmtpd) and times
   how long until every invitation has been delivered and every sealed submission released.

Checks, and fails the run otherwise: every accepted response released exactly once, every
invitation delivered exactly once. On a two-core machine the second process adds little: the
figure that matters is that nothing breaks, doubles or is lost. Without a PostgreSQL URL or a
reachable Redis it prints a JSON line saying it was skipped.

Ends with one line of JSON (DESIGN.md 11).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

SECRET = "bench-scaleout-not-a-secret"
SCHEMA = "chorus_scaleout_bench"
LINK = re.compile(r"/r/([A-Za-z0-9_\-]{43})")


class Deliveries:
    """An aiosmtpd handler counting each invitation link it receives."""

    def __init__(self) -> None:
        self.links: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        body = envelope.content.decode("utf-8", "replace").replace("=\r\n", "")
        with self.lock:
            self.links.update(set(LINK.findall(body)))
        return "250 OK"


def _redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _schema_url(base: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return url.render_as_string(hide_password=False)


def _drop_schema(base: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    engine.dispose()


def _answer(ports: list[int], entries: list[str]) -> tuple[float, list[Any]]:
    from bench._phones import Phone
    from bench._servers import LOOPBACK

    def one(entry: str) -> Any:
        with Phone(LOOPBACK, ports, secret=SECRET, timeout=60) as phone:
            return phone.respond(entry)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(one, entries))
    return time.perf_counter() - started, outcomes


def run(invitations: int, base_url: str, redis_url: str) -> dict[str, Any]:
    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from bench._seed import seed_launched_round
    from bench._servers import (
        LOOPBACK,
        ROOT,
        ServerProcess,
        child_env,
        flask_command,
        free_port,
        gunicorn,
        stop_group,
    )

    url = _schema_url(base_url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET, "MAIL_SERVER": "", "TESTING": True}
    )
    with app.app_context():
        upgrade()
    half = invitations // 2
    seeded = seed_launched_round(app, {"parents": half, "staff": invitations - half})
    entries = [f"/r/{t}" for t in seeded.all_tokens]
    first, second = entries[::2], entries[1::2]

    def scalar(sql: str) -> int:
        with app.app_context():
            value = db.session.execute(text(sql)).scalar_one()
            db.session.remove()
            return int(value or 0)

    deliveries = Deliveries()
    smtp_port = free_port()
    env = child_env(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "RATELIMIT_STORAGE_URI": redis_url,
            "MAIL_WORKER_IN_PROCESS": "0",
            "MAIL_SERVER": LOOPBACK,
            "MAIL_PORT": str(smtp_port),
            "MAIL_POLL_SECONDS": "0.2",
            "PUBLIC_BASE_URL": "https://chorus.example",
            "RESPOND_PAGE_RATE_LIMIT": "100000 per minute",
            "RESPOND_SEND_RATE_LIMIT": "100000 per minute",
            "RESPOND_MIN_SECONDS_PER_QUESTION": "0",
        }
    )
    with TemporaryDirectory() as tmp, ExitStack() as stack:
        logs = Path(tmp)
        controller = Controller(deliveries, hostname=LOOPBACK, port=smtp_port)
        controller.start()
        stack.callback(controller.stop)
        servers: list[ServerProcess] = []
        for n in range(2):
            server = gunicorn("wsgi:app", env, logs / f"app-{n}.log", workers=1, threads=4)
            stack.callback(server.stop)
            servers.append(server.start())
        one_s, one_out = _answer([servers[0].port], first)
        two_s, two_out = _answer([s.port for s in servers], second)
        outcomes = one_out + two_out
        accepted = sum(1 for o in outcomes if o.accepted)

        started = time.perf_counter()
        workers = []
        for n in range(2):
            log = (logs / f"worker-{n}.log").open("ab")
            workers.append(
                subprocess.Popen(
                    flask_command("mail", "work"),
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            log.close()
        for process in workers:
            stack.callback(stop_group, process, 5)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            sealed = scalar("SELECT count(*) FROM sealed_submission")
            if sealed == 0 and sum(deliveries.links.values()) >= invitations:
                break
            time.sleep(0.1)
        drained_s = time.perf_counter() - started
        time.sleep(1.0)  # time for a duplicate to show itself
        responses = scalar("SELECT count(*) FROM response")
        sealed = scalar("SELECT count(*) FROM sealed_submission")
        twice = sum(1 for n in deliveries.links.values() if n > 1)
        delivered = len(deliveries.links)
    with app.app_context():
        db.engine.dispose()
    _drop_schema(base_url)
    ok = (
        accepted == invitations
        and responses == accepted
        and sealed == 0
        and twice == 0
        and delivered == invitations
    )
    return {
        "bench": "scaleout",
        "ok": ok,
        "invitations": invitations,
        "accepted": accepted,
        "responses_released": responses,
        "left_sealed": sealed,
        "delivered": delivered,
        "delivered_twice": twice,
        "one_process_responses_per_s": round(len(first) / one_s, 1),
        "two_processes_responses_per_s": round(len(second) / two_s, 1),
        "two_workers_drain_and_release_s": round(drained_s, 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--invitations", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument(
        "--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres") or not _redis_ok(args.redis_url):
        print(json.dumps({"bench": "scaleout", "skipped": "needs PostgreSQL and Redis"}))
        return
    result = run(args.invitations, args.database_url, args.redis_url)
    print(
        f"one process: {result['one_process_responses_per_s']} responses/s; "
        f"two processes: {result['two_processes_responses_per_s']} responses/s; "
        f"two workers delivered {result['delivered']} invitations and released "
        f"{result['responses_released']} responses in {result['two_workers_drain_and_release_s']}s"
    )
    print(json.dumps(result))
    if not result["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
