"""The mail server stops in the middle of a launch's invitations, then comes back.

A real `flask mail work` process sends a launched round's invitations to a real SMTP server on
loopback; the server is stopped part-way through and started again on the same port a few
seconds later. Every invitation must arrive exactly once: nothing lost in the outage, nothing
sent twice when the worker catches up (retries back off from MAIL_RETRY_BASE_SECONDS=1).
"""

from __future__ import annotations

import time
from pathlib import Path

from app.services.tokens import token_hash
from bench._seed import seed_launched_round
from tests.faults.conftest import Processes
from tests.faults.mail_support import (
    outbox_counts,
    start_worker,
    tokens_delivered,
    wait_until,
)
from tests.faults.support import Database
from tests.smtp import SmtpServer

PEOPLE = {"parents": 120, "staff": 80}
TOTAL = sum(PEOPLE.values())


def test_smtp_server_stops_during_a_launch_and_comes_back(
    database: Database, smtp: SmtpServer, processes: Processes, tmp_path: Path
) -> None:
    smtp.handler.delay_seconds = 0.01  # a relay that takes a moment per message
    worker = processes.track(
        start_worker(
            database,
            smtp,
            tmp_path / "worker.log",
            MAIL_BATCH_SIZE="40",
            MAIL_RETRY_BASE_SECONDS="1",
        )
    )
    seeded = seed_launched_round(database.app, PEOPLE)  # the launch queues 200 invitations

    wait_until(lambda: len(smtp.messages) >= 50, 30, "the first 50 invitations")
    smtp.stop()
    before_outage = len(smtp.messages)
    assert before_outage < TOTAL, "the outage must come in the middle of the launch"

    # The worker meets the outage mid-batch, then finds the server gone when it tries again:
    # attempts are counted and the reason is kept for the Outbox page. The outage lasts until
    # some messages have been tried (and refused) twice.
    refused = (
        "SELECT count(*) FROM outbox_message WHERE attempts >= 2 "
        "AND last_error LIKE '%refused the connection%'"
    )
    wait_until(lambda: database.scalar(refused) > 0, 20, "the worker to retry into the outage")
    assert len(smtp.messages) == before_outage  # nothing got through while it was down
    assert outbox_counts(database).get("failed", 0) == 0  # an outage is not a permanent failure

    smtp.start()  # back on the same port
    wait_until(
        lambda: len(tokens_delivered(smtp)) >= TOTAL, 60, "every invitation after the outage"
    )
    wait_until(lambda: outbox_counts(database).get("sent", 0) == TOTAL, 10, "all marked sent")
    time.sleep(1.0)  # five more polls of the worker: time for a duplicate to show itself
    delivered = tokens_delivered(smtp)
    assert worker.poll() is None, "the worker kept running through the outage"

    twice = {t: n for t, n in delivered.items() if n > 1}
    assert not twice, f"{len(twice)} invitations were sent more than once"
    assert len(delivered) == TOTAL
    assert {token_hash(t) for t in delivered} == {token_hash(t) for t in seeded.all_tokens}, (
        "every invitation, and only these"
    )
    assert outbox_counts(database) == {"sent": TOTAL}
    assert database.scalar("SELECT count(*) FROM invitation WHERE delivery = 'sent'") == TOTAL
    # Sent messages keep no error: the Outbox page shows them as plainly sent.
    assert database.scalar("SELECT count(*) FROM outbox_message WHERE last_error IS NOT NULL") == 0
