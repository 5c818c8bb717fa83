"""Invitations benchmark: launch 10,000 invitees, then drain them through the outbox worker.

    python -m bench.invitations [--invitees 10000]

Measures, on a fresh SQLite file (the embedded default):
- launch: `app.services.launch.launch` + commit for N contacts (target < 2 s for 10,000);
- worker: `Worker.run_once()` delivering all N invitations to a local aiosmtpd server over one
  SMTP connection per batch (target >= 100 messages/s);
- the limit: a bare smtplib loop sending N small messages over one connection to the same
  server, which is the most any sender could get out of it.
The SMTP server runs in its own process (as a real relay would), so it does not compete with
the sender for the GIL.
Ends with exactly one JSON line (DESIGN.md section 11).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from app import create_app
from app.extensions import db
from app.invitations.common import audience_labels
from app.mail.worker import Worker
from app.models import Contact, MessageStatus, OutboxMessage
from app.services.accounts import get_or_create_organisation
from app.services.launch import launch
from app.services.rounds import RoundSettings, create_round


class CountingHandler:
    """Accepts every message and only counts it: the server does as little as possible."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _round_with_contacts(n: int) -> uuid.UUID:
    today = datetime.now(UTC).date()
    org = get_or_create_organisation("Bench Council")
    rnd = create_round(
        org,
        RoundSettings(
            name="Bench round",
            framework_id="hmie-children-services",
            indicator_ids=["2.1", "2.2"],
            audiences=["parents", "staff"],
            opens_on=today,
            closes_on=today + timedelta(days=21),
        ),
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "round_id": rnd.id,
            "audience": "parents" if i % 3 else "staff",
            "email": f"person{i}@example.org",
            "name": f"Person {i}",
        }
        for i in range(n)
    ]
    db.session.execute(insert(Contact), rows)
    db.session.commit()
    return rnd.id


def bench_launch(round_id: uuid.UUID, secret: str) -> float:
    from app.models import FeedbackRound

    rnd = db.session.get(FeedbackRound, round_id)
    assert rnd is not None
    labels = audience_labels(rnd)
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    launch(rnd, secret=secret, labels=labels, today=today)
    db.session.commit()
    return time.perf_counter() - started


def bare_smtplib(port: int, n: int) -> float:
    message = EmailMessage()
    message["From"] = "bench@example.org"
    message["To"] = "someone@example.org"
    message["Subject"] = "Bench"
    message.set_content("A short message of about the size of an invitation.\n" * 20)
    data = message.as_bytes(policy=policy.SMTP)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for _ in range(n):
            smtp.sendmail("bench@example.org", ["someone@example.org"], data)
    return time.perf_counter() - started


def serve(port: int) -> None:
    """The child process: an aiosmtpd server that counts; prints the count when stdin closes."""
    handler = CountingHandler()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()
    print(handler.count, flush=True)


class SmtpProcess:
    def __init__(self) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.invitations", "--serve", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def finish(self) -> int:
        """Stop the server; how many messages it accepted."""
        out, _ = self.proc.communicate("", timeout=30)
        return int(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitees", type=int, default=10_000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return
    n = args.invitees
    print(
        f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", file=sys.stderr
    )

    server = SmtpProcess()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": False,
                "SECRET_KEY": "bench-secret",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": server.port,
                "MAIL_SUPPRESS_SEND": False,
                "MAIL_WORKER_IN_PROCESS": False,
                "MAIL_BATCH_SIZE": 200,
            }
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        with app.app_context():
            upgrade()
            round_id = _round_with_contacts(n)
            launch_s = bench_launch(round_id, app.config["SECRET_KEY"])
            print(f"launch {n} invitees: {launch_s:.3f} s", file=sys.stderr)

        started = time.perf_counter()
        report = Worker(app, "bench").run_once()
        worker_s = time.perf_counter() - started
        with app.app_context():
            sent = db.session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == MessageStatus.SENT)
            ).scalar_one()
            db.engine.dispose()
        assert sent == n == report.sent, (sent, report)
        print(
            f"worker: {n} invitations in {worker_s:.2f} s = {n / worker_s:.0f} msg/s",
            file=sys.stderr,
        )

    limit_s = bare_smtplib(server.port, n)
    received = server.finish()
    assert received == 2 * n, f"the server received {received}, expected {2 * n}"
    print(
        f"limit: bare smtplib, {n} messages in {limit_s:.2f} s = {n / limit_s:.0f} msg/s",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "invitations",
                "figures": {
                    f"launch_{n}_s": round(launch_s, 3),
                    f"worker_{n}_s": round(worker_s, 2),
                    "worker_msgs_per_s": round(n / worker_s, 1),
                },
                "limits": {
                    f"smtplib_{n}_s": round(limit_s, 2),
                    "smtplib_msgs_per_s": round(n / limit_s, 1),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
