"""Mail workers that die, and workers that are merely slow.

Delivery is at least once (docs/operations.md): a worker marks each message sent, and commits,
right after the server accepts it, so a worker killed with SIGKILL mid-batch leaves at most the
one message in flight to be sent again; the rest of its batch is put back in the queue once its
claim is older than MAIL_CLAIM_TIMEOUT_SECONDS, and another worker sends it.

A worker that is only slow must not look dead: its claim is dated when it claims each batch, so
another worker never takes over a batch it is still sending.
"""

from __future__ import annotations

import time
from pathlib import Path

from app.services.tokens import token_hash
from bench._seed import seed_launched_round
from bench._servers import kill_group
from tests.faults.conftest import Processes
from tests.faults.mail_support import outbox_counts, start_worker, tokens_delivered, wait_until
from tests.faults.support import Database
from tests.smtp import SmtpServer


def test_worker_killed_mid_batch_loses_nothing_and_resends_at_most_the_message_in_flight(
    database: Database, smtp: SmtpServer, processes: Processes, tmp_path: Path
) -> None:
    total = 300
    smtp.handler.delay_seconds = 0.01
    settings = {"MAIL_BATCH_SIZE": "50", "MAIL_CLAIM_TIMEOUT_SECONDS": "3"}
    seeded = seed_launched_round(database.app, {"parents": 150, "staff": 150})

    first = processes.track(start_worker(database, smtp, tmp_path / "first.log", **settings))
    wait_until(lambda: len(smtp.messages) >= 75, 30, "the worker to be in its second batch")
    kill_group(first)  # SIGKILL: no clean-up, no "stopping after the current message"
    time.sleep(0.5)  # the server finishes any message whose last byte was already sent
    received = len(smtp.messages)
    counts = outbox_counts(database)
    assert 0 < received < total
    assert counts.get("sending", 0) > 0, f"the kill must come mid-batch: {counts}"
    # Only the message in flight can have reached the server without being marked sent.
    in_flight = received - counts.get("sent", 0)
    assert in_flight in (0, 1), f"{in_flight} messages delivered but not marked sent"

    second = processes.track(start_worker(database, smtp, tmp_path / "second.log", **settings))
    wait_until(lambda: len(tokens_delivered(smtp)) >= total, 60, "every invitation")
    wait_until(lambda: outbox_counts(database) == {"sent": total}, 10, "all marked sent")
    time.sleep(1.0)  # more polls: time for any further duplicate to show itself
    assert second.poll() is None

    delivered = tokens_delivered(smtp)
    assert {token_hash(t) for t in delivered} == {token_hash(t) for t in seeded.all_tokens}
    twice = {t: n for t, n in delivered.items() if n > 1}
    assert len(twice) <= 1 and all(n == 2 for n in twice.values()), twice
    assert len(twice) == in_flight
    assert sum(delivered.values()) == total + in_flight
    assert database.scalar("SELECT count(*) FROM invitation WHERE delivery = 'sent'") == total


def test_a_slow_worker_is_not_taken_for_dead(
    database: Database, smtp: SmtpServer, processes: Processes, tmp_path: Path
) -> None:
    """Two workers, one pass of the first longer than the claim timeout: nothing sent twice."""
    total = 240
    smtp.handler.delay_seconds = 0.03  # a slow relay: ~7 s for everything through one worker
    settings = {"MAIL_BATCH_SIZE": "10", "MAIL_CLAIM_TIMEOUT_SECONDS": "2"}
    seeded = seed_launched_round(database.app, {"parents": 120, "staff": 120})

    processes.track(start_worker(database, smtp, tmp_path / "a.log", **settings))
    wait_until(lambda: len(smtp.messages) >= 10, 30, "the first worker to start sending")
    time.sleep(2.5)  # its pass is now older than the claim timeout, and still sending
    assert len(smtp.messages) < total - 40, "the first worker must still be busy"
    processes.track(start_worker(database, smtp, tmp_path / "b.log", **settings))

    wait_until(lambda: len(tokens_delivered(smtp)) >= total, 60, "every invitation")
    wait_until(lambda: outbox_counts(database) == {"sent": total}, 10, "all marked sent")
    time.sleep(1.0)
    delivered = tokens_delivered(smtp)
    assert {token_hash(t) for t in delivered} == {token_hash(t) for t in seeded.all_tokens}
    twice = sorted(n for n in delivered.values() if n > 1)
    assert not twice, f"{len(twice)} invitations sent twice by workers taking over live batches"
    workers = database.scalar("SELECT count(DISTINCT claimed_by) FROM outbox_message")
    assert workers == 2, "both workers should have sent some"
