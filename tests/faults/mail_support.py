"""Mail workers as real processes (`flask --app wsgi mail work`) and what their emails carry."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench._servers import ROOT, flask_command
from tests.faults.support import Database
from tests.smtp import LOOPBACK, SmtpServer, text_part

LINK = re.compile(r"https?://[^\s\"<>]+/r/([A-Za-z0-9_\-]{43})")


def start_worker(
    database: Database, smtp: SmtpServer, log_path: Path, **settings: str
) -> subprocess.Popen[bytes]:
    """A mail worker process, in its own process group, sending to `smtp`."""
    env = database.env(
        MAIL_SERVER=LOOPBACK,
        MAIL_PORT=str(smtp.port),
        MAIL_DEFAULT_SENDER="feedback@chorus.example",
        MAIL_TIMEOUT_SECONDS="5",
        MAIL_POLL_SECONDS="0.2",
        PUBLIC_BASE_URL="https://chorus.example",
        **settings,
    )
    log = log_path.open("ab")
    process = subprocess.Popen(
        flask_command("mail", "work"),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process


def tokens_delivered(smtp: SmtpServer) -> Counter[str]:
    """How many times each invitation link arrived."""
    found: Counter[str] = Counter()
    for message in list(smtp.messages):
        links = set(LINK.findall(text_part(message)))
        assert len(links) == 1, f"one invitation link per email, got {links}"
        found.update(links)
    return found


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, poll: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def outbox_counts(database: Database) -> dict[str, int]:
    rows = database.rows("SELECT status, count(*) FROM outbox_message GROUP BY status")
    return {str(status): int(n) for status, n in rows}
