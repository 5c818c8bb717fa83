"""The outbox worker loop, for `flask mail work` and for the in-process thread.

Each pass: release sealed submissions (DESIGN.md 6.3; in its own transactions, before any
mail), erase contacts' details that retention says are due, put back messages of a worker that
died, queue the scheduled reminders due today, then send everything due, batch after batch over
one SMTP connection each. With no MAIL_SERVER the messages are kept (they stay `queued`) and the
Outbox page shows them.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask

from app.extensions import db
from app.mail import bounces, outbox
from app.mail.smtp import mail_configured
from app.models.base import utcnow
from app.services import retention
from app.services.mix import release_waiting
from app.services.reminders import apply_schedules

log = logging.getLogger("chorus.mail")


class Worker:
    def __init__(self, app: Flask, name: str | None = None):
        self.app = app
        self.name = name or outbox.new_worker_id()

    def run_once(self, now: datetime | None = None) -> outbox.BatchReport:
        """One pass; returns what was sent. Safe to call from any thread."""
        with self.app.app_context():
            try:
                now = now or utcnow()
                self.release()
                self.erase_due()
                self.read_bounces()
                outbox.reclaim_stale(now)
                queued = apply_schedules(None, now)  # each round's local day
                db.session.commit()
                if queued:
                    log.info("Queued %d scheduled reminders", queued)
                if not mail_configured():
                    return outbox.BatchReport()
                return outbox.drain(self.name, now)
            finally:
                db.session.remove()

    def release(self) -> int:
        """Release sealed submissions; a failure is logged and must not stop the mail."""
        try:
            released = release_waiting()
        except Exception:
            db.session.rollback()
            log.exception("Release of sealed submissions failed; trying again next pass")
            return 0
        if released:
            log.info("Released %d responses into the results", released)
        return released

    def read_bounces(self) -> None:
        """Delivery-status notifications from the bounce mailbox, when one is configured."""
        if not bounces.configured():
            return
        try:
            marked = bounces.read_mailbox()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Could not read the bounce mailbox; trying again next pass")
            return
        if marked:
            log.info("Bounce mailbox: %d invitations marked bounced", marked)

    def erase_due(self) -> None:
        """The retention job; cheap when nothing is due, and a failure must not stop the mail."""
        try:
            erased = retention.run()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Retention job failed; trying again next pass")
            return
        if erased.contacts or erased.invitations or erased.messages:
            log.info(
                "Retention: erased %d contacts and %d invitations' addresses",
                erased.contacts,
                erased.invitations,
            )

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: a pass, then wait MAIL_POLL_SECONDS (errors are logged)."""
        poll = float(self.app.config.get("MAIL_POLL_SECONDS", 5))
        log.info("Mail worker %s started", self.name)
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("Mail worker pass failed; trying again shortly")
            stop.wait(poll)
        log.info("Mail worker %s stopped", self.name)


def install_in_process_worker(app: Flask) -> None:
    """Start the worker thread with the first request this process serves.

    Not at create_app time: `flask db upgrade` and other commands also build the app, and must
    not send mail (or find no tables yet).
    """
    lock = threading.Lock()
    state: dict[str, object] = {"thread": None, "stop": threading.Event()}
    app.extensions["chorus_mail_worker"] = state

    @app.before_request
    def _start_mail_worker() -> None:
        if state["thread"] is not None:
            return
        with lock:
            if state["thread"] is None:
                worker = Worker(app)
                thread = threading.Thread(
                    target=worker.run, args=(state["stop"],), name="chorus-mail", daemon=True
                )
                thread.start()
                state["thread"] = thread
