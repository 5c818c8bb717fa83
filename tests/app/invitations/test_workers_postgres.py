"""Two workers on PostgreSQL never send the same message (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from app.mail.worker import Worker
from app.models import MessageStatus
from app.services.tokens import token_hash
from tests.app.conftest import ON_POSTGRES
from tests.app.invitations.builders import invitations, launched_round, messages
from tests.app.invitations.test_outbox import LINK
from tests.smtp import SmtpServer, text_part

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="SQLite runs one worker; row locks need PostgreSQL"
)


def test_two_workers_never_send_the_same_message(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 7)
    smtp.handler.delay_seconds = 0.002  # keep both workers busy at the same time
    round_id = launched_round(app, {"parents": 120, "staff": 90})
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            start.wait()
            Worker(app, name).run_once()  # its own app context and session
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("worker-a", "worker-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors

    delivered = smtp.wait_for(210)
    tokens = [LINK.findall(text_part(m))[0] for m in delivered]
    assert len(tokens) == len(set(tokens)) == 210, "a message was sent twice"
    assert {token_hash(t) for t in tokens} == {i.token_hash for i in invitations(app, round_id)}
    rows = messages(app, round_id)
    assert {m.status for m in rows} == {MessageStatus.SENT}
    by_worker = {
        name: sum(1 for m in rows if m.claimed_by == name) for name in ("worker-a", "worker-b")
    }
    assert all(n > 0 for n in by_worker.values()), f"both workers should have sent: {by_worker}"
    assert sum(by_worker.values()) == 210


def test_rows_another_worker_is_claiming_are_skipped_not_shared_or_waited_for(
    app: Flask,
) -> None:
    from datetime import UTC, datetime

    from app.extensions import db
    from app.mail import outbox

    launched_round(app, {"staff": 10})
    now = datetime.now(UTC)
    with app.app_context():
        held = outbox.lock_due(6, now)  # worker A, mid-claim: rows locked, not yet marked
        assert len(held) == 6
        got: dict[str, list] = {}

        def worker_b() -> None:
            with app.app_context():
                got["ids"] = outbox.claim("worker-b", 6, now)

        thread = threading.Thread(target=worker_b)
        thread.start()
        thread.join(10)
        assert not thread.is_alive(), "worker B waited for A's locks instead of skipping them"
        db.session.rollback()
    assert len(got["ids"]) == 4
    assert set(got["ids"]).isdisjoint(held)
