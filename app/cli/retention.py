"""flask --app wsgi retention run: erase contacts' addresses and names that are due."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from app.services import retention

retention_cli = AppGroup("retention", help="Erase contacts' details that are no longer needed.")


@retention_cli.command("run")
@with_appcontext
def run() -> None:
    """Erase what is due today (the mail worker runs this too); recorded in the audit trail."""
    erased = retention.run()
    db.session.commit()
    click.echo(
        f"Erased {erased.contacts} contacts; {erased.invitations} invitations kept as counts "
        f"only; {erased.messages} outbox messages deleted; {erased.uploads} unconfirmed "
        "uploads of surveys from elsewhere removed."
    )
