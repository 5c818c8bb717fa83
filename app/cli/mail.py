"""flask --app wsgi mail work [--once] | mail status"""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app.extensions import db
from app.mail.smtp import mail_configured
from app.mail.worker import Worker
from app.models import MessageStatus, OutboxMessage

mail_cli = AppGroup("mail", help="Send invitations and reminders from the outbox.")


@mail_cli.command("work")
@click.option("--once", is_flag=True, help="Send everything due now, then exit (for cron).")
@with_appcontext
def work(once: bool) -> None:
    """Run a worker: releases answers into the results, then sends mail. Several may run at
    once on PostgreSQL."""
    if not mail_configured():
        # Still worth running: sealed answers reach the results only through this loop.
        click.echo(
            "MAIL_SERVER is not set, so nothing will be sent (messages are kept on the Outbox "
            "page); answers are still released into the results."
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # typed as Flask, a proxy
    worker = Worker(app)
    if once:
        report = worker.run_once()
        click.echo(
            f"Sent {report.sent}; {report.retrying} to try again later; "
            f"{report.failed} failed for good; {report.dropped} no longer needed."
        )
        if report.unreachable:
            raise click.ClickException(report.error or "The mail server could not be reached.")
        return
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        click.echo("Stopping after the current message...")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"Mail worker {worker.name} running; Ctrl+C to stop.")
    worker.run(stop)


@mail_cli.command("status")
@with_appcontext
def status() -> None:
    """How many messages are queued, being sent, sent and failed."""
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        .tuples()
        .all()
    )
    for state in MessageStatus:
        click.echo(f"{state.value:8} {counts.get(state, 0)}")
    if not mail_configured():
        click.echo("MAIL_SERVER is not set: messages are kept on the Outbox page.")
